package forecast

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Hand-computed credits. Poisson(1): P(Y<=0) = e⁻¹ = 0.36788,
// P(Y<=1) = 2e⁻¹ = 0.73576, P(Y<=2) = 2.5e⁻¹ = 0.91970.
func TestIntervalCreditPoisson(t *testing.T) {
	d := newCountDist(1, 1)
	e := math.Exp(-1)
	assert.InDelta(t, (e-0.1)/e, IntervalCredit(d, 0, 0.1, 0.9), 1e-9)               // 0.72817: u in [0, 0.368]
	assert.InDelta(t, 1, IntervalCredit(d, 1, 0.1, 0.9), 1e-9)                       // [0.368, 0.736] inside
	assert.InDelta(t, (0.9-2*e)/(0.5*e), IntervalCredit(d, 2, 0.1, 0.9), 1e-9)       // 0.89276
	assert.InDelta(t, 0, IntervalCredit(d, 3, 0.1, 0.9), 1e-9)                       // [0.920, 0.981] above
	assert.InDelta(t, (0.975-2.5*e)/(e/6), IntervalCredit(d, 3, 0.025, 0.975), 1e-9) // 0.90551
}

// Under the distribution itself the expected credit is the interval's
// nominal level exactly, for counts with atoms everywhere (Poisson, negative
// binomial), a clamped normal with an atom at zero, and quantile knots.
func TestIntervalCreditIsNominalUnderTheTruth(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    countDist
	}{
		{"poisson 0.3", newCountDist(0.3, 0.3)},
		{"poisson 4", newCountDist(4, 4)},
		{"negbin 0.5/3", newCountDist(0.5, 3)},
		{"negbin 20/90", newCountDist(20, 90)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c80, c95, prev float64
			for y := 0.0; y < 2000; y++ {
				le := tc.d.cdf(y)
				p := le - prev
				prev = le
				c80 += p * IntervalCredit(tc.d, y, 0.1, 0.9)
				c95 += p * IntervalCredit(tc.d, y, 0.025, 0.975)
			}
			assert.InDelta(t, 0.80, c80, 1e-9)
			assert.InDelta(t, 0.95, c95, 1e-9)
		})
	}
	t.Run("clamped normal", func(t *testing.T) {
		// N(1, 1) clamped: the atom at 0 holds Φ(-1) = 0.15866 of the mass.
		n := clampedNormal{mean: 1, sd: 1}
		p0, _ := n.CDF(0)
		assert.InDelta(t, 0.158655, p0, 1e-6)
		assert.InDelta(t, (p0-0.1)/p0, IntervalCredit(n, 0, 0.1, 0.9), 1e-9) // 0.36970
		assert.Equal(t, 1.0, IntervalCredit(n, 1, 0.1, 0.9))                 // F = 0.5
		assert.Equal(t, 0.0, IntervalCredit(n, 3, 0.1, 0.9))                 // F = Φ(2) = 0.977
		// Expected credit: the atom's share plus the continuous part's.
		c := p0 * IntervalCredit(n, 0, 0.1, 0.9)
		for y := 0.0005; y < 10; y += 0.001 {
			lo, _ := n.CDF(y - 0.0005)
			hi, _ := n.CDF(y + 0.0005)
			c += (hi - lo) * IntervalCredit(n, y, 0.1, 0.9)
		}
		assert.InDelta(t, 0.80, c, 1e-3)
	})
}

// Ridge's distribution, linear between its quantile knots and clamped at 0.
func TestIntervalCreditQuantileKnots(t *testing.T) {
	// Knots (-1, 0.025), (1, 0.1), (5, 0.9), (7, 0.975), clamped at 0:
	// the atom at 0 is [0, 0.0625]; y = 3 sits at 0.5.
	k := newQuantileKnots([]float64{-1, 1, 5, 7}, ridgeKnotProbs)
	le, lt := k.CDF(0)
	assert.InDelta(t, 0.0625, le, 1e-12)
	assert.Equal(t, 0.0, lt)
	assert.InDelta(t, 0, IntervalCredit(k, 0, 0.1, 0.9), 1e-12)
	assert.InDelta(t, 0.6, IntervalCredit(k, 0, 0.025, 0.975), 1e-12)
	assert.Equal(t, 1.0, IntervalCredit(k, 3, 0.1, 0.9))
	assert.Equal(t, 0.0, IntervalCredit(k, 6, 0.1, 0.9))
	assert.Equal(t, 1.0, IntervalCredit(k, 6, 0.025, 0.975))
	assert.Equal(t, 0.0, IntervalCredit(k, 8, 0.025, 0.975))
	// Tied knots are an atom: all four at 2.
	p := newQuantileKnots([]float64{2, 2, 2, 2}, ridgeKnotProbs)
	le, lt = p.CDF(2)
	assert.Equal(t, []float64{0.975, 0.025}, []float64{le, lt})
	assert.InDelta(t, 0.8/0.95, IntervalCredit(p, 2, 0.1, 0.9), 1e-12)
}
