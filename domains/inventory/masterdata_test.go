package inventory

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
)

// TestPublishedSeeds: the committed seeds are what the generators make.
func TestPublishedSeeds(t *testing.T) {
	spec, err := domainspec.Load(domainspec.FileName)
	require.NoError(t, err)
	assert.Equal(t, []string{"products", "warehouses", "employees", "warehouse_managers", "opening_stock"}, spec.MasterData)
	domaintest.CheckPublished(t)
}

func TestProductsAreDeterministicAndSane(t *testing.T) {
	a, b := Products(), Products()
	require.Len(t, a, NumProducts)
	assert.Equal(t, a, b)
	assert.Equal(t, "P-00001", a[0].ID)
	assert.Equal(t, "P-00500", a[NumProducts-1].ID)
	cats := map[string]int{}
	for _, p := range a {
		assert.Greater(t, p.Price, p.UnitCost, p.ID)
		assert.Greater(t, p.UnitCost, 0.0, p.ID)
		cats[p.Category]++
	}
	assert.Len(t, cats, len(Categories()))
}

func TestWarehouses(t *testing.T) {
	idRE := regexp.MustCompile(`^WH-[A-Z]{2,4}-[0-9]{2}$`)
	seen := map[string]bool{}
	for _, name := range gen.RegionNames() {
		reg, err := gen.LookupRegion(name)
		require.NoError(t, err)
		ws := Warehouses(name)
		require.Len(t, ws, warehousesPerRegion, name)
		assert.Equal(t, ws, Warehouses(name))
		for _, w := range ws {
			assert.Regexp(t, idRE, w.ID)
			assert.True(t, reg.Contains(w.Lat, w.Lon), "%s at %f,%f outside %s", w.ID, w.Lat, w.Lon, name)
			assert.False(t, seen[w.ID], "duplicate %s", w.ID)
			seen[w.ID] = true
		}
	}
	assert.Nil(t, Warehouses("mars"))
}

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
	tbl, err := masterdata.Lookup("opening_stock")
	require.NoError(t, err)
	assert.Len(t, tbl.Rows, len(Employees())/EmployeesPerWarehouse*NumProducts)
}
