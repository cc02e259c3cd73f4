package masterdata

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
)

func TestEmployees(t *testing.T) {
	a := Employees()
	assert.Equal(t, a, Employees())
	warehouses := 0
	for _, r := range gen.RegionNames() {
		warehouses += len(Warehouses(r))
	}
	require.Len(t, a, warehouses*EmployeesPerWarehouse)
	emailRE := regexp.MustCompile(`^emp[0-9]{4}@example\.invalid$`)
	managers := map[string]string{}
	for _, e := range a {
		assert.Regexp(t, emailRE, e.Email)
		assert.Regexp(t, `^\+1-555-[0-9]{4}$`, e.Phone)
		assert.Positive(t, e.ShiftHours)
		if e.Role == ManagerRole {
			assert.Empty(t, managers[e.Warehouse], "two managers for %s", e.Warehouse)
			managers[e.Warehouse] = e.ID
		} else {
			assert.True(t, EmployeeRoles.Contains(e.Role), e.Role)
		}
	}
	assert.Len(t, managers, warehouses)
	assert.Equal(t, managers["WH-EUC-01"], WarehouseManager("WH-EUC-01"))
	assert.Empty(t, WarehouseManager("WH-XX-99"))
}

func TestOpeningStock(t *testing.T) {
	ps := Products()
	assert.Equal(t, 60*CasePack(ps[0].Category), OpeningStock(0, ps[0]))
	assert.Equal(t, 3*CasePack(ps[NumProducts-1].Category), OpeningStock(NumProducts-1, ps[NumProducts-1]))
	assert.Equal(t, 6, CasePack("unknown"))
	tbl, err := Lookup("opening_stock")
	require.NoError(t, err)
	assert.Len(t, tbl.Rows, len(Employees())/EmployeesPerWarehouse*NumProducts)
}
