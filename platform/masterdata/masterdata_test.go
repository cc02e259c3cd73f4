package masterdata

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
)

func TestScan(t *testing.T) {
	tbl, err := ParseCSV("seeds/things.csv", []byte("id,n,x\nA,1,0.5\nB,two,1\n"))
	require.NoError(t, err)
	s := tbl.Scan()
	require.True(t, s.Next())
	assert.Equal(t, "A", s.String("id"))
	assert.Equal(t, 1, s.Int("n"))
	assert.Equal(t, 0.5, s.Float("x"))
	require.True(t, s.Next())
	assert.Equal(t, "B", s.String("id"))
	s.Int("n")
	assert.False(t, s.Next(), "an error stops the scan")
	assert.ErrorIs(t, s.Err(), ErrMalformed)
	assert.EqualError(t, s.Err(), `malformed master data: seeds/things.csv line 3, column n: "two" is not an integer`)

	s = tbl.Scan()
	require.True(t, s.Next())
	s.String("price")
	assert.ErrorContains(t, s.Err(), `seeds/things.csv: no column "price" (columns: [id n x])`)

	_, err = ParseCSV("empty.csv", nil)
	assert.ErrorContains(t, err, "empty.csv: no header line")
	_, err = ParseCSV("ragged.csv", []byte("a,b\n1\n"))
	assert.ErrorContains(t, err, "ragged.csv")
}

func TestCSVRoundTrip(t *testing.T) {
	in := Table{Header: []string{"id", "name"}, Rows: [][]string{{"1", "a, with comma"}, {"2", `"quoted"`}}}
	assert.Equal(t, "id,name\n1,\"a, with comma\"\n2,\"\"\"quoted\"\"\"\n", string(in.CSV()))
	out, err := ParseCSV("t", in.CSV())
	require.NoError(t, err)
	assert.Equal(t, in.Rows, out.Rows)
}

func TestIdent(t *testing.T) {
	for _, tc := range []struct{ ident, owner, table, errContains string }{
		{ident: "inventory.products", owner: "inventory", table: "products"},
		{ident: "fleet.vehicles", owner: "fleet", table: "vehicles"},
		{ident: "products", errContains: `identifier "products": want <owner domain>.<table>`},
		{ident: "a.b.c", errContains: `identifier "a.b.c"`},
		{ident: "Inventory.products", errContains: "want <owner domain>.<table>"},
	} {
		t.Run(tc.ident, func(t *testing.T) {
			owner, table, err := ParseIdent(tc.ident)
			if tc.errContains != "" {
				assert.ErrorIs(t, err, ErrMalformed)
				assert.ErrorContains(t, err, tc.errContains)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, [2]string{tc.owner, tc.table}, [2]string{owner, table})
		})
	}
	id, err := IdentOfPin("domains/orders/masterdata/inventory.products.csv")
	require.NoError(t, err)
	assert.Equal(t, "inventory.products", id)
	_, err = IdentOfPin("masterdata/products.csv")
	assert.ErrorContains(t, err, "masterdata/products.csv")
}

// TestLoad reads the owners' committed seeds of this repository: the
// catalogue's first and last products and the warehouse count are known.
func TestLoad(t *testing.T) {
	root, err := config.RepoRoot()
	require.NoError(t, err)
	products, err := Load(root, "inventory.products")
	require.NoError(t, err)
	require.Len(t, products.Rows, 500)
	assert.Equal(t, "domains/inventory/dbt/seeds/products.csv", products.Name)
	assert.Equal(t, []string{"product_id", "name", "category", "unit_cost", "list_price"}, products.Header)
	assert.Equal(t, "P-00001", products.Rows[0][0])
	assert.Equal(t, "P-00500", products.Rows[499][0])
	warehouses, err := Load(root, "inventory.warehouses")
	require.NoError(t, err)
	assert.Len(t, warehouses.Rows, 12, "3 in each of 4 regions")

	for _, tc := range []struct{ ident, errContains string }{
		{"inventory.unicorns", `domains/inventory/domain.yaml publishes no "unicorns"`},
		{"atlantis.products", `no domain "atlantis"`},
	} {
		_, err := Load(root, tc.ident)
		assert.ErrorIs(t, err, ErrUnknownTable, tc.ident)
		assert.ErrorContains(t, err, tc.errContains)
	}
	_, err = Load(root, "products")
	assert.ErrorIs(t, err, ErrMalformed)
}

func TestOpen(t *testing.T) {
	fsys := fstest.MapFS{"masterdata/inventory.warehouses.csv": {Data: []byte("warehouse_id,region\nWH-1,us-east\n")}}
	tbl, err := Open(fsys, "inventory.warehouses")
	require.NoError(t, err)
	assert.Equal(t, "masterdata/inventory.warehouses.csv", tbl.Name)
	assert.Equal(t, [][]string{{"WH-1", "us-east"}}, tbl.Rows)
	_, err = Open(fsys, "fleet.vehicles")
	assert.ErrorIs(t, err, ErrUnknownTable)
	assert.ErrorContains(t, err, "no pinned copy masterdata/fleet.vehicles.csv")
	assert.Equal(t, tbl, MustOpen(fsys, "inventory.warehouses"))
	assert.PanicsWithError(t, err.Error(), func() { MustOpen(fsys, "fleet.vehicles") })
}

func TestRegistryAndCheckSeeds(t *testing.T) {
	Register("test_colours", func() Table {
		return Table{Header: []string{"colour"}, Rows: [][]string{{"red"}, {"blue"}}}
	})
	assert.Panics(t, func() { Register("test_colours", nil) })
	assert.Contains(t, Names(), "test_colours")
	_, err := Lookup("unicorns")
	assert.ErrorIs(t, err, ErrUnknownTable)
	assert.ErrorContains(t, err, "known: [")

	dir := t.TempDir()
	stale, err := CheckSeeds(dir, []string{"test_colours"}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"test_colours"}, stale, "missing")
	_, err = os.Stat(filepath.Join(dir, "test_colours.csv"))
	assert.True(t, os.IsNotExist(err), "not written without write")

	stale, err = CheckSeeds(dir, []string{"test_colours"}, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"test_colours"}, stale)
	data, err := os.ReadFile(filepath.Join(dir, "test_colours.csv"))
	require.NoError(t, err)
	assert.Equal(t, "colour\nred\nblue\n", string(data))

	stale, err = CheckSeeds(dir, []string{"test_colours"}, false)
	require.NoError(t, err)
	assert.Empty(t, stale, "published")
	_, err = CheckSeeds(dir, []string{"unicorns"}, false)
	assert.ErrorIs(t, err, ErrUnknownTable)
}
