package gen

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // regions' time zones resolve even on machines without zoneinfo
)

// Region is a sales region served by the warehouse network: a bounding box of
// real coordinates (WGS 84 degrees), the time zone of its customers and its
// share of demand.
type Region struct {
	Name           string
	MinLat, MaxLat float64
	MinLon, MaxLon float64
	TimeZone       string  // IANA name
	Weight         float64 // share of demand; the weights of Regions sum to 1
}

// The boxes cover the populated core of each region: the US east of the
// Mississippi basin (Florida Keys to Maine), the US west coast states (San
// Diego to the Canadian border, the Pacific coast to Utah), Germany with its
// neighbours (the Alps to the Baltic), and South-East Asia (Java and Timor to
// northern Thailand and the Philippines). They are boxes: some points fall in
// the sea.
var regions = []Region{
	{Name: "us-east", MinLat: 24.5, MaxLat: 47.5, MinLon: -84.0, MaxLon: -67.0, TimeZone: "America/New_York", Weight: 0.35},
	{Name: "us-west", MinLat: 32.5, MaxLat: 49.0, MinLon: -124.8, MaxLon: -114.0, TimeZone: "America/Los_Angeles", Weight: 0.25},
	{Name: "eu-central", MinLat: 45.5, MaxLat: 55.0, MinLon: 5.8, MaxLon: 17.2, TimeZone: "Europe/Berlin", Weight: 0.25},
	{Name: "ap-southeast", MinLat: -11.0, MaxLat: 21.0, MinLon: 95.0, MaxLon: 141.0, TimeZone: "Asia/Singapore", Weight: 0.15},
}

// Regions returns the regions, in a fixed order.
func Regions() []Region {
	out := make([]Region, len(regions))
	copy(out, regions)
	return out
}

// RegionNames returns the names of the regions, in the order of Regions.
func RegionNames() []string {
	out := make([]string, len(regions))
	for i, g := range regions {
		out[i] = g.Name
	}
	return out
}

// LookupRegion returns the region with the given name; the error (wrapping
// ErrUnknownRegion) lists the valid names.
func LookupRegion(name string) (Region, error) {
	for _, g := range regions {
		if g.Name == name {
			return g, nil
		}
	}
	return Region{}, fmt.Errorf("%w: %q (valid: %s)", ErrUnknownRegion, name, strings.Join(RegionNames(), ", "))
}

// PickRegion returns one of regions, chosen with probability proportional to
// its Weight. It panics if regions is empty.
func PickRegion(r *Rand, regions []Region) Region {
	total := 0.0
	for _, g := range regions {
		total += g.Weight
	}
	u := r.Float64() * total
	for _, g := range regions {
		if u < g.Weight {
			return g
		}
		u -= g.Weight
	}
	return regions[len(regions)-1]
}

// Point returns a uniformly distributed point inside the region's box.
func (g Region) Point(r *Rand) (lat, lon float64) {
	lat = g.MinLat + r.Float64()*(g.MaxLat-g.MinLat)
	lon = g.MinLon + r.Float64()*(g.MaxLon-g.MinLon)
	return lat, lon
}

// Contains reports whether the point is inside the region's box (edges
// included).
func (g Region) Contains(lat, lon float64) bool {
	return lat >= g.MinLat && lat <= g.MaxLat && lon >= g.MinLon && lon <= g.MaxLon
}

// Location returns the region's time zone.
func (g Region) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(g.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("loading time zone of region %s: %w", g.Name, err)
	}
	return loc, nil
}
