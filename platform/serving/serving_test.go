package serving_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/filelock"
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
	lh := lakehousetest.Open(t, lakehousetest.Local)
	fact := lakehouse.Ident{Namespace: "shop", Name: "fact_sales"}
	raw := lakehouse.Ident{Namespace: "shop", Name: "raw_sales"}
	for _, id := range []lakehouse.Ident{fact, raw} {
		lakehousetest.Table(t, lh, id,
			row{ID: "a", Date: "2026-01-01", Region: "north", Amount: 10},
			row{ID: "b", Date: "2026-01-01", Region: "south", Amount: 20},
			row{ID: "c", Date: "2026-01-02", Region: "north", Amount: 30},
		)
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
	matches, _ := filepath.Glob(path + ".publishing*")
	assert.Empty(t, matches, "no temporary file is left behind")
}

// TestPublishTablesConcurrently refreshes one table at a time, as the fact
// DAGs' publish step does, from parallel publishes of the same file: every
// table ends in the file with its latest rows and record, and a table
// publish keeps the tables it was not asked for.
func TestPublishTablesConcurrently(t *testing.T) {
	ctx := context.Background()
	lh := lakehousetest.Open(t, lakehousetest.Local)
	ids := []lakehouse.Ident{{Namespace: "shop", Name: "fact_a"}, {Namespace: "shop", Name: "fact_b"}, {Namespace: "depot", Name: "fact_c"}}
	for _, id := range ids {
		lakehousetest.Table(t, lh, id, row{ID: "a", Date: "2026-01-01", Region: "north", Amount: 1})
	}
	path := filepath.Join(t.TempDir(), "mesh.duckdb")
	cfg := func(tables ...lakehouse.Ident) serving.Config {
		return serving.Config{Path: path, Tables: tables, Query: query.Config{Threads: 1, TempDir: t.TempDir()}}
	}
	// The first table publish starts the file; then each table gains rows
	// (table i: i+2 in all) and is published alone, all at once, twice.
	_, err := serving.Publish(ctx, lh, cfg(ids[0]))
	require.NoError(t, err)
	for i, id := range ids {
		for j := 0; j <= i; j++ {
			_, err = lh.Append(ctx, id, []arrow.RecordBatch{lakehousetest.Batch(t, row{ID: fmt.Sprint("n", j), Date: "2026-01-02", Region: "south", Amount: 10})}, nil)
			require.NoError(t, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(ids))
	for range 2 {
		for _, id := range ids {
			wg.Go(func() {
				_, err := serving.Publish(ctx, lh, cfg(id))
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	pub, err := serving.ReadPublished(ctx, path)
	require.NoError(t, err)
	got := map[string]int64{}
	for _, p := range pub {
		got[p.Table.String()] = p.Rows
	}
	assert.Equal(t, map[string]int64{"depot.fact_c": 4, "shop.fact_a": 2, "shop.fact_b": 3}, got)
	db, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	require.NoError(t, err)
	defer db.Close()
	var n int64
	require.NoError(t, db.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM shop.fact_a) + (SELECT count(*) FROM shop.fact_b) + (SELECT count(*) FROM depot.fact_c)").Scan(&n))
	assert.Equal(t, int64(9), n)

	// A table publish keeps the others; a full publish keeps only what it publishes.
	_, err = serving.Publish(ctx, lh, cfg(ids[1]))
	require.NoError(t, err)
	pub, err = serving.ReadPublished(ctx, path)
	require.NoError(t, err)
	assert.Len(t, pub, 3)
	lags, err := serving.Check(ctx, lh, path, time.Minute, time.Now())
	require.NoError(t, err)
	for _, l := range lags {
		assert.Zero(t, l.Behind, l.Table.String())
	}
	matches, _ := filepath.Glob(path + ".publishing*")
	assert.Empty(t, matches, "no temporary file is left behind")
}

func TestPublishErrors(t *testing.T) {
	ctx := context.Background()
	lh := lakehousetest.Open(t, lakehousetest.Local)
	_, err := serving.Publish(ctx, lh, serving.Config{})
	require.ErrorIs(t, err, serving.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "serving.path is required")
	_, err = serving.Publish(ctx, lh, serving.Config{Path: filepath.Join(t.TempDir(), "x.duckdb"), Tables: []lakehouse.Ident{{Namespace: "no", Name: "such"}}})
	require.ErrorIs(t, err, lakehouse.ErrNoSuchTable)
	assert.Contains(t, err.Error(), "no.such")
	// A publish of the same file holding the lock longer than LockTimeout.
	path := filepath.Join(t.TempDir(), "held.duckdb")
	release, err := filelock.Lock(ctx, path+".lock", time.Second)
	require.NoError(t, err)
	_, err = serving.Publish(ctx, lh, serving.Config{Path: path, LockTimeout: 100 * time.Millisecond})
	release()
	require.ErrorIs(t, err, filelock.ErrTimeout)
	assert.Contains(t, err.Error(), "another publish of "+path+" is still running (--lock-timeout)")
	_, err = serving.Check(ctx, lh, filepath.Join(t.TempDir(), "missing.duckdb"), time.Minute, time.Now())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run meshctl publish")
}
