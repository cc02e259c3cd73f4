package fleet_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/fleet"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/masterdata"
)

func TestMain(m *testing.M) {
	code := m.Run()
	domaintest.Cleanup()
	os.Exit(code)
}

func TestIngestGuarantees(t *testing.T) {
	domaintest.RunIngestGuarantees(t, fleet.Domain(), "./cmd/fleet")
}

func TestDBTProject(t *testing.T) {
	domaintest.CheckDBTProject(t, fleet.Domain())
}

// TestTransformKnownAnswers follows a burst from the broker to
// fact_vehicle_routes: invalid events never reach the data product, every
// assignment joins its vehicle, route and date, the dimensions hold the master
// data, and a second run commits nothing.
func TestTransformKnownAnswers(t *testing.T) {
	h := domaintest.New(t, fleet.Domain(), "./cmd/fleet", domaintest.Embedded)
	const region = "us-west"
	out := h.Run("produce", "--region", region, "--burst", "2000", "--error-rate", "0.05", "--until", "2026-11-20T00:00:00Z", "--since", "7d")
	published, valid := domaintest.Produced(t, out)
	require.Greater(t, published-valid, 30)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")

	build := h.Run("transform", "build")
	assert.Contains(t, build, "ERROR=0 FAIL=0")
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM fleet.stg_vehicle_routes"))
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM fleet.fact_vehicle_routes"))

	vehicles, routes := 0, 0
	for _, r := range []string{"us-east", "us-west", "eu-central", "ap-southeast"} {
		vehicles += len(masterdata.Vehicles(r))
		routes += len(masterdata.Routes(r))
	}
	assert.Equal(t, int64(vehicles), h.Int("SELECT count(*) FROM fleet.dim_vehicle"))
	assert.Equal(t, int64(routes), h.Int("SELECT count(*) FROM fleet.dim_route"))

	// Referential integrity: 100% of the fact's keys are in the dimensions,
	// and every vehicle starts from its route's origin warehouse.
	for what, q := range map[string]string{
		"vehicle": "SELECT count(*) FROM fleet.fact_vehicle_routes f WHERE f.vehicle_id NOT IN (SELECT vehicle_id FROM fleet.dim_vehicle)",
		"route":   "SELECT count(*) FROM fleet.fact_vehicle_routes f WHERE f.route_id NOT IN (SELECT route_id FROM fleet.dim_route)",
		"origin": `SELECT count(*) FROM fleet.fact_vehicle_routes f JOIN fleet.dim_vehicle v USING (vehicle_id)
			JOIN fleet.dim_route r USING (route_id) WHERE v.home_warehouse <> r.origin_warehouse OR r.region_covered <> f.region`,
		"location": "SELECT count(*) FROM fleet.fact_vehicle_routes WHERE location <> CAST(lat AS VARCHAR) || ',' || CAST(lon AS VARCHAR)",
	} {
		assert.Zero(t, h.Int(q), what)
	}
	// Busy routes: the Zipf-weighted first route runs more tours than the last.
	assert.Greater(t, h.Int("SELECT count(*) FROM fleet.fact_vehicle_routes WHERE route_id = 'RT-USW-01'"),
		h.Int("SELECT count(*) FROM fleet.fact_vehicle_routes WHERE route_id = 'RT-USW-10'"))

	// A second run without new events commits nothing.
	before := h.Snapshots()
	second := h.Run("transform", "run")
	assert.Contains(t, second, "no new rows, nothing committed")
	after := h.Snapshots()
	for tbl := range before {
		if strings.Contains(tbl, "_vehicle_routes") {
			assert.Equal(t, before[tbl], after[tbl], "%s got a new snapshot on a run with no new events", tbl)
		}
	}
}
