package forecast

import (
	"fmt"
	"math"
	"time"
)

// TSB is the Teunter-Syntetos-Babai method for intermittent demand. The
// probability of demand p and the size of a demand z are smoothed
// separately, p every day and z only on days with demand (y > 0):
//
//	y(t) > 0:  p(t) = p(t-1) + αp·(1 - p(t-1))   z(t) = z(t-1) + αz·(y(t) - z(t-1))
//	y(t) = 0:  p(t) = p(t-1) - αp·p(t-1)          z(t) = z(t-1)
//
// starting from p(0) = share of days with demand and z(0) = mean demand size
// over the history. The forecast of every day is p(T)·z(T). With AlphaProb or
// AlphaSize zero, the pair is chosen from Grid (default 0.1, 0.2, 0.3) by the
// smallest in-sample one-step squared error (ŷ(t) = p(t-1)·z(t-1)).
//
// Intervals: a day's demand is D = B·Z with B ~ Bernoulli(p), Z the demand
// size of mean z and variance v (the variance of the historical non-zero
// demands), so E[D] = p·z and Var[D] = p·v + p·(1-p)·z². The bounds are the
// quantiles of that hurdle distribution, the same for every day: D = 0 with
// probability 1-p, else Z with Z-1 a negative binomial of mean z-1 and
// variance v (a Poisson when v does not exceed z-1).
type TSB struct {
	// AlphaProb and AlphaSize are the smoothing constants of p and z.
	AlphaProb, AlphaSize float64
	// Grid holds the candidate constants when either is zero.
	Grid []float64
}

// Name implements Model.
func (TSB) Name() string { return "tsb" }

// Validate checks the configuration.
func (m TSB) Validate() error {
	if m.AlphaProb < 0 || m.AlphaProb > 1 {
		return fmt.Errorf("%w: tsb.alpha_prob must be in [0,1], got %v", ErrConfig, m.AlphaProb)
	}
	if m.AlphaSize < 0 || m.AlphaSize > 1 {
		return fmt.Errorf("%w: tsb.alpha_size must be in [0,1], got %v", ErrConfig, m.AlphaSize)
	}
	for _, a := range m.Grid {
		if a <= 0 || a > 1 {
			return fmt.Errorf("%w: tsb.grid values must be in (0,1], got %v", ErrConfig, a)
		}
	}
	return nil
}

// TSBFit is TSB fitted on one series.
type TSBFit struct {
	AlphaProb, AlphaSize float64
	// Prob and Size are p(T) and z(T); SizeVar the variance of the non-zero
	// demands of the history; SSE the in-sample one-step squared error.
	Prob, Size, SizeVar, SSE float64

	start time.Time
}

// Fit implements Model.
func (m TSB) Fit(panel []Series) ([]Fitted, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return fitLocal(panel, func(s Series) (Fitted, error) { return m.FitTSB(s) })
}

// FitTSB fits the model on one series (Fit does it for each series).
func (m TSB) FitTSB(s Series) (*TSBFit, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	y := s.Values
	var nz, sum, sum2 float64
	for _, v := range y {
		if v > 0 {
			nz++
			sum += v
			sum2 += v * v
		}
	}
	var p0, z0, zv float64
	if nz > 0 {
		p0 = nz / float64(len(y))
		z0 = sum / nz
		zv = math.Max(0, sum2/nz-z0*z0)
	}
	aps, azs := []float64{m.AlphaProb}, []float64{m.AlphaSize}
	grid := m.Grid
	if len(grid) == 0 {
		grid = []float64{0.1, 0.2, 0.3}
	}
	if m.AlphaProb == 0 {
		aps = grid
	}
	if m.AlphaSize == 0 {
		azs = grid
	}
	best := &TSBFit{SSE: math.Inf(1), SizeVar: zv, start: s.End()}
	for _, ap := range aps {
		for _, az := range azs {
			p, z, sse := tsbRun(y, p0, z0, ap, az)
			if sse < best.SSE {
				best.AlphaProb, best.AlphaSize = ap, az
				best.Prob, best.Size, best.SSE = p, z, sse
			}
		}
	}
	return best, nil
}

func tsbRun(y []float64, p, z, ap, az float64) (float64, float64, float64) {
	var sse float64
	for _, v := range y {
		e := v - p*z
		sse += e * e
		if v > 0 {
			p += ap * (1 - p)
			z += az * (v - z)
		} else {
			p -= ap * p
		}
	}
	return p, z, sse
}

// Params implements Parameterized: the smoothing of the probability and of
// the size.
func (f *TSBFit) Params() []Param {
	return []Param{{"alpha_prob", f.AlphaProb}, {"alpha_size", f.AlphaSize}}
}

// Forecast implements Fitted: p·z every day, intervals from the negative
// binomial (or Poisson) described at TSB.
func (f *TSBFit) Forecast(h int, future Covariates) (Forecast, error) {
	if err := checkForecastArgs(h, future); err != nil {
		return Forecast{}, err
	}
	mean := f.Prob * f.Size
	variance := f.Prob*f.SizeVar + f.Prob*(1-f.Prob)*f.Size*f.Size
	d := newHurdleDist(f.Prob, f.Size, f.SizeVar)
	lo95, lo80, hi80, hi95 := d.quantile(0.025), d.quantile(0.1), d.quantile(0.9), d.quantile(0.975)
	out := newForecast(f.start, h)
	for k := 0; k < h; k++ {
		out.Mean[k], out.Variance[k] = mean, variance
		out.Lo80[k], out.Hi80[k], out.Lo95[k], out.Hi95[k] = lo80, hi80, lo95, hi95
		out.Dist[k] = d
	}
	out.clamp()
	return out, nil
}
