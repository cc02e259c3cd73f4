package domaintest

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainkit"
)

// Main runs a domain package's tests, then stops the servers the harnesses
// started (see Cleanup): a domain's TestMain is
//
//	func TestMain(m *testing.M) { domaintest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Suite is what the shared tests need to know about a domain.
type Suite struct {
	// Domain loads the domain, e.g. orders.Domain. Each call must return a
	// domain with fresh generators, as a new process would have.
	Domain func() *domainkit.Domain
	// Cmd is the path of the domain's command package; default
	// "./cmd/<domain>", run from the domain's folder.
	Cmd string
	// Upstream, when set, loads stand-ins of the domain's upstream data
	// products into every fresh harness (see Options.Upstream, SeedOrders).
	Upstream func(h *Harness)
	// StandIns load the stand-ins of the domain's own data products that
	// other domains' tests read instead (e.g. Orders for orders.fact_orders):
	// Run checks that each has the columns of the real product, with its types.
	StandIns []func(h *Harness)
	// Reference runs the ingestion guarantees at full scale, broker restart
	// included (see Options.Reference); orders is the reference domain.
	Reference bool
}

// Run runs what every domain must pass, as subtests: the ingestion
// guarantees (RunIngestGuarantees) and the dbt project checks (CheckDBTProject).
func (s Suite) Run(t *testing.T) {
	t.Run("IngestGuarantees", func(t *testing.T) {
		RunIngestGuarantees(t, s.Domain(), s.cmd(), Options{Upstream: s.Upstream, Reference: s.Reference})
	})
	t.Run("DBTProject", func(t *testing.T) { CheckDBTProject(t, s.Domain()) })
	if len(s.StandIns) > 0 {
		t.Run("StandIns", s.checkStandIns)
	}
}

// checkStandIns builds the domain's real data products from a small burst
// and compares each table the stand-ins load with the real one: every column
// of a stand-in must be a column of the product, of the same type (a stand-in
// may leave columns out).
func (s Suite) checkStandIns(t *testing.T) {
	built := s.New(t, Embedded)
	region := built.Domain.Spec.Regions[0]
	built.Run("produce", "--region", region, "--burst", "200", "--until", FixedUntil.Format(time.RFC3339), "--since", "1d")
	built.Run("ingest", "--region", region, "--until-idle", "--quiet")
	require.Contains(t, built.Run("transform", "build"), "ERROR=0 FAIL=0")
	standIn := open(t, built.Domain, Embedded)
	for _, load := range s.StandIns {
		load(standIn)
	}
	ctx := t.Context()
	infos, err := standIn.Lakehouse().Tables(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, infos, "the stand-ins load no table")
	products := built.Lakehouse()
	for _, ti := range infos {
		got, err := standIn.Lakehouse().LoadTable(ctx, ti.Ident)
		require.NoError(t, err)
		want, err := products.LoadTable(ctx, ti.Ident)
		require.NoError(t, err, "the stand-in %s is not a data product of %s", ti.Ident, s.Domain().Name())
		for _, f := range got.Schema().Fields() {
			product, ok := want.Schema().FindFieldByName(f.Name)
			if assert.True(t, ok, "%s: the stand-in's column %s is not in the product", ti.Ident, f.Name) {
				assert.Equal(t, product.Type.String(), f.Type.String(), "%s.%s: type of the stand-in", ti.Ident, f.Name)
			}
		}
	}
}

func (s Suite) cmd() string {
	if s.Cmd != "" {
		return s.Cmd
	}
	return "./cmd/" + s.Domain().Name()
}

// New returns a harness of the domain on backend, with its upstream stand-ins loaded.
func (s Suite) New(t testing.TB, backend Backend) *Harness {
	t.Helper()
	h := New(t, s.Domain(), s.cmd(), backend)
	if s.Upstream != nil {
		s.Upstream(h)
	}
	return h
}

// Burst is the history a transformation test starts from: Events events of
// the domain's first event in Region, over the Since before FixedUntil, of
// which about ErrorRate are invalid on purpose; then the producer sends
// Duplicates of them again (the same event_ids), as a producer replaying a
// file twice does.
type Burst struct {
	Region     string
	Events     int
	Since      string  // a --since value, e.g. "5d"
	ErrorRate  float64 // default 0.05
	Duplicates int
}

// Transformed is a fresh embedded harness of a domain after a Burst was
// produced, ingested and transformed.
type Transformed struct {
	*Harness
	Burst
	// Published counts the events published, Valid those not invalid on
	// purpose (duplicates not counted).
	Published, Valid int
}

// Transform runs the domain binary through a Burst on a fresh embedded
// harness with the upstream stand-ins: produce, ingest until idle, `transform
// build`. It checks what every domain's transformation must do, failing the
// test otherwise:
//   - every event of the burst is published (a reacting domain always finds
//     something to react to in its stand-ins), at least half the expected
//     share of them invalid on purpose;
//   - the duplicates reach the raw table;
//   - the build passes every model and test (ERROR=0 FAIL=0);
//   - staging (stg_<event>, from raw_<event>) holds exactly the valid events:
//     invalid ones and duplicates never get past it;
//   - a second run without new events commits nothing (AssertNothingNew).
//
// The domain's test then asserts its own known answers on the result.
func (s Suite) Transform(t *testing.T, b Burst) *Transformed {
	t.Helper()
	if b.ErrorRate == 0 {
		b.ErrorRate = 0.05
	}
	h := s.New(t, Embedded)
	out := h.Run("produce", "--region", b.Region, "--burst", strconv.Itoa(b.Events),
		"--error-rate", strconv.FormatFloat(b.ErrorRate, 'f', -1, 64),
		"--until", FixedUntil.Format(time.RFC3339), "--since", b.Since)
	published, valid := Produced(t, out)
	require.Equal(t, b.Events, published, "every event of the burst is published")
	require.Greater(t, float64(published-valid), b.ErrorRate*float64(b.Events)/2, "invalid on purpose")
	in := &Transformed{Harness: h, Burst: b, Published: published, Valid: valid}
	in.ingestAll()
	event := h.Domain.Events()[0]
	raw, err := h.Domain.RawTable(event)
	require.NoError(t, err)
	if b.Duplicates > 0 {
		in.Replay(in.ExportEvents(event, fmt.Sprintf("event_id IN (SELECT event_id FROM %s ORDER BY event_id LIMIT %d)", raw, b.Duplicates), nil))
		require.Equal(t, int64(valid+b.Duplicates), h.Count(raw.String()), "the duplicates reached the raw table")
	}
	in.Build()
	staging := h.Table("stg_" + strings.TrimPrefix(raw.Name, "raw_")).String()
	assert.Equal(t, int64(valid), h.Count(staging), "%s holds exactly the valid events", staging)
	assert.Equal(t, int64(valid), h.Int("SELECT count(DISTINCT event_id) FROM "+staging), "%s: one row per event_id", staging)
	in.AssertNothingNew()
	return in
}

// ingestAll ingests every queued event of the burst's region.
func (in *Transformed) ingestAll() {
	in.T.Helper()
	in.Run("ingest", "--region", in.Region, "--until-idle", "--quiet")
}

// Replay publishes the events of a replay CSV (see ExportEvents) in the
// burst's region and ingests them.
func (in *Transformed) Replay(path string) {
	in.T.Helper()
	in.Run("produce", "--region", in.Region, "--replay", path)
	in.ingestAll()
}

// Build runs `transform build` and requires every model and test to pass; it
// returns the output.
func (in *Transformed) Build(args ...string) string {
	in.T.Helper()
	out := in.Run(append([]string{"transform", "build"}, args...)...)
	require.Contains(in.T, out, "ERROR=0 FAIL=0")
	return out
}

// AssertNothingNew runs `transform run` again without new events: it must
// say so and commit nothing, so no table of the domain gets a new snapshot.
func (in *Transformed) AssertNothingNew() {
	in.T.Helper()
	before := in.Snapshots()
	out := in.Run("transform", "run")
	assert.Contains(in.T, out, "no new rows, nothing committed")
	after := in.Snapshots()
	tables := 0
	for _, tbl := range slices.Sorted(maps.Keys(before)) {
		if strings.HasPrefix(tbl, in.Domain.Name()+".") {
			tables++
			assert.Equal(in.T, before[tbl], after[tbl], "%s got a new snapshot on a run with no new events", tbl)
		}
	}
	assert.Positive(in.T, tables, "no table of %s", in.Domain.Name())
}

// Count returns the number of rows of a table (namespace.name).
func (h *Harness) Count(table string) int64 {
	h.T.Helper()
	return h.Int("SELECT count(*) FROM " + table)
}

// AssertRows asserts the number of rows of each table (namespace.name).
func (h *Harness) AssertRows(want map[string]int64) {
	h.T.Helper()
	for _, table := range slices.Sorted(maps.Keys(want)) {
		assert.Equal(h.T, want[table], h.Count(table), "rows of %s", table)
	}
}

// AssertNone runs each query of checks, a count of rows that must not exist
// (orphan keys, events before their cause), and asserts it is zero; the key
// names the check in the failure.
func (h *Harness) AssertNone(checks map[string]string) {
	h.T.Helper()
	for _, name := range slices.Sorted(maps.Keys(checks)) {
		assert.Zero(h.T, h.Int(checks[name]), "%s: %s", name, checks[name])
	}
}
