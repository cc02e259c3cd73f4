package forecast

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// StockoutInput is the forecast and stock of one product in one warehouse.
type StockoutInput struct {
	// Start is the date of horizon day 1 (optional: it only dates the
	// predicted stockout).
	Start time.Time
	// Mean and Variance are the forecast mean and variance of each day's demand.
	Mean, Variance []float64
	// OnHand is the stock at the start of day 1.
	OnHand float64
	// Inbound[d] is the restock arriving on day d+1, available to that day's
	// demand; nil means none.
	Inbound []float64
}

// StockoutRisk is the stockout forecast of one product in one warehouse.
type StockoutRisk struct {
	// Prob[d] is P(D(d+1) > S(d+1)): the probability that the cumulative
	// demand of days 1…d+1 exceeds on-hand stock plus the restocks of days
	// 1…d+1.
	Prob []float64
	// RiskScore is the probability at the horizon, Prob[h-1].
	RiskScore float64
	// PredictedDay is the first day (1-based) whose probability reaches 0.5,
	// 0 when none does; PredictedDate its date (zero when none or when
	// Start is unset).
	PredictedDay  int
	PredictedDate time.Time
	// Confidence is 1 / (1 + CV) with CV = sd/mean of the cumulative demand
	// at the horizon under the distribution used (1 when its mean is 0): near
	// 1 for a sharp distribution, near 0 for a diffuse one.
	Confidence float64
	// Distribution is the distribution of the horizon's cumulative demand.
	Distribution Distribution
}

// Stockout computes the stockout risk. Days are taken as independent, so the
// cumulative demand to day d has mean M(d) = Σ Mean and variance
// V(d) = Σ Variance. Its distribution is, with dist:
//
//   - Auto: negative binomial with mean M and variance V when V > M
//     (p = M/V, r = M²/(V-M), P(X ≤ k) = I_p(r, k+1)), else Poisson(M)
//     (P(X ≤ k) = Q(k+1, M)); demand is a count, so P(X > S) = 1 - P(X ≤ ⌊S⌋);
//   - Poisson: Poisson(M), ignoring the variance;
//   - NegativeBinomial: as Auto (the Poisson is its limit when V ≤ M);
//   - Normal: N(M, V), P(X > S) = 1 - Φ((S - M)/√V), without continuity
//     correction.
//
// A zero mean is no demand (probability 0, or 1 when the stock is negative).
// Prob is a marginal per day, not a first-passage probability: a restock can
// lower it from one day to the next.
func Stockout(in StockoutInput, dist Distribution) (StockoutRisk, error) {
	h := len(in.Mean)
	switch {
	case h == 0:
		return StockoutRisk{}, fmt.Errorf("%w: stockout needs at least one day of forecast", ErrInput)
	case len(in.Variance) != h:
		return StockoutRisk{}, fmt.Errorf("%w: stockout has %d variances for %d means", ErrInput, len(in.Variance), h)
	case in.Inbound != nil && len(in.Inbound) != h:
		return StockoutRisk{}, fmt.Errorf("%w: stockout has %d inbound days for %d means", ErrInput, len(in.Inbound), h)
	case dist < Auto || dist > Normal:
		return StockoutRisk{}, fmt.Errorf("%w: unknown distribution %d", ErrInput, dist)
	}
	out := StockoutRisk{Prob: make([]float64, h)}
	var m, v float64
	stock := in.OnHand
	for d := 0; d < h; d++ {
		if in.Mean[d] < 0 || in.Variance[d] < 0 || math.IsNaN(in.Mean[d]) || math.IsNaN(in.Variance[d]) {
			return StockoutRisk{}, fmt.Errorf("%w: day %d has mean %v and variance %v", ErrInput, d+1, in.Mean[d], in.Variance[d])
		}
		m += in.Mean[d]
		v += in.Variance[d]
		if in.Inbound != nil {
			stock += in.Inbound[d]
		}
		var p, sd float64
		var used Distribution
		switch {
		case dist == Normal:
			used, sd = Normal, math.Sqrt(v)
			switch {
			case sd > 0:
				p = distuv.Normal{Mu: m, Sigma: sd}.Survival(stock)
			case m > stock:
				p = 1
			}
		default:
			var cd countDist
			if dist == Poisson {
				cd = newCountDist(m, m)
			} else {
				cd = newCountDist(m, v)
			}
			used, sd = cd.kind(), math.Sqrt(cd.variance())
			p = cd.survival(stock)
		}
		out.Prob[d] = p
		if out.PredictedDay == 0 && p >= 0.5 {
			out.PredictedDay = d + 1
			if !in.Start.IsZero() {
				out.PredictedDate = civil(in.Start).AddDate(0, 0, d)
			}
		}
		if d == h-1 {
			out.RiskScore, out.Distribution = p, used
			out.Confidence = 1
			if m > 0 {
				out.Confidence = 1 / (1 + sd/m)
			}
		}
	}
	return out, nil
}

// StockoutFromForecast is Stockout on a model's forecast (its Mean and
// Variance, dated from its Start).
func StockoutFromForecast(f Forecast, onHand float64, inbound []float64, dist Distribution) (StockoutRisk, error) {
	return Stockout(StockoutInput{Start: f.Start, Mean: f.Mean, Variance: f.Variance,
		OnHand: onHand, Inbound: inbound}, dist)
}

// StockoutOutcomes returns, for realised demand, whether each day's
// cumulative demand exceeded on-hand stock plus cumulative restocks: the
// events whose probabilities are StockoutRisk.Prob, for BrierScore.
func StockoutOutcomes(actual []float64, onHand float64, inbound []float64) ([]bool, error) {
	if inbound != nil && len(inbound) != len(actual) {
		return nil, fmt.Errorf("%w: %d inbound days for %d actuals", ErrInput, len(inbound), len(actual))
	}
	out := make([]bool, len(actual))
	var demand float64
	stock := onHand
	for d, a := range actual {
		demand += a
		if inbound != nil {
			stock += inbound[d]
		}
		out[d] = demand > stock
	}
	return out, nil
}

// BrierScore is mean((p - o)²) over probabilities p and outcomes o (1 when
// the event happened): 0 is perfect, 0.25 is always saying 0.5.
func BrierScore(prob []float64, outcome []bool) (float64, error) {
	if len(prob) == 0 || len(prob) != len(outcome) {
		return 0, fmt.Errorf("%w: brier score of %d probabilities and %d outcomes", ErrInput, len(prob), len(outcome))
	}
	var sum float64
	for i, p := range prob {
		if p < 0 || p > 1 || math.IsNaN(p) {
			return 0, fmt.Errorf("%w: probability %d is %v", ErrInput, i, p)
		}
		o := 0.0
		if outcome[i] {
			o = 1
		}
		sum += sq(p - o)
	}
	return sum / float64(len(prob)), nil
}
