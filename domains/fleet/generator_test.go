package fleet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
	"github.com/meshterious/warehouse/platform/produce"
)

func TestGeneratedAssignmentsAreValidAndRegional(t *testing.T) {
	d := Domain()
	c := d.Contracts["vehicle_routes"]
	require.NotNil(t, c)
	for _, name := range d.Spec.Regions {
		region, err := gen.LookupRegion(name)
		require.NoError(t, err)
		vehicles := map[string]masterdata.Vehicle{}
		for _, v := range masterdata.Vehicles(name) {
			vehicles[v.ID] = v
		}
		routes := map[string]masterdata.Route{}
		for _, rt := range masterdata.Routes(name) {
			routes[rt.ID] = rt
		}
		r := gen.NewRand(gen.DefaultSeed("fleet", "vehicle_routes"), 0)
		shifts := map[string]int{}
		start := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 2000; i++ {
			now := start.Add(time.Duration(i) * 7 * time.Minute)
			ev := GenerateVehicleRoute(&produce.Context{Rand: r, Region: region, Time: now, Seq: int64(i)})
			require.NotNil(t, ev)
			ev["event_id"], ev["event_ts"], ev["event_type"] = r.UUID().String(), produce.Timestamp(now), "vehicle_routes"
			body := produce.MarshalOrdered(c, ev)
			_, err := c.Decode(body)
			require.NoError(t, err, "%s", body)
			v, rt := vehicles[ev["vehicle_id"].(string)], routes[ev["route_id"].(string)]
			require.NotEmpty(t, v.ID, "vehicle %s is not in %s", ev["vehicle_id"], name)
			require.NotEmpty(t, rt.ID, "route %s is not in %s", ev["route_id"], name)
			assert.Equal(t, rt.OriginWarehouse, v.HomeWarehouse, "vehicle based at the route's origin")
			assert.True(t, region.Contains(ev["lat"].(float64), ev["lon"].(float64)), "vehicle outside %s", name)
			assert.Equal(t, name, ev["region"])
			shifts[ev["driver_shift"].(string)]++
		}
		assert.Len(t, shifts, 3, "every shift runs tours in %s", name)
	}
}

func TestShiftAt(t *testing.T) {
	assert.Equal(t, "night", shiftAt(3))
	assert.Equal(t, "early", shiftAt(5))
	assert.Equal(t, "late", shiftAt(13))
	assert.Equal(t, "night", shiftAt(21))
	for h := 0; h < 24; h++ {
		assert.True(t, driverShifts.Contains(shiftAt(h)))
	}
}
