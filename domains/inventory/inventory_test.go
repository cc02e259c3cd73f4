package inventory_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/inventory"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

// Outbound movements pick order lines: 4000 per region over the week before
// the bursts' end.
var orders = domaintest.OrdersOptions{PerRegion: 4000, Span: 7 * 24 * time.Hour}

var suite = domaintest.Suite{Domain: inventory.Domain, Upstream: domaintest.Orders(orders)}

func TestMain(m *testing.M) { domaintest.Main(m) }

func TestConformance(t *testing.T) { suite.Run(t) }

// TestTransformKnownAnswers follows movements from the broker to
// fact_inventory_movements: invalid events never reach the data product,
// outbound movements pick existing order lines exactly once with -qty after
// the order, every key is found in its dimension, and a second run commits
// nothing.
func TestTransformKnownAnswers(t *testing.T) {
	in := suite.Transform(t, domaintest.Burst{Region: "eu-central", Events: 3000, Since: "5d"})
	in.AssertRows(map[string]int64{
		"inventory.fact_inventory_movements": int64(in.Valid),
		"inventory.dim_product":              500,
		"inventory.dim_warehouse":            12,
		"inventory.dim_employee":             96,
		"inventory.opening_stock":            6000,
	})

	// 15 of every 20 movements pick an order line; 3000 events stay within
	// the 4000 lines of the region, so the rest are the other source types.
	outbound := in.Int("SELECT count(*) FROM inventory.fact_inventory_movements WHERE source_type = 'outbound_order'")
	assert.InDelta(t, 0.75*float64(in.Valid), float64(outbound), 0.03*float64(in.Valid))
	for _, st := range []string{"restock", "return_restock", "adjustment", "transfer_in", "transfer_out"} {
		assert.Positive(t, in.Int("SELECT count(*) FROM inventory.fact_inventory_movements WHERE source_type = '"+st+"'"), st)
	}

	// Referential integrity: 100% of outbound order_ids in orders.fact_orders,
	// each line picked once, for -qty, from its warehouse, after the order.
	assert.Equal(t, outbound, in.Int(`SELECT count(order_id) FROM inventory.fact_inventory_movements`))
	assert.Equal(t, outbound, in.Int(`SELECT count(DISTINCT reference_id) FROM inventory.fact_inventory_movements WHERE source_type = 'outbound_order'`))
	in.AssertNone(map[string]string{
		"outbound of an unknown order": `SELECT count(*) FROM inventory.fact_inventory_movements m
			WHERE source_type = 'outbound_order' AND reference_id NOT IN (SELECT order_id FROM orders.fact_orders)`,
		"outbound unlike its order line": `SELECT count(*) FROM inventory.fact_inventory_movements m JOIN orders.fact_orders o ON o.order_id = m.reference_id
			WHERE m.source_type = 'outbound_order'
			  AND (m.delta_qty <> -o.qty OR m.warehouse_id <> o.warehouse_id OR m.product_id <> o.product_id OR m.movement_ts <= o.order_ts)`,
		"unknown product":    "SELECT count(*) FROM inventory.fact_inventory_movements WHERE product_id NOT IN (SELECT product_id FROM inventory.dim_product)",
		"unknown warehouse":  "SELECT count(*) FROM inventory.fact_inventory_movements WHERE warehouse_id NOT IN (SELECT warehouse_id FROM inventory.dim_warehouse)",
		"unknown employee":   "SELECT count(*) FROM inventory.fact_inventory_movements WHERE employee_id NOT IN (SELECT employee_id FROM inventory.dim_employee)",
		"unknown manager":    "SELECT count(*) FROM inventory.dim_warehouse WHERE manager NOT IN (SELECT employee_id FROM inventory.dim_employee)",
		"unknown assignment": "SELECT count(*) FROM inventory.dim_employee WHERE assigned_warehouse NOT IN (SELECT warehouse_id FROM inventory.dim_warehouse)",
	})
	// Restocks follow demand (order-up-to): the region's stock on hand stays
	// within 10% of its opening stock.
	percent := in.Int(`WITH o AS (SELECT sum(opening_qty) AS q FROM inventory.opening_stock JOIN inventory.dim_warehouse USING (warehouse_id)
			WHERE region = 'eu-central'),
		m AS (SELECT sum(delta_qty) AS q FROM inventory.fact_inventory_movements)
		SELECT CAST(round(100 * (o.q + m.q) / o.q) AS BIGINT) FROM o, m`)
	assert.InDelta(t, 100, float64(percent), 10, "stock on hand, %% of opening stock")
	// Stock on hand (opening stock plus movements) stays non-negative for
	// (almost) every warehouse and product that moved: the generator's book
	// never goes below zero, only invalid events (dropped on purpose) can
	// make the landed movements do so.
	negative := in.Int(`WITH m AS (SELECT warehouse_id, product_id, sum(delta_qty) AS net FROM inventory.fact_inventory_movements GROUP BY ALL)
		SELECT count(*) FROM m JOIN inventory.opening_stock s USING (warehouse_id, product_id) WHERE s.opening_qty + m.net < 0`)
	pairs := in.Int("SELECT count(DISTINCT (warehouse_id, product_id)) FROM inventory.fact_inventory_movements")
	assert.Less(t, float64(negative), 0.02*float64(pairs), "%d of %d warehouse/product pairs below zero", negative, pairs)
}

// TestGenerateMovement drives the generator over 30 order lines, one a
// minute: 15 of every 20 movements pick the next line (each once, for -qty,
// from its warehouse), the rest restock, put returns back, count and
// transfer; once every line is picked, outbound slots restock.
func TestGenerateMovement(t *testing.T) {
	lines := domaintest.OrderLines(t, "us-west", domaintest.OrdersOptions{PerRegion: 30, Span: 30 * time.Minute})
	byID := domaintest.ByOrderID(lines)
	counts, picked := map[string]int{}, map[string]int{}
	halfAnHourLater := func(int) time.Time { return domaintest.FixedUntil.Add(30 * time.Minute) }
	for _, ev := range domaintest.Generate(t, inventory.Domain, domaintest.Generation{Region: "us-west", N: 200, At: halfAnHourLater, Upstream: lines}) {
		st := ev["source_type"].(string)
		counts[st]++
		if st == inventory.OutboundOrder {
			l := byID[ev["reference_id"].(string)]
			require.NotNil(t, l, "outbound of an unknown order line")
			picked[ev["reference_id"].(string)]++
			assert.Equal(t, -l["qty"].(int64), ev["delta_qty"])
			assert.Equal(t, []any{l["product_id"], l["warehouse_id"]}, []any{ev["product_id"], ev["warehouse_id"]}, "the order line's")
			assert.Equal(t, ev["movement_ts"], ev["event_ts"])
		}
	}
	assert.Equal(t, 30, counts[inventory.OutboundOrder], "every order line once, then restocks")
	assert.Len(t, picked, 30)
	assert.Equal(t, counts[inventory.TransferIn], counts[inventory.TransferOut])
	for _, st := range []string{inventory.Restock, inventory.Adjustment, inventory.ReturnRestock} {
		assert.Positive(t, counts[st], st)
	}
}
