package forecast

import (
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// countDist is a distribution of counts with a given mean and variance: a
// negative binomial when the variance exceeds the mean, else a Poisson.
// A zero mean is the point mass at zero.
type countDist struct {
	mean float64
	// r and p parametrise the negative binomial (p = mean/variance,
	// r = mean²/(variance-mean)); r == 0 means Poisson.
	r, p float64
}

// Distribution names the distribution of cumulative demand used by Stockout.
type Distribution int

// Distributions of Stockout. Auto is the negative binomial when the variance
// exceeds the mean, else the Poisson.
const (
	Auto Distribution = iota
	Poisson
	NegativeBinomial
	Normal
)

// String returns the distribution's name.
func (d Distribution) String() string {
	switch d {
	case Auto:
		return "auto"
	case Poisson:
		return "poisson"
	case NegativeBinomial:
		return "negbin"
	case Normal:
		return "normal"
	}
	return "unknown"
}

// negBinTolerance is how much the variance must exceed the mean, relatively,
// for the negative binomial to be chosen over the Poisson.
const negBinTolerance = 1e-9

func newCountDist(mean, variance float64) countDist {
	if mean <= 0 {
		return countDist{}
	}
	if variance > mean*(1+negBinTolerance) {
		return countDist{mean: mean, r: mean * mean / (variance - mean), p: mean / variance}
	}
	return countDist{mean: mean}
}

func (d countDist) kind() Distribution {
	if d.r > 0 {
		return NegativeBinomial
	}
	return Poisson
}

func (d countDist) variance() float64 {
	if d.r > 0 {
		return d.mean / d.p
	}
	return d.mean
}

// cdf returns P(X <= x) for real x (X takes integer values).
func (d countDist) cdf(x float64) float64 {
	if x < 0 {
		return 0
	}
	if d.mean <= 0 {
		return 1
	}
	k := math.Floor(x)
	if d.r > 0 {
		// P(X <= k) = I_p(r, k+1), the regularised incomplete beta function.
		return mathext.RegIncBeta(d.r, k+1, d.p)
	}
	// P(X <= k) = Q(k+1, λ), the regularised upper incomplete gamma function.
	return distuv.Poisson{Lambda: d.mean}.CDF(k)
}

// survival returns P(X > x).
func (d countDist) survival(x float64) float64 { return math.Max(0, 1-d.cdf(x)) }

// quantile returns the smallest integer k with P(X <= k) >= q.
func (d countDist) quantile(q float64) float64 {
	if d.mean <= 0 {
		return 0
	}
	return countQuantile(d.cdf, d.mean, q)
}

// countQuantile returns the smallest integer k >= 0 with cdf(k) >= q, for a
// distribution on the counts of the given mean, by doubling then bisection.
func countQuantile(cdf func(float64) float64, mean, q float64) float64 {
	if q <= 0 {
		return 0
	}
	hi := math.Max(1, math.Ceil(mean))
	for cdf(hi) < q {
		hi *= 2
		if hi > 1e15 {
			return math.Inf(1)
		}
	}
	lo := -1.0 // cdf(lo) < q
	for hi-lo > 1 {
		mid := math.Floor((lo + hi) / 2)
		if cdf(mid) >= q {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// hurdleDist is TSB's demand B·Z: zero with probability 1-p, else a size Z
// >= 1 with Z-1 a count distribution (the size's mean minus one, its
// variance). Its zeros are exactly the days without demand, where a count
// distribution fitted to D's mean and variance alone puts too few.
type hurdleDist struct {
	p    float64
	size countDist // of Z-1
}

func newHurdleDist(p, sizeMean, sizeVar float64) hurdleDist {
	p = math.Min(1, math.Max(0, p))
	return hurdleDist{p: p, size: newCountDist(math.Max(sizeMean-1, 0), sizeVar)}
}

func (d hurdleDist) mean() float64 { return d.p * (1 + d.size.mean) }

// cdf returns P(D <= x).
func (d hurdleDist) cdf(x float64) float64 {
	if x < 0 {
		return 0
	}
	if x < 1 {
		return 1 - d.p
	}
	return 1 - d.p + d.p*d.size.cdf(x-1)
}

func (d hurdleDist) quantile(q float64) float64 { return countQuantile(d.cdf, d.mean(), q) }

// CDF implements Predictive.
func (d hurdleDist) CDF(y float64) (le, lt float64) {
	le = d.cdf(y)
	if y == math.Floor(y) {
		return le, d.cdf(y - 1)
	}
	return le, le
}
