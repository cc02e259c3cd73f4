package domaintest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/dbtpkg"
	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/masterdata"
)

// Published reads a table another domain publishes as master data, by
// identifier (e.g. inventory.products), from the owner's committed seed in
// the repository the tests run in (masterdata.Load): a domain's tests never
// import another domain's code.
func Published(t testing.TB, ident string) masterdata.Table {
	t.Helper()
	root, err := config.RepoRoot()
	require.NoError(t, err)
	tbl, err := masterdata.Load(root, ident)
	require.NoError(t, err)
	return tbl
}

// standInProduct is what the stand-ins use of a published product.
type standInProduct struct {
	id    string
	price float64
}

// publishedProducts returns the catalogue the inventory domain publishes,
// in its order.
func publishedProducts(t testing.TB) []standInProduct {
	t.Helper()
	var out []standInProduct
	s := Published(t, "inventory.products").Scan()
	for s.Next() {
		out = append(out, standInProduct{id: s.String("product_id"), price: s.Float("list_price")})
	}
	require.NoError(t, s.Err())
	return out
}

// publishedWarehouses returns the ids of the warehouses of region the
// inventory domain publishes, in its order.
func publishedWarehouses(t testing.TB, region string) []string {
	t.Helper()
	var out []string
	s := Published(t, "inventory.warehouses").Scan()
	for s.Next() {
		if s.String("region") == region {
			out = append(out, s.String("warehouse_id"))
		}
	}
	require.NoError(t, s.Err())
	return out
}

// ownerColumns returns the columns a domain declares for one of its models
// (its dbt schema.yml), in declared order.
func ownerColumns(t testing.TB, domain, model string) []string {
	t.Helper()
	root, err := config.RepoRoot()
	require.NoError(t, err)
	dir := filepath.Join(root, "domains", domain, "dbt")
	p, err := dbt.Load(os.DirFS(dir), dbt.LoadOptions{Packages: dbtpkg.Packages()})
	require.NoError(t, err, "loading the dbt project of %s", domain)
	m, ok := p.Models[model]
	require.True(t, ok, "domains/%s/dbt declares no model %s", domain, model)
	var cols []string
	for _, c := range m.Columns {
		cols = append(cols, c.Name)
	}
	require.NotEmpty(t, cols, "domains/%s/dbt/models: %s declares no columns", domain, model)
	return cols
}

// ownerFieldTypes returns the DuckDB type of every column of a domain's raw
// tables, as its event contracts (contracts/*.json) type them: the contract
// fields plus the columns ingestion adds (event_date, ingested_at).
func ownerFieldTypes(t testing.TB, domain string) map[string]string {
	t.Helper()
	root, err := config.RepoRoot()
	require.NoError(t, err)
	cs, err := contract.LoadDir(filepath.Join(root, "domains", domain, "contracts"))
	require.NoError(t, err)
	out := map[string]string{}
	for _, c := range cs {
		for _, f := range c.IcebergSchema().Fields() {
			out[f.Name] = duckDBType(f.Type)
		}
	}
	return out
}

// duckDBType is the DuckDB type of an Iceberg type of a raw table.
func duckDBType(typ iceberg.Type) string {
	switch typ {
	case iceberg.PrimitiveTypes.TimestampTz:
		return "TIMESTAMPTZ"
	case iceberg.PrimitiveTypes.Date:
		return "DATE"
	case iceberg.PrimitiveTypes.Int64:
		return "BIGINT"
	case iceberg.PrimitiveTypes.Float64:
		return "DOUBLE"
	case iceberg.PrimitiveTypes.Bool:
		return "BOOLEAN"
	default:
		return "VARCHAR"
	}
}

// requireDeclared fails naming the owner's file when a column the stand-in
// fills is not among the owner's declared columns (renamed or removed there).
func requireDeclared(t testing.TB, domain, model string, declared, filled []string) {
	t.Helper()
	for _, c := range filled {
		require.True(t, slices.Contains(declared, c),
			"the stand-in of %s.%s fills column %s, which domains/%s/dbt/models no longer declares (columns: %v)",
			domain, model, c, domain, declared)
	}
}

// CheckPublished is the test of an owner domain's master data, run from the
// domain's folder: every table its domain.yaml publishes (masterdata: [...])
// is registered, has a unique first column, and its committed seed
// dbt/seeds/<name>.csv is exactly what the generator makes. With
// MESH_MASTERDATA_WRITE=1 it rewrites the seeds instead (then `go run mage.go
// check` refreshes the consumers' pinned copies).
func CheckPublished(t *testing.T) {
	t.Helper()
	spec, err := domainspec.Load(domainspec.FileName)
	require.NoError(t, err)
	require.NotEmpty(t, spec.MasterData, "%s publishes no master data", domainspec.FileName)
	for _, name := range spec.MasterData {
		tbl, err := masterdata.Lookup(name)
		require.NoError(t, err, name)
		require.NotEmpty(t, tbl.Rows, name)
		keys := map[string]bool{}
		for _, r := range tbl.Rows {
			require.Len(t, r, len(tbl.Header), "%s row %v", name, r)
			require.False(t, keys[r[0]], "%s: duplicate key %s", name, r[0])
			keys[r[0]] = true
		}
	}
	write := os.Getenv(masterdata.EnvWriteSeeds) == "1"
	stale, err := masterdata.CheckSeeds(filepath.Join("dbt", "seeds"), spec.MasterData, write)
	require.NoError(t, err)
	if write {
		t.Logf("published %d changed seeds: %v", len(stale), stale)
		return
	}
	require.Empty(t, stale, "dbt/seeds differ from the generators: run the test with %s=1 to publish them", masterdata.EnvWriteSeeds)
}
