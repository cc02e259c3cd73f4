package magekit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompareDbtColumns(t *testing.T) {
	r := dbtRelation{"orders", "fact_orders"}
	ours := []dbtColumn{{"order_id", "VARCHAR"}, {"qty", "BIGINT"}, {"extra", "DATE"}}
	core := []dbtColumn{{"order_id", "VARCHAR"}, {"qty", "INTEGER"}, {"missing", "VARCHAR"}}
	diffs, common := compareDbtColumns(r, ours, core)
	assert.Equal(t, []string{
		"orders.fact_orders: column qty is BIGINT in ours, INTEGER in dbt-core's",
		"orders.fact_orders: column missing (VARCHAR) only in dbt-core's table",
		"orders.fact_orders: column extra (DATE) only in our table",
	}, diffs)
	assert.Equal(t, []dbtColumn{{"order_id", "VARCHAR"}, {"qty", "INTEGER"}}, common, "checksums still cover the shared columns")

	diffs, _ = compareDbtColumns(r, []dbtColumn{{"b", "INTEGER"}, {"a", "INTEGER"}}, []dbtColumn{{"a", "INTEGER"}, {"b", "INTEGER"}})
	assert.Equal(t, []string{"orders.fact_orders: columns in another order: ours b,a, dbt-core's a,b"}, diffs)

	diffs, _ = compareDbtColumns(r, nil, core)
	assert.Equal(t, []string{"orders.fact_orders: our executor built no such table"}, diffs)
}

func TestCompareDbtChecksums(t *testing.T) {
	r := dbtRelation{"orders", "fact_orders"}
	cols := []dbtColumn{{"a", "VARCHAR"}, {"b", "VARCHAR"}}
	same := dbtSums{n: "3", rows: "10", columns: []string{"1", "2"}}
	assert.Empty(t, compareDbtChecksums(r, cols, same, same))
	assert.Equal(t, []string{"orders.fact_orders: 3 rows in ours, 4 in dbt-core's"},
		compareDbtChecksums(r, cols, same, dbtSums{n: "4", rows: "10", columns: []string{"1", "2"}}))
	assert.Equal(t, []string{"orders.fact_orders: column b has other values (checksum 2 in ours, 5 in dbt-core's)"},
		compareDbtChecksums(r, cols, same, dbtSums{n: "3", rows: "11", columns: []string{"1", "5"}}))
	assert.Equal(t, []string{"orders.fact_orders: the same values per column but other rows (row checksum 10 in ours, 11 in dbt-core's)"},
		compareDbtChecksums(r, cols, same, dbtSums{n: "3", rows: "11", columns: []string{"1", "2"}}))
}

func TestDbtChecksumSQL(t *testing.T) {
	r := dbtRelation{"orders", "fact_orders"}
	sql := dbtChecksumSQL([]dbtRelation{r, {"orders", "gone"}}, map[dbtRelation][]dbtColumn{r: {{"order_id", "VARCHAR"}, {"ts", "TIMESTAMP WITH TIME ZONE"}}})
	assert.True(t, strings.HasPrefix(sql, "SET TimeZone = 'UTC';\n"), sql)
	assert.Contains(t, sql, `sum(hash(CAST("order_id" AS VARCHAR), CAST("ts" AS VARCHAR)))`)
	assert.Contains(t, sql, `FROM "orders"."fact_orders"`)
	assert.NotContains(t, sql, "gone", "a table without columns to compare is left out")
}

func TestCompareDbtManifests(t *testing.T) {
	node := func(id string, deps []any, extra map[string]any) dbtNode {
		n := dbtNode{"unique_id": id, "resource_type": strings.Split(id, ".")[0], "name": id[strings.LastIndex(id, ".")+1:],
			"depends_on": map[string]any{"nodes": deps, "macros": []any{"macro.dbt.test_unique", "macro.mesh_core.cents"}},
			"columns":    map[string]any{"order_id": map[string]any{"name": "order_id", "description": "Order line id."}},
			"created_at": 1.0}
		for k, v := range extra {
			n[k] = v
		}
		return n
	}
	ours := dbtManifest{Nodes: map[string]dbtNode{
		"model.orders.fact_orders": node("model.orders.fact_orders", []any{"a", "b"}, nil),
		"test.orders.unique_x.1":   node("test.orders.unique_x.1", []any{"a"}, nil),
	}, Sources: map[string]dbtNode{}}
	core := dbtManifest{Nodes: map[string]dbtNode{
		// Lists compared as sets, created_at not compared, dbt's own test macros not compared.
		"model.orders.fact_orders": node("model.orders.fact_orders", []any{"b", "a"}, map[string]any{"created_at": 2.0}),
		"test.orders.unique_x.2":   node("test.orders.unique_x.2", []any{"a"}, nil),
	}, Sources: map[string]dbtNode{}}
	tn := core.Nodes["test.orders.unique_x.2"]
	tn["depends_on"] = map[string]any{"nodes": []any{"a"}, "macros": []any{"macro.dbt.test_unique", "macro.dbt.statement", "macro.mesh_core.cents"}}
	diffs, compared := compareDbtManifests("orders", ours, core)
	assert.Equal(t, 1, compared)
	assert.Equal(t, []string{
		"orders manifest: test.orders.unique_x.2 only in dbt-core's",
		"orders manifest: test.orders.unique_x.1 only in ours",
	}, diffs)

	core.Nodes["model.orders.fact_orders"]["columns"] = map[string]any{"order_id": map[string]any{"name": "order_id", "description": "Other."}}
	core.Nodes["model.orders.fact_orders"]["depends_on"] = map[string]any{"nodes": []any{"a"}, "macros": []any{}}
	diffs, _ = compareDbtManifests("orders", ours, core)
	assert.Contains(t, diffs, `orders manifest: model.orders.fact_orders depends_on.nodes: ours [a b], dbt-core's [a]`)
	assert.Contains(t, diffs, `orders manifest: model.orders.fact_orders depends_on.macros: ours [macro.dbt.test_unique macro.mesh_core.cents], dbt-core's []`)
	assert.Contains(t, diffs, `orders manifest: model.orders.fact_orders column order_id description: ours "Order line id.", dbt-core's "Other."`)
}

func TestDbtLocalPackages(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "packages.yml")
	require.NoError(t, os.WriteFile(p, []byte("# shared\npackages:\n  - local: ../../../platform/dbtpkg/mesh_core\n  - local: \"../other\"\n"), 0o644))
	got, err := dbtLocalPackages(p)
	require.NoError(t, err)
	assert.Equal(t, []string{"../../../platform/dbtpkg/mesh_core", "../other"}, got)

	require.NoError(t, os.WriteFile(p, []byte("packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n"), 0o644))
	_, err = dbtLocalPackages(p)
	assert.ErrorContains(t, err, "only local packages")

	got, err = dbtLocalPackages(filepath.Join(dir, "none.yml"))
	require.NoError(t, err)
	assert.Empty(t, got)
}
