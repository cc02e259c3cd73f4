package contract_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/meshterious/warehouse/platform/contract"
)

func TestArrowSchema(t *testing.T) {
	c := loadOrders(t, 1)
	as := c.ArrowSchema()
	require.Equal(t, len(c.Fields)+2, as.NumFields())
	tests := []struct {
		name     string
		typ      arrow.DataType
		nullable bool
		id       string
	}{
		{"event_id", arrow.BinaryTypes.String, false, "1"},
		{"event_ts", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, false, "2"},
		{"qty", arrow.PrimitiveTypes.Int64, false, "10"},
		{"unit_price", arrow.PrimitiveTypes.Float64, false, "11"},
		{"priority", arrow.BinaryTypes.String, true, "14"},
		{"event_date", arrow.FixedWidthTypes.Date32, false, "18"},
		{"ingested_at", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, true, "19"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, ok := as.FieldsByName(tt.name)
			require.True(t, ok)
			f := fs[0]
			assert.True(t, arrow.TypeEqual(tt.typ, f.Type), "type %s, want %s", f.Type, tt.typ)
			assert.Equal(t, tt.nullable, f.Nullable)
			id, ok := f.Metadata.GetValue("PARQUET:field_id")
			require.True(t, ok)
			assert.Equal(t, tt.id, id)
		})
	}
	// Converting back gives the Iceberg schema again.
	back, err := table.ArrowSchemaToIceberg(as, false, nil)
	require.NoError(t, err)
	assert.True(t, back.Equals(iceberg.NewSchema(0, c.IcebergSchema().Fields()...)), "round trip:\n%s\nwant\n%s", back, c.IcebergSchema())
}

func decodeAll(t testing.TB, c *contract.Contract, ms ...map[string]any) []contract.Event {
	t.Helper()
	var out []contract.Event
	for _, m := range ms {
		e, err := c.Decode(body(t, m))
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

func TestBatchBuilderRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	c := loadOrders(t, 1)
	a := validOrder()
	b := validOrder()
	b["event_id"] = "1b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f71"
	b["event_ts"] = "2026-03-15T00:30:00+01:00" // 2026-03-14T23:30Z: event_date is the UTC date
	b["priority"] = "express"
	b["qty"] = 1000
	events := decodeAll(t, c, a, b)

	bb := c.NewBatchBuilder(mem)
	defer bb.Release()
	ingested := time.Date(2026, 3, 15, 8, 0, 0, 123456000, time.UTC)
	for _, e := range events {
		require.NoError(t, bb.Append(e, ingested))
	}
	assert.Equal(t, 2, bb.Len())

	rec := bb.NewRecordBatch()
	defer rec.Release()
	assert.Equal(t, 0, bb.Len(), "NewRecordBatch resets")
	require.Equal(t, int64(2), rec.NumRows())
	assert.True(t, rec.Schema().Equal(c.ArrowSchema()))

	col := func(name string) arrow.Array {
		idx := rec.Schema().FieldIndices(name)
		require.Len(t, idx, 1, name)
		return rec.Column(idx[0])
	}
	assert.Equal(t, "0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70", col("event_id").(*array.String).Value(0))
	assert.Equal(t, "1b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f71", col("event_id").(*array.String).Value(1))
	ts := col("event_ts").(*array.Timestamp)
	assert.Equal(t, time.Date(2026, 3, 14, 23, 59, 58, 123456000, time.UTC).UnixMicro(), int64(ts.Value(0)))
	assert.Equal(t, time.Date(2026, 3, 14, 23, 30, 0, 0, time.UTC).UnixMicro(), int64(ts.Value(1)))
	dates := col("event_date").(*array.Date32)
	assert.Equal(t, "2026-03-14", dates.Value(0).FormattedString())
	assert.Equal(t, "2026-03-14", dates.Value(1).FormattedString())
	assert.Equal(t, []int64{3, 1000}, col("qty").(*array.Int64).Int64Values())
	assert.Equal(t, 19.99, col("unit_price").(*array.Float64).Value(0))
	assert.Equal(t, -74.006, col("customer_lon").(*array.Float64).Value(1))
	prio := col("priority").(*array.String)
	assert.True(t, prio.IsNull(0))
	assert.Equal(t, "express", prio.Value(1))
	assert.Equal(t, ingested.UnixMicro(), int64(col("ingested_at").(*array.Timestamp).Value(1)))

	// The builder is reusable after NewRecordBatch.
	require.NoError(t, bb.Append(events[0], ingested))
	rec2 := bb.NewRecordBatch()
	defer rec2.Release()
	assert.Equal(t, int64(1), rec2.NumRows())
}

func TestNewRecordBatchIngestedAt(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	c := loadOrders(t, 1)
	b := validOrder()
	b["event_id"] = "1b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f71"
	events := decodeAll(t, c, validOrder(), b)
	bb := c.NewBatchBuilder(mem)
	defer bb.Release()
	for i, e := range events {
		require.NoError(t, bb.Append(e, time.Unix(int64(i), 0)))
	}
	committed := time.Date(2026, 3, 15, 8, 0, 1, 500000000, time.UTC)
	rec := bb.NewRecordBatchIngestedAt(committed)
	defer rec.Release()
	assert.Equal(t, 0, bb.Len(), "it resets the builder")
	require.Equal(t, int64(2), rec.NumRows())
	assert.True(t, rec.Schema().Equal(c.ArrowSchema()))
	last := rec.Column(int(rec.NumCols()) - 1).(*array.Timestamp)
	assert.Equal(t, []arrow.Timestamp{arrow.Timestamp(committed.UnixMicro()), arrow.Timestamp(committed.UnixMicro())}, last.TimestampValues())
	assert.Equal(t, "1b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f71", rec.Column(0).(*array.String).Value(1), "the other columns are kept")
}

func TestBatchBuilderRejects(t *testing.T) {
	c := loadOrders(t, 1)
	bb := c.NewBatchBuilder(nil)
	defer bb.Release()
	ok := decodeAll(t, c, validOrder())[0]
	tests := []struct {
		name        string
		edit        func(e contract.Event)
		errContains string
	}{
		{name: "lenient types", edit: func(e contract.Event) {
			e["qty"] = 2
			e["event_ts"] = "2026-01-01T00:00:00Z"
			e["unit_price"] = int64(3)
		}},
		{name: "missing required", edit: func(e contract.Event) { delete(e, "qty") }, errContains: "required field qty is missing"},
		{name: "wrong type", edit: func(e contract.Event) { e["qty"] = "3" }, errContains: "field qty: want int64, got string"},
		{name: "bad timestamp", edit: func(e contract.Event) { e["event_ts"] = "yesterday" }, errContains: "field event_ts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := contract.Event{}
			for k, v := range ok {
				e[k] = v
			}
			tt.edit(e)
			before := bb.Len()
			err := bb.Append(e, time.Now())
			if tt.errContains == "" {
				require.NoError(t, err)
				assert.Equal(t, before+1, bb.Len())
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.errContains)
			assert.Equal(t, before, bb.Len(), "nothing appended on error")
		})
	}
	rec := bb.NewRecordBatch()
	defer rec.Release()
	for i := range rec.NumCols() {
		assert.Equal(t, rec.NumRows(), int64(rec.Column(int(i)).Len()), "columns stay aligned")
	}
}

// TestIcebergAppend writes a batch to a real Iceberg table (SQLite catalog,
// local warehouse) partitioned by event_date, and reads it back.
func TestIcebergAppend(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := catalog.Load(ctx, "test", iceberg.Properties{
		"type":            "sql",
		"uri":             "file://" + filepath.Join(dir, "catalog.db"),
		sqlcat.DriverKey:  sqliteshim.ShimName,
		sqlcat.DialectKey: string(sqlcat.SQLite),
		"warehouse":       "file://" + filepath.Join(dir, "warehouse"),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cat.(*sqlcat.Catalog).Close() })

	c := loadOrders(t, 1)
	require.NoError(t, cat.CreateNamespace(ctx, table.Identifier{"orders"}, nil))
	dateID := c.IcebergSchema().Fields()[len(c.Fields)].ID
	spec := iceberg.NewPartitionSpec(iceberg.PartitionField{
		SourceIDs: []int{dateID}, FieldID: 1000, Name: "event_date", Transform: iceberg.IdentityTransform{},
	})
	tbl, err := cat.CreateTable(ctx, table.Identifier{"orders", "raw_orders"}, c.IcebergSchema(), catalog.WithPartitionSpec(&spec))
	require.NoError(t, err)
	assert.True(t, tbl.Schema().Equals(c.IcebergSchema()), "the catalog keeps our field IDs:\n%s", tbl.Schema())

	a, b := validOrder(), validOrder()
	b["event_id"] = "1b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f71"
	b["event_ts"] = "2026-03-16T10:00:00Z"
	bb := c.NewBatchBuilder(nil)
	defer bb.Release()
	for _, e := range decodeAll(t, c, a, b) {
		require.NoError(t, bb.Append(e, time.Now()))
	}
	rec := bb.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(c.ArrowSchema(), []arrow.RecordBatch{rec})
	require.NoError(t, err)
	defer rdr.Release()
	tbl, err = tbl.Append(ctx, rdr, nil)
	require.NoError(t, err)

	files, err := tbl.Scan(table.WithRowFilter(iceberg.EqualTo(iceberg.Reference("event_date"), iceberg.Date(20528)))).PlanFiles(ctx)
	require.NoError(t, err)
	assert.Len(t, files, 1, "one file per event_date partition, pruned by the filter")

	out, err := tbl.Scan().ToArrowTable(ctx)
	require.NoError(t, err)
	defer out.Release()
	assert.Equal(t, int64(2), out.NumRows())
}
