package forecast

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNaiveScale(t *testing.T) {
	tests := []struct {
		name     string
		history  []float64
		mse, mae float64
	}{
		// diffs 2, -1, 2: mse = (4+1+4)/3 = 3, mae = (2+1+2)/3 = 5/3
		{"plain", []float64{1, 3, 2, 4}, 3, 5.0 / 3},
		// leading zeros skipped: from 1, diffs 2 and -3: mse = (4+9)/2, mae = 5/2
		{"leading zeros", []float64{0, 0, 1, 3, 0}, 6.5, 2.5},
		{"all zero", []float64{0, 0, 0}, 0, 0},
		{"one value", []float64{5}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mse, mae := NaiveScale(tt.history)
			assert.InDelta(t, tt.mse, mse, 1e-12)
			assert.InDelta(t, tt.mae, mae, 1e-12)
		})
	}
}

// actual = 2, 0, 4; forecast = 1, 1, 5; history = 1, 3, 2, 4 (scales 3 and 5/3).
// errors y - ŷ = 1, -1, -1.
func TestPointMetrics(t *testing.T) {
	actual := []float64{2, 0, 4}
	forecast := []float64{1, 1, 5}
	history := []float64{1, 3, 2, 4}

	// RMSSE = sqrt(mean(1, 1, 1) / 3) = sqrt(1/3)
	v, err := RMSSE(actual, forecast, history)
	require.NoError(t, err)
	assert.InDelta(t, math.Sqrt(1.0/3), v, 1e-12)

	// MASE = mean(1, 1, 1) / (5/3) = 0.6
	v, err = MASE(actual, forecast, history)
	require.NoError(t, err)
	assert.InDelta(t, 0.6, v, 1e-12)

	// WAPE = (1+1+1) / (2+0+4) = 0.5
	v, err = WAPE(actual, forecast)
	require.NoError(t, err)
	assert.InDelta(t, 0.5, v, 1e-12)

	// Bias = ((1-2) + (1-0) + (5-4)) / 6 = 1/6 (over-forecast)
	v, err = Bias(actual, forecast)
	require.NoError(t, err)
	assert.InDelta(t, 1.0/6, v, 1e-12)

	// A constant history has no scale: RMSSE and MASE are undefined.
	v, err = RMSSE(actual, forecast, []float64{3, 3, 3})
	require.NoError(t, err)
	assert.True(t, math.IsNaN(v))
	v, err = WAPE([]float64{0, 0}, []float64{1, 1})
	require.NoError(t, err)
	assert.True(t, math.IsNaN(v))
}

func TestPinball(t *testing.T) {
	actual := []float64{2, 0, 4}
	q := []float64{3, 1, 3}
	tests := []struct {
		tau, want float64
	}{
		// 0.9: y < q costs 0.1·(q-y): 0.1·1 + 0.1·1; y >= q costs 0.9·(y-q): 0.9·1 -> 1.1/3
		{0.9, 1.1 / 3},
		// 0.1: 0.9·1 + 0.9·1 + 0.1·1 = 1.9 -> 1.9/3
		{0.1, 1.9 / 3},
		// 0.5: half the absolute error: 0.5·(1+1+1)/3 = 0.5
		{0.5, 0.5},
	}
	for _, tt := range tests {
		v, err := Pinball(actual, q, tt.tau)
		require.NoError(t, err)
		assert.InDelta(t, tt.want, v, 1e-12, "tau %v", tt.tau)
	}
	_, err := Pinball(actual, q, 1)
	assert.ErrorIs(t, err, ErrInput)
}

func TestCoverage(t *testing.T) {
	// 2 in [1,3] yes; 0 in [1,2] no; 4 in [3,5] yes (bounds included): 2/3
	v, err := Coverage([]float64{2, 0, 4}, []float64{1, 1, 3}, []float64{3, 2, 5})
	require.NoError(t, err)
	assert.InDelta(t, 2.0/3, v, 1e-12)
}

func TestMetricInputErrors(t *testing.T) {
	tests := []struct {
		name        string
		call        func() error
		errContains string
	}{
		{"rmsse lengths", func() error { _, err := RMSSE([]float64{1, 2}, []float64{1}, nil); return err }, "1 values for 2 actuals"},
		{"wape empty", func() error { _, err := WAPE(nil, nil); return err }, "no actuals"},
		{"coverage lengths", func() error { _, err := Coverage([]float64{1}, []float64{1}, nil); return err }, "0 values for 1 actuals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.ErrorIs(t, err, ErrInput)
			assert.Contains(t, err.Error(), tt.errContains)
		})
	}
}

// Two cells (series a and b, one origin), two days each.
//
//	a: actual 2, 4; forecast 1, 5; lo80 1, 3; hi80 3, 6; lo95 0, 2; hi95 4, 7; scales mse 1, mae 1
//	b: actual 0, 10; forecast 0, 6; lo80 0, 5; hi80 1, 8; lo95 0, 4; hi95 2, 12; scales mse 4, mae 2
//
//	RMSSE: a sqrt((1+1)/2 / 1) = 1; b sqrt((0+16)/2 / 4) = sqrt(2); mean (1 + 1.41421)/2 = 1.20711
//	MASE:  a (1+1)/2 / 1 = 1;       b (0+4)/2 / 2 = 1;              mean 1
//	WAPE:  (1+1+0+4) / (2+4+0+10) = 6/16 = 0.375
//	Bias:  ((1-2)+(5-4)+(0-0)+(6-10)) / 16 = -4/16 = -0.25
//	SPL0.5: pinball 0.5·|e|: a mean 0.5 / mae 1 = 0.5; b mean (0+2)/2 = 1 / mae 2 = 0.5; mean 0.5
//	SPL0.1 (q = lo80): a: y>=q: 0.1·1, 0.1·1 -> 0.1 / 1 = 0.1
//	                   b: 0.1·0, 0.1·5 -> 0.25 / 2 = 0.125;  mean 0.1125
//	SPL0.9 (q = hi80): a: y<q: 0.1·1, 0.1·2 -> 0.15 / 1 = 0.15
//	                   b: 0.1·1, y>=q 0.9·2 = 1.8 -> 0.95 / 2 = 0.475;  mean 0.3125
//	coverage80: 2 in [1,3] yes, 4 in [3,6] yes, 0 in [0,1] yes, 10 in [5,8] no -> 3/4
//	coverage95: all four in -> 1
func TestEvaluate(t *testing.T) {
	o := monday
	rows := []BacktestRow{
		{Series: "a", Origin: o, Step: 1, Actual: 2, Forecast: 1, Lo80: 1, Hi80: 3, Lo95: 0, Hi95: 4, ScaleMSE: 1, ScaleMAE: 1},
		{Series: "a", Origin: o, Step: 2, Actual: 4, Forecast: 5, Lo80: 3, Hi80: 6, Lo95: 2, Hi95: 7, ScaleMSE: 1, ScaleMAE: 1},
		{Series: "b", Origin: o, Step: 1, Actual: 0, Forecast: 0, Lo80: 0, Hi80: 1, Lo95: 0, Hi95: 2, ScaleMSE: 4, ScaleMAE: 2},
		{Series: "b", Origin: o, Step: 2, Actual: 10, Forecast: 6, Lo80: 5, Hi80: 8, Lo95: 4, Hi95: 12, ScaleMSE: 4, ScaleMAE: 2},
	}
	m := Evaluate(rows)
	assert.Equal(t, 4, m.Days)
	assert.Equal(t, 2, m.Cells)
	assert.InDelta(t, (1+math.Sqrt2)/2, m.RMSSE, 1e-12)
	assert.InDelta(t, 1, m.MASE, 1e-12)
	assert.InDelta(t, 0.375, m.WAPE, 1e-12)
	assert.InDelta(t, -0.25, m.Bias, 1e-12)
	assert.InDelta(t, 0.1125, m.SPL10, 1e-12)
	assert.InDelta(t, 0.5, m.SPL50, 1e-12)
	assert.InDelta(t, 0.3125, m.SPL90, 1e-12)
	assert.InDelta(t, 0.75, m.Coverage80, 1e-12)
	assert.InDelta(t, 1, m.Coverage95, 1e-12)

	t.Run("zero scale cells are left out of scaled means", func(t *testing.T) {
		extra := BacktestRow{Series: "c", Origin: o, Step: 1, Actual: 3, Forecast: 1, Lo80: 0, Hi80: 5, Lo95: 0, Hi95: 5}
		m2 := Evaluate(append(rows, extra))
		assert.Equal(t, 3, m2.Cells)
		assert.InDelta(t, m.RMSSE, m2.RMSSE, 1e-12)
		assert.InDelta(t, (6.0+2)/(16+3), m2.WAPE, 1e-12)
	})
	t.Run("other origin is another cell", func(t *testing.T) {
		moved := append([]BacktestRow(nil), rows...)
		moved[1].Origin = o.Add(24 * time.Hour)
		assert.Equal(t, 3, Evaluate(moved).Cells)
	})
}
