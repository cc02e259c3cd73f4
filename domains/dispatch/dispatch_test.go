package dispatch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/dispatch"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

// Dispatch logs the journeys of order lines (60 days of them, 20000 per
// region, so a status is always due) with the fleet's vehicles.
func upstream(h *domaintest.Harness) {
	domaintest.SeedOrders(h, domaintest.OrdersOptions{PerRegion: 20000, Span: 60 * 24 * time.Hour})
	domaintest.SeedVehicles(h)
}

var suite = domaintest.Suite{Domain: dispatch.Domain, Upstream: upstream}

func TestMain(m *testing.M) { domaintest.Main(m) }

func TestConformance(t *testing.T) { suite.Run(t) }

// TestTransformKnownAnswers follows dispatch logs from the broker to
// fact_dispatch_logs: one row per dispatch with its latest status, every
// dispatch of an existing order with a vehicle of its warehouse, statuses in
// a valid sequence, plausible on-time rates, and a second run commits nothing.
func TestTransformKnownAnswers(t *testing.T) {
	in := suite.Transform(t, domaintest.Burst{Region: "eu-central", Events: 3000, Since: "5d"})
	published, valid := in.Published, in.Valid
	dispatches := in.Int("SELECT count(DISTINCT dispatch_id) FROM dispatch.stg_dispatch_logs")
	assert.Equal(t, dispatches, in.Count("dispatch.fact_dispatch_logs"), "one fact row per dispatch")
	assert.Less(t, dispatches, int64(valid), "dispatches log several statuses")
	assert.Equal(t, dispatches, in.Int("SELECT count(DISTINCT order_id) FROM dispatch.fact_dispatch_logs"), "one dispatch per order line")

	// Referential integrity against the orders data product and the fleet,
	// and every dispatch's statuses form a valid journey: in time order along
	// the allowed transitions (a status lost to an injected error leaves a gap
	// in status_seq, and only consecutive statuses are compared).
	in.AssertNone(map[string]string{
		"dispatches of unknown orders": `SELECT count(*) FROM dispatch.fact_dispatch_logs
			WHERE order_id NOT IN (SELECT order_id FROM orders.fact_orders)`,
		"statuses before the order or from the future": `SELECT count(*)
			FROM dispatch.stg_dispatch_logs d JOIN orders.fact_orders o USING (order_id)
			WHERE d.status_ts < o.order_ts OR d.warehouse_id <> o.warehouse_id OR d.region <> o.region
			   OR d.eta <= o.order_ts OR d.status_ts > TIMESTAMPTZ '2026-11-20 00:00:00+00'`,
		"vehicles must exist and be based at the dispatching warehouse": `SELECT count(*) FROM dispatch.fact_dispatch_logs f
			WHERE NOT EXISTS (SELECT 1 FROM fleet.dim_vehicle v
			                  WHERE v.vehicle_id = f.vehicle_id AND v.home_warehouse = f.warehouse_id)`,
		"invalid status sequences": `WITH s AS (
			SELECT dispatch_id, status, status_seq,
			       lag(status) OVER (PARTITION BY dispatch_id ORDER BY status_ts) AS prev,
			       lag(status_seq) OVER (PARTITION BY dispatch_id ORDER BY status_ts) AS prev_seq
			FROM dispatch.stg_dispatch_logs)
			SELECT count(*) FROM s WHERE status_seq <= prev_seq OR (coalesce(prev_seq, 0) = status_seq - 1 AND coalesce(prev, '-') || '>' || status NOT IN (
			    '->picked', 'picked>packed', 'packed>loaded', 'loaded>in_transit', 'in_transit>delivered',
			    'in_transit>delayed', 'in_transit>failed_attempt', 'delayed>delivered', 'failed_attempt>delivered'))`,
		"the fact keeps the latest status": `SELECT count(*) FROM dispatch.fact_dispatch_logs f
			WHERE status_seq <> (SELECT max(status_seq) FROM dispatch.stg_dispatch_logs s WHERE s.dispatch_id = f.dispatch_id)`,
		"on time before delivery": "SELECT count(*) FROM dispatch.fact_dispatch_logs WHERE status <> 'delivered' AND delivered_on_time IS NOT NULL",
	})
	assert.Less(t, in.Int(`SELECT count(*) FROM (SELECT dispatch_id, status_seq - lag(status_seq) OVER (PARTITION BY dispatch_id ORDER BY status_ts) AS step
		FROM dispatch.stg_dispatch_logs) WHERE step > 1`), int64(published-valid+1), "gaps only where an injected error dropped a status")

	delivered := in.Int("SELECT count(*) FROM dispatch.fact_dispatch_logs WHERE status = 'delivered'")
	onTime := in.Int("SELECT count(*) FROM dispatch.fact_dispatch_logs WHERE delivered_on_time")
	require.Greater(t, delivered, int64(100))
	share := float64(onTime) / float64(delivered)
	assert.True(t, share > 0.8 && share < 0.99, "on-time share %.3f", share)
}
