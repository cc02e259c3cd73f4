package errors

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/produce"
)

func TestGenerateOrderError(t *testing.T) {
	region, err := gen.LookupRegion("eu-central")
	require.NoError(t, err)
	t0 := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	channels := []string{"web", "mobile", "store", "marketplace", "b2b"}
	var lines []map[string]any
	for i := range 500 {
		lines = append(lines, map[string]any{
			"order_id": "o", "warehouse_id": "WH-EUC-01", "region": "eu-central",
			"channel": channels[i%5], "order_ts": t0.Add(time.Duration(3*i) * time.Minute),
		})
	}
	r := gen.NewRand(7, 1)
	perChannel := map[string]int{}
	for seq := range int64(5000) {
		at := t0.Add(time.Duration(2000+seq%1000) * time.Minute)
		ev := GenerateOrderError(&produce.Context{Rand: r, Region: region, Time: at, Seq: seq, Upstream: lines})
		require.NotNil(t, ev)
		perChannel[ev["channel"].(string)]++
		detected, err := time.Parse(time.RFC3339Nano, ev["detected_ts"].(string))
		require.NoError(t, err)
		assert.True(t, detected.After(t0))
		assert.False(t, detected.After(at), "detected after the event time")
		if ev["channel"] == "store" {
			assert.NotContains(t, []string{"ADDR_INVALID", "ADDR_UNDELIVERABLE", "PAYMENT_TIMEOUT"}, ev["error_code"])
		}
	}
	assert.Greater(t, perChannel["marketplace"], perChannel["web"])
	assert.Greater(t, perChannel["web"], 3*perChannel["store"])
	assert.Nil(t, GenerateOrderError(&produce.Context{Rand: r, Region: region, Time: t0}))
}
