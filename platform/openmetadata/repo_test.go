package openmetadata_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/catalog"
	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/openmetadata"
	"github.com/meshterious/warehouse/platform/openmetadata/omtest"
)

// TestRepositoryCatalog builds the bodies of this repository's mesh (its
// declarations, without a lakehouse), validates every one and pushes them
// twice to the test server.
func TestRepositoryCatalog(t *testing.T) {
	root, err := config.RepoRoot()
	require.NoError(t, err)
	ctx := context.Background()
	cat, err := openmetadata.LoadCatalog(ctx, root, nil, nil)
	require.NoError(t, err)
	bodies, err := openmetadata.Build(cat, openmetadata.DefaultOptions())
	require.NoError(t, err)
	v, err := openmetadata.DefaultValidator()
	require.NoError(t, err)
	require.NoError(t, openmetadata.ValidateAll(v, bodies))
	counts := map[string]int{}
	for _, c := range openmetadata.CountByType(bodies) {
		counts[c.Type] = c.N
		t.Logf("%-17s %4d valid against OpenMetadata %s", c.Type, c.N, openmetadata.Version)
	}
	for _, typ := range openmetadata.Types {
		assert.Positive(t, counts[typ.Name], "no %s", typ.Name)
	}
	assert.Equal(t, len(cat.Domains), counts["domain"])
	assert.Equal(t, len(cat.Tables)+len(cat.Serving.Tables), counts["table"], "the lakehouse's tables and the serving copies")
	assert.Equal(t, len(cat.Topics), counts["topic"])
	assert.Equal(t, len(cat.Pipelines), counts["pipeline"])
	assert.Equal(t, len(cat.Charts), counts["chart"])
	assert.Equal(t, len(cat.Datasets), counts["dashboardDataModel"])
	assert.Equal(t, len(cat.Consumers), counts["dashboard"])
	// Every edge, but dataset -> chart -> dashboard becomes data model ->
	// dashboard, once per pair.
	datasetOf := map[string]string{}
	for _, c := range cat.Charts {
		datasetOf[c.ID] = c.Dataset
	}
	edges, pairs := 0, map[string]bool{}
	for _, e := range cat.Edges {
		switch {
		case e.To.Kind == catalog.KindChart:
		case e.From.Kind == catalog.KindChart:
			pairs[datasetOf[e.From.Name]+" > "+e.To.Name] = true
		default:
			edges++
		}
	}
	assert.Equal(t, edges+len(pairs), counts["lineage"])

	srv, err := omtest.New(token)
	require.NoError(t, err)
	defer srv.Close()
	sum, err := openmetadata.Push(ctx, srv.URL, token, bodies, fast()...)
	require.NoError(t, err)
	assert.Equal(t, len(bodies), sum.Total().Created)
	sum, err = openmetadata.Push(ctx, srv.URL, token, bodies, fast()...)
	require.NoError(t, err)
	assert.Equal(t, len(bodies), sum.Total().Unchanged)

	// orders.fact_orders reaches back to the orders queues.
	up := map[string][]string{}
	for _, e := range srv.Edges() {
		up[e.To.FQN] = append(up[e.To.FQN], e.From.FQN)
	}
	seen := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		if !seen[n] {
			seen[n] = true
			for _, u := range up[n] {
				walk(u)
			}
		}
	}
	walk("mesh_lakehouse.mesh.orders.fact_orders")
	assert.True(t, seen["mesh_rabbitmq.ingest_orders_us-east"], "fact_orders does not reach ingest_orders_us-east")
	// So does the orders dashboard, through its data models and the serving copy.
	seen = map[string]bool{}
	walk("mesh_superset.orders_sales")
	assert.True(t, seen["mesh_serving.mesh.orders.fact_orders"], "orders_sales does not read the serving copy")
	assert.True(t, seen["mesh_rabbitmq.ingest_orders_us-east"], "orders_sales does not reach ingest_orders_us-east")
}
