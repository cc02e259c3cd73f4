package serve_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/serve"
)

// TestSQLEndpoint drives POST /api/sql as a script would: every refusal is
// a JSON error with a 4xx status, and the server keeps answering.
func TestSQLEndpoint(t *testing.T) {
	lh := fixture(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	srv, err := serve.New(lh, serve.Config{Root: root, DataDir: t.TempDir(), TempDir: t.TempDir(), Refresh: -1, MaxRows: 2, QueryTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	_, err = srv.Sandbox().Load(t.Context(), true)
	require.NoError(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	post := func(contentType, body string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Post(ts.URL+"/api/sql", contentType, bytes.NewBufferString(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	sqlBody := func(sql string) string {
		b, _ := json.Marshal(map[string]string{"sql": sql})
		return string(b)
	}

	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		errContains             string
	}{
		{"a file", "application/json", sqlBody("SELECT * FROM read_csv('/etc/passwd')"), 403, "cannot read files"},
		{"a write", "application/json", sqlBody("CREATE TABLE t AS SELECT 1"), 403, "CREATE is not a query"},
		{"an insert", "application/json", sqlBody("INSERT INTO sales.events SELECT * FROM sales.events"), 403, "INSERT is not a query"},
		{"copy to a file", "application/json", sqlBody("COPY (SELECT 1) TO '/tmp/x.csv'"), 403, "COPY is not a query"},
		{"past the timeout", "application/json", sqlBody("SELECT count(*) FROM range(1000000000000)"), 408, "ran past its 1s limit"},
		{"bad SQL", "application/json", sqlBody("SELECT amount FROM sales.nope"), 400, "sales.nope"},
		{"not JSON", "application/json", "SELECT 1", 400, "the body must be JSON"},
		{"no sql field", "application/json", `{"query": "SELECT 1"}`, 400, `no "sql" field`},
		{"a form post", "text/plain", sqlBody("SELECT 1"), 415, "Content-Type: application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := post(tc.contentType, tc.body)
			assert.Equal(t, tc.status, status, out)
			assert.Contains(t, out["error"], tc.errContains)
		})
	}

	// Still serving, with the row limit of 2.
	status, out := post("application/json", sqlBody("SELECT event_id, amount FROM sales.events ORDER BY event_id"))
	require.Equal(t, 200, status, out)
	assert.Equal(t, []any{"event_id", "amount"}, out["columns"])
	assert.Equal(t, []any{[]any{"e1", 10.0}, []any{"e2", 20.0}}, out["rows"])
	assert.Equal(t, true, out["truncated"])
	assert.Contains(t, out, "elapsed")

	// A page of another site reaching the server through DNS rebinding
	// sends its own host name: refused.
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/api/sql", bytes.NewBufferString(sqlBody("SELECT 1")))
	require.NoError(t, err)
	req.Host = "evil.example:8090"
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMisdirectedRequest, resp.StatusCode)

	resp, err = http.Get(ts.URL + "/api/sql")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

// TestLineageAPI checks the graph the lineage page draws: the catalog's path
// from a data product through its serving copy to a dataset, a chart (labelled
// by its title) and the dashboard, and no shortcut from a table to a dataset.
func TestLineageAPI(t *testing.T) {
	lh := fixture(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	srv, err := serve.New(lh, serve.Config{Root: root, DataDir: t.TempDir(), TempDir: t.TempDir(), Refresh: -1})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	resp, err := http.Get(ts.URL + "/api/lineage")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var g struct {
		Nodes []struct{ ID, Kind, Label, Domain, Href string }
		Edges []struct{ From, To string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&g))

	edges := map[[2]string]bool{}
	for _, e := range g.Edges {
		edges[[2]string{e.From, e.To}] = true
		assert.False(t, strings.HasPrefix(e.From, "table:") && strings.HasPrefix(e.To, "dataset:"), "shortcut %s -> %s", e.From, e.To)
	}
	for _, want := range [][2]string{
		{"table:orders.fact_orders", "serving:orders.fact_orders"},
		{"serving:orders.fact_orders", "dataset:orders_sales.daily_sales"},
		{"dataset:orders_sales.daily_sales", "chart:orders_sales.revenue_total"},
		{"chart:orders_sales.revenue_total", "dashboard:orders_sales"},
	} {
		assert.True(t, edges[want], "edge %s -> %s", want[0], want[1])
	}
	nodes := map[string]string{}
	for _, n := range g.Nodes {
		nodes[n.ID] = n.Label + "|" + n.Domain + "|" + n.Href
	}
	assert.Equal(t, "Revenue|orders|/dashboards/orders_sales", nodes["chart:orders_sales.revenue_total"])
	assert.Equal(t, "orders.fact_orders|orders|/table/orders.fact_orders", nodes["table:orders.fact_orders"])
	assert.Equal(t, "orders.fact_orders|orders|", nodes["serving:orders.fact_orders"])
}
