package dispatch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

// next lists the statuses that may follow each status.
var next = map[string][]string{
	"":            {Picked},
	Picked:        {Packed},
	Packed:        {Loaded},
	Loaded:        {InTransit},
	InTransit:     {Delivered, Delayed, FailedAttempt},
	Delayed:       {Delivered},
	FailedAttempt: {Delivered},
}

func TestDispatchLogsFollowTheJourney(t *testing.T) {
	const region = "ap-southeast"
	now := domaintest.FixedUntil
	// 2000 order lines, one every 7 minutes over the 9.7 days before now: the
	// journeys started in the last 3 days (recent) have about 2,600 statuses due.
	orders := domaintest.OrderLines(t, region, domaintest.OrdersOptions{PerRegion: 2000, Span: 2000 * 7 * time.Minute})
	home := map[string]string{}
	s := domaintest.Published(t, "fleet.vehicles").Scan()
	for s.Next() {
		if s.String("region") == region {
			home[s.String("vehicle_id")] = s.String("home_warehouse")
		}
	}
	require.NoError(t, s.Err())
	require.Len(t, home, 25, "the fleet's published vehicles of %s", region)
	last := map[string]string{}
	lastTS := map[string]time.Time{}
	dispatchOf := map[string]string{}
	for _, ev := range domaintest.Generate(t, Domain, domaintest.Generation{Region: region, N: 2500, Upstream: orders}) {
		id, status := ev["dispatch_id"].(string), ev["status"].(string)
		assert.Contains(t, next[last[id]], status, "%s after %q", status, last[id])
		ts, err := time.Parse(time.RFC3339Nano, ev["status_ts"].(string))
		require.NoError(t, err)
		assert.False(t, ts.After(now), "status from the future")
		assert.True(t, ts.After(lastTS[id]), "statuses of a dispatch go forward in time")
		assert.Equal(t, ev["warehouse_id"], home[ev["vehicle_id"].(string)], "vehicle based elsewhere")
		if prev, ok := dispatchOf[ev["order_id"].(string)]; ok {
			assert.Equal(t, prev, id, "one dispatch per order line")
		}
		dispatchOf[ev["order_id"].(string)] = id
		last[id], lastTS[id] = status, ts
	}
	// Another producer logs the same journey for the same order line.
	o := orders[500]
	j1 := NewDispatcher().journey(o, o["order_id"].(string), o["order_ts"].(time.Time))
	j2 := NewDispatcher().journey(o, o["order_id"].(string), o["order_ts"].(time.Time))
	assert.Equal(t, j1, j2)
	// Nothing is due before the first order.
	domaintest.AssertGeneratesNothing(t, Domain, domaintest.Generation{Region: region, N: 5, At: func(int) time.Time { return now.Add(-30 * 24 * time.Hour) }, Upstream: orders})
}

func TestOnTimeShareDiffersByRegion(t *testing.T) {
	share := func(region string) float64 {
		g := NewDispatcher()
		onTime := 0
		const n = 4000
		start := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
		for _, o := range domaintest.OrderLines(t, region, domaintest.OrdersOptions{PerRegion: n}) {
			j := g.journey(o, o["order_id"].(string), start)
			last := j.Steps[len(j.Steps)-1]
			require.Equal(t, Delivered, last.Status)
			if !last.TS.After(j.ETA) {
				onTime++
			}
		}
		return float64(onTime) / n
	}
	eu, ap := share("eu-central"), share("ap-southeast")
	assert.InDelta(t, 0.93, eu, 0.03)
	assert.Greater(t, eu, ap)
}
