package dispatch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
	"github.com/meshterious/warehouse/platform/produce"
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
	d := Domain()
	c := d.Contracts["dispatch_logs"]
	require.NotNil(t, c)
	const region = "ap-southeast"
	reg, err := gen.LookupRegion(region)
	require.NoError(t, err)
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	whs := masterdata.Warehouses(region)
	var orders []map[string]any
	for i := 0; i < 2000; i++ {
		orders = append(orders, map[string]any{
			"order_id": gen.NewRand(2, uint64(i)).UUID().String(), "warehouse_id": whs[i%len(whs)].ID,
			"region": region, "order_ts": now.Add(-time.Duration(i) * 7 * time.Minute),
		})
	}
	home := map[string]string{}
	for _, v := range masterdata.Vehicles(region) {
		home[v.ID] = v.HomeWarehouse
	}
	g := NewDispatcher()
	r := gen.NewRand(gen.DefaultSeed("dispatch", "dispatch_logs"), 0)
	last := map[string]string{}
	lastTS := map[string]time.Time{}
	dispatchOf := map[string]string{}
	for i := 0; i < 4000; i++ {
		ev := g.Generate(&produce.Context{Rand: r, Region: reg, Time: now, Seq: int64(i), Upstream: orders})
		require.NotNil(t, ev)
		ev["event_id"], ev["event_type"] = r.UUID().String(), "dispatch_logs"
		body := produce.MarshalOrdered(c, ev)
		_, err := c.Decode(body)
		require.NoError(t, err, "%s", body)
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
	assert.Nil(t, g.Generate(&produce.Context{Rand: r, Region: reg, Time: now.Add(-30 * 24 * time.Hour), Upstream: orders}), "nothing is due before the first order")
}

func TestOnTimeShareDiffersByRegion(t *testing.T) {
	share := func(region string) float64 {
		whs := masterdata.Warehouses(region)
		g := NewDispatcher()
		onTime := 0
		const n = 4000
		start := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
		for i := 0; i < n; i++ {
			o := map[string]any{"order_id": gen.NewRand(3, uint64(i)).UUID().String(), "warehouse_id": whs[i%len(whs)].ID, "region": region}
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
