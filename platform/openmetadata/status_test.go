package openmetadata_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dags/runner"
	"github.com/meshterious/warehouse/platform/openmetadata"
)

// keys lists bodies as "type:FQN".
func keys(bodies []openmetadata.Body) []string {
	var out []string
	for _, b := range bodies {
		out = append(out, b.Type.Name+":"+b.FQN)
	}
	return out
}

// TestForTable: an ingest's registration of shop.raw_orders sends the table,
// the two edges into it from the queues with their pipeline, and everything
// they refer to, which an empty server accepts; no other table, topic or
// pipeline.
func TestForTable(t *testing.T) {
	bodies := fixtureBodies(t)
	raw := openmetadata.ForTable(bodies, "mesh_lakehouse.mesh.shop.raw_orders")
	assert.Equal(t, []string{
		"classification:AccessLevel", "classification:DataMesh",
		"tag:AccessLevel.confidential", "tag:AccessLevel.restricted", "tag:DataMesh.Raw",
		"policy:shop-team-policy", "role:shop-team", "team:shop-team", "domain:shop",
		"glossary:Warehouse", `glossaryTerm:Warehouse.Forecast`, `glossaryTerm:Warehouse.Order Line`,
		"databaseService:mesh_lakehouse", "database:mesh_lakehouse.mesh", "databaseSchema:mesh_lakehouse.mesh.shop",
		"messagingService:mesh_rabbitmq", "topic:mesh_rabbitmq.ingest_orders_eu", "topic:mesh_rabbitmq.ingest_orders_us",
		"pipelineService:mesh_airflow", "pipeline:mesh_airflow.ingest_orders",
		"table:mesh_lakehouse.mesh.shop.raw_orders",
		"lineage:topic:mesh_rabbitmq.ingest_orders_eu -> table:mesh_lakehouse.mesh.shop.raw_orders",
		"lineage:topic:mesh_rabbitmq.ingest_orders_us -> table:mesh_lakehouse.mesh.shop.raw_orders",
	}, keys(raw))
	srv := newServer(t)
	sum, err := openmetadata.Push(context.Background(), srv.URL, token, raw, fast()...)
	require.NoError(t, err, "an empty server accepts a table's registration")
	assert.Equal(t, len(raw), sum.Total().Created)
	assert.Len(t, srv.Edges(), 2)

	// An edge from another domain's table is kept, its source is not: the
	// server has it from that domain's refresh.
	fc := keys(openmetadata.ForTable(bodies, "mesh_lakehouse.mesh.forecast.fact_forecast"))
	assert.Contains(t, fc, "lineage:table:mesh_lakehouse.mesh.shop.fact_orders -> table:mesh_lakehouse.mesh.forecast.fact_forecast")
	assert.Contains(t, fc, "pipeline:mesh_airflow.forecast_demand")
	assert.Contains(t, fc, "dataProduct:forecast_data_products")
	assert.NotContains(t, fc, "table:mesh_lakehouse.mesh.shop.fact_orders")
	assert.NotContains(t, fc, "domain:shop")

	assert.Empty(t, openmetadata.ForTable(bodies, "mesh_lakehouse.mesh.shop.nope"))
}

// fixtureRuns records a run history with one success and one failure of
// ingest_orders, and a run of a DAG the catalog does not have, in a real
// run history, and reads it back as meshctl does.
func fixtureRuns(t *testing.T) []runner.DAGRun {
	t.Helper()
	ctx := context.Background()
	st, err := runner.OpenStore(ctx, filepath.Join(t.TempDir(), "history.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	at := func(min int) time.Time { return time.Date(2026, 11, 26, 10, min, 0, 0, time.UTC) }
	for _, r := range []runner.DAGRun{
		{RunID: "r1", DAGID: "ingest_orders", Domain: "shop", State: runner.StateSuccess, Started: at(0), Ended: at(2),
			Tasks: []runner.TaskRun{{TaskID: "ingest", State: runner.StateSuccess, Attempts: 1, Started: at(0), Ended: at(2)}}},
		{RunID: "r2", DAGID: "ingest_orders", Domain: "shop", State: runner.StateFailed, Reason: "task ingest failed: exit status 3",
			Started: at(15), Ended: at(16),
			Tasks: []runner.TaskRun{{TaskID: "ingest", State: runner.StateFailed, Attempts: 3, ExitCode: 3, Started: at(15), Ended: at(16)}}},
		{RunID: "x1", DAGID: "not_in_catalog", Domain: "shop", State: runner.StateSuccess, Started: at(1), Ended: at(3)},
	} {
		require.NoError(t, st.SaveRun(ctx, r))
	}
	runs, err := st.Runs(ctx, "", 10)
	require.NoError(t, err)
	return runs
}

// TestPushRunStatus: a success and a failure from the run history arrive as
// exactly these two pipeline statuses; pushing again changes nothing.
func TestPushRunStatus(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	bodies := fixtureBodies(t)
	_, err := openmetadata.Push(ctx, srv.URL, token, bodies, fast()...)
	require.NoError(t, err)
	statuses := openmetadata.StatusesFor(openmetadata.RunStatuses(openmetadata.DefaultOptions(), fixtureRuns(t)), bodies)
	require.Len(t, statuses, 2, "the run of a DAG the catalog lacks is left out")
	v, err := openmetadata.DefaultValidator()
	require.NoError(t, err)
	require.NoError(t, openmetadata.ValidateStatuses(v, statuses))
	for range 2 {
		sum, err := openmetadata.PushStatus(ctx, srv.URL, token, statuses, fast()...)
		require.NoError(t, err)
		assert.Equal(t, []openmetadata.Result{{Type: "pipelineStatus", Updated: 2}}, sum.Results)
	}
	ms := func(min int) float64 {
		return float64(time.Date(2026, 11, 26, 10, min, 0, 0, time.UTC).UnixMilli())
	}
	want := []map[string]any{
		{"executionId": "r1", "executionStatus": "Successful", "timestamp": ms(0), "endTime": ms(2),
			"taskStatus": []any{map[string]any{"name": "ingest", "executionStatus": "Successful", "startTime": ms(0), "endTime": ms(2)}}},
		{"executionId": "r2", "executionStatus": "Failed", "timestamp": ms(15), "endTime": ms(16),
			"taskStatus": []any{map[string]any{"name": "ingest", "executionStatus": "Failed", "startTime": ms(15), "endTime": ms(16)}},
			"error":      map[string]any{"errorType": "failed", "errorMessage": "task ingest failed: exit status 3", "failedTask": "ingest"}},
	}
	assert.Equal(t, want, srv.Points(openmetadata.StatusPipeline, "mesh_airflow.ingest_orders"))
}

// TestPushFreshness: a table with data gets a profile whose timestamp is its
// last data commit; a table without data gets none.
func TestPushFreshness(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	_, err := openmetadata.Push(ctx, srv.URL, token, fixtureBodies(t), fast()...)
	require.NoError(t, err)
	last := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	statuses := openmetadata.TableStatuses(openmetadata.DefaultOptions(), []openmetadata.TableFreshness{
		{Table: "shop.stg_orders"},
		{Table: "shop.raw_orders", LastData: last, Rows: 4200, Columns: 6},
	})
	require.Len(t, statuses, 1)
	_, err = openmetadata.PushStatus(ctx, srv.URL, token, statuses, fast()...)
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{"tableProfile": map[string]any{
		"timestamp": float64(last.UnixMilli()), "rowCount": 4200.0, "columnCount": 6.0}}},
		srv.Points(openmetadata.StatusTableProfile, "mesh_lakehouse.mesh.shop.raw_orders"))
	assert.Empty(t, srv.Points(openmetadata.StatusTableProfile, "mesh_lakehouse.mesh.shop.stg_orders"))
}

func TestStatusErrors(t *testing.T) {
	ctx := context.Background()
	v, err := openmetadata.DefaultValidator()
	require.NoError(t, err)
	bad := func(kind openmetadata.StatusKind, body map[string]any) error {
		data, err := json.Marshal(body)
		require.NoError(t, err)
		return v.ValidateStatus(kind, "x", data)
	}
	for _, tc := range []struct {
		name        string
		kind        openmetadata.StatusKind
		body        map[string]any
		errContains string
	}{
		{"unknown status", openmetadata.StatusPipeline, map[string]any{"timestamp": 1, "executionStatus": "Done"}, "executionStatus"},
		{"no timestamp", openmetadata.StatusPipeline, map[string]any{"executionStatus": "Failed"}, "timestamp"},
		{"profile without timestamp", openmetadata.StatusTableProfile, map[string]any{"tableProfile": map[string]any{"rowCount": 1}}, "timestamp"},
		{"profile unwrapped", openmetadata.StatusTableProfile, map[string]any{"timestamp": 1}, `unexpected field "timestamp"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := bad(tc.kind, tc.body)
			require.ErrorIs(t, err, openmetadata.ErrInvalidBody)
			assert.Contains(t, err.Error(), tc.errContains)
		})
	}

	// The server refuses a status of a pipeline it does not have, naming it.
	srv := newServer(t)
	st := openmetadata.RunStatuses(openmetadata.DefaultOptions(), []runner.DAGRun{{RunID: "r", DAGID: "ghost", State: runner.StateSuccess, Started: time.Now()}})
	_, err = openmetadata.PushStatus(ctx, srv.URL, token, st, fast()...)
	require.ErrorIs(t, err, openmetadata.ErrNotFound)
	assert.Contains(t, err.Error(), "pipelineStatus of pipeline mesh_airflow.ghost")
	assert.NotContains(t, err.Error(), token)
}

// TestForDomainOtherAssets: a body of a type ForDomain does not list (a
// chart) that names its domain goes with that domain's refresh only.
func TestForDomainOtherAssets(t *testing.T) {
	chart := openmetadata.Type{Name: "chart", Dir: "charts", Path: "/charts"}
	bodies := append(fixtureBodies(t),
		openmetadata.Body{Type: chart, FQN: "mesh_superset.shop_chart", Data: map[string]any{"name": "shop_chart", "domains": []any{"shop"}}},
		openmetadata.Body{Type: chart, FQN: "mesh_superset.forecast_chart", Data: map[string]any{"name": "forecast_chart", "domains": []any{"forecast"}}})
	shop := keys(openmetadata.ForDomain(bodies, "shop"))
	assert.Contains(t, shop, "chart:mesh_superset.shop_chart")
	assert.NotContains(t, shop, "chart:mesh_superset.forecast_chart")
	assert.Contains(t, shop, "glossary:Warehouse", "mesh-wide bodies name no domain and stay")
}
