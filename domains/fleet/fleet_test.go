package fleet_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/fleet"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/gen"
)

// The fleet reads no other domain: its dimensions are master data. Dispatch
// reads fleet.dim_vehicle, through its stand-in in its tests.
var suite = domaintest.Suite{Domain: fleet.Domain, StandIns: []func(*domaintest.Harness){domaintest.SeedVehicles}}

func TestMain(m *testing.M) { domaintest.Main(m) }

func TestConformance(t *testing.T) { suite.Run(t) }

// TestTransformKnownAnswers follows a burst from the broker to
// fact_vehicle_routes: invalid events never reach the data product, every
// assignment joins its vehicle, route and date, the dimensions hold the master
// data, and a second run commits nothing.
func TestTransformKnownAnswers(t *testing.T) {
	in := suite.Transform(t, domaintest.Burst{Region: "us-west", Events: 2000, Since: "7d"})
	vehicles, routes := 0, 0
	for _, r := range []string{"us-east", "us-west", "eu-central", "ap-southeast"} {
		vehicles += len(fleet.Vehicles(r))
		routes += len(fleet.Routes(r))
	}
	in.AssertRows(map[string]int64{
		"fleet.fact_vehicle_routes": int64(in.Valid),
		"fleet.dim_vehicle":         int64(vehicles),
		"fleet.dim_route":           int64(routes),
	})

	// Referential integrity: 100% of the fact's keys are in the dimensions,
	// and every vehicle starts from its route's origin warehouse.
	in.AssertNone(map[string]string{
		"vehicle": "SELECT count(*) FROM fleet.fact_vehicle_routes f WHERE f.vehicle_id NOT IN (SELECT vehicle_id FROM fleet.dim_vehicle)",
		"route":   "SELECT count(*) FROM fleet.fact_vehicle_routes f WHERE f.route_id NOT IN (SELECT route_id FROM fleet.dim_route)",
		"origin": `SELECT count(*) FROM fleet.fact_vehicle_routes f JOIN fleet.dim_vehicle v USING (vehicle_id)
			JOIN fleet.dim_route r USING (route_id) WHERE v.home_warehouse <> r.origin_warehouse OR r.region_covered <> f.region`,
		"location": "SELECT count(*) FROM fleet.fact_vehicle_routes WHERE location <> CAST(lat AS VARCHAR) || ',' || CAST(lon AS VARCHAR)",
	})
	// Busy routes: the Zipf-weighted first route runs more tours than the last.
	assert.Greater(t, in.Int("SELECT count(*) FROM fleet.fact_vehicle_routes WHERE route_id = 'RT-USW-01'"),
		in.Int("SELECT count(*) FROM fleet.fact_vehicle_routes WHERE route_id = 'RT-USW-10'"))
}

func TestGeneratedAssignmentsAreValidAndRegional(t *testing.T) {
	every7m := func(i int) time.Time { return domaintest.FixedUntil.Add(time.Duration(i) * 7 * time.Minute) }
	for _, name := range fleet.Domain().Spec.Regions {
		t.Run(name, func(t *testing.T) {
			region, err := gen.LookupRegion(name)
			require.NoError(t, err)
			vehicles := map[string]fleet.Vehicle{}
			for _, v := range fleet.Vehicles(name) {
				vehicles[v.ID] = v
			}
			routes := map[string]fleet.Route{}
			for _, rt := range fleet.Routes(name) {
				routes[rt.ID] = rt
			}
			shifts := map[string]int{}
			for _, ev := range domaintest.Generate(t, fleet.Domain, domaintest.Generation{Region: name, N: 2000, At: every7m}) {
				v, rt := vehicles[ev["vehicle_id"].(string)], routes[ev["route_id"].(string)]
				require.NotEmpty(t, v.ID, "vehicle %s is not in %s", ev["vehicle_id"], name)
				require.NotEmpty(t, rt.ID, "route %s is not in %s", ev["route_id"], name)
				assert.Equal(t, rt.OriginWarehouse, v.HomeWarehouse, "vehicle based at the route's origin")
				assert.True(t, region.Contains(ev["lat"].(float64), ev["lon"].(float64)), "vehicle outside %s", name)
				assert.Equal(t, name, ev["region"])
				shifts[ev["driver_shift"].(string)]++
			}
			assert.Len(t, shifts, 3, "every shift runs tours in %s", name)
		})
	}
}
