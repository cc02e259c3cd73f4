package forecast

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// Intervals of level + weekly pattern + N(0, 5²) series hold their nominal
// coverage over a 3-origin x 14-day backtest of 200 series. The seed is
// fixed, so the test cannot flake; the tolerances (±5 points at 80%, ±3 at
// 95%) hold for every seed tried (1-5 and 2026): ETS 78.6-79.9% / 94.1-94.8%,
// ridge 77.4-78.3% / 92.9-93.6% (its in-sample calibration errors make it a
// little narrow), seasonal naive's first week 78.9-80.0% / 93.9-94.8%.
func TestIntervalCoverageOnGaussianNoise(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical test: a few seconds")
	}
	panel := noisyPanel(2026, 200, 91, 50, 5)
	origins, err := RollingOrigins(panel, 3, 14, 14)
	require.NoError(t, err)
	res, err := Backtest(panel, BacktestConfig{Origins: origins, Models: []Model{SeasonalNaive{}, ETS{}, Ridge{}}})
	require.NoError(t, err)
	byModel := map[string][]BacktestRow{}
	for _, r := range res.Rows {
		// Seasonal naive's variance grows with every season ahead, as if the
		// weekly pattern were a random walk; on stationary noise that only
		// holds in the first week, so it is checked there.
		if r.Model == "snaive" && r.Step > 7 {
			continue
		}
		byModel[r.Model] = append(byModel[r.Model], r)
	}
	for _, model := range res.Models {
		t.Run(model, func(t *testing.T) {
			m := Evaluate(byModel[model])
			t.Logf("coverage80 %.3f, coverage95 %.3f over %d days", m.Coverage80, m.Coverage95, m.Days)
			assert.InDelta(t, 0.80, m.Coverage80, 0.05)
			assert.InDelta(t, 0.95, m.Coverage95, 0.03)
			// The noise is continuous and far from zero: no atom, so the
			// randomized coverage is the share inside.
			assert.InDelta(t, m.Coverage80, m.RandCoverage80, 1e-9)
			assert.InDelta(t, m.Coverage95, m.RandCoverage95, 1e-9)
		})
	}
}

// TSB's count quantiles hold at least their level on zero-inflated demand
// (30% of days, size 1 + Poisson(2)), and their randomized coverage is
// near nominal: TSB's hurdle distribution has the truth's form, its
// parameters smoothed from the history (seed 2026: 77.4% and 94.0%).
func TestTSBCoverageOnIntermittentDemand(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 1))
	size := distuv.Poisson{Lambda: 2, Src: r}
	panel := make([]Series, 200)
	for i := range panel {
		y := make([]float64, 91)
		for d := range y {
			if r.Float64() < 0.3 {
				y[d] = 1 + size.Rand()
			}
		}
		panel[i] = Series{ID: fmt.Sprint(i), Start: monday, Values: y}
	}
	origins, err := RollingOrigins(panel, 3, 14, 14)
	require.NoError(t, err)
	res, err := Backtest(panel, BacktestConfig{Origins: origins, Models: []Model{TSB{}}})
	require.NoError(t, err)
	m := Evaluate(res.Rows)
	t.Logf("coverage80 %.3f, coverage95 %.3f over %d days", m.Coverage80, m.Coverage95, m.Days)
	assert.GreaterOrEqual(t, m.Coverage80, 0.80)
	assert.GreaterOrEqual(t, m.Coverage95, 0.95)
	assert.LessOrEqual(t, m.Coverage80, 0.95)
	t.Logf("randomized coverage80 %.3f, coverage95 %.3f", m.RandCoverage80, m.RandCoverage95)
	assert.InDelta(t, 0.80, m.RandCoverage80, 0.03)
	assert.InDelta(t, 0.95, m.RandCoverage95, 0.02)
}
