package domaintest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/produce"
)

// Generation drives a domain's generator the way `<domain> produce` does,
// without a broker.
type Generation struct {
	// Event is the event to generate; default the domain's first.
	Event string
	// Region is the region the events are made for.
	Region string
	// N is how many events to make.
	N int
	// At is the time (produce.Context.Time) of the i-th event; default FixedUntil.
	At func(i int) time.Time
	// Upstream is what the generator reacts to (produce.Context.Upstream),
	// e.g. OrderLines.
	Upstream []map[string]any
	// Run is the producer's stream (--run).
	Run uint64
}

// Generate makes g.N events with the generator the domain registers for
// g.Event, seeded as the producer seeds it, and returns them with their
// envelope (event_id, event_ts, event_type) filled in as the producer fills
// it. It fails the test when the generator makes nothing for an event, when
// an event is not valid under its contract, when two events share an
// event_id, or when a second pass with a freshly loaded domain (fresh
// generator state, the same seed) makes different events.
func Generate(t testing.TB, domain func() *domainkit.Domain, g Generation) []map[string]any {
	t.Helper()
	events, bodies := generate(t, domain(), g)
	_, again := generate(t, domain(), g)
	require.Equal(t, bodies, again, "the same seed must give the same events")
	return events
}

// AssertGeneratesNothing asserts that the domain's generator makes nothing
// for any of the g.N events of g: a reacting generator with nothing to react
// to (no upstream rows, or none before g.At) must publish nothing rather
// than an event without a cause.
func AssertGeneratesNothing(t testing.TB, domain func() *domainkit.Domain, g Generation) {
	t.Helper()
	c := newGeneration(t, domain(), g)
	for i := range g.N {
		assert.Nil(t, c.next(i), "%s event %d at %s: made from nothing", c.event, i, c.at(i))
	}
}

// generation is the state of one pass of Generate.
type generation struct {
	Generation
	event     string
	contract  *contract.Contract
	generator produce.Generator
	region    gen.Region
	rand      *gen.Rand
	at        func(i int) time.Time
}

func newGeneration(t testing.TB, d *domainkit.Domain, g Generation) *generation {
	t.Helper()
	event := g.Event
	if event == "" {
		require.NotEmpty(t, d.Events(), "domain %s declares no event", d.Name())
		event = d.Events()[0]
	}
	c := d.Contracts[event]
	require.NotNil(t, c, "domain %s has no contract for %q", d.Name(), event)
	generator := d.Generators[event]
	require.NotNil(t, generator, "domain %s has no generator for %q", d.Name(), event)
	region, err := gen.LookupRegion(g.Region)
	require.NoError(t, err)
	require.Positive(t, g.N)
	at := g.At
	if at == nil {
		at = func(int) time.Time { return FixedUntil }
	}
	return &generation{
		Generation: g, event: event, contract: c, generator: generator, region: region, at: at,
		// The producer's stream: see produce.New.
		rand: gen.NewRand(gen.DefaultSeed(d.Name(), event), gen.DefaultSeed(g.Region, strconv.FormatUint(g.Run, 10))),
	}
}

// next asks the generator for the fields of the i-th event.
func (g *generation) next(i int) map[string]any {
	return g.generator(&produce.Context{Rand: g.rand, Region: g.region, Time: g.at(i), Seq: int64(i), Upstream: g.Upstream})
}

func generate(t testing.TB, d *domainkit.Domain, g Generation) ([]map[string]any, []string) {
	t.Helper()
	c := newGeneration(t, d, g)
	events := make([]map[string]any, 0, g.N)
	bodies := make([]string, 0, g.N)
	ids := map[string]bool{}
	for i := range g.N {
		ts := c.at(i)
		fields := c.next(i)
		require.NotNil(t, fields, "%s event %d at %s: the generator made nothing", c.event, i, ts)
		ev := make(map[string]any, len(fields)+3)
		for k, v := range fields {
			ev[k] = v
		}
		ev["event_id"] = c.rand.UUID().String()
		if _, own := fields["event_ts"].(string); !own {
			ev["event_ts"] = produce.Timestamp(ts)
		}
		ev["event_type"] = c.event
		body := produce.MarshalOrdered(c.contract, ev)
		_, err := c.contract.Decode(body)
		require.NoError(t, err, "%s event %d is not valid under its contract: %s", c.event, i, body)
		id := ev["event_id"].(string)
		require.False(t, ids[id], "%s event %d repeats event_id %s", c.event, i, id)
		ids[id] = true
		events = append(events, ev)
		bodies = append(bodies, string(body))
	}
	return events, bodies
}
