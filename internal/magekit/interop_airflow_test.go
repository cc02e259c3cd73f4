package magekit

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dags"
)

// The airflow CLI prints names and schedules differently per version and
// mode; these are outputs seen on Airflow 3.3.2 and 2.10.5.
func TestAirflowListDecoding(t *testing.T) {
	tests := []struct {
		name, json  string
		want        []string
		errContains string
	}{
		{name: "2.10 local tags", json: `["orders", "fact"]`, want: []string{"orders", "fact"}},
		{name: "database tags", json: `[{"name": "orders", "dag_id": "fact_orders"}, {"name": "fact"}]`, want: []string{"orders", "fact"}},
		{name: "3.x local tags", json: `"{'sales', 'orders', 'fact'}"`, want: []string{"sales", "orders", "fact"}},
		{name: "owner string", json: `"orders-team"`, want: []string{"orders-team"}},
		{name: "no tags", json: `[]`, want: []string{}},
		{name: "number", json: `3`, errContains: "want a list or a string, got 3"},
		{name: "list of numbers", json: `[3]`, errContains: `want a name or {"name": ...}, got 3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got looseStrings
			err := json.Unmarshal([]byte(tt.json), &got)
			if tt.errContains != "" {
				assert.ErrorContains(t, err, tt.errContains)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, []string(got))
		})
	}

	var sched looseSchedule
	require.NoError(t, json.Unmarshal([]byte(`{"__type": "CronExpression", "value": "@daily"}`), &sched))
	assert.Equal(t, looseSchedule("@daily"), sched)
	require.NoError(t, json.Unmarshal([]byte(`"Asset"`), &sched))
	assert.Equal(t, looseSchedule("Asset"), sched)
	assert.ErrorContains(t, json.Unmarshal([]byte(`{"__type": "x"}`), &sched), `want a string or {"value": ...}`)

	var rows []map[string]any
	require.NoError(t, lastJSONArray("[2026-11-26T16:43:04.370+0000] {plugins.py:37} INFO - setup\nUserWarning: graphviz\n[{\"dag_id\": \"a\"}]\n", &rows))
	assert.Equal(t, []map[string]any{{"dag_id": "a"}}, rows)
	assert.EqualError(t, lastJSONArray("[2026-11-26] INFO\n", &rows), "no JSON array in the output")
}

func TestScheduleMatches(t *testing.T) {
	tests := []struct {
		major        int
		spec, listed string
		want         bool
	}{
		{3, "*/15 * * * *", "*/15 * * * *", true},
		{3, "@daily", "0 0 * * *", true},
		{2, "@daily", "@daily", true},
		{2, "@daily", "0 0 * * *", false},
		{3, "on_update", "Asset", true},
		{2, "on_update", "Dataset", true},
		{3, "on_update", "Dataset", false},
		{3, "0 3 * * *", "0 4 * * *", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, scheduleMatches(tt.major, tt.spec, tt.listed), "%d %q %q", tt.major, tt.spec, tt.listed)
	}
}

func TestCheckAssets(t *testing.T) {
	specs := []dags.AirflowSpec{{DAGs: []dags.AirflowDAG{
		{DagID: "ingest_orders_us-east", Schedule: "*/15 * * * *", Tasks: []dags.AirflowTask{{TaskID: "ingest", Outlets: []string{"orders.raw_orders"}}}},
		{DagID: "stg_orders", Schedule: "on_update", Reads: []string{"orders.raw_orders"}, Tasks: []dags.AirflowTask{{TaskID: "run", Outlets: []string{"orders.stg_orders"}}}},
		{DagID: "maintenance_orders", Schedule: "0 3 * * *", Tasks: []dags.AirflowTask{{TaskID: "compact"}}},
	}}}
	good := func() airflowMetadata {
		return airflowMetadata{
			Schedules: map[string][]string{"stg_orders": {"iceberg://mesh/orders/raw_orders"}},
			Outlets: map[string][]string{
				"ingest_orders_us-east.ingest": {"iceberg://mesh/orders/raw_orders"},
				"stg_orders.run":               {"iceberg://mesh/orders/stg_orders"},
			},
		}
	}
	tests := []struct {
		name        string
		edit        func(m *airflowMetadata)
		errContains string
	}{
		{name: "equal"},
		{name: "other asset", edit: func(m *airflowMetadata) { m.Schedules["stg_orders"] = []string{"iceberg://mesh/orders/x"} },
			errContains: "DAG stg_orders is scheduled on the Assets [iceberg://mesh/orders/x], the spec says [iceberg://mesh/orders/raw_orders]"},
		{name: "cron DAG on assets", edit: func(m *airflowMetadata) { m.Schedules["maintenance_orders"] = []string{"iceberg://mesh/orders/x"} },
			errContains: "DAG maintenance_orders is scheduled on the Assets [iceberg://mesh/orders/x], the spec says []"},
		{name: "missing outlet", edit: func(m *airflowMetadata) { delete(m.Outlets, "stg_orders.run") },
			errContains: "task stg_orders.run announces the Assets [], the spec says [iceberg://mesh/orders/stg_orders]"},
		{name: "undeclared DAG", edit: func(m *airflowMetadata) { m.Schedules["other"] = []string{"iceberg://mesh/orders/x"} },
			errContains: "Asset references of DAGs or tasks no spec declares: 2 schedules for 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good()
			if tt.edit != nil {
				tt.edit(&m)
			}
			sched, out, err := checkAssets(specs, m)
			if tt.errContains != "" {
				assert.ErrorContains(t, err, tt.errContains)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 1, sched)
			assert.Equal(t, 2, out)
		})
	}
}
