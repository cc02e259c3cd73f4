package errors_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/errors"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

func TestDBTProject(t *testing.T) {
	domaintest.CheckDBTProject(t, errors.Domain())
}

// TestTransformKnownAnswers follows order errors from the broker to
// fact_order_errors: invalid events never reach the data product, every
// error refers to an existing order line and a catalogued code, is detected
// after its order, error rates differ by channel, and a second run commits
// nothing.
func TestTransformKnownAnswers(t *testing.T) {
	h := domaintest.New(t, errors.Domain(), "./cmd/errors", domaintest.Embedded)
	standInOrders(h)
	const region = "ap-southeast"
	out := h.Run("produce", "--region", region, "--burst", "2000", "--error-rate", "0.05", "--until", "2026-11-20T00:00:00Z", "--since", "5d")
	published, valid := domaintest.Produced(t, out)
	require.Equal(t, 2000, published)
	require.Greater(t, published-valid, 40)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")

	build := h.Run("transform", "build")
	assert.Contains(t, build, "ERROR=0 FAIL=0")
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM errors.stg_order_errors"))
	assert.Equal(t, int64(valid), h.Int("SELECT count(*) FROM errors.fact_order_errors"))
	assert.Equal(t, int64(12), h.Int("SELECT count(*) FROM errors.dim_error_code"))

	// Referential integrity and causality: 100% of order_ids and codes found,
	// severities as catalogued, detected after the order in its warehouse.
	for _, q := range []string{
		"SELECT count(*) FROM errors.fact_order_errors WHERE order_id NOT IN (SELECT order_id FROM orders.fact_orders)",
		"SELECT count(*) FROM errors.fact_order_errors WHERE error_code NOT IN (SELECT error_code FROM errors.dim_error_code)",
		`SELECT count(*) FROM errors.fact_order_errors e JOIN errors.dim_error_code d USING (error_code)
		 WHERE e.severity_level <> d.severity_level`,
		`SELECT count(*) FROM errors.fact_order_errors e JOIN orders.fact_orders o USING (order_id)
		 WHERE e.detected_ts <= o.order_ts OR e.warehouse_id <> o.warehouse_id OR e.channel <> o.channel`,
		// Store sales are picked up and paid at the till: no address errors.
		"SELECT count(*) FROM errors.fact_order_errors WHERE channel = 'store' AND error_code LIKE 'ADDR_%'",
	} {
		assert.Equal(t, int64(0), h.Int(q), q)
	}
	// The stand-in spreads orders evenly over channels, so errors per channel
	// follow the channel error rates: marketplace 0.055, store 0.008.
	byChannel := func(ch string) int64 {
		return h.Int("SELECT count(*) FROM errors.fact_order_errors WHERE channel = '" + ch + "'")
	}
	assert.Greater(t, byChannel("marketplace"), byChannel("web"))
	assert.Greater(t, byChannel("web"), 2*byChannel("store"))
	assert.Greater(t, byChannel("mobile"), byChannel("b2b"))

	// A second run without new events commits nothing.
	before := h.Snapshots()
	second := h.Run("transform", "run")
	assert.Contains(t, second, "no new rows, nothing committed")
	after := h.Snapshots()
	for _, tbl := range []string{"errors.stg_order_errors", "errors.fact_order_errors", "errors.dim_error_code"} {
		assert.Equal(t, before[tbl], after[tbl], "%s got a new snapshot on a run with no new events", tbl)
	}
}
