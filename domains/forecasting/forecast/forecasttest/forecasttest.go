// Package forecasttest is the conformance suite of forecast.Model
// implementations: the behaviour every model must keep, specified once. A
// model's test runs it as
//
//	func TestConformance(t *testing.T) { forecasttest.Run(t, mymodel.Model{}) }
package forecasttest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/forecasting/forecast"
)

// Start is the first day of Panel's series, a Monday.
var Start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// Panel returns count series of n days from a fixed seed: a weekly pattern
// around level 20 with Gaussian noise and a promotion every ninth day
// (+8), the last one intermittent (demand on a quarter of the days).
func Panel(count, n int) []forecast.Series {
	r := rand.New(rand.NewPCG(uint64(count), uint64(n)))
	weekly := []float64{-4, -2, 0, 1, 3, 6, -4}
	panel := make([]forecast.Series, count)
	for i := range panel {
		s := forecast.Series{ID: fmt.Sprintf("s%03d", i), Start: Start,
			Values: make([]float64, n), Promo: make([]bool, n)}
		for d := range s.Values {
			s.Promo[d] = (d+i)%9 == 0
			v := 20 + weekly[d%7] + 2*r.NormFloat64()
			if s.Promo[d] {
				v += 8
			}
			if i == count-1 {
				v = 0
				if r.Float64() < 0.25 {
					v = float64(1 + r.IntN(5))
				}
			}
			s.Values[d] = math.Max(0, math.Round(v))
		}
		panel[i] = s
	}
	return panel
}

// Run checks m against the contract of forecast.Model, as subtests.
func Run(t *testing.T, m forecast.Model) {
	t.Run("Forecasts", func(t *testing.T) { checkForecasts(t, m) })
	t.Run("InputUntouched", func(t *testing.T) { checkInputUntouched(t, m) })
	t.Run("Deterministic", func(t *testing.T) { checkDeterministic(t, m) })
	t.Run("HorizonAndCovariates", func(t *testing.T) { checkArguments(t, m) })
	t.Run("AllZero", func(t *testing.T) { checkAllZero(t, m) })
	t.Run("InvalidSeries", func(t *testing.T) { checkInvalid(t, m) })
}

func fit(t *testing.T, m forecast.Model, panel []forecast.Series) []forecast.Fitted {
	t.Helper()
	fitted, err := m.Fit(panel)
	require.NoError(t, err)
	require.Len(t, fitted, len(panel), "one Fitted per series, in order")
	return fitted
}

// checkForecasts: the forecast starts the day after the history, has h days
// of finite values, and 0 <= Lo95 <= Lo80 <= Hi80 <= Hi95 and Variance >= 0.
func checkForecasts(t *testing.T, m forecast.Model) {
	panel := Panel(6, 70)
	for i, f := range fit(t, m, panel) {
		for _, h := range []int{1, 14, 30} {
			fc, err := f.Forecast(h, forecast.Covariates{Promo: make([]bool, h)})
			require.NoError(t, err)
			require.Equal(t, h, fc.Len())
			assert.Equal(t, panel[i].End(), fc.Start, "forecast starts the day after the history")
			for _, s := range [][]float64{fc.Mean, fc.Variance, fc.Lo80, fc.Hi80, fc.Lo95, fc.Hi95} {
				require.Len(t, s, h)
				for k, v := range s {
					require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "series %d day %d: %v", i, k+1, v)
				}
			}
			for k := 0; k < h; k++ {
				const eps = 1e-9
				assert.GreaterOrEqual(t, fc.Lo95[k], 0.0, "demand is never negative")
				assert.LessOrEqual(t, fc.Lo95[k], fc.Lo80[k]+eps)
				assert.LessOrEqual(t, fc.Lo80[k], fc.Hi80[k]+eps)
				assert.LessOrEqual(t, fc.Hi80[k], fc.Hi95[k]+eps)
				assert.GreaterOrEqual(t, fc.Mean[k], 0.0)
				assert.GreaterOrEqual(t, fc.Variance[k], 0.0)
			}
		}
	}
}

func checkInputUntouched(t *testing.T, m forecast.Model) {
	panel := Panel(4, 63)
	values := make([][]float64, len(panel))
	promos := make([][]bool, len(panel))
	for i, s := range panel {
		values[i], promos[i] = slices.Clone(s.Values), slices.Clone(s.Promo)
	}
	future := forecast.Covariates{Promo: []bool{true, false, true, false, false, false, false}}
	for _, f := range fit(t, m, panel) {
		_, err := f.Forecast(7, future)
		require.NoError(t, err)
	}
	for i, s := range panel {
		assert.Equal(t, values[i], s.Values)
		assert.Equal(t, promos[i], s.Promo)
	}
	assert.Equal(t, []bool{true, false, true, false, false, false, false}, future.Promo)
}

func checkDeterministic(t *testing.T, m forecast.Model) {
	panel := Panel(4, 63)
	a, b := fit(t, m, panel), fit(t, m, panel)
	for i := range panel {
		fa, err := a[i].Forecast(14, forecast.Covariates{})
		require.NoError(t, err)
		fb, err := b[i].Forecast(14, forecast.Covariates{})
		require.NoError(t, err)
		assert.Equal(t, fa, fb, "two fits of the same panel give the same forecast")
		// A second forecast from the same Fitted is the same too.
		fa2, err := a[i].Forecast(14, forecast.Covariates{})
		require.NoError(t, err)
		assert.Equal(t, fa, fa2)
	}
}

func checkArguments(t *testing.T, m forecast.Model) {
	f := fit(t, m, Panel(3, 63))[0]
	_, err := f.Forecast(0, forecast.Covariates{})
	assert.ErrorIs(t, err, forecast.ErrHorizon)
	_, err = f.Forecast(7, forecast.Covariates{Promo: make([]bool, 6)})
	assert.ErrorIs(t, err, forecast.ErrCovariates)
	_, err = f.Forecast(7, forecast.Covariates{Promo: make([]bool, 10)})
	assert.NoError(t, err, "covariates longer than the horizon are fine")
}

// checkAllZero: a panel of all-zero series forecasts zero, with zero-width
// intervals.
func checkAllZero(t *testing.T, m forecast.Model) {
	panel := make([]forecast.Series, 3)
	for i := range panel {
		panel[i] = forecast.Series{ID: fmt.Sprint(i), Start: Start, Values: make([]float64, 63)}
	}
	for _, f := range fit(t, m, panel) {
		fc, err := f.Forecast(14, forecast.Covariates{})
		require.NoError(t, err)
		for _, s := range [][]float64{fc.Mean, fc.Lo80, fc.Hi80, fc.Lo95, fc.Hi95} {
			assert.InDeltaSlice(t, make([]float64, 14), s, 1e-9)
		}
	}
}

func checkInvalid(t *testing.T, m forecast.Model) {
	panel := Panel(3, 63)
	panel[1].Values = slices.Clone(panel[1].Values)
	panel[1].Values[5] = math.NaN()
	_, err := m.Fit(panel)
	assert.ErrorIs(t, err, forecast.ErrInvalidSeries)
}
