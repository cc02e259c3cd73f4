// Package lakehousetest is the conformance suite of package lakehouse: the
// behaviour every catalog kind (sqlite, postgres) and warehouse (local
// directory, S3) must show, specified once and run against each of them.
package lakehousetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/internal/testenv"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// Schema is the event table used by the suite: event_id, event_date (the
// partition column), region, amount.
func Schema() *iceberg.Schema {
	return iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "event_id", Type: iceberg.PrimitiveTypes.String, Required: true},
		iceberg.NestedField{ID: 2, Name: "event_date", Type: iceberg.PrimitiveTypes.Date, Required: true},
		iceberg.NestedField{ID: 3, Name: "region", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 4, Name: "amount", Type: iceberg.PrimitiveTypes.Int64},
	)
}

// Row is one event of the suite's table.
type Row struct {
	ID     string
	Date   string // YYYY-MM-DD
	Region string
	Amount int64
}

// Date parses YYYY-MM-DD into an Arrow date32.
func Date(s string) arrow.Date32 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return arrow.Date32FromTime(t)
}

// IcebergDate parses YYYY-MM-DD into an Iceberg date literal value.
func IcebergDate(s string) iceberg.Date { return iceberg.Date(Date(s)) }

// Warehouses of Open.
const (
	Local = "local" // a warehouse directory in the test's temporary directory
	S3    = "s3"    // a bucket of the test S3 server (testenv.S3)
)

// Open opens a new, empty lakehouse for a test, closed when it ends: a
// SQLite catalog in the test's temporary directory and a warehouse there
// (Local) or in a bucket of its own on the test S3 server (S3).
func Open(t testing.TB, warehouse string) *lakehouse.Lakehouse {
	t.Helper()
	cfg := lakehouse.Config{DataDir: t.TempDir()}
	switch warehouse {
	case Local:
	case S3:
		s3 := testenv.S3(t)
		cfg.Warehouse = fmt.Sprintf("s3://test-%d/%s", os.Getpid(), filepath.Base(cfg.DataDir))
		cfg.S3 = lakehouse.S3Config{Endpoint: s3.Endpoint, Region: s3.Region, AccessKeyID: s3.AccessKey, SecretAccessKey: s3.SecretKey}
	default:
		t.Fatalf("lakehousetest.Open: warehouse %q: want %q or %q", warehouse, Local, S3)
	}
	lh, err := lakehouse.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { lh.Close() })
	return lh
}

// Table creates the table id with Schema() and commits rows to it in one
// append (no rows: the table stays empty, without a snapshot).
func Table(t testing.TB, lh *lakehouse.Lakehouse, id lakehouse.Ident, rows ...Row) {
	t.Helper()
	ctx := context.Background()
	_, err := lh.EnsureTable(ctx, id, Schema(), nil)
	require.NoError(t, err)
	if len(rows) > 0 {
		_, err = lh.Append(ctx, id, []arrow.RecordBatch{Batch(t, rows...)}, nil)
		require.NoError(t, err)
	}
}

// Batch builds an Arrow record batch of rows in the table's Arrow schema (with field ids).
func Batch(t testing.TB, rows ...Row) arrow.RecordBatch {
	t.Helper()
	sc, err := table.SchemaToArrowSchema(Schema(), nil, true, false)
	require.NoError(t, err)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r.ID)
		b.Field(1).(*array.Date32Builder).Append(Date(r.Date))
		b.Field(2).(*array.StringBuilder).Append(r.Region)
		b.Field(3).(*array.Int64Builder).Append(r.Amount)
	}
	rec := b.NewRecordBatch()
	t.Cleanup(rec.Release)
	return rec
}

// ReadRows scans the table's current snapshot (delete files applied), sorted by ID.
func ReadRows(t testing.TB, lh *lakehouse.Lakehouse, id lakehouse.Ident, filter iceberg.BooleanExpression) []Row {
	t.Helper()
	ctx := context.Background()
	tbl, err := lh.LoadTable(ctx, id)
	require.NoError(t, err)
	opts := []table.ScanOption{}
	if filter != nil {
		opts = append(opts, table.WithRowFilter(filter))
	}
	_, it, err := tbl.Scan(opts...).ToArrowRecords(ctx)
	require.NoError(t, err)
	var out []Row
	for r, err := range it {
		require.NoError(t, err)
		idx := func(name string) arrow.Array { return r.Column(r.Schema().FieldIndices(name)[0]) }
		ids, dates, regions, amounts := idx("event_id"), idx("event_date").(*array.Date32), idx("region"), idx("amount").(*array.Int64)
		for i := range int(r.NumRows()) {
			out = append(out, Row{
				ID:     ids.ValueStr(i),
				Date:   dates.Value(i).ToTime().Format(time.DateOnly),
				Region: regions.ValueStr(i),
				Amount: amounts.Value(i),
			})
		}
		r.Release()
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Region < out[j].Region
	})
	return out
}

// PlannedFiles returns the data file paths a scan with filter would read.
func PlannedFiles(t testing.TB, lh *lakehouse.Lakehouse, id lakehouse.Ident, filter iceberg.BooleanExpression) []string {
	t.Helper()
	ctx := context.Background()
	tbl, err := lh.LoadTable(ctx, id)
	require.NoError(t, err)
	opts := []table.ScanOption{}
	if filter != nil {
		opts = append(opts, table.WithRowFilter(filter))
	}
	tasks, err := tbl.Scan(opts...).PlanFiles(ctx)
	require.NoError(t, err)
	var paths []string
	for _, task := range tasks {
		paths = append(paths, task.File.FilePath())
	}
	return paths
}

// Run runs the suite. open must return a new, independent handle on one and
// the same catalog and warehouse each time it is called (the concurrency
// tests open two); the handle is closed by open's caller through t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) *lakehouse.Lakehouse) {
	ctx := context.Background()
	lh := open(t)

	t.Run("EnsureTableIdempotent", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf", Name: "ensure"}
		first, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		again, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		assert.Equal(t, first.Metadata().TableUUID(), again.Metadata().TableUUID())

		// Concurrent creators of a new table, through two handles.
		other := open(t)
		cid := lakehouse.Ident{Namespace: "conf_race", Name: "ensure"}
		var wg sync.WaitGroup
		uuids := make([]string, 6)
		errs := make([]error, 6)
		for i := range 6 {
			h := lh
			if i%2 == 1 {
				h = other
			}
			wg.Go(func() {
				tbl, err := h.EnsureTable(ctx, cid, Schema(), nil)
				errs[i] = err
				if err == nil {
					uuids[i] = tbl.Metadata().TableUUID().String()
				}
			})
		}
		wg.Wait()
		for i := range 6 {
			require.NoError(t, errs[i], "creator %d", i)
			assert.Equal(t, uuids[0], uuids[i], "creator %d got another table", i)
		}
	})

	t.Run("AddMissingColumns", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf", Name: "evolve"}
		_, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		_, err = lh.Append(ctx, id, []arrow.RecordBatch{Batch(t, Row{"a", "2026-01-01", "us-east", 1})}, nil)
		require.NoError(t, err)
		wider := iceberg.NewSchema(0, append(Schema().Fields(),
			iceberg.NestedField{ID: 5, Name: "note", Type: iceberg.PrimitiveTypes.String, Required: true})...)
		added, err := lh.AddMissingColumns(ctx, id, wider)
		require.NoError(t, err)
		assert.Equal(t, []string{"note"}, added)
		again, err := lh.AddMissingColumns(ctx, id, wider)
		require.NoError(t, err)
		assert.Empty(t, again, "a second call adds nothing")
		tbl, err := lh.LoadTable(ctx, id)
		require.NoError(t, err)
		f, ok := tbl.Schema().FindFieldByName("note")
		require.True(t, ok)
		assert.False(t, f.Required, "an added column is optional: older files have no value")
		// The old row is still read, with the old columns intact.
		assert.Equal(t, []Row{{"a", "2026-01-01", "us-east", 1}}, ReadRows(t, lh, id, nil))
	})

	t.Run("PartitionedByEventDate", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf", Name: "partitioned"}
		tbl, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		spec := tbl.Spec()
		require.Equal(t, 1, spec.NumFields())
		assert.Equal(t, "event_date", spec.Field(0).Name)

		_, err = lh.Append(ctx, id, []arrow.RecordBatch{Batch(t,
			Row{"a1", "2026-01-01", "north", 1}, Row{"a2", "2026-01-01", "south", 2},
			Row{"b1", "2026-01-02", "north", 3}, Row{"c1", "2026-01-03", "east", 4},
		)}, nil)
		require.NoError(t, err)
		all := PlannedFiles(t, lh, id, nil)
		require.Len(t, all, 3, "one file per partition")
		for _, p := range all {
			assert.Contains(t, p, "event_date=2026-01-0", "file %s is not in a partition directory", p)
		}
		one := PlannedFiles(t, lh, id, iceberg.EqualTo(iceberg.Reference("event_date"), IcebergDate("2026-01-02")))
		require.Len(t, one, 1)
		assert.Contains(t, one[0], "event_date=2026-01-02")
		rows := ReadRows(t, lh, id, iceberg.EqualTo(iceberg.Reference("event_date"), IcebergDate("2026-01-01")))
		assert.Equal(t, []Row{{"a1", "2026-01-01", "north", 1}, {"a2", "2026-01-01", "south", 2}}, rows)
	})

	t.Run("AppendRowCountsAndSummary", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf", Name: "append"}
		_, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		empty, err := lh.Append(ctx, id, nil, nil)
		require.NoError(t, err)
		assert.Zero(t, empty, "an empty append commits nothing")

		s1, err := lh.Append(ctx, id, []arrow.RecordBatch{
			Batch(t, Row{"x1", "2026-02-01", "north", 10}, Row{"x2", "2026-02-01", "north", 20}),
			Batch(t, Row{"x3", "2026-02-02", "south", 30}),
		}, map[string]string{"mesh.ingester": "conformance", "mesh.run_id": "run-1"})
		require.NoError(t, err)
		s2, err := lh.Append(ctx, id, []arrow.RecordBatch{Batch(t, Row{"x4", "2026-02-02", "west", 40})},
			map[string]string{"mesh.run_id": "run-2"})
		require.NoError(t, err)
		assert.NotEqual(t, s1, s2)

		tbl, err := lh.LoadTable(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, s2, tbl.CurrentSnapshot().SnapshotID)
		assert.Equal(t, "run-2", tbl.CurrentSnapshot().Summary.Properties["mesh.run_id"])
		first := tbl.SnapshotByID(s1)
		require.NotNil(t, first)
		assert.Equal(t, "conformance", first.Summary.Properties["mesh.ingester"])
		assert.Equal(t, "3", first.Summary.Properties["added-records"], "one snapshot for both batches")
		assert.Len(t, ReadRows(t, lh, id, nil), 4)
	})

	t.Run("ConcurrentAppends", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf", Name: "concurrent"}
		_, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		const writers, appends, perAppend = 2, 20, 3
		handles := []*lakehouse.Lakehouse{lh, open(t)}
		var wg sync.WaitGroup
		errs := make(chan error, writers*appends)
		snaps := make(chan int64, writers*appends)
		for w := range writers {
			wg.Go(func() {
				for a := range appends {
					var rows []Row
					for k := range perAppend {
						rows = append(rows, Row{fmt.Sprintf("w%d-a%02d-%d", w, a, k), "2026-03-0" + fmt.Sprint(1+k), "r", int64(w*1000 + a)})
					}
					s, err := handles[w].Append(ctx, id, []arrow.RecordBatch{Batch(t, rows...)}, map[string]string{"mesh.writer": fmt.Sprint(w)})
					if err != nil {
						errs <- err
						return
					}
					snaps <- s
				}
			})
		}
		wg.Wait()
		close(errs)
		close(snaps)
		for err := range errs {
			require.NoError(t, err)
		}
		seen := map[int64]bool{}
		for s := range snaps {
			assert.False(t, seen[s], "snapshot %d returned twice", s)
			seen[s] = true
		}
		assert.Len(t, seen, writers*appends)
		rows := ReadRows(t, lh, id, nil)
		assert.Len(t, rows, writers*appends*perAppend, "every appended row landed")
		info := tableInfo(t, lh, id)
		assert.Equal(t, int64(writers*appends*perAppend), info.Rows)
	})

	t.Run("OverwritePartition", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf", Name: "overwrite"}
		_, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		_, err = lh.Append(ctx, id, []arrow.RecordBatch{Batch(t,
			Row{"o1", "2026-04-01", "n", 1}, Row{"o2", "2026-04-01", "n", 2}, Row{"o3", "2026-04-01", "n", 3},
			Row{"p1", "2026-04-02", "s", 10}, Row{"p2", "2026-04-02", "s", 20},
		)}, nil)
		require.NoError(t, err)
		before := PlannedFiles(t, lh, id, iceberg.EqualTo(iceberg.Reference("event_date"), IcebergDate("2026-04-02")))
		_, err = lh.Overwrite(ctx, id, iceberg.EqualTo(iceberg.Reference("event_date"), IcebergDate("2026-04-01")),
			[]arrow.RecordBatch{Batch(t, Row{"o9", "2026-04-01", "n", 99})}, map[string]string{"mesh.run_id": "ow"})
		require.NoError(t, err)
		assert.Equal(t, []Row{
			{"o9", "2026-04-01", "n", 99}, {"p1", "2026-04-02", "s", 10}, {"p2", "2026-04-02", "s", 20},
		}, ReadRows(t, lh, id, nil))
		after := PlannedFiles(t, lh, id, iceberg.EqualTo(iceberg.Reference("event_date"), IcebergDate("2026-04-02")))
		assert.Equal(t, before, after, "the other partition's files are untouched")
	})

	t.Run("UpsertByKey", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf", Name: "upsert"}
		_, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		_, err = lh.Append(ctx, id, []arrow.RecordBatch{Batch(t,
			Row{"u1", "2026-05-01", "n", 1}, Row{"u2", "2026-05-01", "n", 2},
			Row{"u3", "2026-05-02", "s", 3}, Row{"u4", "2026-05-02", "s", 4},
		)}, nil)
		require.NoError(t, err)
		// u2 changes amount, u3 moves to another partition, u5 is new.
		_, err = lh.Upsert(ctx, id, []string{"event_id"}, []arrow.RecordBatch{Batch(t,
			Row{"u2", "2026-05-01", "n", 20}, Row{"u3", "2026-05-03", "e", 30}, Row{"u5", "2026-05-03", "e", 50},
		)}, map[string]string{"mesh.run_id": "up-1"})
		require.NoError(t, err)
		want := []Row{
			{"u1", "2026-05-01", "n", 1}, {"u2", "2026-05-01", "n", 20}, {"u3", "2026-05-03", "e", 30},
			{"u4", "2026-05-02", "s", 4}, {"u5", "2026-05-03", "e", 50},
		}
		assert.Equal(t, want, ReadRows(t, lh, id, nil))
		// Copy-on-write: readers that cannot apply delete files see the same rows.
		tbl, err := lh.LoadTable(ctx, id)
		require.NoError(t, err)
		tasks, err := tbl.Scan().PlanFiles(ctx)
		require.NoError(t, err)
		for _, task := range tasks {
			assert.Empty(t, task.DeleteFiles, "position deletes of %s", task.File.FilePath())
			assert.Empty(t, task.EqualityDeleteFiles, "equality deletes of %s", task.File.FilePath())
		}
		assert.Equal(t, "overwrite", string(tbl.CurrentSnapshot().Summary.Operation), "a merge replacing keys")
		// New keys only: a plain append, no file rewritten.
		_, err = lh.Upsert(ctx, id, []string{"event_id"}, []arrow.RecordBatch{Batch(t, Row{"u6", "2026-05-03", "e", 60})}, nil)
		require.NoError(t, err)
		tbl, err = lh.LoadTable(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "append", string(tbl.CurrentSnapshot().Summary.Operation), "a merge of new keys only")
		want = append(want, Row{"u6", "2026-05-03", "e", 60})
		assert.Equal(t, want, ReadRows(t, lh, id, nil))
		// Upserting the same rows again changes nothing.
		_, err = lh.Upsert(ctx, id, []string{"event_id"}, []arrow.RecordBatch{Batch(t, Row{"u5", "2026-05-03", "e", 50})}, nil)
		require.NoError(t, err)
		assert.Equal(t, want, ReadRows(t, lh, id, nil))
		// A composite key.
		_, err = lh.Upsert(ctx, id, []string{"event_id", "region"}, []arrow.RecordBatch{Batch(t,
			Row{"u1", "2026-05-01", "n", 11}, Row{"u4", "2026-05-02", "x", 44},
		)}, nil)
		require.NoError(t, err)
		assert.Equal(t, []Row{
			{"u1", "2026-05-01", "n", 11}, {"u2", "2026-05-01", "n", 20}, {"u3", "2026-05-03", "e", 30},
			{"u4", "2026-05-02", "s", 4}, {"u4", "2026-05-02", "x", 44}, {"u5", "2026-05-03", "e", 50}, {"u6", "2026-05-03", "e", 60},
		}, ReadRows(t, lh, id, nil))

		_, err = lh.Upsert(ctx, id, []string{"nope"}, []arrow.RecordBatch{Batch(t, Row{"u9", "2026-05-03", "e", 1})}, nil)
		require.ErrorIs(t, err, lakehouse.ErrNoColumn)
	})

	t.Run("ExistingValues", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf", Name: "existing"}
		_, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		got, err := lh.ExistingValues(ctx, id, "event_id", []string{"e1"}, nil)
		require.NoError(t, err)
		assert.Empty(t, got, "empty table")
		_, err = lh.Append(ctx, id, []arrow.RecordBatch{Batch(t,
			Row{"e1", "2026-06-01", "n", 1}, Row{"e2", "2026-06-01", "n", 2}, Row{"e3", "2026-06-02", "n", 3},
		)}, nil)
		require.NoError(t, err)
		tests := []struct {
			name        string
			values      []string
			prune       iceberg.BooleanExpression
			want        []string
			errContains string
		}{
			{name: "some exist", values: []string{"e1", "e3", "zz"}, want: []string{"e1", "e3"}},
			{name: "none", values: []string{"q"}, want: nil},
			{name: "no values", values: nil, want: nil},
			{name: "pruned to one partition", values: []string{"e1", "e3"},
				prune: iceberg.IsIn(iceberg.Reference("event_date"), IcebergDate("2026-06-02")), want: []string{"e3"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := lh.ExistingValues(ctx, id, "event_id", tc.values, tc.prune)
				if tc.errContains != "" {
					require.ErrorContains(t, err, tc.errContains)
					return
				}
				require.NoError(t, err)
				var keys []string
				for k := range got {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				assert.Equal(t, tc.want, keys)
			})
		}
		_, err = lh.ExistingValues(ctx, id, "nope", []string{"x"}, nil)
		require.ErrorIs(t, err, lakehouse.ErrNoColumn)
	})

	t.Run("Tables", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf_other", Name: "listed"}
		_, err := lh.EnsureTable(ctx, id, Schema(), nil)
		require.NoError(t, err)
		infos, err := lh.Tables(ctx)
		require.NoError(t, err)
		var names []string
		for _, in := range infos {
			names = append(names, in.Ident.String())
		}
		assert.True(t, sort.StringsAreSorted(names), "sorted: %v", names)
		for _, want := range []string{"conf.append", "conf.partitioned", "conf_other.listed", "conf_race.ensure"} {
			assert.Contains(t, names, want)
		}
		app := tableInfo(t, lh, lakehouse.Ident{Namespace: "conf", Name: "append"})
		assert.Equal(t, int64(4), app.Rows)
		assert.Equal(t, 3, app.Files)
		assert.Equal(t, "run-2", app.Summary["mesh.run_id"])
		assert.Equal(t, "append", app.Summary["operation"])
		assert.WithinDuration(t, time.Now(), app.LastCommit, 10*time.Minute)
		empty := tableInfo(t, lh, id)
		assert.Zero(t, empty.SnapshotID)
		assert.Zero(t, empty.Rows)
	})

	t.Run("StageTable", func(t *testing.T) {
		id := lakehouse.Ident{Namespace: "conf_stage", Name: "model"}
		staging := lakehouse.StagingIdent(id)
		exists := func(id lakehouse.Ident) bool {
			t.Helper()
			ok, err := lh.TableExists(ctx, id)
			require.NoError(t, err)
			return ok
		}
		listed := func() []string {
			t.Helper()
			infos, err := lh.Tables(ctx)
			require.NoError(t, err)
			var names []string
			for _, in := range infos {
				if in.Ident.Namespace == id.Namespace {
					names = append(names, in.Ident.Name)
				}
			}
			return names
		}

		// A build killed after creating its staging table left it behind,
		// with rows of its own: the next build starts from scratch.
		_, err := lh.EnsureTable(ctx, staging, Schema(), nil)
		require.NoError(t, err)
		_, err = lh.Append(ctx, staging, []arrow.RecordBatch{Batch(t, Row{"stale", "2026-01-01", "us-east", 9})}, nil)
		require.NoError(t, err)
		assert.Empty(t, listed(), "a staging table is not listed")

		tbl, err := lh.StageTable(ctx, id, Schema(), map[string]string{"mesh.test": "1"}, func(st lakehouse.Ident) error {
			assert.Equal(t, staging, st)
			assert.Empty(t, ReadRows(t, lh, st, nil), "the stale staging table was replaced")
			assert.False(t, exists(id), "the table is invisible until its rows are committed")
			_, err := lh.Append(ctx, st, []arrow.RecordBatch{Batch(t, Row{"a", "2026-01-01", "us-east", 1}, Row{"b", "2026-01-02", "eu-central", 2})}, nil)
			require.NoError(t, err)
			assert.False(t, exists(id), "still invisible after the commit to the staging name")
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, table.Identifier{id.Namespace, id.Name}, tbl.Identifier())
		assert.True(t, strings.HasSuffix(tbl.Location(), "/conf_stage.db/model"), "where the table's name says, not its staging name: %s", tbl.Location())
		assert.Equal(t, "1", tbl.Properties()["mesh.test"])
		spec := tbl.Spec()
		assert.Equal(t, "event_date", spec.Field(0).Name, "partitioned as EnsureTable partitions")
		assert.Equal(t, []Row{{"a", "2026-01-01", "us-east", 1}, {"b", "2026-01-02", "eu-central", 2}}, ReadRows(t, lh, id, nil))
		assert.False(t, exists(staging), "renamed away")
		assert.Equal(t, []string{"model"}, listed())
		first := tableInfo(t, lh, id).SnapshotID
		require.NotZero(t, first)

		// A failed fill leaves the table as it was and no staging table.
		boom := errors.New("boom")
		_, err = lh.StageTable(ctx, id, Schema(), nil, func(st lakehouse.Ident) error {
			_, err := lh.Append(ctx, st, []arrow.RecordBatch{Batch(t, Row{"c", "2026-01-03", "us-east", 3})}, nil)
			require.NoError(t, err)
			return boom
		})
		require.ErrorIs(t, err, boom)
		assert.False(t, exists(staging))
		assert.Equal(t, first, tableInfo(t, lh, id).SnapshotID, "the table is untouched")

		// A rebuild with other columns replaces the table whole.
		narrow := iceberg.NewSchema(0, iceberg.NestedField{ID: 1, Name: "event_id", Type: iceberg.PrimitiveTypes.String, Required: true})
		tbl, err = lh.StageTable(ctx, id, narrow, nil, func(lakehouse.Ident) error { return nil })
		require.NoError(t, err)
		assert.Equal(t, []string{"event_id"}, fieldNames(tbl.Schema()))
		assert.Nil(t, tbl.CurrentSnapshot(), "an empty fill gives an empty table")
		assert.Equal(t, []string{"model"}, listed())

		// A second build of the same table at once takes this one's staging
		// table for stale: this one fails instead of publishing its rows.
		_, err = lh.StageTable(ctx, id, Schema(), nil, func(st lakehouse.Ident) error {
			require.NoError(t, lh.DropTable(ctx, st))
			_, err := lh.EnsureTable(ctx, st, Schema(), nil)
			return err
		})
		require.ErrorIs(t, err, lakehouse.ErrStagingReplaced)
		assert.Equal(t, []string{"event_id"}, fieldNames(tableSchema(t, lh, id)), "the table is untouched")
		require.NoError(t, lh.DropTable(ctx, staging))

		staged, ok := lakehouse.StagedTable(staging)
		assert.True(t, ok)
		assert.Equal(t, id, staged)
		_, ok = lakehouse.StagedTable(id)
		assert.False(t, ok)
		dropped, err := lh.DropStaging(ctx, id)
		require.NoError(t, err)
		assert.False(t, dropped, "nothing to drop")
		_, err = lh.StageTable(ctx, staging, Schema(), nil, func(lakehouse.Ident) error { return nil })
		require.ErrorIs(t, err, lakehouse.ErrInvalidIdent, "a staging name is not a table name")
	})

	t.Run("Errors", func(t *testing.T) {
		_, err := lh.LoadTable(ctx, lakehouse.Ident{Namespace: "conf", Name: "missing"})
		require.ErrorIs(t, err, lakehouse.ErrNoSuchTable)
		_, err = lh.Append(ctx, lakehouse.Ident{Namespace: "nons", Name: "missing"}, nil, nil)
		require.ErrorIs(t, err, lakehouse.ErrNoSuchTable)
		_, err = lakehouse.ParseIdent("nodot")
		require.ErrorIs(t, err, lakehouse.ErrInvalidIdent)
		got, err := lakehouse.ParseIdent("orders.raw_orders")
		require.NoError(t, err)
		assert.Equal(t, "orders.raw_orders", got.String())
	})
}

func tableInfo(t testing.TB, lh *lakehouse.Lakehouse, id lakehouse.Ident) lakehouse.TableInfo {
	t.Helper()
	infos, err := lh.Tables(context.Background())
	require.NoError(t, err)
	for _, in := range infos {
		if in.Ident == id {
			return in
		}
	}
	t.Fatalf("table %s not listed", id)
	return lakehouse.TableInfo{}
}

func fieldNames(s *iceberg.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f.Name)
	}
	return out
}

func tableSchema(t testing.TB, lh *lakehouse.Lakehouse, id lakehouse.Ident) *iceberg.Schema {
	t.Helper()
	tbl, err := lh.LoadTable(context.Background(), id)
	require.NoError(t, err)
	return tbl.Schema()
}
