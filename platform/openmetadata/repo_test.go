package openmetadata_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	assert.Equal(t, len(cat.Tables), counts["table"])
	assert.Equal(t, len(cat.Topics), counts["topic"])
	assert.Equal(t, len(cat.Pipelines), counts["pipeline"])
	assert.Equal(t, len(cat.Edges), counts["lineage"])

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
}
