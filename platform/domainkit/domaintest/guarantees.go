package domaintest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/internal/testenv"
)

// fixedUntil anchors bursts so that runs on different backends produce the same events.
var fixedUntil = FixedUntil.Format(time.RFC3339)

var producedRE = regexp.MustCompile(`produced \S+\s+(\d+) events \((\d+) valid, (\d+) invalid on purpose\)`)

// Produced sums the published and valid counts printed by `<domain> produce`.
func Produced(t testing.TB, stdout string) (published, valid int) {
	t.Helper()
	ms := producedRE.FindAllStringSubmatch(stdout, -1)
	require.NotEmpty(t, ms, "no 'produced' line in:\n%s", stdout)
	for _, m := range ms {
		p, _ := strconv.Atoi(m[1])
		v, _ := strconv.Atoi(m[2])
		published += p
		valid += v
	}
	return published, valid
}

// BrokerRestartTest is the name of the guarantee that restarts the shared
// RabbitMQ. Restarting it disturbs every other client, so `mage test` skips it
// (go test -skip) while modules are tested side by side and runs it afterwards
// on its own.
const BrokerRestartTest = "BrokerRestartLosesNothing"

// RunIngestGuarantees proves, for the domain's first event, the ingestion
// guarantees every domain must keep: nothing lost or duplicated across kill -9,
// bad input dead-lettered with its reason, concurrent ingesters, and the same
// answers on every backend, the domain's models included.
//
// The process guarantees depend on the shared ingester, not on the domain, so
// every domain runs them at a small scale (4,000 events killed mid-stream,
// three writers of 1,000 events each) and the reference domain
// (Options.Reference) at full scale (20,000 and 12,000) plus a broker restart
// (BrokerRestartTest) under a live producer.
func RunIngestGuarantees(t *testing.T, d *domainkit.Domain, cmdPkg string, opts ...Options) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	// killed is the stream killed mid-way; perWriter the events of each of the
	// concurrent writers.
	killed, perWriter := 4000, 1000
	if o.Reference {
		killed, perWriter = 20000, 4000
	}
	// newHarness is New plus the domain's upstream data products.
	newHarness := func(t *testing.T, b Backend) *Harness {
		h := New(t, d, cmdPkg, b)
		if o.Upstream != nil {
			o.Upstream(h)
		}
		return h
	}
	event := d.Events()[0]
	regions := d.Spec.Regions
	require.GreaterOrEqual(t, len(regions), 2, "the guarantees need two regions")
	table := d.Spec.Name + "." + mustRawTable(t, d, event)

	t.Run("Kill9MidStream", func(t *testing.T) {
		h := newHarness(t, Embedded)
		n, batch := killed, killed/20
		out := h.Run("produce", "--event", event, "--region", regions[0], "--burst", strconv.Itoa(n), "--until", fixedUntil, "--since", "2d")
		published, valid := Produced(t, out)
		require.Equal(t, n, published)
		require.Equal(t, n, valid)

		ingestArgs := []string{"ingest", "--event", event, "--region", regions[0], "--batch-size", strconv.Itoa(batch), "--quiet"}
		// 1. Killed between the commit of its second batch and that batch's ack.
		// Linger and flush interval are long so that a pause in delivery on a
		// busy machine cannot commit a partial batch: both hold --batch-size.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		fullBatches := append(append([]string(nil), ingestArgs...), "--linger", "10m", "--flush-interval", "10m")
		cmd, _ := h.Command(ctx, []string{domainkit.EnvFaultKillAfterCommit + "=2"}, fullBatches...)
		err := cmd.Run()
		requireKilled(t, err)
		committed := h.Int("SELECT count(*) FROM " + table)
		require.Equal(t, int64(2*batch), committed, "two batches were committed before the kill")

		// 2. Killed from outside at an arbitrary moment mid-stream.
		cmd, _ = h.Command(ctx, nil, ingestArgs...)
		require.NoError(t, cmd.Start())
		waitUntil(t, 60*time.Second, func() bool { return h.Int("SELECT count(*) FROM "+table) > int64(6*batch) })
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		requireKilled(t, cmd.Wait())

		// 3. A clean run drains the rest.
		h.Run(append(ingestArgs, "--until-idle")...)
		assert.Equal(t, int64(n), h.Int("SELECT count(*) FROM "+table), "rows")
		assert.Equal(t, int64(n), h.Int("SELECT count(DISTINCT event_id) FROM "+table), "distinct event_ids")
	})

	t.Run("BadInputGoesToDLQ", func(t *testing.T) {
		h := newHarness(t, Embedded)
		region := regions[1]
		good := h.Run("produce", "--event", event, "--region", region, "--burst", "40", "--until", fixedUntil)
		_, valid := Produced(t, good)
		huge := append([]byte(`{"event_type":"`+event+`","pad":"`), make([]byte, 10<<20)...)
		for i := range huge[len(huge)-10<<20:] {
			huge[len(huge)-10<<20+i] = 'x'
		}
		huge = append(huge, `"}`...)
		h.Publish(event, region,
			[]byte(`{"event_id": "not closed`),
			[]byte(`{"event_id":"8c1a2f7e-9d3b-4c55-a0f1-2b3c4d5e6f70","event_ts":"2026-01-01T00:00:00Z","event_type":"`+event+`"}`),
			[]byte(`{"event_id":"8c1a2f7e-9d3b-4c55-a0f1-2b3c4d5e6f71","event_ts":"2026-01-01T00:00:00Z","event_type":"no_such_event"}`),
			huge,
			[]byte("{\"event_id\":\"\xff\xfe\",\"event_type\":\""+event+"\"}"),
		)
		more := h.Run("produce", "--event", event, "--region", region, "--burst", "2000", "--error-rate", "0.1", "--run", "7", "--until", fixedUntil)
		published, valid2 := Produced(t, more)
		injected := published - valid2
		require.Greater(t, injected, 100, "about 10%% of 2000 should be invalid on purpose")

		out := h.Run("ingest", "--event", event, "--region", region, "--until-idle", "--quiet")
		assert.Contains(t, out, "dead-lettered")
		assert.Equal(t, int64(valid+valid2), h.Int("SELECT count(*) FROM "+table), "exactly the good rows")

		dlq := h.DrainDLQ(event, region)
		require.Len(t, dlq, 5+injected)
		kinds := map[string]int{}
		for _, m := range dlq {
			reason, _ := m.Headers["x-mesh-error"].(string)
			require.NotEmpty(t, reason, "DLQ message %q has no x-mesh-error header", m.MessageID)
			kinds[strings.SplitN(reason, ":", 2)[0]]++
		}
		for _, k := range []string{"malformed_json", "contract_violation", "unknown_event_type", "too_large", "invalid_utf8"} {
			assert.Positive(t, kinds[k], "no DLQ message of kind %s (got %v)", k, kinds)
		}
		var sized bool
		for _, m := range dlq {
			if len(m.Body) > 10<<20 {
				sized = true
			}
		}
		assert.True(t, sized, "the 10 MB body itself is kept in the DLQ")
	})

	t.Run("ConcurrentIngestersOnOneTable", func(t *testing.T) {
		h := newHarness(t, Embedded)
		// The first region's queue feeds two writers, so it gets twice the events.
		for i, r := range regions[:2] {
			h.Run("produce", "--event", event, "--region", r, "--burst", strconv.Itoa(perWriter*(2-i)), "--run", strconv.Itoa(i), "--until", fixedUntil, "--since", "3d")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		var cmds []*exec.Cmd
		// Two regions, and two replicas on the first one: three writers of one table.
		for _, r := range []string{regions[0], regions[0], regions[1]} {
			cmd, _ := h.Command(ctx, nil, "ingest", "--event", event, "--region", r, "--until-idle", "--batch-size", strconv.Itoa(perWriter/20), "--quiet")
			require.NoError(t, cmd.Start())
			cmds = append(cmds, cmd)
		}
		for _, c := range cmds {
			require.NoError(t, c.Wait())
		}
		assert.Equal(t, int64(3*perWriter), h.Int("SELECT count(*) FROM "+table))
		assert.Equal(t, int64(3*perWriter), h.Int("SELECT count(DISTINCT event_id) FROM "+table))
	})

	if o.Reference {
		t.Run(BrokerRestartTest, func(t *testing.T) { brokerRestartLosesNothing(t, newHarness, event, regions[0], table) })
	}
	t.Run("SameAnswersOnEveryBackend", func(t *testing.T) {
		answers := map[Backend]string{}
		for _, b := range []Backend{Embedded, PostgresMinIO} {
			h := newHarness(t, b)
			for i, r := range regions {
				h.Run("produce", "--event", event, "--region", r, "--burst", "1500", "--run", strconv.Itoa(i), "--until", fixedUntil, "--since", "5d")
			}
			h.Run("ingest", "--event", event, "--region", "all", "--until-idle", "--quiet")
			// The transformation layer too: the Arrow path on S3, direct Parquet writes locally.
			if p, err := d.DBTProject(nil); err == nil {
				build := h.Run("transform", "build")
				require.Contains(t, build, "ERROR=0 FAIL=0", string(b))
				for _, name := range slices.Sorted(maps.Keys(p.Models)) {
					m := p.Models[name]
					if m.Config.Materialized == "view" || m.Config.Materialized == "ephemeral" {
						continue
					}
					answers[b] += fmt.Sprintf("%s=%d ", name, h.Int(fmt.Sprintf("SELECT count(*) FROM %s.%s", d.Name(), name)))
				}
			}
			rows := h.Query(`SELECT event_date, count(*) AS n, count(DISTINCT event_id) AS ids, min(event_ts) AS first, max(event_ts) AS last
				FROM ` + table + ` GROUP BY event_date ORDER BY event_date`)
			require.NotEmpty(t, rows)
			answers[b] += fmt.Sprint(rows)
			assert.Equal(t, int64(1500*len(regions)), h.Int("SELECT count(*) FROM "+table), string(b))
		}
		assert.Equal(t, answers[Embedded], answers[PostgresMinIO])
	})
}

// brokerRestartLosesNothing restarts RabbitMQ while a live producer publishes
// and an ingester consumes: every published event lands exactly once.
func brokerRestartLosesNothing(t *testing.T, newHarness func(*testing.T, Backend) *Harness, event, region, table string) {
	testenv.BrokerRestartAllowed(t)
	h := newHarness(t, Embedded)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// Declare the topology first so that nothing published before the ingester starts is dropped.
	h.Run("setup")
	prod, prodOut := h.Command(ctx, nil, "produce", "--event", event, "--region", region, "--live", "--interval", "20ms", "--per-tick", "10")
	require.NoError(t, prod.Start())
	ing, _ := h.Command(ctx, nil, "ingest", "--event", event, "--region", region, "--batch-size", "500", "--quiet")
	require.NoError(t, ing.Start())
	waitUntil(t, 60*time.Second, func() bool { return h.Int("SELECT count(*) FROM "+table) > 1000 })
	testenv.RestartBroker(t, 2*time.Second)
	before := h.Int("SELECT count(*) FROM " + table)
	waitUntil(t, 90*time.Second, func() bool { return h.Int("SELECT count(*) FROM "+table) > before+1000 })
	require.NoError(t, prod.Process.Signal(syscall.SIGTERM))
	require.NoError(t, prod.Wait(), "producer exits 0 on SIGTERM")
	published, valid := Produced(t, prodOut.String())
	require.Equal(t, published, valid)
	require.NoError(t, ing.Process.Signal(syscall.SIGTERM))
	require.NoError(t, ing.Wait(), "ingester exits 0 on SIGTERM")
	h.Run("ingest", "--event", event, "--region", region, "--until-idle", "--quiet")
	t.Logf("published %d events across a broker restart", published)
	assert.Equal(t, int64(published), h.Int("SELECT count(DISTINCT event_id) FROM "+table), "distinct event_ids")
	assert.Equal(t, int64(published), h.Int("SELECT count(*) FROM "+table), "rows")
}

func mustRawTable(t *testing.T, d *domainkit.Domain, event string) string {
	id, err := d.RawTable(event)
	require.NoError(t, err)
	return id.Name
}

func requireKilled(t *testing.T, err error) {
	t.Helper()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "want the process killed, got %v", err)
	ws, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "want SIGKILL, got %v", err)
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("condition not met within %s", d)
}
