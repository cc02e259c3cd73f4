package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/dags/runner"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/openmetadata"
	"github.com/meshterious/warehouse/platform/openmetadata/omtest"
)

// TestMetadata exports the repository's catalog, pushes it twice to the
// test server (the second push changes nothing) and checks the errors.
func TestMetadata(t *testing.T) {
	t.Setenv(config.EnvDataDir, t.TempDir())
	t.Setenv(config.EnvDotEnv, "off")
	ctx := context.Background()
	const token = "bot-token-that-must-not-leak"
	srv, err := omtest.New(token)
	require.NoError(t, err)
	defer srv.Close()

	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"metadata", "export", dir}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, errb.String(), "valid against the OpenMetadata "+openmetadata.Version+" JSON Schemas")
	for _, typ := range openmetadata.Types {
		files, err := filepath.Glob(filepath.Join(dir, typ.Dir, "*.json"))
		require.NoError(t, err)
		assert.NotEmpty(t, files, "export has no %s", typ.Dir)
	}
	assert.FileExists(t, filepath.Join(dir, "tables", "mesh_lakehouse.mesh.orders.fact_orders.json"))
	assert.FileExists(t, filepath.Join(dir, "topics", "mesh_rabbitmq._ingest_orders_us-east.dlq_.json"))

	t.Setenv(config.EnvOpenMetadataToken, token)
	out.Reset()
	errb.Reset()
	code = run(ctx, []string{"metadata", "push", "--url", srv.URL}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	first := out.String()
	assert.Regexp(t, `\ntable +\d+ +0 +0\n`, first)
	assert.Contains(t, errb.String(), "pushing ")
	assert.NotContains(t, errb.String()+first, token)

	out.Reset()
	code = run(ctx, []string{"metadata", "push", "--url", srv.URL}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Regexp(t, `\ntotal +0 +0 +\d+\n`, out.String(), "a second push changes nothing")

	out.Reset()
	code = run(ctx, []string{"metadata", "push", "--url", srv.URL, "--domain", "orders"}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Regexp(t, `\ntotal +0 +0 +\d+\n`, out.String())
	assert.Regexp(t, `\ntopic +0 +0 +\d+\n`, out.String())

	t.Setenv(config.EnvOpenMetadataURL, "")
	out.Reset()
	code = run(ctx, []string{"metadata", "push", "--if-configured", "--domain", "orders"}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, out.String(), "no OpenMetadata server configured (MESH_OPENMETADATA_URL): nothing pushed")

	tests := []struct {
		name, token string
		args        []string
		errContains string
	}{
		{"bad token", "wrong", []string{"metadata", "push", "--url", srv.URL}, "refused the token (401)"},
		{"no token", "", []string{"metadata", "push", "--url", srv.URL}, "set MESH_OPENMETADATA_TOKEN"},
		{"no url", token, []string{"metadata", "push"}, "give --url or set MESH_OPENMETADATA_URL"},
		{"no dir", token, []string{"metadata", "export"}, "one directory"},
		{"bad subcommand", token, []string{"metadata", "pull"}, `unknown subcommand "pull"`},
		{"unknown domain", token, []string{"metadata", "push", "--url", srv.URL, "--domain", "nope"}, `--domain "nope": no such domain`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(config.EnvOpenMetadataToken, tc.token)
			t.Setenv(config.EnvOpenMetadataURL, "")
			var out, errb bytes.Buffer
			code := run(ctx, tc.args, &out, &errb)
			assert.Equal(t, 1, code)
			assert.Contains(t, errb.String(), tc.errContains)
			if tc.token != "" {
				assert.False(t, strings.Contains(errb.String()+out.String(), tc.token), "token leaked")
			}
		})
	}
}

// TestMetadataStatus pushes the orders domain's refresh with the lakehouse
// and a run history (one success, one failure): raw_orders' freshness is its
// one commit with its 3 rows, and each DAG's run arrives with its status.
// Then an ingest's registration of its table on an empty server.
func TestMetadataStatus(t *testing.T) {
	seed(t)
	ctx := context.Background()
	const token = "bot-token-that-must-not-leak"
	t.Setenv(config.EnvOpenMetadataToken, token)
	dataDir := os.Getenv(config.EnvDataDir)
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: dataDir})
	require.NoError(t, err)
	infos, err := lh.Tables(ctx)
	require.NoError(t, err)
	lh.Close()
	require.Len(t, infos, 1)
	committed := infos[0].LastCommit

	st, err := runner.OpenStore(ctx, runner.HistoryPath(dataDir))
	require.NoError(t, err)
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	require.NoError(t, st.SaveRun(ctx, runner.DAGRun{RunID: "a", DAGID: "ingest_orders_us-east", Domain: "orders", State: runner.StateSuccess,
		Started: at, Ended: at.Add(time.Minute), Tasks: []runner.TaskRun{{TaskID: "ingest", State: runner.StateSuccess, Started: at, Ended: at.Add(time.Minute)}}}))
	require.NoError(t, st.SaveRun(ctx, runner.DAGRun{RunID: "b", DAGID: "fact_orders", Domain: "orders", State: runner.StateFailed, Reason: "task build failed",
		Started: at, Ended: at.Add(2 * time.Minute), Tasks: []runner.TaskRun{{TaskID: "build", State: runner.StateFailed, Started: at, Ended: at.Add(2 * time.Minute)},
			{TaskID: "publish", State: runner.StateUpstreamFailed}}}))
	require.NoError(t, st.Close())

	srv, err := omtest.New(token)
	require.NoError(t, err)
	defer srv.Close()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"metadata", "push", "--live", "--url", srv.URL, "--domain", "orders"}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, errb.String(), "3 status points valid (1 table profiles, 2 pipeline statuses)")
	assert.Contains(t, out.String(), "status points sent: 1 tableProfile, 2 pipelineStatus (")
	assert.Equal(t, []map[string]any{{"tableProfile": map[string]any{
		"timestamp": float64(committed.UnixMilli()), "rowCount": 3.0, "columnCount": 4.0}}},
		srv.Points(openmetadata.StatusTableProfile, "mesh_lakehouse.mesh.orders.raw_orders"))
	status := func(dag string) []any {
		var s []any
		for _, p := range srv.Points(openmetadata.StatusPipeline, "mesh_airflow."+dag) {
			var tasks []any
			for _, tk := range p["taskStatus"].([]any) {
				tasks = append(tasks, tk.(map[string]any)["name"].(string)+"="+tk.(map[string]any)["executionStatus"].(string))
			}
			s = append(s, p["executionId"], p["executionStatus"], tasks)
		}
		return s
	}
	assert.Equal(t, []any{"a", "Successful", []any{"ingest=Successful"}}, status("ingest_orders_us-east"))
	assert.Equal(t, []any{"b", "Failed", []any{"build=Failed", "publish=Failed"}}, status("fact_orders"))
	assert.NotContains(t, out.String()+errb.String(), token)

	// An ingest's register task on a server that has nothing yet.
	empty, err := omtest.New(token)
	require.NoError(t, err)
	defer empty.Close()
	out.Reset()
	errb.Reset()
	code = run(ctx, []string{"metadata", "push", "--live", "--url", empty.URL, "--table", "orders.raw_orders"}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, errb.String(), "bodies of table orders.raw_orders")
	_, ok := empty.Entity("table", "mesh_lakehouse.mesh.orders.raw_orders")
	assert.True(t, ok)
	for _, p := range empty.Entities("pipeline") {
		assert.True(t, strings.HasPrefix(p.FQN, "mesh_airflow.ingest_orders_"), "only the pipelines of the edges into the table: %s", p.FQN)
	}
	assert.Empty(t, empty.Points(openmetadata.StatusPipeline, "mesh_airflow.ingest_orders_us-east"), "the registering run is still going")
	assert.Len(t, empty.Points(openmetadata.StatusTableProfile, "mesh_lakehouse.mesh.orders.raw_orders"), 1)

	for _, tc := range []struct {
		args        []string
		errContains string
	}{
		{[]string{"--table", "orders.nope"}, `--table "orders.nope": no such table`},
		{[]string{"--table", "nope"}, "--table:"},
		{[]string{"--table", "orders.raw_orders", "--domain", "orders"}, "--domain or --table, not both"},
		{[]string{"--runs", "-1"}, "--runs -1"},
	} {
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"metadata", "push", "--url", empty.URL}, tc.args...), &out, &errb)
		assert.Equal(t, 1, code, tc.args)
		assert.Contains(t, errb.String(), tc.errContains)
	}
}
