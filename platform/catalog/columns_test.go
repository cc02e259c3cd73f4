package catalog_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshterious/warehouse/platform/catalog"
)

func TestSimpleColumns(t *testing.T) {
	for _, tc := range []struct {
		name, sql string
		want      []catalog.ColumnRef
	}{
		{"plain, qualified, cast, alias; expressions skipped",
			"select a, t.b as c, CAST(x AS DECIMAL(10, 2)) as y, lower(z) as z2, d e, *\nfrom ns.tbl t",
			[]catalog.ColumnRef{{Column: "a", Out: "a"}, {Table: "ns.tbl", Column: "b", Out: "c"},
				{Column: "x", Out: "y"}, {Column: "d", Out: "e"}}},
		{"the outermost select of CTEs; joins resolve aliases",
			"with q as (select a, b from ns.one) select q.a, o.b as ob, \"o\".\"c\" from q join ns.other as o on q.a = o.a",
			[]catalog.ColumnRef{{Column: "a", Out: "a"}, {Table: "ns.other", Column: "b", Out: "ob"}, {Table: "ns.other", Column: "c", Out: "c"}}},
		{"commas in comments, strings and calls do not split items",
			"-- a, b\nselect /* x, y */ coalesce(p, 'a,b') as p, r\nfrom ns.t where s = 'from, x'",
			[]catalog.ColumnRef{{Column: "r", Out: "r"}}},
		{"distinct", "SELECT DISTINCT region FROM ns.t", []catalog.ColumnRef{{Column: "region", Out: "region"}}},
		{"a union gives nothing", "select a from ns.t union all select a from ns.u", nil},
		{"no from gives nothing", "select 1 as a", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, catalog.SimpleColumns(tc.sql))
		})
	}
}
