package domaintest

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/produce"
)

func TestMain(m *testing.M) { Main(m) }

func TestOrderLines(t *testing.T) {
	until := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		region string
		opts   OrdersOptions
		// first and last order_ts; channel shares per 100 lines
		first, last time.Time
		channels    map[string]int
	}{
		{
			name: "defaults", region: "eu-central",
			first: FixedUntil.Add(-60 * 24 * time.Hour), last: FixedUntil.Add(-60 * 24 * time.Hour / 20000),
			channels: map[string]int{"web": 20, "mobile": 20, "store": 20, "marketplace": 20, "b2b": 20},
		},
		{
			name: "weighted channels in a short window", region: "us-west",
			opts:  OrdersOptions{PerRegion: 300, Span: 5 * time.Hour, Until: until, Channels: []string{"web", "web", "store"}},
			first: until.Add(-5 * time.Hour), last: until.Add(-time.Minute),
			channels: map[string]int{"web": 67, "store": 33},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := OrderLines(t, tc.region, tc.opts)
			assert.Equal(t, lines, OrderLines(t, tc.region, tc.opts), "the same lines on every call")
			n := tc.opts.withDefaults().PerRegion
			require.Len(t, lines, n)
			assert.Equal(t, tc.first, lines[0]["order_ts"])
			assert.Equal(t, tc.last, lines[n-1]["order_ts"])

			price := map[string]float64{}
			for _, p := range publishedProducts(t) {
				price[p.id] = p.price
			}
			require.Len(t, price, 500, "inventory.products")
			warehouses := map[string]bool{}
			for _, w := range publishedWarehouses(t, tc.region) {
				warehouses[w] = true
			}
			require.Len(t, warehouses, 3, "inventory.warehouses of %s", tc.region)
			ids, channels := map[string]bool{}, map[string]int{}
			for i, l := range lines {
				ids[l["order_id"].(string)] = true
				channels[l["channel"].(string)]++
				assert.Equal(t, tc.region, l["region"])
				assert.True(t, warehouses[l["warehouse_id"].(string)], "warehouse %v is not in %s", l["warehouse_id"], tc.region)
				assert.Contains(t, price, l["product_id"])
				assert.Equal(t, price[l["product_id"].(string)], l["unit_price"], "the list price")
				assert.True(t, l["qty"].(int64) >= 1 && l["qty"].(int64) <= 4, "qty %v", l["qty"])
				if i > 0 {
					assert.True(t, l["order_ts"].(time.Time).After(lines[i-1]["order_ts"].(time.Time)), "oldest first")
				}
			}
			assert.Len(t, ids, n, "order_ids are unique")
			for ch, per100 := range tc.channels {
				assert.InDelta(t, per100, 100*channels[ch]/n, 1, "%s: %v", ch, channels)
			}
			assert.Len(t, channels, len(tc.channels))
		})
	}
	// A region's lines do not depend on another region, and differ from it.
	assert.NotEqual(t, OrderLines(t, "us-east", OrdersOptions{PerRegion: 5})[0]["order_id"],
		OrderLines(t, "us-west", OrdersOptions{PerRegion: 5})[0]["order_id"])
}

// TestSeedOrders checks that the lakehouse stand-in is OrderLines: what a
// domain's upstream query reads is what its generator tests use.
func TestSeedOrders(t *testing.T) {
	h := open(t, nil, Embedded)
	opts := OrdersOptions{PerRegion: 40, Span: 2 * time.Hour, Regions: []string{"us-east", "ap-southeast"}}
	SeedOrders(h, opts)
	SeedVehicles(h)
	for _, region := range opts.Regions {
		want := OrderLines(t, region, opts)
		rows := h.Query(`SELECT order_id, product_id, warehouse_id, region, channel, order_ts, qty, unit_price
			FROM orders.fact_orders WHERE region = '` + region + `' ORDER BY order_ts, order_id`)
		require.Len(t, rows, len(want), region)
		for i, row := range rows {
			for j, c := range orderColumns {
				got := row[j]
				if ts, ok := got.(time.Time); ok {
					assert.True(t, ts.Equal(want[i]["order_ts"].(time.Time)), "%s line %d: order_ts %s, want %s", region, i, ts, want[i]["order_ts"])
					continue
				}
				assert.Equal(t, want[i][c], got, "%s line %d: %s", region, i, c)
			}
		}
	}
	assert.Equal(t, int64(80), h.Count("orders.fact_orders"))
	assert.Equal(t, int64(80), h.Int("SELECT count(DISTINCT event_id) FROM orders.fact_orders"))
	assert.Equal(t, int64(100), h.Count("fleet.dim_vehicle"), "25 vehicles in each of 4 regions (fleet.vehicles)")
	// Every column the owner declares, typed as its contract types it: a
	// column the stand-in does not fill is NULL.
	declared := ownerColumns(t, "orders", "fact_orders")
	cols := columnsOf(h, "orders.fact_orders")
	assert.Equal(t, slices.DeleteFunc(slices.Clone(declared), func(c string) bool { return c == "last_ingested_at" }), cols,
		"the declared columns but last_ingested_at, which no contract types")
	assert.Equal(t, [][]any{{"BIGINT", "DOUBLE", "TIMESTAMP WITH TIME ZONE", "VARCHAR", "DATE", "TIMESTAMP WITH TIME ZONE", int64(0)}},
		h.Query(`SELECT typeof(qty), typeof(unit_price), typeof(order_ts), typeof(customer_id), typeof(event_date),
			typeof(ingested_at), count(customer_id) FROM orders.fact_orders GROUP BY ALL`))
	assert.Equal(t, [][]any{{"VH-APS-001", "BIGINT", "DOUBLE"}},
		h.Query(`SELECT min(vehicle_id), typeof(any_value(capacity)), typeof(any_value(lat)) FROM fleet.dim_vehicle WHERE region = 'ap-southeast'`))
	h.AssertNone(map[string]string{
		"line_amount": "SELECT count(*) FROM orders.fact_orders WHERE line_amount <> round(qty * unit_price, 2)",
		"event_ts":    "SELECT count(*) FROM orders.fact_orders WHERE event_ts <> order_ts",
		"event_date":  "SELECT count(*) FROM orders.fact_orders WHERE event_date <> CAST(timezone('UTC', order_ts) AS DATE)",
		"home warehouse": `SELECT count(*) FROM fleet.dim_vehicle v
			WHERE home_warehouse NOT IN (SELECT DISTINCT warehouse_id FROM orders.fact_orders WHERE region = v.region)
			  AND region IN ('us-east', 'ap-southeast')`,
	})
}

// demo is a domain with one event, "pings", whose generator is gen.
func demo(gen produce.Generator) func() *domainkit.Domain {
	files := fstest.MapFS{
		"domain.yaml": {Data: []byte(`name: demo
description: A domain for testing the test helpers.
owners: {team: demo-team, github: ["@demo"]}
regions: [us-east, eu-central]
events:
  - name: pings
    contract: contracts/pings.v1.json
    raw_table: raw_pings
tables:
  - {name: raw_pings, layer: raw, description: Pings.}
`)},
		"contracts/pings.v1.json": {Data: []byte(`{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "pings v1",
  "x-mesh": {"domain": "demo", "event": "pings", "version": 1},
  "type": "object",
  "additionalProperties": false,
  "required": ["event_id", "event_ts", "event_type", "order_id", "n"],
  "properties": {
    "event_id": {"type": "string", "format": "uuid"},
    "event_ts": {"type": "string", "format": "date-time"},
    "event_type": {"const": "pings"},
    "order_id": {"type": "string"},
    "n": {"type": "integer", "minimum": 0, "maximum": 100}
  }
}`)},
	}
	return func() *domainkit.Domain { return domainkit.MustLoad(files, map[string]produce.Generator{"pings": gen}) }
}

func TestGenerate(t *testing.T) {
	lines := OrderLines(t, "eu-central", OrdersOptions{PerRegion: 10})
	ping := func(c *produce.Context) map[string]any {
		return map[string]any{"order_id": c.Upstream[c.Rand.IntN(len(c.Upstream))]["order_id"], "n": int64(c.Rand.IntN(101))}
	}
	var mu sync.Mutex
	calls := 0
	for _, tc := range []struct {
		name        string
		gen         produce.Generator
		g           Generation
		errContains string
	}{
		{name: "valid and deterministic", gen: ping, g: Generation{Region: "eu-central", N: 500, Upstream: lines}},
		{
			name: "own event_ts", g: Generation{Region: "us-east", N: 3},
			gen: func(c *produce.Context) map[string]any {
				return map[string]any{"order_id": "o", "n": int64(1), "event_ts": produce.Timestamp(c.Time.Add(-time.Hour))}
			},
		},
		{
			name: "nothing made", g: Generation{Region: "eu-central", N: 5},
			gen: func(c *produce.Context) map[string]any {
				if c.Seq == 3 {
					return nil
				}
				return ping(&produce.Context{Rand: c.Rand, Upstream: lines})
			},
			errContains: "pings event 3 at 2026-11-20 00:00:00 +0000 UTC: the generator made nothing",
		},
		{
			name: "invalid under the contract", g: Generation{Region: "eu-central", N: 5},
			gen:         func(c *produce.Context) map[string]any { return map[string]any{"order_id": "o", "n": int64(101)} },
			errContains: "pings event 0 is not valid under its contract",
		},
		{
			name: "not deterministic", g: Generation{Region: "eu-central", N: 5},
			gen: func(c *produce.Context) map[string]any {
				mu.Lock()
				defer mu.Unlock()
				calls++ // state shared between two loads of the domain
				return map[string]any{"order_id": fmt.Sprint("o", calls), "n": int64(1)}
			},
			errContains: "the same seed must give the same events",
		},
		{name: "unknown region", gen: ping, g: Generation{Region: "mars", N: 1}, errContains: "mars"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var events []map[string]any
			msg := failures(t, func(tb testing.TB) { events = Generate(tb, demo(tc.gen), tc.g) })
			if tc.errContains != "" {
				assert.Contains(t, msg, tc.errContains)
				return
			}
			require.Empty(t, msg)
			require.Len(t, events, tc.g.N)
			for i, ev := range events {
				assert.Equal(t, "pings", ev["event_type"])
				if tc.name == "own event_ts" {
					assert.Equal(t, produce.Timestamp(FixedUntil.Add(-time.Hour)), ev["event_ts"], "the generator's event_ts is kept")
				} else {
					assert.Equal(t, produce.Timestamp(FixedUntil), ev["event_ts"], "event %d", i)
				}
			}
		})
	}
}

func TestAssertGeneratesNothing(t *testing.T) {
	lines := OrderLines(t, "us-east", OrdersOptions{PerRegion: 3, Span: time.Hour})
	// reacting makes an event only for order lines placed before the event.
	reacting := func(c *produce.Context) map[string]any {
		for _, l := range c.Upstream {
			if l["order_ts"].(time.Time).Before(c.Time) {
				return map[string]any{"order_id": l["order_id"], "n": int64(1)}
			}
		}
		return nil
	}
	before := func(int) time.Time { return FixedUntil.Add(-2 * time.Hour) }
	for _, tc := range []struct {
		name        string
		g           Generation
		errContains string
	}{
		{name: "no upstream", g: Generation{Region: "us-east", N: 3}},
		{name: "before every order line", g: Generation{Region: "us-east", N: 3, At: before, Upstream: lines}},
		{name: "something to react to", g: Generation{Region: "us-east", N: 3, Upstream: lines}, errContains: "pings event 0 at 2026-11-20 00:00:00 +0000 UTC: made from nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := failures(t, func(tb testing.TB) { AssertGeneratesNothing(tb, demo(reacting), tc.g) })
			if tc.errContains == "" {
				assert.Empty(t, msg)
			} else {
				assert.Contains(t, msg, tc.errContains)
			}
		})
	}
	byID := ByOrderID(lines)
	require.Len(t, byID, 3)
	for _, l := range lines {
		assert.Equal(t, l, byID[l["order_id"].(string)])
	}
}

// failures runs f with a testing.TB that records failures instead of failing
// t, and returns their messages: a helper must fail a test that is wrong.
func failures(t *testing.T, f func(tb testing.TB)) string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

type recorder struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.FailNow()
}

func (r *recorder) FailNow() { runtime.Goexit() }

// columnsOf lists the columns of a lakehouse table in order.
func columnsOf(h *Harness, table string) []string {
	var out []string
	for _, row := range h.Query("DESCRIBE SELECT * FROM " + table) {
		out = append(out, row[0].(string))
	}
	return out
}
