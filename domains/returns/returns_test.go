package returns_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/returns"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

// Returns come 2 to 30 days after their order: 60 days of orders (20000 lines
// per region) cover every return a 10-day burst can make.
var suite = domaintest.Suite{
	Domain:   returns.Domain,
	Upstream: domaintest.Orders(domaintest.OrdersOptions{PerRegion: 20000, Span: 60 * 24 * time.Hour}),
}

func TestMain(m *testing.M) { domaintest.Main(m) }

func TestConformance(t *testing.T) { suite.Run(t) }

// TestTransformKnownAnswers follows returns from the broker to fact_returns:
// invalid events never reach the data product, every return refers to an
// order of orders.fact_orders received 2 to 30 days after it, apparel comes
// back more than grocery, and a second run commits nothing.
func TestTransformKnownAnswers(t *testing.T) {
	in := suite.Transform(t, domaintest.Burst{Region: "eu-central", Events: 3000, Since: "10d"})
	// One fact row per valid return.
	in.AssertRows(map[string]int64{"returns.fact_returns": int64(in.Valid), "returns.return_reasons": 8})

	// Referential integrity and timing against the orders data product.
	in.AssertNone(map[string]string{
		"returns of unknown orders": `SELECT count(*) FROM returns.fact_returns f
			WHERE f.order_id NOT IN (SELECT order_id FROM orders.fact_orders)`,
		"returns must match their order line and come 2 to 30 days after it": `SELECT count(*)
			FROM returns.fact_returns f JOIN orders.fact_orders o USING (order_id)
			WHERE f.return_ts < o.order_ts + INTERVAL 2 DAY OR f.return_ts > o.order_ts + INTERVAL 30 DAY
			   OR f.qty > o.qty OR f.product_id <> o.product_id OR f.warehouse_id <> o.warehouse_id OR f.region <> o.region`,
		"no return from the future": `SELECT count(*) FROM returns.fact_returns WHERE return_ts > TIMESTAMPTZ '2026-11-20 00:00:00+00'`,
	})

	// Category-dependent rates: apparel lines come back far more than grocery.
	perCategory := func(category string) int64 {
		var ids []string
		for id, c := range productCategories(t) {
			if c == category {
				ids = append(ids, "'"+id+"'")
			}
		}
		sort.Strings(ids)
		return in.Int("SELECT count(*) FROM returns.fact_returns WHERE product_id IN (" + strings.Join(ids, ",") + ")")
	}
	apparel, grocery := perCategory("apparel"), perCategory("grocery")
	assert.Greater(t, apparel, 8*grocery, "apparel %d vs grocery %d returns", apparel, grocery)
	assert.Greater(t, in.Int("SELECT count(*) FROM returns.fact_returns WHERE reason_code = 'wrong_size'"),
		in.Int("SELECT count(*) FROM returns.fact_returns WHERE reason_code = 'expired'"))
}

// TestGeneratedReturnsAreValidAndCausal drives the generator over 3000 order
// lines, one every 20 minutes: every return is of one of them, received 2 to
// 30 days after it at the moment produced, for at most the units ordered, and
// apparel comes back far more than grocery.
func TestGeneratedReturnsAreValidAndCausal(t *testing.T) {
	orders := domaintest.OrderLines(t, "us-west", domaintest.OrdersOptions{PerRegion: 3000, Span: 3000 * 20 * time.Minute})
	byID := domaintest.ByOrderID(orders)
	category := productCategories(t)
	perCategory := map[string]int{}
	for _, ev := range domaintest.Generate(t, returns.Domain, domaintest.Generation{Region: "us-west", N: 2000, Upstream: orders}) {
		o := byID[ev["order_id"].(string)]
		require.NotNil(t, o, "return of an unknown order")
		ts, err := time.Parse(time.RFC3339Nano, ev["return_ts"].(string))
		require.NoError(t, err)
		delay := ts.Sub(o["order_ts"].(time.Time))
		assert.True(t, delay >= 2*24*time.Hour && delay <= 30*24*time.Hour, "delay %s", delay)
		assert.Equal(t, domaintest.FixedUntil, ts, "a return is received at the moment produced")
		assert.LessOrEqual(t, ev["qty"].(int64), o["qty"].(int64))
		assert.Equal(t, []any{o["product_id"], o["warehouse_id"], o["region"]}, []any{ev["product_id"], ev["warehouse_id"], ev["region"]}, "the order line's")
		perCategory[category[o["product_id"].(string)]]++
	}
	assert.Greater(t, perCategory["apparel"], 5*perCategory["grocery"], "%v", perCategory)
	// Nothing to return without orders, and orders placed after the moment
	// produced cannot be returned yet.
	domaintest.AssertGeneratesNothing(t, returns.Domain, domaintest.Generation{Region: "us-west", N: 5})
	hundredDaysEarlier := func(int) time.Time { return domaintest.FixedUntil.Add(-100 * 24 * time.Hour) }
	domaintest.AssertGeneratesNothing(t, returns.Domain, domaintest.Generation{Region: "us-west", N: 5, At: hundredDaysEarlier, Upstream: orders})
}

// productCategories maps every product the inventory domain publishes to its
// category.
func productCategories(t *testing.T) map[string]string {
	out := map[string]string{}
	s := domaintest.Published(t, "inventory.products").Scan()
	for s.Next() {
		out[s.String("product_id")] = s.String("category")
	}
	require.NoError(t, s.Err())
	require.Len(t, out, 500)
	return out
}
