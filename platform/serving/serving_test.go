package serving_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
	"github.com/meshterious/warehouse/platform/query"
	"github.com/meshterious/warehouse/platform/serving"
)

type row = lakehousetest.Row

// TestPublish publishes a fact and skips the raw table, reads the file back
// read only with the same SQL as the lakehouse, then finds it stale after a
// new commit and fresh again after publishing.
func TestPublish(t *testing.T) {
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { lh.Close() })
	fact := lakehouse.Ident{Namespace: "shop", Name: "fact_sales"}
	raw := lakehouse.Ident{Namespace: "shop", Name: "raw_sales"}
	for _, id := range []lakehouse.Ident{fact, raw} {
		_, err := lh.EnsureTable(ctx, id, lakehousetest.Schema(), nil)
		require.NoError(t, err)
		_, err = lh.Append(ctx, id, []arrow.RecordBatch{lakehousetest.Batch(t,
			row{ID: "a", Date: "2026-01-01", Region: "north", Amount: 10},
			row{ID: "b", Date: "2026-01-01", Region: "south", Amount: 20},
			row{ID: "c", Date: "2026-01-02", Region: "north", Amount: 30},
		)}, nil)
		require.NoError(t, err)
	}
	path := filepath.Join(t.TempDir(), "serving", "mesh.duckdb")
	cfg := serving.Config{Path: path, Query: query.Config{Threads: 2, TempDir: t.TempDir()}}
	pub, err := serving.Publish(ctx, lh, cfg)
	require.NoError(t, err)
	require.Len(t, pub, 1, "raw_ tables are not published")
	assert.Equal(t, fact, pub[0].Table)
	assert.Equal(t, int64(3), pub[0].Rows)

	query := func() (n int64, north int64) {
		db, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.QueryRowContext(ctx,
			"SELECT count(*), sum(amount) FILTER (WHERE region = 'north') FROM shop.fact_sales").Scan(&n, &north))
		return n, north
	}
	n, north := query()
	assert.Equal(t, int64(3), n)
	assert.Equal(t, int64(40), north)

	lags, err := serving.Check(ctx, lh, path, time.Minute, time.Now())
	require.NoError(t, err)
	require.Len(t, lags, 1)
	assert.Zero(t, lags[0].Behind)

	_, err = lh.Append(ctx, fact, []arrow.RecordBatch{lakehousetest.Batch(t,
		row{ID: "d", Date: "2026-01-03", Region: "north", Amount: 5},
	)}, nil)
	require.NoError(t, err)
	_, err = serving.Check(ctx, lh, path, time.Minute, time.Now().Add(2*time.Minute))
	require.ErrorIs(t, err, serving.ErrStale)
	assert.Contains(t, err.Error(), "shop.fact_sales (2m")
	_, err = serving.Check(ctx, lh, path, time.Hour, time.Now().Add(2*time.Minute))
	require.NoError(t, err, "within the allowed lag")

	_, err = serving.Publish(ctx, lh, cfg)
	require.NoError(t, err)
	n, north = query()
	assert.Equal(t, int64(4), n)
	assert.Equal(t, int64(45), north)
	_, err = serving.Check(ctx, lh, path, time.Minute, time.Now().Add(time.Hour))
	require.NoError(t, err)
	matches, _ := filepath.Glob(path + ".*")
	assert.Empty(t, matches, "no temporary file is left behind")
}

func TestPublishErrors(t *testing.T) {
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { lh.Close() })
	_, err = serving.Publish(ctx, lh, serving.Config{})
	require.ErrorIs(t, err, serving.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "serving.path is required")
	_, err = serving.Publish(ctx, lh, serving.Config{Path: filepath.Join(t.TempDir(), "x.duckdb"), Tables: []lakehouse.Ident{{Namespace: "no", Name: "such"}}})
	require.ErrorIs(t, err, lakehouse.ErrNoSuchTable)
	assert.Contains(t, err.Error(), "no.such")
	_, err = serving.Check(ctx, lh, filepath.Join(t.TempDir(), "missing.duckdb"), time.Minute, time.Now())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run meshctl publish")
}
