package returns

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
	"github.com/meshterious/warehouse/platform/produce"
)

func TestGeneratedReturnsAreValidAndCausal(t *testing.T) {
	d := Domain()
	c := d.Contracts["returns"]
	require.NotNil(t, c)
	region, err := gen.LookupRegion("us-west")
	require.NoError(t, err)
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	products := masterdata.Products()
	var orders []map[string]any
	for i := 0; i < 3000; i++ {
		orders = append(orders, map[string]any{
			"order_id": gen.NewRand(1, uint64(i)).UUID().String(), "product_id": products[i%len(products)].ID,
			"warehouse_id": "WH-USW-01", "region": "us-west", "qty": int64(1 + i%3), "unit_price": 19.99,
			"order_ts": now.Add(-time.Duration(i) * 20 * time.Minute),
		})
	}
	byID := map[string]map[string]any{}
	for _, o := range orders {
		byID[o["order_id"].(string)] = o
	}
	category := map[string]string{}
	for _, p := range products {
		category[p.ID] = p.Category
	}
	r := gen.NewRand(gen.DefaultSeed("returns", "returns"), 0)
	perCategory := map[string]int{}
	for i := 0; i < 2000; i++ {
		ev := GenerateReturn(&produce.Context{Rand: r, Region: region, Time: now, Seq: int64(i), Upstream: orders})
		require.NotNil(t, ev)
		ev["event_id"], ev["event_type"] = r.UUID().String(), "returns"
		body := produce.MarshalOrdered(c, ev)
		_, err := c.Decode(body)
		require.NoError(t, err, "%s", body)
		o := byID[ev["order_id"].(string)]
		require.NotNil(t, o, "return of an unknown order")
		ts, err := time.Parse(time.RFC3339Nano, ev["return_ts"].(string))
		require.NoError(t, err)
		delay := ts.Sub(o["order_ts"].(time.Time))
		assert.True(t, delay >= 2*24*time.Hour && delay <= 30*24*time.Hour, "delay %s", delay)
		assert.Equal(t, now, ts, "a return is received at the moment produced")
		assert.LessOrEqual(t, ev["qty"].(int64), o["qty"].(int64))
		perCategory[category[o["product_id"].(string)]]++
	}
	assert.Greater(t, perCategory["apparel"], 5*perCategory["grocery"], "%v", perCategory)
	assert.Zero(t, delayLikelihood(36*time.Hour, "us-east"), "nothing comes back before delivery")
	assert.Greater(t, delayLikelihood(7*24*time.Hour, "us-east"), delayLikelihood(25*24*time.Hour, "us-east"), "most returns come in the first week")
	assert.Nil(t, GenerateReturn(&produce.Context{Rand: r, Region: region, Time: now, Upstream: nil}))
	// Orders placed after the moment produced cannot be returned yet.
	assert.Nil(t, GenerateReturn(&produce.Context{Rand: r, Region: region, Time: now.Add(-100 * 24 * time.Hour), Upstream: orders}))
}
