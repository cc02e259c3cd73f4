package returns_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/returns"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/masterdata"
)

func TestMain(m *testing.M) {
	code := m.Run()
	domaintest.Cleanup()
	os.Exit(code)
}

// loadOrders stands in for the orders data product: per region, order lines
// over the 60 days before the tests' fixed --until, at the region's own
// warehouses, deterministic (ids are hashes of the row number).
func loadOrders(h *domaintest.Harness) {
	var regions []string
	for _, r := range []string{"us-east", "us-west", "eu-central", "ap-southeast"} {
		var wh []string
		for _, w := range masterdata.Warehouses(r) {
			wh = append(wh, "'"+w.ID+"'")
		}
		regions = append(regions, fmt.Sprintf("('%s', [%s])", r, strings.Join(wh, ", ")))
	}
	h.LoadSQL(lakehouse.Ident{Namespace: "orders", Name: "fact_orders"}, fmt.Sprintf(`
WITH regions(region, warehouses) AS (VALUES %s),
lines AS (
    SELECT region, warehouses, i, md5(region || '/' || i) AS h,
           TIMESTAMPTZ '2026-11-20 00:00:00+00' - to_seconds(i * 259) AS order_ts
    FROM regions, range(20000) t(i)
)
SELECT concat_ws('-', substr(h, 1, 8), substr(h, 9, 4), substr(h, 13, 4), substr(h, 17, 4), substr(h, 21, 12)) AS order_id,
       'P-' || lpad(CAST(1 + (i * 7919) %% 500 AS VARCHAR), 5, '0') AS product_id,
       warehouses[1 + i %% 3] AS warehouse_id,
       region,
       CASE i %% 5 WHEN 0 THEN 'mobile' ELSE 'web' END AS channel,
       order_ts,
       order_ts AS event_ts,
       CAST(1 + i %% 4 AS BIGINT) AS qty,
       CAST(5 + (i %% 200) AS DOUBLE) + 0.99 AS unit_price,
       CAST(order_ts AS DATE) AS event_date
FROM lines`, strings.Join(regions, ", ")))
}

func TestIngestGuarantees(t *testing.T) {
	domaintest.RunIngestGuarantees(t, returns.Domain(), "./cmd/returns", domaintest.Options{Upstream: loadOrders})
}

func TestDBTProject(t *testing.T) {
	domaintest.CheckDBTProject(t, returns.Domain())
}

// TestTransformKnownAnswers follows returns from the broker to fact_returns:
// invalid events never reach the data product, every return refers to an
// order of orders.fact_orders received 2 to 30 days after it, apparel comes
// back more than grocery, and a second run commits nothing.
func TestTransformKnownAnswers(t *testing.T) {
	h := domaintest.New(t, returns.Domain(), "./cmd/returns", domaintest.Embedded)
	loadOrders(h)
	const region = "eu-central"
	out := h.Run("produce", "--region", region, "--burst", "3000", "--error-rate", "0.05", "--until", "2026-11-20T00:00:00Z", "--since", "10d")
	published, valid := domaintest.Produced(t, out)
	require.Equal(t, 3000, published, "an upstream of 60 days always has an order to return")
	require.Greater(t, published-valid, 50)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")

	build := h.Run("transform", "build")
	assert.Contains(t, build, "ERROR=0 FAIL=0")
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM returns.stg_returns"))
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM returns.fact_returns"), "one fact row per valid return")
	assert.Equal(t, int64(8), h.Int("SELECT count(*) FROM returns.return_reasons"))

	// Referential integrity and timing against the orders data product.
	assert.Zero(t, h.Int(`SELECT count(*) FROM returns.fact_returns f
		WHERE f.order_id NOT IN (SELECT order_id FROM orders.fact_orders)`), "returns of unknown orders")
	assert.Zero(t, h.Int(`SELECT count(*) FROM returns.fact_returns f JOIN orders.fact_orders o USING (order_id)
		WHERE f.return_ts < o.order_ts + INTERVAL 2 DAY OR f.return_ts > o.order_ts + INTERVAL 30 DAY
		   OR f.qty > o.qty OR f.product_id <> o.product_id OR f.warehouse_id <> o.warehouse_id OR f.region <> o.region`),
		"returns must match their order line and come 2 to 30 days after it")
	assert.Zero(t, h.Int(`SELECT count(*) FROM returns.fact_returns WHERE return_ts > TIMESTAMPTZ '2026-11-20 00:00:00+00'`), "no return from the future")

	// Category-dependent rates: apparel lines come back far more than grocery.
	perCategory := func(category string) int64 {
		var ids []string
		for _, p := range masterdata.Products() {
			if p.Category == category {
				ids = append(ids, "'"+p.ID+"'")
			}
		}
		return h.Int("SELECT count(*) FROM returns.fact_returns WHERE product_id IN (" + strings.Join(ids, ",") + ")")
	}
	apparel, grocery := perCategory("apparel"), perCategory("grocery")
	assert.Greater(t, apparel, 8*grocery, "apparel %d vs grocery %d returns", apparel, grocery)
	assert.Greater(t, h.Int("SELECT count(*) FROM returns.fact_returns WHERE reason_code = 'wrong_size'"),
		h.Int("SELECT count(*) FROM returns.fact_returns WHERE reason_code = 'expired'"))

	// A second run without new events commits nothing.
	before := h.Snapshots()
	second := h.Run("transform", "run")
	assert.Contains(t, second, "no new rows, nothing committed")
	after := h.Snapshots()
	for _, tbl := range []string{"returns.stg_returns", "returns.fact_returns"} {
		assert.Equal(t, before[tbl], after[tbl], "%s got a new snapshot on a run with no new events", tbl)
	}
}
