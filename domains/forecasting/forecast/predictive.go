package forecast

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Predictive is the predictive distribution of one day's demand. CDF returns
// P(Y <= y) and P(Y < y): they differ where the distribution has an atom (at
// every count of a count distribution, and at zero for a forecast clamped at
// zero), which is what the randomized PIT needs.
type Predictive interface {
	CDF(y float64) (le, lt float64)
}

// CDF implements Predictive for counts.
func (d countDist) CDF(y float64) (le, lt float64) {
	le = d.cdf(y)
	if y == math.Floor(y) {
		return le, d.cdf(y - 1)
	}
	return le, le
}

// clampedNormal is a normal N(mean, sd²) whose negative values are set to
// zero: the distribution of snaive's and ETS's forecasts, which are clamped
// (Forecast.clamp), so P(Y = 0) = Φ(-mean/sd). A zero sd is the point mass
// at max(mean, 0).
type clampedNormal struct{ mean, sd float64 }

// CDF implements Predictive.
func (n clampedNormal) CDF(y float64) (le, lt float64) {
	if y < 0 {
		return 0, 0
	}
	f := func(x float64) float64 {
		if n.sd <= 0 {
			if x >= math.Max(n.mean, 0) {
				return 1
			}
			return 0
		}
		return distuv.UnitNormal.CDF((x - n.mean) / n.sd)
	}
	le = f(y)
	if y == 0 {
		return le, 0
	}
	if n.sd <= 0 && y == n.mean {
		return le, 0
	}
	return le, le
}

// quantileKnots is a distribution known by a few quantiles (ridge's
// empirical error quantiles), linear between them and beyond them, then
// clamped at zero like the forecast.
type quantileKnots struct {
	x, p []float64 // increasing x, their probabilities
}

// newQuantileKnots takes the quantiles x of increasing probabilities p,
// making x non-decreasing (crossing empirical quantiles are tied).
func newQuantileKnots(x, p []float64) quantileKnots {
	k := quantileKnots{x: append([]float64(nil), x...), p: p}
	for i := 1; i < len(k.x); i++ {
		k.x[i] = math.Max(k.x[i], k.x[i-1])
	}
	return k
}

// latent is the CDF before the clamp at zero: linear between the knots, the
// outer segments extended beyond them; tied knots are an atom.
func (k quantileKnots) latent(y float64) (le, lt float64) {
	n := len(k.x)
	line := func(i int) float64 { // the segment from knot i-1 to knot i, at y
		x0, x1, p0, p1 := k.x[i-1], k.x[i], k.p[i-1], k.p[i]
		return math.Min(1, math.Max(0, p0+(p1-p0)*(y-x0)/(x1-x0)))
	}
	switch {
	case n == 0:
		return 1, 1
	case y < k.x[0]:
		if n > 1 && k.x[1] > k.x[0] {
			v := line(1)
			return v, v
		}
		return 0, 0
	case y > k.x[n-1]:
		if n > 1 && k.x[n-1] > k.x[n-2] {
			v := line(n - 1)
			return v, v
		}
		return 1, 1
	}
	lt, le = -1, -1
	for i := range n {
		if k.x[i] == y {
			if lt < 0 {
				lt = k.p[i]
			}
			le = k.p[i]
		}
	}
	if le >= 0 {
		if n == 1 { // a point mass
			return 1, 0
		}
		return le, lt
	}
	for i := 1; i < n; i++ {
		if y < k.x[i] {
			v := line(i)
			return v, v
		}
	}
	return 1, 1
}

// CDF implements Predictive.
func (k quantileKnots) CDF(y float64) (le, lt float64) {
	if y < 0 {
		return 0, 0
	}
	le, lt = k.latent(y)
	if y == 0 {
		return le, 0
	}
	return le, lt
}

// IntervalCredit is the randomized-PIT coverage of the central interval
// [a, b] of probabilities (0.1 and 0.9 for the 80% interval) for an actual
// y under p: the PIT u is uniform on [P(Y < y), P(Y <= y)], and the credit is
// the probability that u falls in [a, b]. For a continuous distribution it is
// 1 when y is inside the interval's bounds and 0 outside; at an atom (a count,
// or zero for a clamped forecast) it is the share of the atom inside. Its
// mean over days is the coverage that is nominal for a calibrated count
// forecast (Czado, Gneiting and Held, 2009), where the share of actuals inside
// [q(a), q(b)] is above nominal by construction: with P(0) = 0.6, [0, q0.9]
// holds every zero.
func IntervalCredit(p Predictive, y, a, b float64) float64 {
	le, lt := p.CDF(y)
	if le <= lt {
		if le >= a && le <= b {
			return 1
		}
		return 0
	}
	return math.Max(0, math.Min(le, b)-math.Max(lt, a)) / (le - lt)
}
