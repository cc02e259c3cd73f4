package inventory_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/meshterious/warehouse/domains/inventory"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/masterdata"
)

func TestMain(m *testing.M) {
	code := m.Run()
	domaintest.Cleanup()
	os.Exit(code)
}

// ordersPerRegion is the size of the orders.fact_orders stand-in per region.
const ordersPerRegion = 4000

// loadOrders stands in for the orders domain's data product: order lines of
// every region over the week before 2026-11-20, on the real warehouses and
// products, so that outbound movements have lines to pick.
func loadOrders(h *domaintest.Harness) {
	var wh []string
	for _, r := range gen.RegionNames() {
		for i, w := range masterdata.Warehouses(r) {
			wh = append(wh, fmt.Sprintf("('%s', %d, '%s')", r, i, w.ID))
		}
	}
	h.LoadSQL(lakehouse.Ident{Namespace: "orders", Name: "fact_orders"}, `
		WITH w(region, idx, warehouse_id) AS (VALUES `+strings.Join(wh, ", ")+`),
		lines AS (
			SELECT i, region, warehouse_id,
			       TIMESTAMPTZ '2026-11-13 00:00:00+00' + to_seconds(i * 150 + hash(i) % 120) AS order_ts
			FROM range(`+fmt.Sprint(ordersPerRegion)+`) t(i) JOIN w ON w.idx = i % 3
		)
		SELECT CAST(md5(region || '/' || i) AS UUID)::VARCHAR           AS order_id,
		       printf('P-%05d', 1 + (i * 7919) % 500)                   AS product_id,
		       warehouse_id, region,
		       ['web', 'mobile', 'store', 'marketplace', 'b2b'][1 + i % 5] AS channel,
		       order_ts, order_ts                                       AS event_ts,
		       CAST(1 + i % 4 AS BIGINT)                                AS qty,
		       CAST(order_ts AS DATE)                                   AS event_date
		FROM lines`)
}

func TestIngestGuarantees(t *testing.T) {
	domaintest.RunIngestGuarantees(t, inventory.Domain(), "./cmd/inventory", domaintest.Options{Upstream: loadOrders})
}
