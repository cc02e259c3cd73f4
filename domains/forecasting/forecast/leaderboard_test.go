package forecast

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two series (a in category X, region R1; b without metadata), one origin,
// two days, actual 2 every day, scales 1:
//
//	snaive forecasts 4 on a and 0 on b: RMSSE a = 2, b = 2, mean 2
//	good   forecasts 3 on a and 2 on b: RMSSE a = 1, b = 0, mean 0.5
//
// skill of good: overall 1 - 0.5/2 = 0.75; category X (a) 1 - 1/2 = 0.5;
// category unknown (b) 1 - 0/2 = 1; each horizon day as overall, 0.75.
func TestLeaderboard(t *testing.T) {
	res := &BacktestResult{Horizon: 2, Models: []string{"snaive", "good"}, Origins: []time.Time{monday}}
	add := func(model, series string, f float64) {
		for k := 1; k <= 2; k++ {
			res.Rows = append(res.Rows, BacktestRow{Model: model, Series: series, Origin: monday, Step: k,
				Date: monday.AddDate(0, 0, k-1), Actual: 2, Forecast: f, Lo80: f - 1, Hi80: f + 1,
				Lo95: f - 2, Hi95: f + 2, ScaleMSE: 1, ScaleMAE: 1})
		}
	}
	add("snaive", "a", 4)
	add("snaive", "b", 0)
	add("good", "a", 3)
	add("good", "b", 2)
	meta := map[string]SeriesMeta{"a": {Category: "X", Region: "R1"}}

	lb, err := BuildLeaderboard(res, meta, "")
	require.NoError(t, err)
	assert.Equal(t, "snaive", lb.Baseline)

	type cell struct {
		dim, group, model string
		rmsse, skill      float64
	}
	var got []cell
	for _, r := range lb.Rows {
		got = append(got, cell{r.Dimension, r.Group, r.Model, r.RMSSE, r.Skill})
	}
	assert.Equal(t, []cell{
		{DimAll, "all", "good", 0.5, 0.75},
		{DimAll, "all", "snaive", 2, 0},
		{DimCategory, "X", "good", 1, 0.5},
		{DimCategory, "X", "snaive", 2, 0},
		{DimCategory, "unknown", "good", 0, 1},
		{DimCategory, "unknown", "snaive", 2, 0},
		{DimRegion, "R1", "good", 1, 0.5},
		{DimRegion, "R1", "snaive", 2, 0},
		{DimRegion, "unknown", "good", 0, 1},
		{DimRegion, "unknown", "snaive", 2, 0},
		{DimHorizon, "1", "good", 0.5, 0.75},
		{DimHorizon, "1", "snaive", 2, 0},
		{DimHorizon, "2", "good", 0.5, 0.75},
		{DimHorizon, "2", "snaive", 2, 0},
	}, got)

	all := lb.Filter(DimAll)
	require.Len(t, all, 2)
	// WAPE of good: (1+1+0+0) / 8 = 0.25; bias (1+1+0+0)/8 = 0.25.
	assert.InDelta(t, 0.25, all[0].WAPE, 1e-12)
	assert.InDelta(t, 0.25, all[0].Bias, 1e-12)

	text := lb.String()
	assert.Contains(t, text, "skill vs snaive")
	assert.Contains(t, text, "75.0%")
	assert.Regexp(t, `(?m)^\s*all\s+all\s+good\s+0\.500\s+75\.0%`, text)

	_, err = BuildLeaderboard(res, meta, "ets")
	require.ErrorIs(t, err, ErrInput)
	assert.Contains(t, err.Error(), `baseline "ets" is not a backtested model`)
	_, err = BuildLeaderboard(&BacktestResult{}, meta, "")
	assert.ErrorIs(t, err, ErrInput)
}

// A real backtest prints a complete table: a row per model and group.
func TestLeaderboardOfBacktest(t *testing.T) {
	panel := promoPanel(9, 6, 91)
	meta := map[string]SeriesMeta{}
	for i, s := range panel {
		meta[s.ID] = SeriesMeta{Category: []string{"apparel", "grocery"}[i%2], Region: []string{"eu-central", "us-east", "us-west"}[i%3]}
	}
	origins, err := RollingOrigins(panel, 3, 14, 14)
	require.NoError(t, err)
	res, err := Backtest(panel, BacktestConfig{Origins: origins, Models: allModels()})
	require.NoError(t, err)
	lb, err := BuildLeaderboard(res, meta, "snaive")
	require.NoError(t, err)
	// (1 all + 2 categories + 3 regions + 14 horizon days) x 4 models
	assert.Len(t, lb.Rows, (1+2+3+14)*4)
	for _, r := range lb.Rows {
		assert.False(t, math.IsNaN(r.RMSSE), "%s %s %s", r.Dimension, r.Group, r.Model)
		if r.Model == "snaive" {
			assert.InDelta(t, 0, r.Skill, 1e-12)
		}
	}
	t.Log("\n" + lb.String())
}
