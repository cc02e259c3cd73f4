package fleet

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/gen"
)

// TestPublishedSeeds: the committed seeds vehicles and routes are the fleet.
func TestPublishedSeeds(t *testing.T) { domaintest.CheckPublished(t) }

func TestVehicles(t *testing.T) {
	idRE := regexp.MustCompile(`^VH-(USE|USW|EUC|APS)-[0-9]{3}$`)
	seen := map[string]bool{}
	types := map[string]int{}
	for _, name := range gen.RegionNames() {
		reg, err := gen.LookupRegion(name)
		require.NoError(t, err)
		vs := Vehicles(name)
		require.Len(t, vs, VehiclesPerRegion, name)
		assert.Equal(t, vs, Vehicles(name))
		homes := map[string]bool{}
		for _, w := range warehousesOf(name) {
			homes[w.ID] = true
		}
		require.Len(t, homes, 3, name)
		for _, v := range vs {
			assert.Regexp(t, idRE, v.ID)
			assert.False(t, seen[v.ID], "duplicate %s", v.ID)
			seen[v.ID] = true
			assert.True(t, reg.Contains(v.Lat, v.Lon), "%s at %f,%f outside %s", v.ID, v.Lat, v.Lon, name)
			assert.True(t, homes[v.HomeWarehouse], "%s based at %s", v.ID, v.HomeWarehouse)
			assert.True(t, VehicleTypes.Contains(v.Type), v.Type)
			assert.InDelta(t, VehicleCapacity(v.Type), v.Capacity, 0.1*float64(VehicleCapacity(v.Type))+1, v.ID)
			types[v.Type]++
		}
	}
	assert.Len(t, types, len(VehicleTypes.Values))
	assert.Nil(t, Vehicles("mars"))
	assert.Zero(t, VehicleCapacity("zeppelin"))
}

func TestRoutes(t *testing.T) {
	idRE := regexp.MustCompile(`^RT-(USE|USW|EUC|APS)-[0-9]{2}$`)
	seen := map[string]bool{}
	for _, name := range gen.RegionNames() {
		rs := Routes(name)
		require.Len(t, rs, RoutesPerRegion, name)
		assert.Equal(t, rs, Routes(name))
		for _, rt := range rs {
			assert.Regexp(t, idRE, rt.ID)
			assert.False(t, seen[rt.ID], "duplicate %s", rt.ID)
			seen[rt.ID] = true
			assert.Equal(t, name, rt.Region)
			assert.True(t, strings.HasPrefix(rt.OriginWarehouse, "WH-"+rt.ID[3:6]+"-"), "%s from %s", rt.ID, rt.OriginWarehouse)
			assert.Positive(t, rt.Stops)
			assert.Greater(t, rt.AvgDuration, rt.Stops, rt.ID)
			assert.Positive(t, rt.DistanceKm)
		}
	}
	assert.Nil(t, Routes("mars"))
}

func TestNearPointStaysInRegion(t *testing.T) {
	reg, err := gen.LookupRegion("eu-central")
	require.NoError(t, err)
	r := gen.NewRand(1, 1)
	for range 1000 {
		lat, lon := NearPoint(r, reg, reg.MaxLat, reg.MinLon, 50)
		assert.True(t, reg.Contains(lat, lon), "%f,%f", lat, lon)
	}
}
