package masterdata

import (
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/meshterious/warehouse/platform/gen"
)

// Table is master data as rows, the shape of a dbt seed.
type Table struct {
	Header []string
	Rows   [][]string
}

var (
	tablesMu sync.Mutex
	tables   = map[string]func() Table{}
)

// Register makes a master-data table available by name; a domain lists the
// names it owns in domain.yaml (masterdata: [...]) and `go run mage.go check`
// writes each as the seed domains/<d>/dbt/seeds/<name>.csv. Registering a name
// twice panics.
func Register(name string, build func() Table) {
	tablesMu.Lock()
	defer tablesMu.Unlock()
	if _, dup := tables[name]; dup {
		panic("masterdata: table " + name + " registered twice")
	}
	tables[name] = build
}

// Lookup returns the named table.
func Lookup(name string) (Table, error) {
	tablesMu.Lock()
	build, ok := tables[name]
	tablesMu.Unlock()
	if !ok {
		return Table{}, fmt.Errorf("no master-data table %q (known: %v)", name, Names())
	}
	return build(), nil
}

// Names lists the registered tables, sorted.
func Names() []string {
	tablesMu.Lock()
	defer tablesMu.Unlock()
	out := make([]string, 0, len(tables))
	for n := range tables {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// money formats an amount with cents.
func money(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

func init() {
	Register("products", func() Table {
		t := Table{Header: []string{"product_id", "name", "category", "unit_cost", "list_price"}}
		for _, p := range Products() {
			t.Rows = append(t.Rows, []string{p.ID, p.Name, p.Category, money(p.UnitCost), money(p.Price)})
		}
		return t
	})
	Register("warehouses", func() Table {
		t := Table{Header: []string{"warehouse_id", "name", "region", "capacity", "lat", "lon"}}
		for _, r := range gen.RegionNames() {
			for _, w := range Warehouses(r) {
				t.Rows = append(t.Rows, []string{w.ID, w.Name, w.Region, strconv.Itoa(w.Capacity),
					strconv.FormatFloat(w.Lat, 'f', -1, 64), strconv.FormatFloat(w.Lon, 'f', -1, 64)})
			}
		}
		return t
	})
}
