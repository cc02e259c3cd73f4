package produce

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/internal/testenv"
)

func testContract(t testing.TB) *contract.Contract {
	t.Helper()
	c, err := contract.Load(filepath.Join("..", "contract", "testdata", "orders.v1.json"))
	require.NoError(t, err)
	return c
}

// orderFields is a minimal generator for the test contract.
func orderFields(c *Context) map[string]any {
	lat, lon := c.Region.Point(c.Rand)
	return map[string]any{
		"order_id": c.Rand.UUID().String(), "customer_id": "C-000001", "product_id": "P-00001",
		"warehouse_id": "WH-EUC-01", "region": c.Region.Name, "order_ts": Timestamp(c.Time),
		"qty": int64(1 + c.Rand.IntN(5)), "unit_price": 9.99, "currency": "EUR", "channel": "web",
		"customer_lat": lat, "customer_lon": lon,
	}
}

// consumeBodies publishes with cfg into a private vhost and returns the bodies in order.
func consumeBodies(t *testing.T, cfg Config) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bcfg := broker.Config{URL: testenv.AMQPVhost(t)}.WithDefaults()
	b := broker.Binding{Domain: cfg.Domain, Event: cfg.Event, Region: cfg.Region}
	require.NoError(t, broker.Declare(ctx, bcfg, b))
	pub, err := broker.NewPublisher(ctx, bcfg)
	require.NoError(t, err)
	defer pub.Close()
	p, err := New(cfg, testContract(t), orderFields, pub)
	require.NoError(t, err)
	st, err := p.Run(ctx)
	require.NoError(t, err)
	cons, err := broker.NewConsumer(ctx, bcfg, b.Queue())
	require.NoError(t, err)
	defer cons.Close()
	var out [][]byte
	for len(out) < st.Published {
		select {
		case d := <-cons.Deliveries():
			out = append(out, d.Body)
			require.NoError(t, cons.Ack(d, false))
		case <-ctx.Done():
			t.Fatalf("consumed %d of %d", len(out), st.Published)
		}
	}
	return out
}

func TestSameFlagsGiveByteIdenticalEvents(t *testing.T) {
	until := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	base := Config{Domain: "orders", Event: "orders", Region: "eu-central", Burst: 300, Since: 48 * time.Hour, Until: until}
	first := consumeBodies(t, base)
	second := consumeBodies(t, base)
	require.Len(t, first, 300)
	assert.Equal(t, first, second, "same flags, same bytes")

	ids := func(bodies [][]byte) map[string]bool {
		c := testContract(t)
		m := map[string]bool{}
		for _, b := range bodies {
			ev, err := c.Decode(b)
			require.NoError(t, err, string(b))
			m[ev.ID()] = true
		}
		return m
	}
	otherRun := base
	otherRun.Run = 1
	otherRegion := base
	otherRegion.Region = "us-west"
	firstIDs := ids(first)
	for name, cfg := range map[string]Config{"another run": otherRun, "another region": otherRegion} {
		for id := range ids(consumeBodies(t, cfg)) {
			require.False(t, firstIDs[id], "%s re-emitted event_id %s", name, id)
		}
	}
}

func TestCorruptKindsAreRejectedForTheRightReason(t *testing.T) {
	c := testContract(t)
	want := map[string]error{
		InjectMalformedJSON: contract.ErrMalformed, InjectMissingField: contract.ErrContractViolation,
		InjectWrongType: contract.ErrContractViolation, InjectEnumViolation: contract.ErrContractViolation,
		InjectUnknownType: contract.ErrUnknownEventType, InjectInvalidUTF8: contract.ErrInvalidUTF8,
		InjectBadTimestamp: contract.ErrContractViolation,
	}
	r := gen.NewRand(1, 0)
	region, _ := gen.LookupRegion("eu-central")
	seen := map[string]int{}
	for i := 0; i < 2000; i++ {
		ev := orderFields(&Context{Rand: r, Region: region, Time: time.Now()})
		ev["event_id"], ev["event_ts"], ev["event_type"] = r.UUID().String(), Timestamp(time.Now()), "orders"
		kind, body := Corrupt(r, c, ev)
		seen[kind]++
		_, err := c.Decode(body)
		require.Error(t, err, "%s body passed validation: %s", kind, body)
		assert.True(t, errors.Is(err, want[kind]), "%s: got %v", kind, err)
	}
	for kind := range want {
		assert.Positive(t, seen[kind], "kind %s never drawn", kind)
	}
}

func TestReadReplay(t *testing.T) {
	c := testContract(t)
	dir := t.TempDir()
	header := "event_id,event_ts,order_id,customer_id,product_id,warehouse_id,region,order_ts,qty,unit_price,currency,channel,customer_lat,customer_lon\n"
	row := func(id, qty, channel string) string {
		return id + ",2026-01-02T10:00:00Z,5b0f7a34-3c3e-4b8e-9a43-0d5e4c1b2a10,C-000042,P-00007,WH-EUC-02,eu-central,2026-01-02T10:00:00Z," +
			qty + ",12.5,EUR," + channel + ",50.1,10.2\n"
	}
	tests := []struct {
		name        string
		csv         string
		wantEvents  int
		errContains []string
	}{
		{name: "valid", csv: header + row("0b9f2a52-5a3e-4f0a-8d7e-1c2b3a4d5e6f", "3", "web") + row("", "1", "store"), wantEvents: 2},
		{name: "bad rows name their lines", csv: header + row("0b9f2a52-5a3e-4f0a-8d7e-1c2b3a4d5e6f", "3", "web") + row("", "three", "web") + row("", "2", "fax"),
			errContains: []string{"replay.csv:3: field qty", `"three"`, "replay.csv:4:", "channel", "2 bad row(s), nothing published"}},
		{name: "unknown column", csv: "event_id,colour\n", errContains: []string{"replay.csv:1: column 2 \"colour\""}},
		{name: "short row", csv: header + "a,b\n", errContains: []string{"replay.csv:2:", "wrong number of fields"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "replay.csv")
			require.NoError(t, os.WriteFile(p, []byte(tt.csv), 0o644))
			n := 0
			evs, err := ReadReplay(p, c, func() string { n++; return "9d3c1e0a-1111-4222-8333-00000000000" + string(rune('0'+n)) })
			if len(tt.errContains) > 0 {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrBadReplayFile)
				for _, s := range tt.errContains {
					assert.Contains(t, err.Error(), s)
				}
				return
			}
			require.NoError(t, err)
			require.Len(t, evs, tt.wantEvents)
			assert.Equal(t, "0b9f2a52-5a3e-4f0a-8d7e-1c2b3a4d5e6f", evs[0]["event_id"])
			assert.Equal(t, int64(3), evs[0]["qty"])
			assert.Equal(t, "orders", evs[1]["event_type"])
			assert.True(t, strings.HasPrefix(evs[1]["event_id"].(string), "9d3c1e0a"))
		})
	}
}

func TestBurstTimesFollowTheDailyProfile(t *testing.T) {
	until := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	times := BurstTimes(gen.NewRand(7, 0), 20000, 28*24*time.Hour, until, time.UTC)
	require.Len(t, times, 20000)
	byHour := make([]int, 24)
	for i, ts := range times {
		require.False(t, ts.Before(until.Add(-28*24*time.Hour)) || !ts.Before(until), "outside the window: %s", ts)
		if i > 0 {
			require.False(t, ts.Before(times[i-1]), "not sorted at %d", i)
		}
		byHour[ts.Hour()]++
	}
	peak, night := 0, byHour[3]
	for _, n := range byHour {
		peak = max(peak, n)
	}
	assert.Greater(t, float64(peak), 2*float64(night), "daytime peak should dwarf 3 a.m.: %v", byHour)
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Domain: "orders", Event: "orders", Region: "us-east", Burst: 10}
	tests := []struct {
		name        string
		mutate      func(*Config)
		errContains string
	}{
		{name: "valid", mutate: func(*Config) {}},
		{name: "unknown region", mutate: func(c *Config) { c.Region = "mars" }, errContains: "--region"},
		{name: "two modes", mutate: func(c *Config) { c.Live = true }, errContains: "exclusive"},
		{name: "error rate", mutate: func(c *Config) { c.ErrorRate = 1.5 }, errContains: "--error-rate must be between 0 and 1"},
		{name: "no event", mutate: func(c *Config) { c.Event = "" }, errContains: "--event is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			err := c.WithDefaults().Validate()
			if tt.errContains == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.errContains)
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

func TestBurstTimesHaveTrendAndPromotions(t *testing.T) {
	until := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	times := BurstTimes(gen.NewRand(11, 0), 60000, 90*24*time.Hour, until, time.UTC)
	perDay := map[string]int{}
	firstHalf, secondHalf := 0, 0
	mid := until.Add(-45 * 24 * time.Hour)
	for _, ts := range times {
		perDay[ts.Format("2006-01-02")]++
		if ts.Before(mid) {
			firstHalf++
		} else {
			secondHalf++
		}
	}
	assert.Greater(t, float64(secondHalf), 1.1*float64(firstHalf), "demand grows over the window")
	var promo, normal, nPromo, nNormal float64
	for day, n := range perDay {
		d, _ := time.Parse("2006-01-02", day)
		if gen.IsPromoDay(d) {
			promo += float64(n)
			nPromo++
		} else {
			normal += float64(n)
			nNormal++
		}
	}
	require.Positive(t, nPromo, "a 90-day window holds promotion days")
	assert.Greater(t, promo/nPromo, 1.8*normal/nNormal, "promotion days are busier")
}
