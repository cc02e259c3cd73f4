package freshness_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dags"
	"github.com/meshterious/warehouse/platform/freshness"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
	"github.com/meshterious/warehouse/platform/maintenance"
)

func TestAddsData(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   string
		sum  map[string]string
		want bool
	}{
		{"append", "append", map[string]string{"added-records": "5", "added-data-files": "1"}, true},
		{"empty append", "append", map[string]string{"added-records": "0", "added-data-files": "0"}, false},
		{"overwrite that adds rows (dbt table model, upsert)", "overwrite", map[string]string{"added-records": "7", "deleted-records": "3"}, true},
		{"delete-only overwrite", "overwrite", map[string]string{"added-records": "0", "deleted-records": "3"}, false},
		{"compaction", "replace", map[string]string{"added-records": "100", "deleted-records": "100", "added-data-files": "1"}, false},
		{"delete", "delete", map[string]string{"deleted-records": "3"}, false},
		{"files counted, records not", "append", map[string]string{"added-data-files": "2"}, true},
		{"no summary", "append", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, freshness.AddsData(freshness.Snapshot{Operation: tc.op, Summary: tc.sum}))
		})
	}
}

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

func snap(id, parent int64, minutes int, op string, added string) freshness.Snapshot {
	return freshness.Snapshot{ID: id, ParentID: parent, Time: at(minutes), Operation: op, Summary: map[string]string{"added-records": added}}
}

func TestStateOf(t *testing.T) {
	lineage := []freshness.Snapshot{
		snap(1, 0, 0, "append", "10"),
		snap(2, 1, 10, "append", "5"),
		snap(3, 2, 60, "replace", "15"),   // compaction
		snap(4, 3, 70, "delete", "0"),     // delete
		snap(5, 4, 80, "overwrite", "0"),  // delete-only overwrite
		snap(9, 2, 90, "append", "3"),     // another branch
		snap(20, 19, 300, "replace", "1"), // parent 19 expired
		snap(21, 20, 310, "replace", "1"),
	}
	for _, tc := range []struct {
		name    string
		current int64
		at      time.Time
		want    freshness.State
	}{
		{"maintenance after data", 5, time.Time{}, freshness.State{Exists: true, LastSnapshot: at(80), LastData: at(10)}},
		{"as of an earlier time", 5, at(5), freshness.State{Exists: true, LastSnapshot: at(0), LastData: at(0)}},
		{"before the first snapshot", 5, at(-1), freshness.State{Exists: true}},
		{"only the current lineage", 9, time.Time{}, freshness.State{Exists: true, LastSnapshot: at(90), LastData: at(90)}},
		{"data snapshot expired", 21, time.Time{}, freshness.State{Exists: true, LastSnapshot: at(310), LastData: at(300), Expired: true}},
		{"no snapshot", 0, time.Time{}, freshness.State{Exists: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, freshness.StateOf(tc.current, lineage, tc.at))
		})
	}
}

// TestEvaluate holds the known answers of the rules, on chosen times.
func TestEvaluate(t *testing.T) {
	now := at(600)
	states := map[string]freshness.State{
		// raw: data 3h ago, compacted 5 minutes ago
		"d.raw": {Exists: true, LastData: at(420), LastSnapshot: at(595)},
		// stg consumed all of raw, 2h50 ago
		"d.stg": {Exists: true, LastData: at(430), LastSnapshot: at(430)},
		// fact built before raw's last data
		"d.fact":   {Exists: true, LastData: at(400), LastSnapshot: at(590)},
		"d.recent": {Exists: true, LastData: at(590), LastSnapshot: at(590)},
		"d.empty":  {Exists: true},
		"d.old":    {Exists: true, LastData: at(100), LastSnapshot: at(500), Expired: true},
		"d.gone":   {},
		"d.dim":    {Exists: true, LastData: at(50)},
		"d.seed":   {Exists: true},
	}
	checks := []freshness.Check{
		{Table: "d.raw", SLA: time.Hour},
		{Table: "d.stg", SLA: 2 * time.Hour, Inputs: []string{"d.raw"}},
		{Table: "d.fact", SLA: 2 * time.Hour, Inputs: []string{"d.raw"}},
		{Table: "d.recent", SLA: time.Hour, Inputs: []string{"d.raw"}},
		{Table: "d.empty", SLA: time.Hour},
		{Table: "d.old", SLA: time.Hour},
		{Table: "d.gone", SLA: time.Hour},
		{Table: "d.dim", SLA: time.Hour, Inputs: []string{"d.seed", "d.gone", "d.unknown"}},
		{Table: "d.orphan", SLA: time.Hour, Inputs: []string{"d.gone"}},
	}
	states["d.orphan"] = freshness.State{Exists: true, LastData: at(0)}
	want := map[string]string{
		"d.raw":    "STALE", // a compaction after old data is no new data
		"d.stg":    "unchanged (upstream had nothing new since 2026-11-20T07:00:00Z)",
		"d.fact":   "STALE", // raw has data it does not
		"d.recent": "fresh",
		"d.empty":  "STALE: no data yet",
		"d.old":    "STALE: the snapshot of its last data expired; it is at least this old",
		"d.gone":   "STALE: table missing",
		"d.dim":    "unchanged (upstream has no data)", // a seed without data, missing inputs ignored
		"d.orphan": "STALE",                            // its only input is missing: nothing to compare with
	}
	results := freshness.Evaluate(checks, states, now)
	require.Len(t, results, len(checks))
	for i, r := range results {
		assert.Equal(t, checks[i].Table, r.Table, "results in the order of the checks")
		assert.Equal(t, want[r.Table], r.String(), r.Table)
	}
	assert.Equal(t, 170*time.Minute, results[1].Age)
	assert.Equal(t, freshness.Unchanged, results[1].Status)
}

// TestRun checks real snapshots: appends, a compaction (maintenance.Compact,
// a replace snapshot) and a delete, as meshctl freshness reads them. The
// check time is chosen from the commit times so that the compaction is
// within the SLA and the data beyond it.
func TestRun(t *testing.T) {
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer lh.Close()
	raw, stg, other := lakehouse.Ident{Namespace: "d", Name: "raw"}, lakehouse.Ident{Namespace: "d", Name: "stg"}, lakehouse.Ident{Namespace: "d", Name: "other"}
	require.NoError(t, lh.EnsureNamespace(ctx, "d"))
	for _, id := range []lakehouse.Ident{raw, stg, other} {
		_, err := lh.EnsureTable(ctx, id, lakehousetest.Schema(), nil)
		require.NoError(t, err)
	}
	appendRows := func(id lakehouse.Ident, rows ...lakehousetest.Row) {
		t.Helper()
		_, err := lh.Append(ctx, id, []arrow.RecordBatch{lakehousetest.Batch(t, rows...)}, nil)
		require.NoError(t, err)
		time.Sleep(20 * time.Millisecond) // distinct commit times
	}
	// Two small files in one partition: something to compact.
	appendRows(raw, lakehousetest.Row{ID: "a", Date: "2026-01-01", Region: "eu", Amount: 1})
	appendRows(raw, lakehousetest.Row{ID: "b", Date: "2026-01-01", Region: "eu", Amount: 2})
	appendRows(stg, lakehousetest.Row{ID: "a", Date: "2026-01-01", Region: "eu", Amount: 1}, lakehousetest.Row{ID: "b", Date: "2026-01-01", Region: "eu", Amount: 2})
	appendRows(other, lakehousetest.Row{ID: "x", Date: "2026-01-01", Region: "eu", Amount: 1}, lakehousetest.Row{ID: "y", Date: "2026-01-01", Region: "eu", Amount: 2})
	res, err := maintenance.Compact(ctx, lh, raw, maintenance.CompactConfig{})
	require.NoError(t, err)
	require.NotZero(t, res.SnapshotID, "the compaction committed")
	tbl, err := lh.LoadTable(ctx, other)
	require.NoError(t, err)
	tx := tbl.NewTransaction()
	require.NoError(t, tx.Delete(ctx, iceberg.EqualTo(iceberg.Reference("event_id"), "x"), nil))
	_, err = tx.Commit(ctx)
	require.NoError(t, err)

	state := func(id lakehouse.Ident) freshness.State {
		st, err := freshness.TableState(ctx, lh, id, time.Time{})
		require.NoError(t, err)
		return st
	}
	rawSt, stgSt, otherSt := state(raw), state(stg), state(other)
	tbl, err = lh.LoadTable(ctx, raw)
	require.NoError(t, err)
	assert.Equal(t, "replace", string(tbl.CurrentSnapshot().Summary.Operation), "compaction commits a replace snapshot")
	require.True(t, rawSt.LastSnapshot.After(stgSt.LastData) && stgSt.LastData.After(rawSt.LastData), "raw data, stg, then the compaction: %+v %+v", rawSt, stgSt)
	assert.True(t, otherSt.LastSnapshot.After(otherSt.LastData), "the delete is no new data: %+v", otherSt)
	missing, err := freshness.TableState(ctx, lh, lakehouse.Ident{Namespace: "d", Name: "nope"}, time.Time{})
	require.NoError(t, err)
	assert.False(t, missing.Exists)

	// One hour after raw's data, half-way to the compaction: the compaction
	// is 1h old at most, the data more than 1h old.
	checkAt := rawSt.LastData.Add(time.Hour + rawSt.LastSnapshot.Sub(rawSt.LastData)/2)
	results, err := freshness.Run(ctx, lh, []freshness.Check{
		{Table: "d.raw", SLA: time.Hour},
		{Table: "d.stg", SLA: 30 * time.Minute, Inputs: []string{"d.raw"}},
		{Table: "d.nope", SLA: time.Hour},
	}, checkAt)
	require.NoError(t, err)
	var got []string
	for _, r := range results {
		got = append(got, r.Table+": "+r.String())
	}
	assert.Equal(t, []string{
		"d.raw: STALE",
		"d.stg: unchanged (upstream had nothing new since " + rawSt.LastData.Format(time.RFC3339) + ")",
		"d.nope: STALE: table missing",
	}, got)
	// The same for the delete after other's data.
	results, err = freshness.Run(ctx, lh, []freshness.Check{{Table: "d.other", SLA: time.Hour}},
		otherSt.LastData.Add(time.Hour+otherSt.LastSnapshot.Sub(otherSt.LastData)/2))
	require.NoError(t, err)
	assert.Equal(t, freshness.Stale, results[0].Status, "a delete is no new data")

	// As of a time before the compaction and the delete, those are ignored.
	early, err := freshness.TableState(ctx, lh, raw, rawSt.LastData)
	require.NoError(t, err)
	assert.Equal(t, rawSt.LastData, early.LastSnapshot)
}

func TestDAGInputs(t *testing.T) {
	got := freshness.DAGInputs([]*dags.DAG{
		{ID: "stg", Reads: []string{"d.raw"}, Writes: []string{"d.stg"}},
		{ID: "fact", Reads: []string{"d.stg", "o.fact", "d.stg"}, Writes: []string{"d.fact"}},
		{ID: "ingest", Writes: []string{"d.raw"}},
		{ID: "self", Reads: []string{"d.fact"}, Writes: []string{"d.fact"}},
		{ID: "freshness", Reads: []string{"d.raw", "d.stg", "d.fact"}},
	})
	assert.Equal(t, map[string][]string{"d.stg": {"d.raw"}, "d.fact": {"d.stg", "o.fact"}}, got)
}

func TestManifestInputs(t *testing.T) {
	const manifest = `{
  "nodes": {
    "model.d.fact": {"resource_type": "model", "schema": "d", "alias": "fact", "config": {"materialized": "incremental"},
      "depends_on": {"nodes": ["model.d.eph", "seed.d.codes", "model.mesh_core.dim_date"]}},
    "model.d.eph": {"resource_type": "model", "schema": "d", "alias": "eph", "config": {"materialized": "ephemeral"},
      "depends_on": {"nodes": ["model.d.view"]}},
    "model.d.view": {"resource_type": "model", "schema": "d", "alias": "v", "config": {"materialized": "view"},
      "depends_on": {"nodes": ["source.d.o.fact_orders", "model.d.stg"]}},
    "model.d.stg": {"resource_type": "model", "schema": "d", "alias": "stg", "config": {"materialized": "table"},
      "depends_on": {"nodes": ["source.d.d.raw"]}},
    "model.mesh_core.dim_date": {"resource_type": "model", "schema": "d", "alias": "dim_date", "config": {"materialized": "table"},
      "depends_on": {"nodes": []}},
    "seed.d.codes": {"resource_type": "seed", "schema": "d", "alias": "codes"},
    "test.d.not_null": {"resource_type": "test", "schema": "dbt_test__audit", "depends_on": {"nodes": ["model.d.fact"]}}
  },
  "sources": {
    "source.d.d.raw": {"schema": "d", "identifier": "raw_events", "name": "raw"},
    "source.d.o.fact_orders": {"schema": "o", "identifier": "fact_orders", "name": "fact_orders"}
  }
}`
	got, err := freshness.ManifestInputs(strings.NewReader(manifest))
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{
		"d.fact": {"d.codes", "d.dim_date", "d.stg", "o.fact_orders"},
		"d.stg":  {"d.raw_events"},
	}, got)
	_, err = freshness.ManifestInputs(strings.NewReader("{not json"))
	require.ErrorContains(t, err, "reading dbt manifest")

	merged := freshness.MergeInputs(got, map[string][]string{"d.stg": {"d.raw_events", "d.other"}, "d.x": {"d.x"}})
	assert.Equal(t, map[string][]string{"d.fact": got["d.fact"], "d.stg": {"d.other", "d.raw_events"}, "d.x": {}}, merged)
}
