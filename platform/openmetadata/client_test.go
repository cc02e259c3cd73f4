package openmetadata_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/openmetadata"
	"github.com/meshterious/warehouse/platform/openmetadata/omtest"
)

const token = "eyJhbGciOiJSUzI1NiJ9.test-bot-token.sig"

func newServer(t *testing.T) *omtest.Server {
	t.Helper()
	srv, err := omtest.New(token)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

func fast() []openmetadata.Option {
	return []openmetadata.Option{openmetadata.WithBackoff(time.Millisecond, 5*time.Millisecond)}
}

func results(s *openmetadata.Summary) map[string]openmetadata.Result {
	out := map[string]openmetadata.Result{}
	for _, r := range s.Results {
		out[r.Type] = r
	}
	return out
}

// TestPushTwice: the first push creates every entity, the second changes
// nothing, and a changed description updates that one entity.
func TestPushTwice(t *testing.T) {
	srv := newServer(t)
	bodies := fixtureBodies(t)
	ctx := context.Background()

	var progress bytes.Buffer
	sum, err := openmetadata.Push(ctx, srv.URL, token, bodies, append(fast(), openmetadata.WithProgress(&progress))...)
	require.NoError(t, err)
	got := results(sum)
	for typ, n := range fixtureCounts {
		assert.Equal(t, openmetadata.Result{Type: typ, Created: n}, got[typ], typ)
	}
	builtin := map[string]int{"classification": 2, "tag": 5} // PII, PersonalData and their tags
	for typ, n := range fixtureCounts {
		if typ != "lineage" {
			assert.Len(t, srv.Entities(typ), n+builtin[typ], typ)
		}
	}
	assert.Len(t, srv.Edges(), fixtureCounts["lineage"])
	assert.Contains(t, progress.String(), "pushing 68 bodies to "+srv.URL)
	assert.Contains(t, progress.String(), "  table                 5  (created 5, updated 0, unchanged 0)")
	var out bytes.Buffer
	sum.Write(&out)
	assert.Contains(t, out.String(), "total                   68        0          0")

	// References carry the server's ids, not placeholders.
	tbl, ok := srv.Entity("table", "mesh_lakehouse.mesh.shop.fact_orders")
	require.True(t, ok)
	team, ok := srv.Entity("team", "shop-team")
	require.True(t, ok)
	assert.Equal(t, team.ID, tbl.Body["owners"].([]any)[0].(map[string]any)["id"])

	versions := srv.Versions()
	sum, err = openmetadata.Push(ctx, srv.URL, token, bodies, fast()...)
	require.NoError(t, err)
	for typ, n := range fixtureCounts {
		assert.Equal(t, openmetadata.Result{Type: typ, Unchanged: n}, results(sum)[typ], typ)
	}
	assert.Equal(t, versions, srv.Versions(), "a second push changes no version")
	for _, e := range srv.Edges() {
		assert.Zero(t, e.Version, "edge %s -> %s changed", e.From.FQN, e.To.FQN)
	}

	changed := fixtureCatalog()
	changed.Tables[1].Description = "One row per order line, deduplicated."
	bodies2, err := openmetadata.Build(changed, openmetadata.DefaultOptions())
	require.NoError(t, err)
	sum, err = openmetadata.Push(ctx, srv.URL, token, bodies2, fast()...)
	require.NoError(t, err)
	// The table and its serving copy, which repeats its description.
	assert.Equal(t, openmetadata.Result{Type: "table", Updated: 2, Unchanged: 3}, results(sum)["table"])
	assert.Equal(t, 2, sum.Total().Updated)
	tbl, _ = srv.Entity("table", "mesh_lakehouse.mesh.shop.fact_orders")
	assert.Equal(t, 0.2, tbl.Version)
}

// TestLineageComplete: on the server, every fact table reaches a RabbitMQ
// topic upstream, and every topic -> raw edge carries its pipeline.
func TestLineageComplete(t *testing.T) {
	srv := newServer(t)
	_, err := openmetadata.Push(context.Background(), srv.URL, token, fixtureBodies(t), fast()...)
	require.NoError(t, err)
	up := map[string][]string{}
	for _, e := range srv.Edges() {
		up[e.To.Type+":"+e.To.FQN] = append(up[e.To.Type+":"+e.To.FQN], e.From.Type+":"+e.From.FQN)
		if e.From.Type == "topic" && e.To.Type == "table" {
			pl, ok := e.Details["pipeline"].(map[string]any)
			require.True(t, ok, "edge %s -> %s has no pipeline", e.From.FQN, e.To.FQN)
			p, _ := srv.Entity("pipeline", "mesh_airflow.ingest_orders")
			assert.Equal(t, p.ID, pl["id"])
		}
	}
	reachesTopic := func(start string) []string {
		var topics []string
		seen := map[string]bool{}
		var walk func(string)
		walk = func(n string) {
			if seen[n] {
				return
			}
			seen[n] = true
			if strings.HasPrefix(n, "topic:") {
				topics = append(topics, n)
			}
			for _, u := range up[n] {
				walk(u)
			}
		}
		walk(start)
		return topics
	}
	facts := 0
	for _, tbl := range srv.Entities("table") {
		if strings.Contains(tbl.FQN, ".fact_") {
			facts++
			assert.NotEmpty(t, reachesTopic("table:"+tbl.FQN), "%s reaches no topic", tbl.FQN)
		}
	}
	assert.Equal(t, 3, facts, "2 in the lakehouse, 1 serving copy")
	assert.ElementsMatch(t, []string{"topic:mesh_rabbitmq.shop", "topic:mesh_rabbitmq.ingest_orders_eu", "topic:mesh_rabbitmq.ingest_orders_us"},
		reachesTopic("dashboard:mesh_superset.demand_board"))
	// The Superset dashboard: data model <- serving copy <- fact <- ... <- queues.
	assert.ElementsMatch(t, []string{"topic:mesh_rabbitmq.shop", "topic:mesh_rabbitmq.ingest_orders_eu", "topic:mesh_rabbitmq.ingest_orders_us"},
		reachesTopic("dashboard:mesh_superset.shop_sales"))
	assert.Equal(t, []string{`dashboardDataModel:mesh_superset.model."shop_sales.daily"`}, up["dashboard:mesh_superset.shop_sales"])
	assert.Equal(t, []string{"table:mesh_serving.mesh.shop.fact_orders"}, up[`dashboardDataModel:mesh_superset.model."shop_sales.daily"`])
	assert.Equal(t, []string{"table:mesh_lakehouse.mesh.shop.fact_orders"}, up["table:mesh_serving.mesh.shop.fact_orders"])
}

func TestPushRetries(t *testing.T) {
	srv := newServer(t)
	srv.Fail(omtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"},
		omtest.Fault{Status: http.StatusServiceUnavailable}, omtest.Fault{Status: http.StatusBadGateway})
	sum, err := openmetadata.Push(context.Background(), srv.URL, token, fixtureBodies(t), fast()...)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Retries)
	assert.Equal(t, 68, sum.Total().Created)
	assert.Equal(t, srv.Requests(), sum.Requests)
}

func TestPushRetryAfterIsHonoured(t *testing.T) {
	srv := newServer(t)
	srv.Fail(omtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	start := time.Now()
	_, err := openmetadata.Push(context.Background(), srv.URL, token, fixtureBodies(t)[:1], fast()...)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "waited less than Retry-After: 1")
}

func TestPushErrors(t *testing.T) {
	ctx := context.Background()
	bodies := fixtureBodies(t)
	tests := []struct {
		name        string
		faults      []omtest.Fault
		token       string
		bodies      []openmetadata.Body
		err         error
		errContains []string
	}{
		{name: "bad token", token: "wrong-token", bodies: bodies, err: openmetadata.ErrUnauthorized,
			errContains: []string{"classification AccessLevel", "PUT /api/v1/classifications", "MESH_OPENMETADATA_TOKEN"}},
		{name: "401 injected", faults: []omtest.Fault{{Status: 401}}, token: token, bodies: bodies, err: openmetadata.ErrUnauthorized},
		{name: "403", faults: []omtest.Fault{{Status: 403}}, token: token, bodies: bodies, err: openmetadata.ErrForbidden,
			errContains: []string{"classification AccessLevel", "PUT /api/v1/classifications"}},
		{name: "5xx after every retry", token: token, bodies: bodies, err: openmetadata.ErrUnavailable,
			faults:      []omtest.Fault{{Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}},
			errContains: []string{"after 6 attempts", "500 Internal Server Error"}},
		{name: "missing parent", token: token, bodies: without(bodies, "databaseSchema"), err: openmetadata.ErrNotFound,
			errContains: []string{"table mesh_lakehouse.mesh.forecast.fact_forecast", "PUT /api/v1/tables", "databaseSchema instance for mesh_lakehouse.mesh.forecast not found"}},
		{name: "unresolvable reference", token: token, bodies: onlyType(bodies, "lineage")[:1], err: openmetadata.ErrNotFound,
			errContains: []string{`pushing lineage dashboardDataModel:mesh_superset.model."shop_sales.daily" -> dashboard:mesh_superset.shop_sales (resolving its reference to dashboardDataModel mesh_superset.model."shop_sales.daily"): GET /api/v1/dashboard/datamodels/name/mesh_superset.model.%22shop_sales.daily%22`,
				`dashboardDataModel instance for mesh_superset.model."shop_sales.daily" not found`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			srv.Fail(tc.faults...)
			_, err := openmetadata.Push(ctx, srv.URL, tc.token, tc.bodies, fast()...)
			require.ErrorIs(t, err, tc.err)
			for _, s := range tc.errContains {
				assert.Contains(t, err.Error(), s)
			}
			assert.NotContains(t, err.Error(), tc.token, "the token leaked into the error")
		})
	}
}

func TestPushConfigErrors(t *testing.T) {
	_, err := openmetadata.Push(context.Background(), "localhost:8585", token, nil)
	require.ErrorIs(t, err, openmetadata.ErrConfig)
	assert.Contains(t, err.Error(), "http(s)://host")
	_, err = openmetadata.Push(context.Background(), "http://localhost:8585", "", nil)
	require.ErrorIs(t, err, openmetadata.ErrConfig)
	assert.Contains(t, err.Error(), "MESH_OPENMETADATA_TOKEN")
}

func without(bodies []openmetadata.Body, typ string) []openmetadata.Body {
	var out []openmetadata.Body
	for _, b := range bodies {
		if b.Type.Name != typ {
			out = append(out, b)
		}
	}
	return out
}

func onlyType(bodies []openmetadata.Body, typ string) []openmetadata.Body {
	var out []openmetadata.Body
	for _, b := range bodies {
		if b.Type.Name == typ {
			out = append(out, b)
		}
	}
	return out
}

// TestPushForDomain: a domain's refresh sends its own assets and the edges
// into them, after the whole mesh was pushed once.
func TestPushForDomain(t *testing.T) {
	srv := newServer(t)
	bodies := fixtureBodies(t)
	ctx := context.Background()
	_, err := openmetadata.Push(ctx, srv.URL, token, bodies, fast()...)
	require.NoError(t, err)
	forecast := openmetadata.ForDomain(bodies, "forecast")
	got := map[string]int{}
	for _, c := range openmetadata.CountByType(forecast) {
		got[c.Type] = c.N
	}
	assert.Equal(t, 1, got["domain"])
	assert.Equal(t, 1, got["table"], "fact_forecast only")
	assert.Equal(t, 1, got["pipeline"], "forecast_demand only")
	assert.Zero(t, got["topic"], "forecast has no topics")
	assert.Equal(t, 1, got["dashboard"])
	assert.Equal(t, 2, got["lineage"], "shop.fact_orders -> fact_forecast, fact_forecast -> demand_board")
	sum, err := openmetadata.Push(ctx, srv.URL, token, forecast, fast()...)
	require.NoError(t, err)
	assert.Equal(t, len(forecast), sum.Total().Unchanged)
}
