package serve_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dags/runner"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// The forecasting fixture: a fixed run whose numbers follow from its SQL.
// Two series (P-1 and P-2 in eu-central) with 60 days of actuals up to
// trainedThrough and a 14-day forecast after it. The forecasting domain's
// forecast_vs_actual chart shows the 56 days up to trainedThrough plus the
// 14 forecast days: 70 points. The forecasts page shows one series: 28 + 14.
const (
	trainedThrough    = "2026-03-31"
	horizon           = 14
	wantDashboardDays = 56 + horizon
	wantSeriesDays    = 28 + horizon
)

var fixtureTables = []struct {
	id     lakehouse.Ident
	fields []iceberg.NestedField
	sql    string
}{
	{
		lakehouse.Ident{Namespace: "forecasting", Name: "stg_daily_demand"},
		fields("product_id:s region:s warehouse_id:s event_date:d units:l order_lines:l"),
		`SELECT p AS product_id, 'eu-central' AS region, 'WH-EUC-01' AS warehouse_id,
		   CAST(DATE '` + trainedThrough + `' - INTERVAL (i) DAY AS DATE) AS event_date,
		   CAST(10 + (i * 7) % 5 + (CASE p WHEN 'P-1' THEN 20 ELSE 0 END) AS BIGINT) AS units, CAST(3 AS BIGINT) AS order_lines
		 FROM range(60) r(i), (VALUES ('P-1'), ('P-2')) v(p)`,
	},
	{
		lakehouse.Ident{Namespace: "forecasting", Name: "fact_forecast_demand"},
		fields("product_id:s region:s category:s forecast_ts:z horizon_day:i forecast_qty:f forecast_variance:f lower_80:f upper_80:f lower_95:f upper_95:f model:s trained_through:d run_id:s created_at:z event_date:d"),
		`SELECT p AS product_id, 'eu-central' AS region, 'grocery' AS category,
		   CAST(DATE '` + trainedThrough + `' + INTERVAL (h) DAY AS TIMESTAMPTZ) AS forecast_ts, CAST(h AS INTEGER) AS horizon_day,
		   q AS forecast_qty, 4.0::DOUBLE AS forecast_variance, q - 2.5::DOUBLE AS lower_80, q + 2.5::DOUBLE AS upper_80, q - 4::DOUBLE AS lower_95, q + 4::DOUBLE AS upper_95,
		   'tsb' AS model, DATE '` + trainedThrough + `' AS trained_through, 'demand-` + trainedThrough + `' AS run_id,
		   TIMESTAMPTZ '2026-04-01 06:00:00+00' AS created_at, CAST(DATE '` + trainedThrough + `' + INTERVAL (h) DAY AS DATE) AS event_date
		 FROM range(1, ` + fmt.Sprint(horizon+1) + `) r(h), (VALUES ('P-1', 32.0::DOUBLE), ('P-2', 12.0::DOUBLE)) v(p, q)`,
	},
	{
		lakehouse.Ident{Namespace: "forecasting", Name: "fact_forecast_backtest"},
		fields("model:s category:s origin:d horizon_day:i rmsse:f mase:f abs_error:f in_80:b in_95:b"),
		`SELECT m AS model, 'grocery' AS category, DATE '2026-03-03' AS origin, CAST(h AS INTEGER) AS horizon_day,
		   e AS rmsse, e AS mase, e * 2 AS abs_error, h % 5 <> 0 AS in_80, true AS in_95
		 FROM range(1, 15) r(h), (VALUES ('tsb', 0.9::DOUBLE), ('snaive', 1.1::DOUBLE)) v(m, e)`,
	},
}

// fields parses "name:type ..." (s string, d date, l long, i int, f double,
// z timestamptz, b boolean) into Iceberg fields.
func fields(spec string) []iceberg.NestedField {
	types := map[string]iceberg.Type{"s": iceberg.PrimitiveTypes.String, "d": iceberg.PrimitiveTypes.Date, "l": iceberg.PrimitiveTypes.Int64,
		"i": iceberg.PrimitiveTypes.Int32, "f": iceberg.PrimitiveTypes.Float64, "z": iceberg.PrimitiveTypes.TimestampTz, "b": iceberg.PrimitiveTypes.Bool}
	var out []iceberg.NestedField
	for i, f := range strings.Fields(spec) {
		name, typ, _ := strings.Cut(f, ":")
		out = append(out, iceberg.NestedField{ID: i + 1, Name: name, Type: types[typ]})
	}
	return out
}

// forecastingFixture writes the fixture tables (DuckDB writes the Parquet
// files into each table's location, committed with AddFiles) and a DAG run
// history with one run that missed its deadline.
func forecastingFixture(t *testing.T) (*lakehouse.Lakehouse, string) {
	t.Helper()
	ctx := context.Background()
	dataDir := t.TempDir()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: dataDir})
	require.NoError(t, err)
	t.Cleanup(func() { lh.Close() })
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec("SET TimeZone='UTC'")
	require.NoError(t, err)
	for _, ft := range fixtureTables {
		schema := iceberg.NewSchema(0, ft.fields...)
		_, err := lh.EnsureTable(ctx, ft.id, schema, nil)
		require.NoError(t, err)
		loc, err := lh.Location(ctx, ft.id)
		require.NoError(t, err)
		dir := filepath.Join(strings.TrimPrefix(loc, "file://"), "data", "fixture")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		stmt := fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet, PARTITION_BY (event_date), WRITE_PARTITION_COLUMNS true)", ft.sql, dir)
		if _, ok := schema.FindFieldByName(lakehouse.PartitionColumn); !ok {
			stmt = fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", ft.sql, filepath.Join(dir, "part-0.parquet"))
		}
		_, err = db.Exec(stmt)
		require.NoError(t, err, ft.id.String())
		var paths []string
		require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".parquet") {
				paths = append(paths, "file://"+p)
			}
			return err
		}))
		_, err = lh.AddFiles(ctx, ft.id, paths, false, nil)
		require.NoError(t, err, ft.id.String())
	}
	st, err := runner.OpenStore(ctx, runner.HistoryPath(dataDir))
	require.NoError(t, err)
	defer st.Close()
	start := time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
	for i, r := range []runner.DAGRun{
		{RunID: "manual-1", DAGID: "forecast_demand", Domain: "forecasting", State: runner.StateSuccess, SLA: time.Hour},
		{RunID: "manual-2", DAGID: "forecast_demand", Domain: "forecasting", State: runner.StateSuccess, SLA: time.Minute, DeadlineMissed: true},
	} {
		r.Started = start.Add(time.Duration(i) * time.Hour)
		r.Ended = r.Started.Add(2 * time.Minute)
		require.NoError(t, st.SaveRun(ctx, r))
	}
	return lh, dataDir
}
