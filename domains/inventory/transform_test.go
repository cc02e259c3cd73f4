package inventory_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/inventory"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

func TestDBTProject(t *testing.T) {
	domaintest.CheckDBTProject(t, inventory.Domain())
}

// TestTransformKnownAnswers follows movements from the broker to
// fact_inventory_movements: invalid events never reach the data product,
// outbound movements pick existing order lines exactly once with -qty after
// the order, every key is found in its dimension, and a second run commits
// nothing.
func TestTransformKnownAnswers(t *testing.T) {
	h := domaintest.New(t, inventory.Domain(), "./cmd/inventory", domaintest.Embedded)
	loadOrders(h)
	const region = "eu-central"
	out := h.Run("produce", "--region", region, "--burst", "3000", "--error-rate", "0.05", "--until", "2026-11-20T00:00:00Z", "--since", "5d")
	published, valid := domaintest.Produced(t, out)
	require.Equal(t, 3000, published)
	require.Greater(t, published-valid, 50)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")

	build := h.Run("transform", "build")
	assert.Contains(t, build, "ERROR=0 FAIL=0")
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM inventory.stg_inventory_movements"))
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM inventory.fact_inventory_movements"))
	assert.Equal(t, int64(500), h.Int("SELECT count(*) FROM inventory.dim_product"))
	assert.Equal(t, int64(12), h.Int("SELECT count(*) FROM inventory.dim_warehouse"))
	assert.Equal(t, int64(96), h.Int("SELECT count(*) FROM inventory.dim_employee"))

	// 15 of every 20 movements pick an order line; 3000 events stay within
	// the 4000 lines of the region, so the rest are the other source types.
	outbound := h.Int("SELECT count(*) FROM inventory.fact_inventory_movements WHERE source_type = 'outbound_order'")
	assert.InDelta(t, 0.75*float64(valid), float64(outbound), 0.03*float64(valid))
	for _, st := range []string{"restock", "return_restock", "adjustment", "transfer_in", "transfer_out"} {
		assert.Positive(t, h.Int("SELECT count(*) FROM inventory.fact_inventory_movements WHERE source_type = '"+st+"'"), st)
	}

	// Referential integrity: 100% of outbound order_ids in orders.fact_orders,
	// each line picked once, for -qty, from its warehouse, after the order.
	assert.Equal(t, int64(0), h.Int(`SELECT count(*) FROM inventory.fact_inventory_movements m
		WHERE source_type = 'outbound_order' AND reference_id NOT IN (SELECT order_id FROM orders.fact_orders)`))
	assert.Equal(t, outbound, h.Int(`SELECT count(order_id) FROM inventory.fact_inventory_movements`))
	assert.Equal(t, outbound, h.Int(`SELECT count(DISTINCT reference_id) FROM inventory.fact_inventory_movements WHERE source_type = 'outbound_order'`))
	assert.Equal(t, int64(0), h.Int(`SELECT count(*) FROM inventory.fact_inventory_movements m JOIN orders.fact_orders o ON o.order_id = m.reference_id
		WHERE m.source_type = 'outbound_order'
		  AND (m.delta_qty <> -o.qty OR m.warehouse_id <> o.warehouse_id OR m.product_id <> o.product_id OR m.movement_ts <= o.order_ts)`))
	for _, q := range []string{
		"SELECT count(*) FROM inventory.fact_inventory_movements WHERE product_id NOT IN (SELECT product_id FROM inventory.dim_product)",
		"SELECT count(*) FROM inventory.fact_inventory_movements WHERE warehouse_id NOT IN (SELECT warehouse_id FROM inventory.dim_warehouse)",
		"SELECT count(*) FROM inventory.fact_inventory_movements WHERE employee_id NOT IN (SELECT employee_id FROM inventory.dim_employee)",
		"SELECT count(*) FROM inventory.dim_warehouse WHERE manager NOT IN (SELECT employee_id FROM inventory.dim_employee)",
		"SELECT count(*) FROM inventory.dim_employee WHERE assigned_warehouse NOT IN (SELECT warehouse_id FROM inventory.dim_warehouse)",
	} {
		assert.Equal(t, int64(0), h.Int(q), q)
	}
	// Restocks follow demand: stock on hand grows in the region overall.
	assert.Positive(t, h.Int("SELECT CAST(sum(delta_qty) AS BIGINT) FROM inventory.fact_inventory_movements"))
	// Stock on hand (opening stock plus movements) stays non-negative for
	// (almost) every warehouse and product that moved.
	assert.Equal(t, int64(6000), h.Int("SELECT count(*) FROM inventory.opening_stock"))
	negative := h.Int(`WITH m AS (SELECT warehouse_id, product_id, sum(delta_qty) AS net FROM inventory.fact_inventory_movements GROUP BY ALL)
		SELECT count(*) FROM m JOIN inventory.opening_stock s USING (warehouse_id, product_id) WHERE s.opening_qty + m.net < 0`)
	pairs := h.Int("SELECT count(DISTINCT (warehouse_id, product_id)) FROM inventory.fact_inventory_movements")
	assert.Less(t, float64(negative), 0.02*float64(pairs), "%d of %d warehouse/product pairs below zero", negative, pairs)

	// A second run without new events commits nothing.
	before := h.Snapshots()
	second := h.Run("transform", "run")
	assert.Contains(t, second, "no new rows, nothing committed")
	after := h.Snapshots()
	for _, tbl := range []string{"inventory.stg_inventory_movements", "inventory.fact_inventory_movements", "inventory.dim_product", "inventory.dim_warehouse", "inventory.dim_employee"} {
		assert.Equal(t, before[tbl], after[tbl], "%s got a new snapshot on a run with no new events", tbl)
	}
}
