package errors_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/errors"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

// Errors are detected on the order lines placed just before: 3000 lines per
// region over the 5 days of the bursts, dealt evenly to the sales channels so
// that errors per channel follow the channel error rates.
var suite = domaintest.Suite{Domain: errors.Domain, Upstream: domaintest.Orders(domaintest.OrdersOptions{
	PerRegion: 3000, Span: 5 * 24 * time.Hour, Channels: domaintest.SalesChannels,
})}

func TestMain(m *testing.M) { domaintest.Main(m) }

func TestConformance(t *testing.T) { suite.Run(t) }

// TestTransformKnownAnswers follows order errors from the broker to
// fact_order_errors: invalid events never reach the data product, every
// error refers to an existing order line and a catalogued code, is detected
// after its order, error rates differ by channel, and a second run commits
// nothing.
func TestTransformKnownAnswers(t *testing.T) {
	in := suite.Transform(t, domaintest.Burst{Region: "ap-southeast", Events: 2000, Since: "5d"})
	// Referential integrity and causality: 100% of order_ids and codes found,
	// severities as catalogued, detected after the order in its warehouse.
	in.AssertNone(map[string]string{
		"unknown order": "SELECT count(*) FROM errors.fact_order_errors WHERE order_id NOT IN (SELECT order_id FROM orders.fact_orders)",
		"unknown code":  "SELECT count(*) FROM errors.fact_order_errors WHERE error_code NOT IN (SELECT error_code FROM errors.dim_error_code)",
		"severity": `SELECT count(*) FROM errors.fact_order_errors e JOIN errors.dim_error_code d USING (error_code)
			WHERE e.severity_level <> d.severity_level`,
		"not the order's": `SELECT count(*) FROM errors.fact_order_errors e JOIN orders.fact_orders o USING (order_id)
			WHERE e.detected_ts <= o.order_ts OR e.warehouse_id <> o.warehouse_id OR e.channel <> o.channel`,
		// Store sales are picked up and paid at the till: no address errors.
		"address error in store": "SELECT count(*) FROM errors.fact_order_errors WHERE channel = 'store' AND error_code LIKE 'ADDR_%'",
	})
	// One fact row per valid error; the catalogue's 12 codes.
	in.AssertRows(map[string]int64{"errors.fact_order_errors": int64(in.Valid), "errors.dim_error_code": 12})

	// The stand-in spreads orders evenly over channels, so errors per channel
	// follow the channel error rates: marketplace 0.055, store 0.008.
	byChannel := func(ch string) int64 {
		return in.Int("SELECT count(*) FROM errors.fact_order_errors WHERE channel = '" + ch + "'")
	}
	assert.Greater(t, byChannel("marketplace"), byChannel("web"))
	assert.Greater(t, byChannel("web"), 2*byChannel("store"))
	assert.Greater(t, byChannel("mobile"), byChannel("b2b"))
}

// TestGenerateOrderError drives the generator over 500 order lines, one every
// 3 minutes, dealt to the channels in turn: every error is detected on one of
// them after it was placed, store sales never have address or payment-timeout
// errors, and errors per channel follow the channel error rates.
func TestGenerateOrderError(t *testing.T) {
	lines := domaintest.OrderLines(t, "eu-central", domaintest.OrdersOptions{PerRegion: 500, Span: 1500 * time.Minute, Channels: domaintest.SalesChannels})
	byID := domaintest.ByOrderID(lines)
	// Detected 500 to 1500 minutes after the last order line.
	at := func(i int) time.Time { return domaintest.FixedUntil.Add(time.Duration(500+i%1000) * time.Minute) }
	perChannel := map[string]int{}
	for i, ev := range domaintest.Generate(t, errors.Domain, domaintest.Generation{Region: "eu-central", N: 5000, At: at, Upstream: lines}) {
		l := byID[ev["order_id"].(string)]
		require.NotNil(t, l, "error on an unknown order line")
		assert.Equal(t, []any{l["channel"], l["warehouse_id"]}, []any{ev["channel"], ev["warehouse_id"]}, "the order line's")
		perChannel[ev["channel"].(string)]++
		detected, err := time.Parse(time.RFC3339Nano, ev["detected_ts"].(string))
		require.NoError(t, err)
		assert.True(t, detected.After(l["order_ts"].(time.Time)), "detected before the order")
		assert.False(t, detected.After(at(i)), "detected after the event time")
		if ev["channel"] == "store" {
			assert.NotContains(t, []string{"ADDR_INVALID", "ADDR_UNDELIVERABLE", "PAYMENT_TIMEOUT"}, ev["error_code"])
		}
	}
	assert.Greater(t, perChannel["marketplace"], perChannel["web"])
	assert.Greater(t, perChannel["web"], 3*perChannel["store"])
	domaintest.AssertGeneratesNothing(t, errors.Domain, domaintest.Generation{Region: "eu-central", N: 5}) // without order lines
}
