package orders

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
	"github.com/meshterious/warehouse/platform/produce"
)

func TestGeneratedOrdersAreValidAndRegional(t *testing.T) {
	d := Domain()
	c := d.Contracts["orders"]
	require.NotNil(t, c)
	for _, name := range d.Spec.Regions {
		region, err := gen.LookupRegion(name)
		require.NoError(t, err)
		r := gen.NewRand(gen.DefaultSeed("orders", "orders"), 0)
		warehouses := map[string]bool{}
		for _, w := range masterdata.Warehouses(name) {
			warehouses[w.ID] = true
		}
		channels := map[string]int{}
		for i := 0; i < 2000; i++ {
			now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
			ev := GenerateOrder(&produce.Context{Rand: r, Region: region, Time: now, Seq: int64(i)})
			ev["event_id"], ev["event_ts"], ev["event_type"] = r.UUID().String(), produce.Timestamp(now), "orders"
			body := produce.MarshalOrdered(c, ev)
			_, err := c.Decode(body)
			require.NoError(t, err, "%s", body)
			assert.True(t, region.Contains(ev["customer_lat"].(float64), ev["customer_lon"].(float64)), "customer outside %s", name)
			assert.True(t, warehouses[ev["warehouse_id"].(string)], "warehouse %s is not in %s", ev["warehouse_id"], name)
			assert.Equal(t, name, ev["region"])
			channels[ev["channel"].(string)]++
		}
		assert.Greater(t, channels["web"], channels["mobile"], "web is the biggest channel")
		assert.Greater(t, channels["mobile"], channels["b2b"])
	}
}

func TestDomainDeclaration(t *testing.T) {
	d := Domain()
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
