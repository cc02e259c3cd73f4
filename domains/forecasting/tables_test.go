package forecasting

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainspec/tableschema"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

var (
	tsType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	f64    = arrow.PrimitiveTypes.Float64
	i32    = arrow.PrimitiveTypes.Int32
	i64    = arrow.PrimitiveTypes.Int64
	str    = arrow.BinaryTypes.String
	date   = arrow.FixedWidthTypes.Date32
	boolT  = arrow.FixedWidthTypes.Boolean
)

type col struct {
	name string
	typ  arrow.DataType
}

// before are the field lists of the Go steps' tables as tables.go spelled
// them before domain.yaml declared the columns, plus the columns added since
// at the end, where AddMissingColumns puts them in an existing table.
var before = []struct {
	table  string
	schema *arrow.Schema
	want   []col
}{
	{TableDemand, demandSchema, []col{
		{"product_id", str}, {"region", str}, {"category", str},
		{"forecast_ts", tsType}, {"horizon_day", i32},
		{"forecast_qty", f64}, {"forecast_variance", f64},
		{"lower_80", f64}, {"upper_80", f64}, {"lower_95", f64}, {"upper_95", f64},
		{"model", str}, {"trained_through", date}, {"run_id", str}, {"created_at", tsType},
		{"event_date", date},
	}},
	{TableRisks, risksSchema, []col{
		{"product_id", str}, {"warehouse_id", str}, {"region", str}, {"category", str},
		{"as_of", date}, {"horizon_days", i32},
		{"risk_score", f64}, {"predicted_date", date}, {"confidence", f64}, {"distribution", str},
		{"on_hand", i64}, {"expected_demand", f64}, {"expected_inbound", f64}, {"demand_share", f64},
		{"model", str}, {"demand_run_id", str}, {"run_id", str}, {"created_at", tsType},
		{"event_date", date},
	}},
	{TableBacktest, backtestSchema, []col{
		{"model", str}, {"product_id", str}, {"region", str}, {"category", str},
		{"origin", date}, {"horizon_day", i32}, {"forecast_date", date},
		{"actual", f64}, {"forecast", f64},
		{"lower_80", f64}, {"upper_80", f64}, {"lower_95", f64}, {"upper_95", f64},
		{"error", f64}, {"abs_error", f64}, {"squared_error", f64},
		{"pinball_10", f64}, {"pinball_50", f64}, {"pinball_90", f64},
		{"in_80", boolT}, {"in_95", boolT}, {"credit_80", f64}, {"credit_95", f64},
		{"scale_mse", f64}, {"scale_mae", f64}, {"rmsse", f64}, {"mase", f64},
		{"trained_through", date}, {"run_id", str}, {"created_at", tsType},
		{"event_date", date}, {"fitted_params", str},
	}},
}

// TestDeclaredSchemas: the schemas the Go steps write, built from the
// columns domain.yaml declares, are the field lists the tables were created
// with before the declaration existed, and the columns added since (names,
// order, types, all nullable), so existing tables take the new batches once
// AddMissingColumns has run.
func TestDeclaredSchemas(t *testing.T) {
	for _, tc := range before {
		t.Run(tc.table, func(t *testing.T) {
			fields := tc.schema.Fields()
			require.Len(t, fields, len(tc.want))
			for i, w := range tc.want {
				assert.Equal(t, w.name, fields[i].Name, "column %d", i)
				assert.True(t, arrow.TypeEqual(w.typ, fields[i].Type), "%s: %s, want %s", w.name, fields[i].Type, w.typ)
				assert.True(t, fields[i].Nullable, w.name)
				doc, ok := fields[i].Metadata.GetValue("doc")
				assert.True(t, ok && doc != "", "%s has its declared description", w.name)
			}
		})
	}
}

// TestDeclaredSchemasFitExistingTables creates each table as the earlier
// code did (from the plain field list) and appends a row built with the
// declared schema: the lakehouse takes it, and the declaration adds no
// column to the table.
func TestDeclaredSchemasFitExistingTables(t *testing.T) {
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { lh.Close() })
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, tc := range before {
		t.Run(tc.table, func(t *testing.T) {
			var old []arrow.Field
			for _, w := range tc.want {
				old = append(old, arrow.Field{Name: w.name, Type: w.typ, Nullable: true})
			}
			sc, err := table.ArrowSchemaToIcebergWithFreshIDs(arrow.NewSchema(old, nil), true)
			require.NoError(t, err)
			id := lakehouse.Ident{Namespace: "forecasting", Name: tc.table}
			_, err = lh.EnsureTable(ctx, id, sc, nil)
			require.NoError(t, err)

			declared, err := tableschema.Iceberg(declaredTable(tc.table))
			require.NoError(t, err)
			added, err := lh.AddMissingColumns(ctx, id, declared)
			require.NoError(t, err)
			assert.Empty(t, added)

			b := newBatch(tc.schema)
			defer b.release()
			for _, f := range tc.schema.Fields() {
				switch f.Type.ID() {
				case arrow.STRING:
					b.str(f.Name, "x")
				case arrow.INT32:
					b.i32(f.Name, 1)
				case arrow.INT64:
					b.i64(f.Name, 2)
				case arrow.FLOAT64:
					b.f64(f.Name, 0.5)
				case arrow.BOOL:
					b.boolean(f.Name, true)
				case arrow.DATE32:
					b.date(f.Name, day)
				case arrow.TIMESTAMP:
					b.ts(f.Name, day)
				default:
					t.Fatalf("%s: no value for type %s", f.Name, f.Type)
				}
			}
			b.row()
			rec := b.record()
			defer rec.Release()
			_, err = lh.Append(ctx, id, []arrow.RecordBatch{rec}, nil)
			require.NoError(t, err)
			infos, err := lh.Tables(ctx)
			require.NoError(t, err)
			var rows int64 = -1
			for _, info := range infos {
				if info.Ident == id {
					rows = info.Rows
				}
			}
			assert.Equal(t, int64(1), rows)
		})
	}
}
