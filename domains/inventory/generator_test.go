package inventory

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/produce"
)

func TestGenerateMovement(t *testing.T) {
	region, err := gen.LookupRegion("us-west")
	require.NoError(t, err)
	t0 := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	var lines []map[string]any
	for i := range 30 {
		lines = append(lines, map[string]any{
			"order_id":   "00000000-0000-4000-8000-0000000000" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			"product_id": "P-00042", "warehouse_id": "WH-USW-02", "region": "us-west",
			"order_ts": t0.Add(time.Duration(i) * time.Minute), "qty": int64(2),
		})
	}
	r := gen.NewRand(1, 1)
	counts := map[string]int{}
	picked := map[string]int{}
	for seq := range int64(200) {
		ev := GenerateMovement(&produce.Context{Rand: r, Region: region, Time: t0.Add(time.Hour), Seq: seq, Upstream: lines})
		require.NotNil(t, ev)
		st := ev["source_type"].(string)
		counts[st]++
		if st == OutboundOrder {
			picked[ev["reference_id"].(string)]++
			assert.Equal(t, int64(-2), ev["delta_qty"])
			assert.Equal(t, ev["movement_ts"], ev["event_ts"])
		}
	}
	assert.Equal(t, 30, counts[OutboundOrder], "every order line once, then restocks")
	assert.Len(t, picked, 30)
	assert.Equal(t, counts[TransferIn], counts[TransferOut])
	assert.Positive(t, counts[Restock])
	assert.Positive(t, counts[Adjustment])
	assert.Positive(t, counts[ReturnRestock])
}
