package forecast

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStockout(t *testing.T) {
	tests := []struct {
		name         string
		in           StockoutInput
		dist         Distribution
		prob         []float64
		predictedDay int
		confidence   float64
		used         Distribution
	}{
		{
			// Poisson 3/day (variance = mean), on hand 10, 2 days:
			// day 1: P(Pois(3) > 10) = 1 - CDF(10; 3) = 0.000292337
			// day 2: P(Pois(6) > 10) = 1 - e⁻⁶·Σ_{k=0}^{10} 6^k/k! = 1 - 0.957379 = 0.0426209
			// confidence = 1/(1 + √6/6) = 1/1.408248 = 0.710102
			name:       "poisson by hand",
			in:         StockoutInput{Mean: []float64{3, 3}, Variance: []float64{3, 3}, OnHand: 10},
			prob:       []float64{0.00029233695064723175, 0.042620923582537995},
			confidence: 1 / (1 + math.Sqrt(6)/6),
			used:       Poisson,
		},
		{
			// Negative binomial, mean 2, variance 4: p = 2/4 = 0.5, r = 2²/(4-2) = 2.
			// P(0) = p^r = 0.25; P(1) = r(1-p)p^r = 0.25; P(2) = C(3,2)(1-p)²p^r = 0.1875
			// on hand 2: P(X > 2) = 1 - 0.6875 = 0.3125
			// confidence = 1/(1 + √4/2) = 0.5
			name:       "negative binomial by hand",
			in:         StockoutInput{Mean: []float64{2}, Variance: []float64{4}, OnHand: 2},
			prob:       []float64{0.3125},
			confidence: 0.5,
			used:       NegativeBinomial,
		},
		{
			// Poisson 5/day, on hand 12: cumulative means 5, 10, 15, 20:
			// P(Pois(5) > 12) = 0.00201885, P(Pois(10) > 12) = 0.208444,
			// P(Pois(15) > 12) = 0.732389 (>= 0.5: predicted day 3), P(Pois(20) > 12) = 0.960988
			name:         "predicted day",
			in:           StockoutInput{Start: monday, Mean: []float64{5, 5, 5, 5}, Variance: []float64{5, 5, 5, 5}, OnHand: 12},
			prob:         []float64{0.0020188516274369794, 0.20844352360512552, 0.7323889666074231, 0.9609880071450072},
			predictedDay: 3,
			confidence:   1 / (1 + math.Sqrt(20)/20),
			used:         Poisson,
		},
		{
			// Inbound 10 on day 2 lowers the risk: day 1 P(Pois(3) > 4) = 0.184737,
			// day 2 P(Pois(6) > 4 + 10) = 0.00140035.
			name:       "inbound restock",
			in:         StockoutInput{Mean: []float64{3, 3}, Variance: []float64{3, 3}, OnHand: 4, Inbound: []float64{0, 10}},
			prob:       []float64{0.18473675547622792, 0.0014003538333616783},
			confidence: 1 / (1 + math.Sqrt(6)/6),
			used:       Poisson,
		},
		{
			// Normal: mean 5, variance 4, on hand 7: 1 - Φ((7-5)/2) = 1 - Φ(1) = 0.158655;
			// day 2 (cumulative 10, variance 8): 1 - Φ((7-10)/√8) = Φ(1.06066) = 0.855578
			name:         "normal",
			in:           StockoutInput{Mean: []float64{5, 5}, Variance: []float64{4, 4}, OnHand: 7},
			dist:         Normal,
			prob:         []float64{0.15865525393145707, 0.8555778168267576},
			predictedDay: 2,
			confidence:   1 / (1 + math.Sqrt(8)/10),
			used:         Normal,
		},
		{
			// Forced Poisson ignores the variance: P(Pois(2) > 2) = 1 - 5e⁻² = 0.323324
			name:       "forced poisson",
			in:         StockoutInput{Mean: []float64{2}, Variance: []float64{4}, OnHand: 2},
			dist:       Poisson,
			prob:       []float64{1 - 5*math.Exp(-2)},
			confidence: 1 / (1 + math.Sqrt(2)/2),
			used:       Poisson,
		},
		{
			name:       "no demand",
			in:         StockoutInput{Mean: []float64{0, 0}, Variance: []float64{0, 0}, OnHand: 0},
			prob:       []float64{0, 0},
			confidence: 1,
			used:       Poisson,
		},
		{
			// Already short: negative stock is exceeded by any demand.
			name:         "negative stock",
			in:           StockoutInput{Mean: []float64{0}, Variance: []float64{0}, OnHand: -1},
			prob:         []float64{1},
			predictedDay: 1,
			confidence:   1,
			used:         Poisson,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Stockout(tt.in, tt.dist)
			require.NoError(t, err)
			assert.InDeltaSlice(t, tt.prob, got.Prob, 1e-9)
			assert.InDelta(t, tt.prob[len(tt.prob)-1], got.RiskScore, 1e-12)
			assert.Equal(t, tt.predictedDay, got.PredictedDay)
			assert.InDelta(t, tt.confidence, got.Confidence, 1e-12)
			assert.Equal(t, tt.used, got.Distribution)
			if tt.predictedDay > 0 && !tt.in.Start.IsZero() {
				assert.Equal(t, tt.in.Start.AddDate(0, 0, tt.predictedDay-1), got.PredictedDate)
			} else {
				assert.True(t, got.PredictedDate.IsZero())
			}
		})
	}
}

func TestStockoutErrors(t *testing.T) {
	tests := []struct {
		name        string
		in          StockoutInput
		dist        Distribution
		errContains string
	}{
		{"empty", StockoutInput{}, Auto, "at least one day"},
		{"variances", StockoutInput{Mean: []float64{1, 2}, Variance: []float64{1}}, Auto, "1 variances for 2 means"},
		{"inbound", StockoutInput{Mean: []float64{1}, Variance: []float64{1}, Inbound: []float64{1, 2}}, Auto, "2 inbound days"},
		{"negative variance", StockoutInput{Mean: []float64{1}, Variance: []float64{-1}}, Auto, "variance -1"},
		{"distribution", StockoutInput{Mean: []float64{1}, Variance: []float64{1}}, Distribution(9), "unknown distribution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Stockout(tt.in, tt.dist)
			require.ErrorIs(t, err, ErrInput)
			assert.Contains(t, err.Error(), tt.errContains)
		})
	}
}

func TestStockoutFromForecastAndBrier(t *testing.T) {
	f, err := FitSeries(SeasonalNaive{}, Series{ID: "x", Start: monday, Values: repeatPattern([]float64{3, 4, 2, 3, 5, 6, 1}, 28)})
	require.NoError(t, err)
	fc, err := f.Forecast(7, Covariates{})
	require.NoError(t, err)
	// Zero variance, normal: the stock of 10 is exceeded exactly when the
	// cumulative demand 3, 7, 9, 12, ... passes it: day 4.
	risk, err := StockoutFromForecast(fc, 10, nil, Normal)
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 0, 0, 1, 1, 1, 1}, risk.Prob)
	assert.Equal(t, 4, risk.PredictedDay)
	assert.Equal(t, monday.AddDate(0, 0, 28+3), risk.PredictedDate)
	// Auto takes the Poisson when the variance is below the mean (here 0):
	// P(Pois(9) > 10) = 0.294012 on day 3, P(Pois(12) > 10) = 0.652771 on day 4.
	risk, err = StockoutFromForecast(fc, 10, nil, Auto)
	require.NoError(t, err)
	assert.InDelta(t, 0.29401167965948805, risk.Prob[2], 1e-9)
	assert.InDelta(t, 0.6527705824458283, risk.Prob[3], 1e-9)
	assert.Equal(t, 4, risk.PredictedDay)

	// Realised: cumulative 3, 7, 9, 12, ... against stock 10 -> out from day 4.
	outcomes, err := StockoutOutcomes(fc.Mean, 10, nil)
	require.NoError(t, err)
	assert.Equal(t, []bool{false, false, false, true, true, true, true}, outcomes)

	// Brier: probabilities 0.1, 0.8, 0.5 for outcomes no, yes, yes:
	// ((0.1-0)² + (0.8-1)² + (0.5-1)²)/3 = (0.01 + 0.04 + 0.25)/3 = 0.1
	b, err := BrierScore([]float64{0.1, 0.8, 0.5}, []bool{false, true, true})
	require.NoError(t, err)
	assert.InDelta(t, 0.1, b, 1e-12)

	_, err = BrierScore([]float64{0.1}, nil)
	assert.ErrorIs(t, err, ErrInput)
	_, err = BrierScore([]float64{1.5}, []bool{true})
	assert.ErrorIs(t, err, ErrInput)
}
