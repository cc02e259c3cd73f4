package maintenance_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
	"github.com/meshterious/warehouse/platform/maintenance"
	"github.com/meshterious/warehouse/platform/query"
)

const answerSQL = `SELECT count(*) AS n, CAST(sum(amount) AS BIGINT) AS total, count(DISTINCT region) AS regions,
  CAST(sum(amount) FILTER (WHERE region = 'eu') AS BIGINT) AS eu FROM t.events`

func answer(t *testing.T, ctx context.Context, lh *lakehouse.Lakehouse) []any {
	t.Helper()
	eng, err := query.NewEngine(ctx, lh, query.Config{TempDir: t.TempDir()})
	require.NoError(t, err)
	defer eng.Close()
	res, err := eng.Query(ctx, answerSQL)
	require.NoError(t, err)
	require.Len(t, res.Rows, 1)
	return res.Rows[0]
}

func info(t *testing.T, ctx context.Context, lh *lakehouse.Lakehouse, id lakehouse.Ident) lakehouse.TableInfo {
	t.Helper()
	infos, err := lh.Tables(ctx)
	require.NoError(t, err)
	for _, ti := range infos {
		if ti.Ident == id {
			return ti
		}
	}
	t.Fatalf("no table %s", id)
	return lakehouse.TableInfo{}
}

// TestMaintenance runs the three operations on a real lakehouse (SQLite
// catalog, local warehouse) with known answers: ten small appends to one
// partition compact into one file, expiry keeps the last K snapshots, and
// orphan cleanup removes a planted file and nothing the table references.
func TestMaintenance(t *testing.T) {
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer lh.Close()
	id := lakehouse.Ident{Namespace: "t", Name: "events"}
	_, err = lh.EnsureTable(ctx, id, lakehouseSchema(), nil)
	require.NoError(t, err)
	for i := range 10 {
		var rows []lakehousetest.Row
		for j := range 5 {
			rows = append(rows, lakehousetest.Row{ID: fmt.Sprintf("e%02d-%d", i, j), Date: "2026-03-01", Region: []string{"eu", "us"}[j%2], Amount: int64(i*10 + j)})
		}
		_, err := lh.Append(ctx, id, []arrowBatch{lakehousetest.Batch(t, rows...)}, nil)
		require.NoError(t, err)
	}
	// One file in another partition: a lone file is left alone.
	_, err = lh.Append(ctx, id, []arrowBatch{lakehousetest.Batch(t, lakehousetest.Row{ID: "x", Date: "2026-03-02", Region: "eu", Amount: 1000})}, nil)
	require.NoError(t, err)
	before := answer(t, ctx, lh)
	assert.Equal(t, []any{int64(51), int64(2350 + 1000), int64(2), int64(1410 + 1000)}, before, "known answer")
	require.Equal(t, 11, info(t, ctx, lh, id).Files)

	t.Run("compaction", func(t *testing.T) {
		res, err := maintenance.Compact(ctx, lh, id, maintenance.CompactConfig{})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Groups)
		assert.Equal(t, 10, res.RemovedFiles)
		assert.Equal(t, 1, res.AddedFiles)
		ti := info(t, ctx, lh, id)
		assert.Equal(t, 2, ti.Files, "the partition of ten files is one file; the other partition's lone file stays")
		assert.Equal(t, int64(51), ti.Rows)
		assert.Equal(t, before, answer(t, ctx, lh), "identical query answers")
		files := lakehousetest.PlannedFiles(t, lh, id, nil)
		assert.Len(t, files, 2)

		again, err := maintenance.Compact(ctx, lh, id, maintenance.CompactConfig{})
		require.NoError(t, err)
		assert.Zero(t, again.Groups, "nothing left to compact")
	})

	t.Run("expiry", func(t *testing.T) {
		tbl, err := lh.LoadTable(ctx, id)
		require.NoError(t, err)
		require.Equal(t, 12, len(tbl.Metadata().Snapshots()), "11 appends and a rewrite")
		time.Sleep(5 * time.Millisecond)
		res, err := maintenance.ExpireSnapshots(ctx, lh, id, maintenance.ExpireConfig{OlderThan: time.Millisecond, RetainLast: 3})
		require.NoError(t, err)
		assert.Equal(t, 12, res.Before)
		assert.Equal(t, 3, res.After)
		tbl, err = lh.LoadTable(ctx, id)
		require.NoError(t, err)
		assert.Len(t, tbl.Metadata().Snapshots(), 3)
		assert.Equal(t, before, answer(t, ctx, lh), "the table still reads")

		kept, err := maintenance.ExpireSnapshots(ctx, lh, id, maintenance.ExpireConfig{OlderThan: time.Hour, RetainLast: 1})
		require.NoError(t, err)
		assert.Equal(t, 3, kept.After, "nothing is older than an hour")
	})

	t.Run("orphans", func(t *testing.T) {
		tbl, err := lh.LoadTable(ctx, id)
		require.NoError(t, err)
		loc := strings.TrimPrefix(tbl.Location(), "file://")
		orphan := filepath.Join(loc, "data", "event_date=2026-03-01", "00000-crashed-writer.parquet")
		require.NoError(t, os.MkdirAll(filepath.Dir(orphan), 0o755))
		require.NoError(t, os.WriteFile(orphan, []byte("PAR1 left by a crashed writer"), 0o644))
		fresh := filepath.Join(loc, "data", "in-flight.parquet")
		require.NoError(t, os.WriteFile(fresh, []byte("PAR1 a commit in flight"), 0o644))
		old := time.Now().Add(-100 * time.Hour)
		require.NoError(t, os.Chtimes(orphan, old, old))

		dry, err := maintenance.RemoveOrphans(ctx, lh, id, maintenance.OrphanConfig{DryRun: true})
		require.NoError(t, err)
		require.Len(t, dry.Orphans, 1)
		assert.Contains(t, dry.Orphans[0], "00000-crashed-writer.parquet")
		assert.Empty(t, dry.Deleted)
		assert.FileExists(t, orphan)

		res, err := maintenance.RemoveOrphans(ctx, lh, id, maintenance.OrphanConfig{Grace: 72 * time.Hour})
		require.NoError(t, err)
		require.Len(t, res.Deleted, 1)
		assert.NoFileExists(t, orphan)
		assert.FileExists(t, fresh, "younger than the grace period")
		for _, f := range lakehousetest.PlannedFiles(t, lh, id, nil) {
			assert.FileExists(t, strings.TrimPrefix(f, "file://"), "a referenced file survives")
		}
		assert.Equal(t, before, answer(t, ctx, lh))
	})
}

type arrowBatch = arrow.RecordBatch

func lakehouseSchema() *iceberg.Schema { return lakehousetest.Schema() }

// TestValidate checks that each message says what the check accepts: zero
// (the default) and above.
func TestValidate(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		errContains string
	}{
		{name: "compact defaults", err: maintenance.CompactConfig{}.Validate()},
		{name: "negative target size", err: maintenance.CompactConfig{TargetFileSize: -1}.Validate(), errContains: "compact.target_file_size must be >= 0 bytes (0: 134217728), got -1"},
		{name: "negative min input files", err: maintenance.CompactConfig{MinInputFiles: -1}.Validate(), errContains: "compact.min_input_files must be >= 0 (0: 2), got -1"},
		{name: "negative compact retries", err: maintenance.CompactConfig{CommitRetries: -1}.Validate(), errContains: "compact.commit_retries must be >= 0 (0: 5), got -1"},
		{name: "expire defaults", err: maintenance.ExpireConfig{}.Validate()},
		{name: "negative older than", err: maintenance.ExpireConfig{OlderThan: -time.Hour}.Validate(), errContains: "expire.older_than must be >= 0 (0: 168h0m0s), got -1h0m0s"},
		{name: "negative retain last", err: maintenance.ExpireConfig{RetainLast: -1}.Validate(), errContains: "expire.retain_last must be >= 0 (0: 10), got -1"},
		{name: "negative expire retries", err: maintenance.ExpireConfig{CommitRetries: -1}.Validate(), errContains: "expire.commit_retries must be >= 0 (0: 5), got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.errContains == "" {
				assert.NoError(t, tt.err)
				return
			}
			require.ErrorIs(t, tt.err, maintenance.ErrInvalidConfig)
			assert.ErrorContains(t, tt.err, tt.errContains)
		})
	}
	_, err := maintenance.RemoveOrphans(context.Background(), nil, lakehouse.Ident{}, maintenance.OrphanConfig{Grace: -time.Minute})
	require.ErrorIs(t, err, maintenance.ErrInvalidConfig)
	assert.ErrorContains(t, err, "orphans.grace must be >= 0 (0: 72h0m0s), got -1m0s")
}
