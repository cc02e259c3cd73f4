package forecasting

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeclaredSchemas: the schemas the Go steps write, built from the
// columns domain.yaml declares, are the field lists the tables were created
// with before the declaration existed (names, order, types, all nullable),
// so existing tables take the new batches unchanged.
func TestDeclaredSchemas(t *testing.T) {
	var (
		ts   = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
		f64  = arrow.PrimitiveTypes.Float64
		i32  = arrow.PrimitiveTypes.Int32
		i64  = arrow.PrimitiveTypes.Int64
		str  = arrow.BinaryTypes.String
		date = arrow.FixedWidthTypes.Date32
		bl   = arrow.FixedWidthTypes.Boolean
	)
	type col struct {
		name string
		typ  arrow.DataType
	}
	for _, tc := range []struct {
		table  string
		schema *arrow.Schema
		want   []col
	}{
		{TableDemand, demandSchema, []col{
			{"product_id", str}, {"region", str}, {"category", str},
			{"forecast_ts", ts}, {"horizon_day", i32},
			{"forecast_qty", f64}, {"forecast_variance", f64},
			{"lower_80", f64}, {"upper_80", f64}, {"lower_95", f64}, {"upper_95", f64},
			{"model", str}, {"trained_through", date}, {"run_id", str}, {"created_at", ts},
			{"event_date", date},
		}},
		{TableRisks, risksSchema, []col{
			{"product_id", str}, {"warehouse_id", str}, {"region", str}, {"category", str},
			{"as_of", date}, {"horizon_days", i32},
			{"risk_score", f64}, {"predicted_date", date}, {"confidence", f64}, {"distribution", str},
			{"on_hand", i64}, {"expected_demand", f64}, {"expected_inbound", f64}, {"demand_share", f64},
			{"model", str}, {"demand_run_id", str}, {"run_id", str}, {"created_at", ts},
			{"event_date", date},
		}},
		{TableBacktest, backtestSchema, []col{
			{"model", str}, {"product_id", str}, {"region", str}, {"category", str},
			{"origin", date}, {"horizon_day", i32}, {"forecast_date", date},
			{"actual", f64}, {"forecast", f64},
			{"lower_80", f64}, {"upper_80", f64}, {"lower_95", f64}, {"upper_95", f64},
			{"error", f64}, {"abs_error", f64}, {"squared_error", f64},
			{"pinball_10", f64}, {"pinball_50", f64}, {"pinball_90", f64},
			{"in_80", bl}, {"in_95", bl}, {"credit_80", f64}, {"credit_95", f64},
			{"scale_mse", f64}, {"scale_mae", f64}, {"rmsse", f64}, {"mase", f64},
			{"trained_through", date}, {"run_id", str}, {"created_at", ts},
			{"event_date", date},
		}},
	} {
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
