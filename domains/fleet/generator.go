package fleet

import (
	"math"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/produce"
)

// Driver shifts by the local hour a tour starts: the early shift loads the
// morning tours, the late shift the afternoon ones, a small night shift
// serves the trunk runs.
const (
	shiftEarly = "early"
	shiftLate  = "late"
	shiftNight = "night"
)

// driverShifts is the vocabulary of shifts (weights: the share of tours).
var driverShifts = gen.MustVocabulary("driver_shift", shiftEarly, 0.55, shiftLate, 0.35, shiftNight, 0.10)

// shiftAt returns the driver shift covering a local hour.
func shiftAt(hour int) string {
	switch {
	case hour >= 5 && hour < 13:
		return shiftEarly
	case hour >= 13 && hour < 21:
		return shiftLate
	default:
		return shiftNight
	}
}

// Regional driving conditions: stop density (drops per planned stop of the
// route) and detour factor (congestion and road network) on the distance.
var regionConditions = map[string]struct{ stops, detour float64 }{
	"us-east": {1.0, 1.05}, "us-west": {0.85, 1.15}, "eu-central": {1.15, 0.95}, "ap-southeast": {1.1, 1.25},
}

// typeLoad scales a tour's stops by what the vehicle carries: a cargo bike
// serves a few nearby drops, a semi runs a trunk route with few big drops.
var typeLoad = map[string]float64{"van": 1.0, "box_truck": 0.8, "semi": 0.25, "e_cargo_bike": 0.5}

// The routes of each region and the vehicles based at each warehouse.
var (
	routesByRegion   = map[string][]Route{}
	vehiclesByOrigin = map[string][]Vehicle{}
)

func init() {
	for _, region := range gen.RegionNames() {
		routesByRegion[region] = Routes(region)
		for _, v := range Vehicles(region) {
			vehiclesByOrigin[v.HomeWarehouse] = append(vehiclesByOrigin[v.HomeWarehouse], v)
		}
	}
}

// GenerateVehicleRoute makes the domain fields of one vehicle assignment: a
// route of the region (a few busy routes run many more tours: Zipf), a
// vehicle based at the route's origin warehouse, its position near that
// warehouse, and the tour's planned stops and distance.
func GenerateVehicleRoute(c *produce.Context) map[string]any {
	r := c.Rand
	routes := routesByRegion[c.Region.Name]
	if len(routes) == 0 {
		return nil
	}
	route := routes[r.Zipf(len(routes), 1.2)]
	vehicles := vehiclesByOrigin[route.OriginWarehouse]
	if len(vehicles) == 0 {
		return nil
	}
	v := vehicles[r.IntN(len(vehicles))]
	var originLat, originLon float64
	for _, w := range warehousesOf(c.Region.Name) {
		if w.ID == route.OriginWarehouse {
			originLat, originLon = w.Lat, w.Lon
		}
	}
	lat, lon := NearPoint(r, c.Region, originLat, originLon, 4)
	cond, ok := regionConditions[c.Region.Name]
	if !ok {
		cond.stops, cond.detour = 1, 1
	}
	stops := int(math.Round(float64(route.Stops) * cond.stops * typeLoad[v.Type] * (0.85 + 0.3*r.Float64())))
	if stops < 1 {
		stops = 1
	}
	dist := route.DistanceKm * cond.detour * (0.9 + 0.25*r.Float64())
	if v.Type == "e_cargo_bike" {
		dist = math.Min(dist, 15+10*r.Float64()) // bikes stay close to the hub
	}
	shift := driverShifts.Pick(r)
	if loc, err := c.Region.Location(); err == nil {
		shift = shiftAt(c.Time.In(loc).Hour())
	}
	return map[string]any{
		"assignment_id": r.UUID().String(),
		"vehicle_id":    v.ID,
		"route_id":      route.ID,
		"region":        c.Region.Name,
		"assigned_ts":   produce.Timestamp(c.Time),
		"lat":           lat,
		"lon":           lon,
		"planned_stops": int64(stops),
		"distance_km":   math.Round(dist*10) / 10,
		"driver_shift":  shift,
	}
}

// Domain returns the fleet domain: its embedded declarations and the generator of each event.
func Domain() *domainkit.Domain {
	return domainkit.MustLoad(files, map[string]produce.Generator{"vehicle_routes": GenerateVehicleRoute})
}
