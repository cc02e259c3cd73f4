package dispatch

import (
	"embed"

	"github.com/meshterious/warehouse/platform/masterdata"
)

// The vehicles a dispatch is loaded on are the fleet domain's published
// master data (fleet.vehicles), read from the pinned copy in masterdata/ that
// `go run mage.go check` refreshes from the fleet's seed: the ids are
// those of fleet.dim_vehicle.
//
//go:embed masterdata/*.csv
var pinned embed.FS

// vehicle is what a dispatch uses of a published vehicle.
type vehicle struct{ ID, HomeWarehouse string }

// vehiclesByRegion holds each region's published vehicles in id order.
var vehiclesByRegion = func() map[string][]vehicle {
	out := map[string][]vehicle{}
	s := masterdata.MustOpen(pinned, "fleet.vehicles").Scan()
	for s.Next() {
		region := s.String("region")
		out[region] = append(out[region], vehicle{ID: s.String("vehicle_id"), HomeWarehouse: s.String("home_warehouse")})
	}
	if err := s.Err(); err != nil {
		panic(err)
	}
	return out
}()
