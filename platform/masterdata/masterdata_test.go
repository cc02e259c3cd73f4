package masterdata

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
)

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

func TestTables(t *testing.T) {
	for _, name := range Names() {
		tbl, err := Lookup(name)
		require.NoError(t, err, name)
		require.NotEmpty(t, tbl.Rows, name)
		ids := map[string]bool{}
		for _, r := range tbl.Rows {
			require.Len(t, r, len(tbl.Header), "%s row %v", name, r)
			assert.False(t, ids[r[0]], "%s: duplicate key %s", name, r[0])
			ids[r[0]] = true
		}
	}
	_, err := Lookup("unicorns")
	assert.ErrorContains(t, err, "known:")
	assert.Panics(t, func() { Register("products", nil) })
}
