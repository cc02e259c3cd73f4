package forecast

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func promoPanel(seed uint64, count, n int) []Series {
	panel := noisyPanel(seed, count, n, 30, 3)
	for i := range panel {
		panel[i].Promo = make([]bool, n)
		for d := range panel[i].Promo {
			if (d+i)%9 == 0 {
				panel[i].Promo[d] = true
				panel[i].Values[d] += 10
			}
		}
	}
	return panel
}

func TestBacktestRows(t *testing.T) {
	panel := promoPanel(5, 4, 91)
	origins, err := RollingOrigins(panel, 3, 14, 14)
	require.NoError(t, err)
	// The last origin leaves 14 days: day 77 of 91; then 63 and 49.
	require.Equal(t, []time.Time{monday.AddDate(0, 0, 49), monday.AddDate(0, 0, 63), monday.AddDate(0, 0, 77)}, origins)

	res, err := Backtest(panel, BacktestConfig{Origins: origins, Models: allModels()})
	require.NoError(t, err)
	assert.Equal(t, 14, res.Horizon)
	assert.Equal(t, []string{"snaive", "ets", "tsb", "ridge"}, res.Models)
	require.Len(t, res.Rows, 3*4*4*14)

	i := 0
	for oi, origin := range origins {
		o := 49 + 14*oi
		for _, model := range res.Models {
			for _, s := range panel {
				mse, mae := NaiveScale(s.Values[:o])
				for k := 1; k <= 14; k++ {
					r := res.Rows[i]
					i++
					require.Equal(t, model, r.Model)
					require.Equal(t, s.ID, r.Series)
					require.Equal(t, origin, r.Origin)
					require.Equal(t, k, r.Step)
					assert.Equal(t, origin.AddDate(0, 0, k-1), r.Date)
					assert.Equal(t, s.Values[o+k-1], r.Actual)
					assert.Equal(t, mse, r.ScaleMSE)
					assert.Equal(t, mae, r.ScaleMAE)
					assert.LessOrEqual(t, r.Lo95, r.Hi95)
					assert.Equal(t, wantParams(t, model, s.Head(o)), r.Params, "%s %s origin %d", model, s.ID, o)
				}
			}
		}
	}
}

// wantParams fits model alone on history and returns the parameters a
// backtest row must carry: ETS's α, β, γ, φ, TSB's two constants, none for
// the others.
func wantParams(t *testing.T, model string, history Series) []Param {
	t.Helper()
	switch model {
	case "ets":
		f, err := ETS{}.FitETS(history)
		require.NoError(t, err)
		return []Param{{"alpha", f.Alpha}, {"beta", f.Beta}, {"gamma", f.Gamma}, {"phi", f.Phi}}
	case "tsb":
		f, err := TSB{}.FitTSB(history)
		require.NoError(t, err)
		return []Param{{"alpha_prob", f.AlphaProb}, {"alpha_size", f.AlphaSize}}
	}
	return nil
}

// Whatever happens after an origin (values, or promotions past the horizon)
// must not change a forecast made at that origin.
func TestBacktestDoesNotPeek(t *testing.T) {
	panel := promoPanel(6, 3, 91)
	origins, err := RollingOrigins(panel, 3, 14, 7)
	require.NoError(t, err)
	for _, origin := range origins {
		o := daysBetween(monday, origin)
		altered := make([]Series, len(panel))
		for i, s := range panel {
			a := Series{ID: s.ID, Start: s.Start,
				Values: append([]float64(nil), s.Values...), Promo: append([]bool(nil), s.Promo...)}
			for d := o; d < len(a.Values); d++ {
				a.Values[d] = 1e6 + float64(d)
				if d >= o+14 {
					a.Promo[d] = !a.Promo[d]
				}
			}
			altered[i] = a
		}
		cfg := BacktestConfig{Origins: []time.Time{origin}, Models: allModels()}
		want, err := Backtest(panel, cfg)
		require.NoError(t, err)
		got, err := Backtest(altered, cfg)
		require.NoError(t, err)
		require.Len(t, got.Rows, len(want.Rows))
		for i := range want.Rows {
			w, g := want.Rows[i], got.Rows[i]
			require.NotEqual(t, w.Actual, g.Actual)
			assert.Equal(t, [5]float64{w.Forecast, w.Lo80, w.Hi80, w.Lo95, w.Hi95},
				[5]float64{g.Forecast, g.Lo80, g.Hi80, g.Lo95, g.Hi95}, "%s %s step %d", w.Model, w.Series, w.Step)
		}
	}
}

func TestBacktestErrors(t *testing.T) {
	panel := noisyPanel(1, 2, 60, 10, 1)
	tests := []struct {
		name        string
		cfg         BacktestConfig
		errIs       error
		errContains string
	}{
		{"no origins", BacktestConfig{Models: allModels()}, ErrConfig, "backtest.origins is empty"},
		{"no models", BacktestConfig{Origins: []time.Time{monday.AddDate(0, 0, 40)}}, ErrConfig, "backtest.models is empty"},
		{"duplicate model", BacktestConfig{Origins: []time.Time{monday.AddDate(0, 0, 40)}, Models: []Model{ETS{}, ETS{Period: 7}}},
			ErrConfig, `two models named "ets"`},
		{"short history", BacktestConfig{Origins: []time.Time{monday.AddDate(0, 0, 20)}, Models: allModels()},
			ErrShortHistory, "20 days before origin 2026-03-22"},
		{"past the end", BacktestConfig{Origins: []time.Time{monday.AddDate(0, 0, 50)}, Models: allModels()},
			ErrShortHistory, "10 days of actuals from origin 2026-04-21, horizon is 14"},
		{"negative horizon", BacktestConfig{Origins: []time.Time{monday.AddDate(0, 0, 40)}, Models: allModels(), Horizon: -1},
			ErrConfig, "backtest.horizon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Backtest(panel, tt.cfg)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.errIs)
			assert.Contains(t, err.Error(), tt.errContains)
		})
	}
}

// A weekly pattern and a line: seasonal naive (listed before ETS, which ties
// with it on the pattern) wins the pattern, ETS wins the line; PerSeries then
// forecasts each series like the chosen model alone.
func TestSelectModelsAndPerSeries(t *testing.T) {
	panel := []Series{
		{ID: "pattern", Start: monday, Values: repeatPattern(weekly, 91)},
		{ID: "line", Start: monday, Values: linear(20, 0.5, 91)},
	}
	origins, err := RollingOrigins(panel, 3, 14, 7)
	require.NoError(t, err)
	models := []Model{TSB{}, SeasonalNaive{}, ETS{}}
	res, err := Backtest(panel, BacktestConfig{Origins: origins, Models: models})
	require.NoError(t, err)
	choice := SelectModels(res)
	assert.Equal(t, map[string]string{"pattern": "snaive", "line": "ets"}, choice)

	// On the pattern both snaive and ETS are exact: RMSSE 0.
	byModel := map[string][]BacktestRow{}
	for _, r := range res.Rows {
		if r.Series == "pattern" {
			byModel[r.Model] = append(byModel[r.Model], r)
		}
	}
	assert.InDelta(t, 0, Evaluate(byModel["snaive"]).RMSSE, 1e-12)
	assert.InDelta(t, 0, Evaluate(byModel["ets"]).RMSSE, 1e-6)

	fitted, err := PerSeries{Models: models, Choice: choice}.Fit(panel)
	require.NoError(t, err)
	for i, s := range panel {
		got, err := fitted[i].Forecast(14, Covariates{})
		require.NoError(t, err)
		var alone Model = SeasonalNaive{}
		if choice[s.ID] == "ets" {
			alone = ETS{}
		}
		want := forecastOne(t, alone, s, 14, Covariates{})
		assert.Equal(t, want.Mean, got.Mean, s.ID)
	}

	_, err = PerSeries{Models: models, Choice: map[string]string{"line": "arima"}}.Fit(panel)
	assert.ErrorIs(t, err, ErrConfig)
}

func TestRollingOriginsErrors(t *testing.T) {
	_, err := RollingOrigins(nil, 3, 14, 7)
	assert.ErrorIs(t, err, ErrInput)
	// The shortest series sets the end.
	panel := []Series{
		{ID: "long", Start: monday, Values: make([]float64, 60)},
		{ID: "short", Start: monday.AddDate(0, 0, 2), Values: make([]float64, 50)},
	}
	got, err := RollingOrigins(panel, 2, 7, 7)
	require.NoError(t, err)
	// short ends after day 2+50 = 52: origins 52-7-7 = 38 and 45.
	assert.Equal(t, []time.Time{monday.AddDate(0, 0, 38), monday.AddDate(0, 0, 45)}, got)
}
