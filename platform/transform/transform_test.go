package transform_test

import (
	"bytes"
	"context"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
	"github.com/meshterious/warehouse/platform/query"
	"github.com/meshterious/warehouse/platform/transform"
)

// project is a small dbt project with one model per materialization:
// eph (ephemeral) -> v (view) -> t (table), and inc (incremental on event_id).
func project(t *testing.T, brokenTest bool) *dbt.Project {
	t.Helper()
	accepted := `["us-east", "eu-central"]`
	if brokenTest {
		accepted = `["us-east"]` // eu-central rows fail it
	}
	fsys := fstest.MapFS{
		"dbt_project.yml": {Data: []byte("name: shop\nversion: '1'\nconfig-version: 2\nprofile: mesh\nmodels:\n  shop:\n    +schema: shop\n")},
		"models/sources.yml": {Data: []byte(`version: 2
sources:
  - name: shop
    schema: shop
    tables:
      - name: raw
`)},
		"models/eph.sql": {Data: []byte("{{ config(materialized='ephemeral') }}\nselect event_id, event_date, region, amount * 2 as doubled from {{ source('shop', 'raw') }}\n")},
		"models/v.sql":   {Data: []byte("{{ config(materialized='view') }}\nselect * from {{ ref('eph') }} where doubled > 10\n")},
		"models/t.sql":   {Data: []byte("{{ config(materialized='table') }}\nselect region, CAST(sum(doubled) AS BIGINT) as total, count(*) as n from {{ ref('v') }} group by region\n")},
		"models/inc.sql": {Data: []byte(`{{ config(materialized='incremental', unique_key='event_id') }}
select event_id, event_date, region, amount from {{ source('shop', 'raw') }}
{% if is_incremental() %}where event_id not in (select event_id from {{ this }}){% endif %}
`)},
		"models/after.sql": {Data: []byte("{{ config(materialized='table') }}\nselect * from {{ ref('t') }}\n")},
		"models/schema.yml": {Data: []byte(`version: 2
models:
  - name: t
    description: totals
    columns:
      - name: region
        description: region
        tests:
          - accepted_values:
              values: ` + accepted + `
`)},
	}
	p, err := dbt.Load(fsys, dbt.LoadOptions{})
	require.NoError(t, err)
	return p
}

func setup(t *testing.T) *lakehouse.Lakehouse {
	t.Helper()
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { lh.Close() })
	raw := lakehouse.Ident{Namespace: "shop", Name: "raw"}
	require.NoError(t, lh.EnsureNamespace(ctx, "shop"))
	_, err = lh.EnsureTable(ctx, raw, lakehousetest.Schema(), nil)
	require.NoError(t, err)
	append := func(rows ...lakehousetest.Row) {
		_, err := lh.Append(ctx, raw, []arrow.RecordBatch{lakehousetest.Batch(t, rows...)}, nil)
		require.NoError(t, err)
	}
	append(
		lakehousetest.Row{ID: "a", Date: "2026-01-01", Region: "us-east", Amount: 3},
		lakehousetest.Row{ID: "b", Date: "2026-01-01", Region: "us-east", Amount: 8},
		lakehousetest.Row{ID: "c", Date: "2026-01-02", Region: "eu-central", Amount: 20},
	)
	return lh
}

func execute(t *testing.T, lh *lakehouse.Lakehouse, p *dbt.Project, cfg transform.Config) (*transform.Report, string, error) {
	t.Helper()
	var out bytes.Buffer
	cfg.Progress = &out
	x, err := transform.New(context.Background(), p, lh, cfg)
	require.NoError(t, err)
	defer x.Close()
	rep, err := x.Execute(context.Background())
	return rep, out.String(), err
}

func rows(t *testing.T, lh *lakehouse.Lakehouse, sql string) [][]any {
	t.Helper()
	eng, err := query.NewEngine(context.Background(), lh, query.Config{})
	require.NoError(t, err)
	defer eng.Close()
	res, err := eng.Query(context.Background(), sql)
	require.NoError(t, err)
	return res.Rows
}

func TestMaterializations(t *testing.T) {
	lh := setup(t)
	p := project(t, false)
	rep, out, err := execute(t, lh, p, transform.Config{Command: transform.Build, TargetDir: t.TempDir()})
	require.NoError(t, err, out)
	assert.Contains(t, out, "Done. PASS=")

	// The table went through an ephemeral CTE and a view: only a (8*2) and c (20*2) pass doubled > 10.
	assert.Equal(t, [][]any{{"eu-central", int64(40), int64(1)}, {"us-east", int64(16), int64(1)}},
		rows(t, lh, "SELECT region, total, n FROM shop.t ORDER BY region"))
	for _, notStored := range []string{"eph", "v"} {
		ok, err := lh.TableExists(context.Background(), lakehouse.Ident{Namespace: "shop", Name: notStored})
		require.NoError(t, err)
		assert.False(t, ok, "%s is not stored in Iceberg", notStored)
	}
	assert.Equal(t, [][]any{{int64(3)}}, rows(t, lh, "SELECT count(*) FROM shop.inc"))
	var snapshots int
	for _, r := range rep.Results {
		if r.Snapshot != 0 {
			snapshots++
		}
	}
	assert.Equal(t, 3, snapshots, "t, after and inc committed once each")

	// Incremental: only new rows, merged on the key; nothing new, nothing committed.
	before := snapshotOf(t, lh, "inc")
	_, out, err = execute(t, lh, p, transform.Config{Command: transform.Run, Select: "inc"})
	require.NoError(t, err, out)
	assert.Contains(t, out, "no new rows, nothing committed")
	assert.Equal(t, before, snapshotOf(t, lh, "inc"))
	_, err = lh.Append(context.Background(), lakehouse.Ident{Namespace: "shop", Name: "raw"},
		[]arrow.RecordBatch{lakehousetest.Batch(t, lakehousetest.Row{ID: "d", Date: "2026-01-03", Region: "us-east", Amount: 1})}, nil)
	require.NoError(t, err)
	_, out, err = execute(t, lh, p, transform.Config{Command: transform.Run, Select: "inc"})
	require.NoError(t, err, out)
	assert.Contains(t, out, "MERGE 1")
	assert.Equal(t, [][]any{{int64(4)}}, rows(t, lh, "SELECT count(*) FROM shop.inc"))
}

func TestTableRebuildOfSameRowsCommitsNothing(t *testing.T) {
	lh := setup(t)
	p := project(t, false)
	_, out, err := execute(t, lh, p, transform.Config{Command: transform.Run, Select: "t"})
	require.NoError(t, err, out)
	first := snapshotOf(t, lh, "t")

	// Same inputs, same rows: no new snapshot.
	_, out, err = execute(t, lh, p, transform.Config{Command: transform.Run, Select: "t"})
	require.NoError(t, err, out)
	assert.Contains(t, out, "unchanged, nothing committed")
	assert.Equal(t, first, snapshotOf(t, lh, "t"))

	// A new raw row that passes the filter changes us-east's total: rebuilt.
	_, err = lh.Append(context.Background(), lakehouse.Ident{Namespace: "shop", Name: "raw"},
		[]arrow.RecordBatch{lakehousetest.Batch(t, lakehousetest.Row{ID: "e", Date: "2026-01-03", Region: "us-east", Amount: 7})}, nil)
	require.NoError(t, err)
	_, out, err = execute(t, lh, p, transform.Config{Command: transform.Run, Select: "t"})
	require.NoError(t, err, out)
	assert.NotEqual(t, first, snapshotOf(t, lh, "t"))
	assert.Equal(t, [][]any{{"eu-central", int64(40), int64(1)}, {"us-east", int64(30), int64(2)}},
		rows(t, lh, "SELECT region, total, n FROM shop.t ORDER BY region"))

	// A full refresh always rewrites.
	second := snapshotOf(t, lh, "t")
	_, out, err = execute(t, lh, p, transform.Config{Command: transform.Run, Select: "t", FullRefresh: true})
	require.NoError(t, err, out)
	assert.NotEqual(t, second, snapshotOf(t, lh, "t"))
}

func TestBuildStopsDownstreamOfAFailedTest(t *testing.T) {
	lh := setup(t)
	rep, out, err := execute(t, lh, project(t, true), transform.Config{Command: transform.Build})
	require.ErrorIs(t, err, transform.ErrFailed)
	assert.Contains(t, out, "FAIL test accepted_values_t_region")
	assert.Contains(t, out, "1 failing row(s)")
	var failed *transform.NodeResult
	for i, r := range rep.Results {
		if r.Kind == "test" {
			failed = &rep.Results[i]
		}
	}
	require.NotNil(t, failed)
	var after transform.NodeResult
	for _, r := range rep.Results {
		if r.Name == "after" {
			after = r
		}
	}
	assert.Equal(t, "skipped", after.Status, "the model downstream of the failed test is skipped")
	assert.Contains(t, after.Message, "accepted_values_t_region")
	assert.Equal(t, "fail", failed.Status)
	assert.Equal(t, 1, failed.Failures)
	require.Len(t, failed.Sample, 1)
	assert.Equal(t, "eu-central", failed.Sample[0][0])
}

func TestConfigValidate(t *testing.T) {
	err := transform.Config{Command: "deploy"}.Validate()
	require.ErrorIs(t, err, transform.ErrInvalidConfig)
	assert.ErrorContains(t, err, `command "deploy"`)
}

func snapshotOf(t *testing.T, lh *lakehouse.Lakehouse, name string) int64 {
	t.Helper()
	tbl, err := lh.LoadTable(context.Background(), lakehouse.Ident{Namespace: "shop", Name: name})
	require.NoError(t, err)
	return tbl.CurrentSnapshot().SnapshotID
}

// TestModelsComputeInUTC: a timestamp's date is its UTC date whatever the
// machine's time zone, as with dbt-core and a profile setting TimeZone UTC.
func TestModelsComputeInUTC(t *testing.T) {
	t.Setenv("TZ", "America/New_York") // effective when DuckDB's ICU has not read it yet
	lh := setup(t)
	p, err := dbt.Load(fstest.MapFS{
		"dbt_project.yml": {Data: []byte("name: shop\nversion: '1'\nconfig-version: 2\nprofile: mesh\nmodels:\n  shop:\n    +schema: shop\n")},
		"models/days.sql": {Data: []byte("{{ config(materialized='table') }}\n" +
			"select current_setting('TimeZone') as tz, CAST(TIMESTAMPTZ '2026-01-02 02:00:00+00' AS DATE) as d\n")},
	}, dbt.LoadOptions{})
	require.NoError(t, err)
	_, out, err := execute(t, lh, p, transform.Config{Command: transform.Run})
	require.NoError(t, err, out)
	assert.Equal(t, [][]any{{"UTC", "2026-01-02"}}, rows(t, lh, "SELECT tz, CAST(d AS VARCHAR) FROM shop.days"))
}

// TestSeedColumnTypes: seeds get the column types dbt-core gives them:
// column_types as configured (read as that type), whole numbers INTEGER when
// they fit (dbt's agate inference), BIGINT when they do not.
func TestSeedColumnTypes(t *testing.T) {
	lh := setup(t)
	p, err := dbt.Load(fstest.MapFS{
		"dbt_project.yml": {Data: []byte("name: shop\nversion: '1'\nconfig-version: 2\nprofile: mesh\n" +
			"seeds:\n  shop:\n    +schema: shop\n    codes:\n      +column_types:\n        zip: varchar\n")},
		"seeds/codes.csv": {Data: []byte("zip,n,big,price,ok\n007,1,3000000000,1.50,true\n010,2,1,2,false\n")},
	}, dbt.LoadOptions{})
	require.NoError(t, err)
	_, out, err := execute(t, lh, p, transform.Config{Command: transform.Seed})
	require.NoError(t, err, out)
	assert.Equal(t, [][]any{
		{"zip", "VARCHAR"}, {"n", "INTEGER"}, {"big", "BIGINT"}, {"price", "DOUBLE"}, {"ok", "BOOLEAN"},
	}, rows(t, lh, "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name || '.' || table_name = 'shop.codes'"))
	assert.Equal(t, [][]any{{"007", int32(1)}, {"010", int32(2)}}, rows(t, lh, "SELECT zip, n FROM shop.codes ORDER BY zip"))
}

// TestNewTableVisibleOnlyWithItsRows: a model's first build that fails after
// its table would have been created leaves no (empty) table behind, and a
// staging table that a killed build left is cleaned up by the next build.
func TestNewTableVisibleOnlyWithItsRows(t *testing.T) {
	ctx := context.Background()
	lh := setup(t)
	tIdent := lakehouse.Ident{Namespace: "shop", Name: "t"}
	exists := func(id lakehouse.Ident) bool {
		t.Helper()
		ok, err := lh.TableExists(ctx, id)
		require.NoError(t, err)
		return ok
	}

	// DuckDB plans the failing model (its schema is known) and fails while
	// writing its rows: the first build of a table that never gets data.
	fsys := fstest.MapFS{
		"dbt_project.yml":    {Data: []byte("name: shop\nversion: '1'\nconfig-version: 2\nprofile: mesh\nmodels:\n  shop:\n    +schema: shop\n")},
		"models/sources.yml": {Data: []byte("version: 2\nsources:\n  - name: shop\n    schema: shop\n    tables:\n      - name: raw\n")},
		"models/boom.sql":    {Data: []byte("{{ config(materialized='table') }}\nselect event_id, CASE WHEN amount > 5 THEN error('boom at ' || event_id) ELSE amount END AS amount from {{ source('shop', 'raw') }}\n")},
	}
	boom, err := dbt.Load(fsys, dbt.LoadOptions{})
	require.NoError(t, err)
	_, out, err := execute(t, lh, boom, transform.Config{Command: transform.Run, FullRefresh: true})
	require.ErrorIs(t, err, transform.ErrFailed, out)
	assert.Contains(t, out, "boom at")
	boomIdent := lakehouse.Ident{Namespace: "shop", Name: "boom"}
	assert.False(t, exists(boomIdent), "no empty table is left visible")
	assert.False(t, exists(lakehouse.StagingIdent(boomIdent)), "nor its staging table")

	// A build killed mid-way left staging tables: one of a model built for
	// the first time, one of a model that exists (a killed full refresh).
	_, err = lh.EnsureTable(ctx, lakehouse.StagingIdent(tIdent), lakehousetest.Schema(), nil)
	require.NoError(t, err)
	_, out, err = execute(t, lh, project(t, false), transform.Config{Command: transform.Build})
	require.NoError(t, err, out)
	assert.False(t, exists(lakehouse.StagingIdent(tIdent)), "the first build replaced the stale staging table")
	assert.Equal(t, [][]any{{"eu-central", int64(40), int64(1)}, {"us-east", int64(16), int64(1)}},
		rows(t, lh, "SELECT region, total, n FROM shop.t ORDER BY region"))
	incIdent := lakehouse.Ident{Namespace: "shop", Name: "inc"}
	_, err = lh.EnsureTable(ctx, lakehouse.StagingIdent(incIdent), lakehousetest.Schema(), nil)
	require.NoError(t, err)
	_, out, err = execute(t, lh, project(t, false), transform.Config{Command: transform.Run, Select: "inc"})
	require.NoError(t, err, out)
	assert.False(t, exists(lakehouse.StagingIdent(incIdent)), "an incremental run removes a stale staging table too")
	assert.Equal(t, [][]any{{int64(3)}}, rows(t, lh, "SELECT count(*) FROM shop.inc"))
}
