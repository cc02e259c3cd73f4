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
	"github.com/meshterious/warehouse/platform/gen"
)

// Orders read no other domain; returns, dispatch, inventory and errors read
// orders.fact_orders, through its stand-in in their tests. Orders is the
// reference domain: its suite runs the ingestion guarantees at full scale.
var suite = domaintest.Suite{
	Domain:    orders.Domain,
	StandIns:  []func(*domaintest.Harness){domaintest.Orders(domaintest.OrdersOptions{PerRegion: 100})},
	Reference: true,
}

func TestMain(m *testing.M) { domaintest.Main(m) }

func TestConformance(t *testing.T) { suite.Run(t) }

// TestTransformKnownAnswers follows events from the broker to fact_orders:
// duplicates and invalid events never reach the data product, a second run
// commits nothing, a corrected order replaces its row, a late older event does
// not, and a full refresh rebuilds the same rows.
func TestTransformKnownAnswers(t *testing.T) {
	in := suite.Transform(t, domaintest.Burst{Region: "eu-central", Events: 3000, Since: "5d", Duplicates: 200})
	// N events published, K of them replayed duplicates, J invalid: N-K-J order lines.
	n, k, j := in.Published+in.Duplicates, in.Duplicates, in.Published-in.Valid
	distinct := int64(n - k - j)
	in.AssertRows(map[string]int64{"orders.fact_orders": distinct, "orders.sales_channels": 5})
	// The artifacts of that real run are dbt's own formats.
	target := filepath.Join(in.Env["MESH_DATA_DIR"], "dbt", "orders", "target")
	for _, v := range dbt.SchemaVersions {
		require.NoError(t, dbt.Validate(target, v), "artifacts of `orders transform build` against dbt %s", v)
	}

	// A corrected order: a new event (new event_id, later event_ts) for an existing order_id.
	victim := in.Query("SELECT order_id, qty FROM orders.fact_orders ORDER BY order_id LIMIT 1")[0]
	orderID, oldQty := victim[0].(string), victim[1].(int64)
	correction := in.ExportEvents("orders", fmt.Sprintf("order_id = '%s'", orderID), func(r map[string]string) {
		r["event_id"] = "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
		r["event_ts"] = "2026-11-24T12:00:00.000000Z"
		r["qty"] = fmt.Sprint(oldQty + 7)
	})
	late := in.ExportEvents("orders", fmt.Sprintf("order_id = '%s'", orderID), func(r map[string]string) {
		r["event_id"] = "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1"
		r["event_ts"] = "2026-11-01T12:00:00.000000Z" // older than every version: must not win
		r["qty"] = "999"
	})
	in.Replay(correction)
	in.Replay(late)
	in.Build()
	assert.Equal(t, distinct, in.Count("orders.fact_orders"), "a correction does not add a row")
	assert.Equal(t, distinct+2, in.Count("orders.stg_orders"), "staging keeps every event")
	assert.Equal(t, oldQty+7, in.Int(fmt.Sprintf("SELECT qty FROM orders.fact_orders WHERE order_id = '%s'", orderID)))

	// A full refresh rebuilds the same rows.
	fingerprint := func() string {
		rows := in.Query("SELECT order_id, qty, line_amount, event_id, event_date FROM orders.fact_orders ORDER BY order_id")
		return fmt.Sprint(rows)
	}
	was := fingerprint()
	refreshed := in.Build("--full-refresh")
	assert.Equal(t, was, fingerprint())
	assert.True(t, strings.Contains(refreshed, "CREATE"), refreshed)
}

func TestGeneratedOrdersAreValidAndRegional(t *testing.T) {
	for _, name := range orders.Domain().Spec.Regions {
		t.Run(name, func(t *testing.T) {
			region, err := gen.LookupRegion(name)
			require.NoError(t, err)
			warehouses := map[string]bool{}
			s := domaintest.Published(t, "inventory.warehouses").Scan()
			for s.Next() {
				if s.String("region") == name {
					warehouses[s.String("warehouse_id")] = true
				}
			}
			require.NoError(t, s.Err())
			require.Len(t, warehouses, 3, "the published warehouses of %s", name)
			channels := map[string]int{}
			for _, ev := range domaintest.Generate(t, orders.Domain, domaintest.Generation{Region: name, N: 2000}) {
				assert.True(t, region.Contains(ev["customer_lat"].(float64), ev["customer_lon"].(float64)), "customer outside %s", name)
				assert.True(t, warehouses[ev["warehouse_id"].(string)], "warehouse %s is not in %s", ev["warehouse_id"], name)
				assert.Equal(t, name, ev["region"])
				channels[ev["channel"].(string)]++
			}
			assert.Greater(t, channels["web"], channels["mobile"], "web is the biggest channel")
			assert.Greater(t, channels["mobile"], channels["b2b"])
		})
	}
}

func TestDomainDeclaration(t *testing.T) {
	d := orders.Domain()
	assert.Equal(t, "orders", d.Name())
	id, err := d.RawTable("orders")
	require.NoError(t, err)
	assert.Equal(t, "orders.raw_orders", id.String())
	_, err = d.Regions("mars")
	assert.ErrorContains(t, err, "operates in")
	all, err := d.Regions("all")
	require.NoError(t, err)
	assert.Len(t, all, 4)
	assert.True(t, strings.HasPrefix(d.Spec.Owners.GitHub[0], "@"))
}
