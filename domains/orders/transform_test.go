package orders_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/orders"
	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

func TestDBTProject(t *testing.T) {
	domaintest.CheckDBTProject(t, orders.Domain())
}

// TestTransformKnownAnswers follows events from the broker to fact_orders:
// duplicates and invalid events never reach the data product, a second run
// commits nothing, a corrected order replaces its row, a late older event does
// not, and a full refresh rebuilds the same rows.
func TestTransformKnownAnswers(t *testing.T) {
	h := domaintest.New(t, orders.Domain(), "./cmd/orders", domaintest.Embedded)
	const region = "eu-central"
	out := h.Run("produce", "--region", region, "--burst", "3000", "--error-rate", "0.05", "--until", "2026-11-20T00:00:00Z", "--since", "5d")
	published, valid := domaintest.Produced(t, out)
	invalid := published - valid
	require.Greater(t, invalid, 50)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")

	// A producer replays 200 events it had already sent: same event_ids.
	const dups = 200
	replay := h.ExportEvents("orders", fmt.Sprintf("event_id IN (SELECT event_id FROM orders.raw_orders ORDER BY event_id LIMIT %d)", dups), nil)
	h.Run("produce", "--region", region, "--replay", replay)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")
	n := published + dups
	require.Equal(t, int64(valid+dups), h.Int("SELECT count(*) FROM orders.raw_orders"), "the replayed duplicates reached the raw table")

	build := h.Run("transform", "build")
	assert.Contains(t, build, "ERROR=0 FAIL=0")
	distinct := int64(n - dups - invalid)
	assert.Equal(t, distinct, h.Int("SELECT count(*) FROM orders.stg_orders"), "stg_orders = N-K-J")
	assert.Equal(t, distinct, h.Int("SELECT count(DISTINCT event_id) FROM orders.stg_orders"))
	assert.Equal(t, distinct, h.Int("SELECT count(*) FROM orders.fact_orders"), "fact_orders = N-K-J")
	assert.Equal(t, int64(5), h.Int("SELECT count(*) FROM orders.sales_channels"))
	// The artifacts of that real run are dbt's own formats.
	target := filepath.Join(h.Env["MESH_DATA_DIR"], "dbt", "orders", "target")
	for _, v := range dbt.SchemaVersions {
		require.NoError(t, dbt.Validate(target, v), "artifacts of `orders transform build` against dbt %s", v)
	}

	// A second run without new events commits nothing.
	before := h.Snapshots()
	second := h.Run("transform", "run")
	assert.Contains(t, second, "no new rows, nothing committed")
	after := h.Snapshots()
	for _, tbl := range []string{"orders.stg_orders", "orders.fact_orders"} {
		assert.Equal(t, before[tbl], after[tbl], "%s got a new snapshot on a run with no new events", tbl)
	}

	// A corrected order: a new event (new event_id, later event_ts) for an existing order_id.
	victim := h.Query("SELECT order_id, qty FROM orders.fact_orders ORDER BY order_id LIMIT 1")[0]
	orderID, oldQty := victim[0].(string), victim[1].(int64)
	correction := h.ExportEvents("orders", fmt.Sprintf("order_id = '%s'", orderID), func(r map[string]string) {
		r["event_id"] = "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
		r["event_ts"] = "2026-11-24T12:00:00.000000Z"
		r["qty"] = fmt.Sprint(oldQty + 7)
	})
	late := h.ExportEvents("orders", fmt.Sprintf("order_id = '%s'", orderID), func(r map[string]string) {
		r["event_id"] = "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1"
		r["event_ts"] = "2026-11-01T12:00:00.000000Z" // older than every version: must not win
		r["qty"] = "999"
	})
	h.Run("produce", "--region", region, "--replay", correction)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")
	h.Run("produce", "--region", region, "--replay", late)
	h.Run("ingest", "--region", region, "--until-idle", "--quiet")
	h.Run("transform", "build")
	assert.Equal(t, distinct, h.Int("SELECT count(*) FROM orders.fact_orders"), "a correction does not add a row")
	assert.Equal(t, distinct+2, h.Int("SELECT count(*) FROM orders.stg_orders"), "staging keeps every event")
	assert.Equal(t, oldQty+7, h.Int(fmt.Sprintf("SELECT qty FROM orders.fact_orders WHERE order_id = '%s'", orderID)))

	// A full refresh rebuilds the same rows.
	fingerprint := func() string {
		rows := h.Query("SELECT order_id, qty, line_amount, event_id, event_date FROM orders.fact_orders ORDER BY order_id")
		return fmt.Sprint(rows)
	}
	was := fingerprint()
	refreshed := h.Run("transform", "build", "--full-refresh")
	assert.Contains(t, refreshed, "ERROR=0 FAIL=0")
	assert.Equal(t, was, fingerprint())
	assert.True(t, strings.Contains(refreshed, "CREATE"), refreshed)
}
