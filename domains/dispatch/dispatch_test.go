package dispatch_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/dispatch"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/masterdata"
)

func TestMain(m *testing.M) {
	code := m.Run()
	domaintest.Cleanup()
	os.Exit(code)
}

// standInOrders stands in for the orders data product in every region: 20000
// order lines each, one every 4m19s over the 60 days before the tests' fixed
// --until, spread over the region's warehouses; ids are hashes, so the
// stand-in is the same on every run.
func standInOrders(h *domaintest.Harness) {
	var values []string
	for _, region := range []string{"us-east", "us-west", "eu-central", "ap-southeast"} {
		for i, w := range masterdata.Warehouses(region) {
			values = append(values, fmt.Sprintf("('%s', %d, '%s')", region, i, w.ID))
		}
	}
	h.LoadSQL(lakehouse.Ident{Namespace: "orders", Name: "fact_orders"}, `
WITH warehouses(region, slot, warehouse_id) AS (VALUES `+strings.Join(values, ", ")+`),
numbered AS (
    SELECT region, n, md5('order/' || region || '/' || n) AS h,
           TIMESTAMPTZ '2026-11-20 00:00:00+00' - to_seconds(n * 259) AS order_ts
    FROM (SELECT DISTINCT region FROM warehouses) r, range(20000) t(n)
)
SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12) AS order_id,
       printf('P-%05d', 1 + (n * 31) % 500) AS product_id,
       w.warehouse_id, o.region,
       CASE WHEN n % 7 = 0 THEN 'store' ELSE 'web' END AS channel,
       order_ts, order_ts AS event_ts,
       CAST(1 + n % 3 AS BIGINT) AS qty,
       9.5 + CAST(n % 90 AS DOUBLE) AS unit_price,
       CAST(order_ts AS DATE) AS event_date
FROM numbered o JOIN warehouses w ON w.region = o.region AND w.slot = o.n % 3`)
}

// standInFleet stands in for the fleet's dim_vehicle, from the shared master data.
func standInFleet(h *domaintest.Harness) {
	var values []string
	for _, region := range []string{"us-east", "us-west", "eu-central", "ap-southeast"} {
		for _, v := range masterdata.Vehicles(region) {
			values = append(values, fmt.Sprintf("('%s', '%s', '%s', '%s')", v.ID, v.Type, region, v.HomeWarehouse))
		}
	}
	h.LoadSQL(lakehouse.Ident{Namespace: "fleet", Name: "dim_vehicle"},
		"SELECT * FROM (VALUES "+strings.Join(values, ", ")+") v(vehicle_id, type, region, home_warehouse)")
}

// upstream loads the data products the dispatch domain reads.
func upstream(h *domaintest.Harness) {
	standInOrders(h)
	standInFleet(h)
}

func TestIngestGuarantees(t *testing.T) {
	domaintest.RunIngestGuarantees(t, dispatch.Domain(), "./cmd/dispatch", domaintest.Options{Upstream: upstream})
}

func TestDBTProject(t *testing.T) {
	domaintest.CheckDBTProject(t, dispatch.Domain())
}

// TestTransformKnownAnswers follows dispatch logs from the broker to
// fact_dispatch_logs: one row per dispatch with its latest status, every
// dispatch of an existing order with a vehicle of its warehouse, statuses in
// a valid sequence, plausible on-time rates, and a second run commits nothing.
func TestTransformKnownAnswers(t *testing.T) {
	h := domaintest.New(t, dispatch.Domain(), "./cmd/dispatch", domaintest.Embedded)
	upstream(h)
	const region = "eu-central"
	out := h.Run("produce", "--region", region, "--burst", "3000", "--error-rate", "0.05", "--until", "2026-11-20T00:00:00Z", "--since", "5d")
	published, valid := domaintest.Produced(t, out)
	require.Equal(t, 3000, published, "an upstream of 60 days always has a status due")
	require.Greater(t, published-valid, 50)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")

	build := h.Run("transform", "build")
	assert.Contains(t, build, "ERROR=0 FAIL=0")
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM dispatch.stg_dispatch_logs"))
	dispatches := h.Int("SELECT count(DISTINCT dispatch_id) FROM dispatch.stg_dispatch_logs")
	assert.Equal(t, dispatches, h.Int("SELECT count(*) FROM dispatch.fact_dispatch_logs"), "one fact row per dispatch")
	assert.Less(t, dispatches, int64(valid), "dispatches log several statuses")
	assert.Equal(t, dispatches, h.Int("SELECT count(DISTINCT order_id) FROM dispatch.fact_dispatch_logs"), "one dispatch per order line")

	// Referential integrity against the orders data product and the fleet.
	assert.Zero(t, h.Int(`SELECT count(*) FROM dispatch.fact_dispatch_logs
		WHERE order_id NOT IN (SELECT order_id FROM orders.fact_orders)`), "dispatches of unknown orders")
	assert.Zero(t, h.Int(`SELECT count(*) FROM dispatch.stg_dispatch_logs d JOIN orders.fact_orders o USING (order_id)
		WHERE d.status_ts < o.order_ts OR d.warehouse_id <> o.warehouse_id OR d.region <> o.region
		   OR d.eta <= o.order_ts OR d.status_ts > TIMESTAMPTZ '2026-11-20 00:00:00+00'`), "statuses before the order or from the future")
	assert.Zero(t, h.Int(`SELECT count(*) FROM dispatch.fact_dispatch_logs f
		WHERE NOT EXISTS (SELECT 1 FROM fleet.dim_vehicle v
		                  WHERE v.vehicle_id = f.vehicle_id AND v.home_warehouse = f.warehouse_id)`),
		"vehicles must exist and be based at the dispatching warehouse")

	// Every dispatch's statuses form a valid journey: in time order along the
	// allowed transitions (a status lost to an injected error leaves a gap in
	// status_seq, and only consecutive statuses are compared).
	assert.Zero(t, h.Int(`WITH s AS (
		SELECT dispatch_id, status, status_seq,
		       lag(status) OVER (PARTITION BY dispatch_id ORDER BY status_ts) AS prev,
		       lag(status_seq) OVER (PARTITION BY dispatch_id ORDER BY status_ts) AS prev_seq
		FROM dispatch.stg_dispatch_logs)
		SELECT count(*) FROM s WHERE status_seq <= prev_seq OR (coalesce(prev_seq, 0) = status_seq - 1 AND coalesce(prev, '-') || '>' || status NOT IN (
		    '->picked', 'picked>packed', 'packed>loaded', 'loaded>in_transit', 'in_transit>delivered',
		    'in_transit>delayed', 'in_transit>failed_attempt', 'delayed>delivered', 'failed_attempt>delivered'))`),
		"invalid status sequences")
	assert.Less(t, h.Int(`SELECT count(*) FROM (SELECT dispatch_id, status_seq - lag(status_seq) OVER (PARTITION BY dispatch_id ORDER BY status_ts) AS step
		FROM dispatch.stg_dispatch_logs) WHERE step > 1`), int64(published-valid+1), "gaps only where an injected error dropped a status")
	assert.Zero(t, h.Int(`SELECT count(*) FROM dispatch.fact_dispatch_logs f
		WHERE status_seq <> (SELECT max(status_seq) FROM dispatch.stg_dispatch_logs s WHERE s.dispatch_id = f.dispatch_id)`),
		"the fact keeps the latest status")

	delivered := h.Int("SELECT count(*) FROM dispatch.fact_dispatch_logs WHERE status = 'delivered'")
	onTime := h.Int("SELECT count(*) FROM dispatch.fact_dispatch_logs WHERE delivered_on_time")
	require.Greater(t, delivered, int64(100))
	share := float64(onTime) / float64(delivered)
	assert.True(t, share > 0.8 && share < 0.99, "on-time share %.3f", share)
	assert.Zero(t, h.Int("SELECT count(*) FROM dispatch.fact_dispatch_logs WHERE status <> 'delivered' AND delivered_on_time IS NOT NULL"))

	// A second run without new events commits nothing.
	before := h.Snapshots()
	second := h.Run("transform", "run")
	assert.Contains(t, second, "no new rows, nothing committed")
	after := h.Snapshots()
	for _, tbl := range []string{"dispatch.stg_dispatch_logs", "dispatch.fact_dispatch_logs"} {
		assert.Equal(t, before[tbl], after[tbl], "%s got a new snapshot on a run with no new events", tbl)
	}
}
