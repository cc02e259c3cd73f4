package errors_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/meshterious/warehouse/domains/errors"
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

// standInOrders stands in for orders.fact_orders: 3000 order lines per
// region in the five days before 2026-11-20, spread evenly over the sales
// channels and the region's real warehouses.
func standInOrders(h *domaintest.Harness) {
	var values []string
	for _, region := range gen.RegionNames() {
		for n, w := range masterdata.Warehouses(region) {
			values = append(values, fmt.Sprintf("('%s', '%s', %d)", w.ID, region, n))
		}
	}
	h.LoadSQL(lakehouse.Ident{Namespace: "orders", Name: "fact_orders"}, fmt.Sprintf(`
		SELECT md5('order-' || wh.region || '-' || n)::UUID::VARCHAR           AS order_id,
		       'P-' || lpad(CAST(1 + n * 37 %% 500 AS VARCHAR), 5, '0')     AS product_id,
		       wh.warehouse_id, wh.region,
		       (['store', 'web', 'b2b', 'mobile', 'marketplace'])[1 + n %% 5] AS channel,
		       TIMESTAMPTZ '2026-11-15 00:00:00+00' + INTERVAL (n * 2) MINUTE AS order_ts,
		       TIMESTAMPTZ '2026-11-15 00:00:00+00' + INTERVAL (n * 2) MINUTE AS event_ts,
		       CAST(1 + n %% 3 AS BIGINT)                                   AS qty,
		       DATE '2026-11-15' + CAST(n * 2 / 1440 AS INTEGER)            AS event_date
		FROM range(3000) AS s(n)
		JOIN (VALUES %s) AS wh(warehouse_id, region, slot) ON wh.slot = n %% 3`, strings.Join(values, ", ")))
}

func TestIngestGuarantees(t *testing.T) {
	domaintest.RunIngestGuarantees(t, errors.Domain(), "./cmd/errors", domaintest.Options{Upstream: standInOrders})
}
