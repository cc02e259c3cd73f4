package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/dags"
	"github.com/meshterious/warehouse/platform/freshness"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
	"github.com/meshterious/warehouse/platform/maintenance"
)

// pipelines are the test domain's DAGs: the raw table may be 3h old, the
// models built from it 1h.
const pipelines = `dags:
  - {type: ingest, events: all, regions: all, schedule: "*/15 * * * *", sla: 3h}
  - {type: staging, entity: pings, schedule: on_update, sla: 1h}
  - {type: fact, entity: pings, schedule: on_update, sla: 1h}
`

// TestFreshness runs meshctl freshness on a domain whose raw table was
// compacted after its last data, and whose models consumed everything.
func TestFreshness(t *testing.T) {
	ctx := context.Background()
	root, dataDir := t.TempDir(), t.TempDir()
	dom := filepath.Join(root, "domains", "roundtrip")
	require.NoError(t, os.MkdirAll(filepath.Join(dom, "dags"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dom, "contracts"), 0o755))
	for _, f := range []string{"domain.yaml", "contracts/pings.v1.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "pings", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dom, f), data, 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dom, "dags", "pipelines.yaml"), []byte(pipelines), 0o644))
	t.Setenv(dags.EnvRoot, root)
	t.Setenv(config.EnvDataDir, dataDir)
	t.Setenv(config.EnvDotEnv, "off")

	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: dataDir})
	require.NoError(t, err)
	defer lh.Close()
	require.NoError(t, lh.EnsureNamespace(ctx, "roundtrip"))
	appendRow := func(name, id string) {
		t.Helper()
		ident := lakehouse.Ident{Namespace: "roundtrip", Name: name}
		_, err := lh.EnsureTable(ctx, ident, lakehousetest.Schema(), nil)
		require.NoError(t, err)
		_, err = lh.Append(ctx, ident, []arrow.RecordBatch{lakehousetest.Batch(t, lakehousetest.Row{ID: id, Date: "2026-01-01", Region: "us-east", Amount: 1})}, nil)
		require.NoError(t, err)
		time.Sleep(20 * time.Millisecond) // distinct commit times
	}
	appendRow("raw_pings", "a")
	appendRow("raw_pings", "b")
	appendRow("stg_pings", "a")
	appendRow("fact_pings", "a")
	_, err = maintenance.Compact(ctx, lh, lakehouse.Ident{Namespace: "roundtrip", Name: "raw_pings"}, maintenance.CompactConfig{})
	require.NoError(t, err)
	state := func(name string) freshness.State {
		st, err := freshness.TableState(ctx, lh, lakehouse.Ident{Namespace: "roundtrip", Name: name}, time.Time{})
		require.NoError(t, err)
		return st
	}
	raw, stg, fact := state("raw_pings"), state("stg_pings"), state("fact_pings")
	require.True(t, raw.LastSnapshot.After(fact.LastData), "the compaction came last")
	rfc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }

	freshnessAt := func(at time.Time) (code int, out, errOut string) {
		var o, e bytes.Buffer
		code = run(ctx, []string{"freshness", "--domain", "roundtrip", "--format", "csv", "--at", at.Format(time.RFC3339Nano)}, &o, &e)
		return code, o.String(), e.String()
	}

	// Three hours after the raw data, half-way to the compaction: the raw
	// table is stale although its last snapshot is younger than 3h; the
	// models have everything it had.
	at := raw.LastData.Add(3*time.Hour + raw.LastSnapshot.Sub(raw.LastData)/2)
	age := func(t time.Time) string { return fmtDuration(at.Sub(t).Round(time.Second)) }
	code, out, errOut := freshnessAt(at)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "1 of 3 tables are stale")
	assert.Equal(t, "table,sla,last_data,age,status\n"+
		"roundtrip.fact_pings,1h0m0s,"+rfc(fact.LastData)+","+age(fact.LastData)+",unchanged (upstream had nothing new since "+rfc(stg.LastData)+")\n"+
		"roundtrip.raw_pings,3h0m0s,"+rfc(raw.LastData)+","+age(raw.LastData)+",STALE\n"+
		"roundtrip.stg_pings,1h0m0s,"+rfc(stg.LastData)+","+age(stg.LastData)+",unchanged (upstream had nothing new since "+rfc(raw.LastData)+")\n",
		out)

	// 90 minutes later: the raw table is within its 3h, the models are
	// older than their 1h but unchanged: nothing is stale.
	at = fact.LastData.Add(90 * time.Minute)
	code, out, errOut = freshnessAt(at)
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "roundtrip.raw_pings,3h0m0s,"+rfc(raw.LastData)+","+age(raw.LastData)+",fresh\n")
	assert.Contains(t, out, "roundtrip.stg_pings,1h0m0s,"+rfc(stg.LastData)+","+age(stg.LastData)+",unchanged (upstream had nothing new since "+rfc(raw.LastData)+")\n")

	// The dbt lineage of the last transform adds a seed to fact_pings'
	// inputs; new data in the seed makes fact_pings stale.
	appendRow("codes", "c")
	target := filepath.Join(dataDir, "dbt", "roundtrip", "target")
	require.NoError(t, os.MkdirAll(target, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(target, "manifest.json"), []byte(`{"nodes": {
	  "model.roundtrip.fact_pings": {"resource_type": "model", "schema": "roundtrip", "alias": "fact_pings",
	    "config": {"materialized": "incremental"}, "depends_on": {"nodes": ["model.roundtrip.stg_pings", "seed.roundtrip.codes"]}},
	  "model.roundtrip.stg_pings": {"resource_type": "model", "schema": "roundtrip", "alias": "stg_pings", "config": {"materialized": "table"}},
	  "seed.roundtrip.codes": {"resource_type": "seed", "schema": "roundtrip", "alias": "codes"}}, "sources": {}}`), 0o644))
	code, out, errOut = freshnessAt(at)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "roundtrip.fact_pings,1h0m0s,"+rfc(fact.LastData)+",1h30m0s,STALE\n")

	// A manifest that cannot be read is a warning; the DAG reads still count.
	require.NoError(t, os.WriteFile(filepath.Join(target, "manifest.json"), []byte("{"), 0o644))
	code, out, errOut = freshnessAt(at)
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "warning: "+filepath.Join(target, "manifest.json"))
	assert.Contains(t, out, "roundtrip.fact_pings,1h0m0s,"+rfc(fact.LastData)+",1h30m0s,unchanged")

	var e bytes.Buffer
	assert.Equal(t, 1, run(ctx, []string{"freshness", "--at", "yesterday"}, &bytes.Buffer{}, &e))
	assert.Contains(t, e.String(), `--at "yesterday": want RFC 3339`)
}
