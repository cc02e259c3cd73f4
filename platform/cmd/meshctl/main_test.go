package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
)

// seed writes a small table into a fresh embedded lakehouse and points meshctl at it.
func seed(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(config.EnvDataDir, dir)
	t.Setenv(config.EnvDotEnv, "off")
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: dir})
	require.NoError(t, err)
	defer lh.Close()
	id := lakehouse.Ident{Namespace: "orders", Name: "raw_orders"}
	require.NoError(t, lh.EnsureNamespace(ctx, id.Namespace))
	_, err = lh.EnsureTable(ctx, id, lakehousetest.Schema(), nil)
	require.NoError(t, err)
	_, err = lh.Append(ctx, id, []arrow.RecordBatch{lakehousetest.Batch(t,
		lakehousetest.Row{ID: "a", Date: "2026-01-01", Region: "us-east", Amount: 5},
		lakehousetest.Row{ID: "b", Date: "2026-01-01", Region: "eu-central", Amount: 7},
		lakehousetest.Row{ID: "c", Date: "2026-01-02", Region: "us-east", Amount: 11},
	)}, nil)
	require.NoError(t, err)
}

func TestMeshctl(t *testing.T) {
	seed(t)
	tests := []struct {
		name        string
		args        []string
		code        int
		want        []string
		errContains string
	}{
		{name: "sql csv", args: []string{"sql", "--format", "csv", "SELECT region, CAST(sum(amount) AS BIGINT) AS total FROM orders.raw_orders GROUP BY region ORDER BY region"},
			want: []string{"region,total\neu-central,7\nus-east,16\n"}},
		{name: "sql table", args: []string{"sql", "SELECT count(*) AS n FROM orders.raw_orders WHERE event_date = DATE '2026-01-01'"},
			want: []string{"n\n-\n2\n(1 row)\n"}},
		{name: "sql json", args: []string{"sql", "--format", "json", "SELECT event_id FROM orders.raw_orders WHERE amount > 10"},
			want: []string{`{"event_id":"c"}`}},
		{name: "tables", args: []string{"tables"}, want: []string{"orders.raw_orders", "   3 "}},
		{name: "bad sql", args: []string{"sql", "SELEKT 1"}, code: 1, errContains: "meshctl sql:"},
		{name: "no sql", args: []string{"sql", "--format", "csv", " "}, code: 1},
		{name: "bad format", args: []string{"sql", "--format", "xml", "SELECT 1"}, code: 1, errContains: `--format "xml"`},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, errContains: `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			require.Equal(t, tt.code, code, "stderr: %s", errOut.String())
			for _, w := range tt.want {
				assert.Contains(t, out.String(), w)
			}
			if tt.errContains != "" {
				assert.Contains(t, errOut.String(), tt.errContains)
			}
		})
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	t.Setenv(config.EnvDotEnv, "off")
	t.Setenv(config.EnvAMQPURL, "amqp://svc:hunter2@broker:5672/")
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"config"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "amqp://svc:xxxxx@broker:5672/")
	assert.NotContains(t, out.String(), "hunter2")
}
