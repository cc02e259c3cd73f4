package serve_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/internal/testenv"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
	"github.com/meshterious/warehouse/platform/query"
	"github.com/meshterious/warehouse/platform/serve"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type row = lakehousetest.Row

var events = lakehouse.Ident{Namespace: "sales", Name: "events"}

// fixture is a lakehouse with sales.events holding four known rows.
func fixture(t *testing.T) *lakehouse.Lakehouse {
	t.Helper()
	lh := lakehousetest.Open(t, lakehousetest.Local)
	lakehousetest.Table(t, lh, events,
		row{ID: "e1", Date: "2026-01-01", Region: "eu", Amount: 10},
		row{ID: "e2", Date: "2026-01-01", Region: "us", Amount: 20},
		row{ID: "e3", Date: "2026-01-02", Region: "eu", Amount: 30},
		row{ID: "e4", Date: "2026-01-03", Region: "us", Amount: 40},
	)
	return lh
}

func newSandbox(t *testing.T, lh *lakehouse.Lakehouse, cfg serve.Config) *serve.Sandbox {
	t.Helper()
	cfg.TempDir = t.TempDir()
	cfg.Refresh = -1
	sb, err := serve.NewSandbox(lh, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, sb.Close()) })
	loaded, err := sb.Load(context.Background(), true)
	require.NoError(t, err)
	require.True(t, loaded)
	return sb
}

func TestSandboxAnswers(t *testing.T) {
	sb := newSandbox(t, fixture(t), serve.Config{MaxRows: 3})
	ctx := context.Background()
	res, err := sb.Query(ctx, "SELECT region, CAST(sum(amount) AS BIGINT) AS total FROM sales.events GROUP BY 1 ORDER BY 1;")
	require.NoError(t, err)
	assert.Equal(t, []string{"region", "total"}, res.Columns)
	require.Len(t, res.Rows, 2)
	assert.Equal(t, "eu", res.Rows[0][0].(interface{ String() string }).String())
	assert.Equal(t, "40", res.Rows[0][1].(interface{ String() string }).String())
	assert.Equal(t, "60", res.Rows[1][1].(interface{ String() string }).String())
	assert.False(t, res.Truncated)

	// The row limit cuts and says so; an exact fit is not cut.
	res, err = sb.Query(ctx, "SELECT * FROM range(10)")
	require.NoError(t, err)
	assert.Len(t, res.Rows, 3)
	assert.True(t, res.Truncated)
	res, err = sb.Query(ctx, "FROM range(3)")
	require.NoError(t, err)
	assert.Len(t, res.Rows, 3)
	assert.False(t, res.Truncated)
}

func TestSandboxRefuses(t *testing.T) {
	sb := newSandbox(t, fixture(t), serve.Config{})
	ctx := context.Background()
	for _, tc := range []struct {
		name, sql, errContains string
	}{
		{"read a file", "SELECT * FROM read_csv('/etc/passwd')", "cannot read files"},
		{"read a file in a view of it", "SELECT count(*) FROM read_text('/etc/hostname')", "cannot read files"},
		{"glob", "SELECT * FROM glob('/etc/*')", "cannot read files"},
		{"create table", "CREATE TABLE x AS SELECT 1", "only one read-only query (SELECT, WITH, VALUES, FROM, DESCRIBE, SUMMARIZE) is allowed; CREATE is not a query"},
		{"insert", "INSERT INTO sales.events VALUES ('e9', DATE '2026-01-01', 'eu', 1)", "only one read-only query"},
		{"delete", "DELETE FROM sales.events", "only one read-only query"},
		{"drop", "DROP TABLE sales.events", "only one read-only query"},
		{"copy to", "COPY sales.events TO '/tmp/leak.csv'", "only one read-only query"},
		{"copy query to", "COPY (SELECT 1) TO '/tmp/leak.csv'", "only one read-only query"},
		{"attach", "ATTACH '/tmp/x.duckdb'", "only one read-only query"},
		{"pragma", "PRAGMA enable_external_access", "only one read-only query"},
		{"set", "SET enable_external_access=true", "only one read-only query"},
		{"install", "INSTALL httpfs", "only one read-only query"},
		{"load", "LOAD httpfs", "only one read-only query"},
		{"export", "EXPORT DATABASE '/tmp/x'", "only one read-only query"},
		{"a write after a query", "SELECT 1; DROP TABLE sales.events", "a statement after the first is not a query"},
		{"two queries", "SELECT 1; SELECT 2", "one statement at a time"},
		{"empty", "  ", "no SQL given"},
		{"syntax", "SELEC 1", "syntax error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sb.Query(ctx, tc.sql)
			require.Error(t, err)
			assert.ErrorIs(t, err, serve.ErrRefused)
			assert.Contains(t, err.Error(), tc.errContains)
		})
	}
	// Nothing was written: the table still has its four rows.
	res, err := sb.Query(ctx, "SELECT count(*) FROM sales.events")
	require.NoError(t, err)
	assert.Equal(t, "4", res.Rows[0][0].(interface{ String() string }).String())
	_, err = os.Stat("/tmp/leak.csv")
	assert.True(t, os.IsNotExist(err), "COPY wrote a file")

	// A query error that is not a refusal is the engine's message.
	_, err = sb.Query(ctx, "SELECT nope FROM sales.events")
	require.Error(t, err)
	assert.NotErrorIs(t, err, serve.ErrRefused)
	assert.Contains(t, err.Error(), "nope")
}

func TestSandboxTimeout(t *testing.T) {
	sb := newSandbox(t, fixture(t), serve.Config{QueryTimeout: time.Second})
	ctx := context.Background()
	start := time.Now()
	_, err := sb.Query(ctx, "SELECT count(*) FROM range(1000000000000)")
	require.Error(t, err)
	assert.ErrorIs(t, err, serve.ErrTimeout)
	assert.Contains(t, err.Error(), "ran past its 1s limit")
	assert.Less(t, time.Since(start), 20*time.Second, "the query was not interrupted")
	res, err := sb.Query(ctx, "SELECT count(*) FROM sales.events")
	require.NoError(t, err)
	assert.Equal(t, "4", res.Rows[0][0].(interface{ String() string }).String())
}

func TestSandboxReloadsNewCommits(t *testing.T) {
	lh := fixture(t)
	sb := newSandbox(t, lh, serve.Config{})
	ctx := context.Background()
	loaded, err := sb.Load(ctx, false)
	require.NoError(t, err)
	assert.False(t, loaded, "nothing changed, nothing to reload")
	_, err = lh.Append(ctx, events, []arrow.RecordBatch{lakehousetest.Batch(t, row{ID: "e5", Date: "2026-01-04", Region: "eu", Amount: 50})}, nil)
	require.NoError(t, err)
	loaded, err = sb.Load(ctx, false)
	require.NoError(t, err)
	assert.True(t, loaded)
	res, err := sb.Query(ctx, "SELECT CAST(sum(amount) AS BIGINT) FROM sales.events WHERE region = 'eu'")
	require.NoError(t, err)
	assert.Equal(t, "90", res.Rows[0][0].(interface{ String() string }).String())
}

// TestSandboxMasks: the loader's masks (meshctl serve --role) hold in every
// answer, and the warehouse's files cannot be read around them.
func TestSandboxMasks(t *testing.T) {
	lh := fixture(t)
	sb := newSandbox(t, lh, serve.Config{Loader: query.Config{Masks: map[lakehouse.Ident][]string{events: {"region"}}}})
	ctx := context.Background()
	res, err := sb.Query(ctx, "SELECT DISTINCT region, upper(region) FROM sales.events")
	require.NoError(t, err)
	require.Len(t, res.Rows, 1)
	assert.Equal(t, query.MaskedText, res.Rows[0][0].(interface{ String() string }).String())
	files := lakehousetest.PlannedFiles(t, lh, events, nil)
	require.NotEmpty(t, files)
	_, err = sb.Query(ctx, "SELECT DISTINCT region FROM read_parquet('"+strings.TrimPrefix(files[0], "file://")+"')")
	require.Error(t, err)
	assert.ErrorIs(t, err, serve.ErrRefused)
}

// TestSandboxRunReloads: Run picks up a new commit on its own.
func TestSandboxRunReloads(t *testing.T) {
	lh := fixture(t)
	sb, err := serve.NewSandbox(lh, serve.Config{TempDir: t.TempDir(), Refresh: 50 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err = sb.Load(ctx, true)
	require.NoError(t, err)
	go sb.Run(ctx)
	_, err = lh.Append(ctx, events, []arrow.RecordBatch{lakehousetest.Batch(t, row{ID: "e5", Date: "2026-01-04", Region: "eu", Amount: 50})}, nil)
	require.NoError(t, err)
	assert.Eventually(t, func() bool {
		res, err := sb.Query(ctx, "SELECT count(*) FROM sales.events")
		return err == nil && res.Rows[0][0].(interface{ String() string }).String() == "5"
	}, time.Minute, 100*time.Millisecond)
}
