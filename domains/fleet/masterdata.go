package fleet

import (
	"embed"
	"fmt"
	"math"
	"strconv"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
)

// The fleet domain owns its vehicles and delivery routes: they are generated
// here from masterdata.Seed and published as the seeds vehicles and routes of
// its dbt project (dim_vehicle, dim_route), which other domains read as
// fleet.vehicles and fleet.routes. Vehicles are based at, and routes start
// from, the warehouses the inventory domain publishes (inventory.warehouses),
// read from the pinned copy in masterdata/.
//
//go:embed masterdata/*.csv
var pinned embed.FS

// warehouse is what the fleet uses of a published warehouse.
type warehouse struct {
	ID       string
	Lat, Lon float64
}

// warehousesByRegion holds the published warehouses of each region, in
// their published order.
var warehousesByRegion = func() map[string][]warehouse {
	out := map[string][]warehouse{}
	s := masterdata.MustOpen(pinned, "inventory.warehouses").Scan()
	for s.Next() {
		region := s.String("region")
		out[region] = append(out[region], warehouse{ID: s.String("warehouse_id"), Lat: s.Float("lat"), Lon: s.Float("lon")})
	}
	if err := s.Err(); err != nil {
		panic(err)
	}
	return out
}()

// warehousesOf returns the published warehouses of region.
func warehousesOf(region string) []warehouse { return warehousesByRegion[region] }

// regionCodes are the region codes of vehicle and route ids.
var regionCodes = map[string]string{"us-east": "USE", "us-west": "USW", "eu-central": "EUC", "ap-southeast": "APS"}

// Vehicle is one delivery vehicle of the fleet, based at a warehouse.
type Vehicle struct {
	ID            string
	Type          string // one of VehicleTypes
	Region        string
	HomeWarehouse string // id of the warehouse the vehicle is based at
	Capacity      int    // payload in kg
	Lat, Lon      float64
}

// Route is a recurring delivery tour starting at a warehouse.
type Route struct {
	ID              string
	Region          string // the region the route covers
	OriginWarehouse string // id of the warehouse the tour starts from
	Stops           int    // planned drops per tour
	AvgDuration     int    // minutes per tour
	DistanceKm      float64
}

// VehicleTypes is the vocabulary of vehicle types, weighted by their share
// of the fleet.
var VehicleTypes = gen.MustVocabulary("vehicle_type",
	"van", 0.45, "box_truck", 0.25, "semi", 0.10, "e_cargo_bike", 0.20)

// vehicleCapacity is the nominal payload (kg) of each vehicle type.
var vehicleCapacity = map[string]int{"van": 1200, "box_truck": 4500, "semi": 20000, "e_cargo_bike": 150}

// VehicleCapacity returns the nominal payload in kg of a vehicle type, 0 for
// an unknown type.
func VehicleCapacity(vehicleType string) int { return vehicleCapacity[vehicleType] }

// VehiclesPerRegion and RoutesPerRegion size each region's fleet.
const (
	VehiclesPerRegion = 25
	RoutesPerRegion   = 10
)

// kmPerDegree is the length of one degree of latitude.
const kmPerDegree = 111.0

// NearPoint returns a point scattered around (lat, lon) with a standard
// deviation of sdKm kilometres, clamped into the region's box.
func NearPoint(r *gen.Rand, reg gen.Region, lat, lon, sdKm float64) (float64, float64) {
	lat = r.Normal(lat, sdKm/kmPerDegree)
	lon = r.Normal(lon, sdKm/(kmPerDegree*math.Max(0.2, math.Cos(lat*math.Pi/180))))
	lat = math.Min(reg.MaxLat, math.Max(reg.MinLat, lat))
	lon = math.Min(reg.MaxLon, math.Max(reg.MinLon, lon))
	return math.Round(lat*1e5) / 1e5, math.Round(lon*1e5) / 1e5
}

// Vehicles returns the fleet of region in id order, the same on every call;
// nil for an unknown region.
func Vehicles(region string) []Vehicle {
	reg, err := gen.LookupRegion(region)
	if err != nil {
		return nil
	}
	ws := warehousesOf(region)
	r := gen.NewRand(masterdata.Seed, 4+gen.DefaultSeed("vehicle", region))
	out := make([]Vehicle, VehiclesPerRegion)
	for i := range out {
		w := ws[i%len(ws)]
		typ := VehicleTypes.Pick(r)
		// Individual payloads vary by up to ±10% around the nominal one.
		capacity := int(math.Round(float64(vehicleCapacity[typ]) * (0.9 + 0.2*r.Float64())))
		lat, lon := NearPoint(r, reg, w.Lat, w.Lon, 15)
		out[i] = Vehicle{
			ID: fmt.Sprintf("VH-%s-%03d", regionCodes[region], i+1), Type: typ, Region: region,
			HomeWarehouse: w.ID, Capacity: capacity, Lat: lat, Lon: lon,
		}
	}
	return out
}

// Routes returns the delivery routes of region in id order, the same on
// every call; nil for an unknown region.
func Routes(region string) []Route {
	if _, err := gen.LookupRegion(region); err != nil {
		return nil
	}
	ws := warehousesOf(region)
	r := gen.NewRand(masterdata.Seed, 5+gen.DefaultSeed("route", region))
	out := make([]Route, RoutesPerRegion)
	for i := range out {
		stops := 6 + r.IntN(30)
		// Tours drive about 4 km per stop plus the run out and back.
		dist := math.Round((20+4*float64(stops))*(0.8+0.4*r.Float64())*10) / 10
		out[i] = Route{
			ID: fmt.Sprintf("RT-%s-%02d", regionCodes[region], i+1), Region: region,
			OriginWarehouse: ws[r.IntN(len(ws))].ID, Stops: stops,
			// ~35 km/h on average plus 6 minutes per drop.
			AvgDuration: int(math.Round(dist/35*60 + 6*float64(stops))), DistanceKm: dist,
		}
	}
	return out
}

func init() {
	masterdata.Register("vehicles", func() masterdata.Table {
		t := masterdata.Table{Header: []string{"vehicle_id", "type", "capacity", "region", "home_warehouse", "lat", "lon"}}
		for _, region := range gen.RegionNames() {
			for _, v := range Vehicles(region) {
				t.Rows = append(t.Rows, []string{v.ID, v.Type, strconv.Itoa(v.Capacity), v.Region, v.HomeWarehouse,
					strconv.FormatFloat(v.Lat, 'f', -1, 64), strconv.FormatFloat(v.Lon, 'f', -1, 64)})
			}
		}
		return t
	})
	masterdata.Register("routes", func() masterdata.Table {
		t := masterdata.Table{Header: []string{"route_id", "region_covered", "origin_warehouse", "stops", "avg_duration_min", "distance_km"}}
		for _, region := range gen.RegionNames() {
			for _, rt := range Routes(region) {
				t.Rows = append(t.Rows, []string{rt.ID, rt.Region, rt.OriginWarehouse, strconv.Itoa(rt.Stops),
					strconv.Itoa(rt.AvgDuration), strconv.FormatFloat(rt.DistanceKm, 'f', 1, 64)})
			}
		}
		return t
	})
}
