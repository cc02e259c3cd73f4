package forecast

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/optimize"
)

// ETS is exponential smoothing with additive damped trend and additive
// seasonality, ETS(A,Ad,A) or damped Holt-Winters, in the state-space form
// of Hyndman et al. (2008):
//
//	ŷ(t)  = l(t-1) + φ·b(t-1) + s(t-m)        e(t) = y(t) - ŷ(t)
//	l(t)  = l(t-1) + φ·b(t-1) + α·e(t)
//	b(t)  = φ·b(t-1) + β·e(t)
//	s(t)  = s(t-m) + γ·e(t)
//
// The initial states come from a least-squares fit of a line plus weekday
// means on the first (up to four) whole weeks; α, β, γ and φ minimise the sum
// of squared one-step errors with Nelder-Mead, from a few starts, over
// unbounded variables mapped into the usual region: α ∈ (0,1), β ∈ (0,α),
// γ ∈ (0,1-α), φ ∈ [PhiMin,PhiMax].
// Intervals are normal with the analytic variance of ETS(A,Ad,A):
//
//	σ²(h) = σ²·(1 + Σ_{j=1}^{h-1} c_j²),  c_j = α + β·(φ+φ²+…+φ^j) + γ·[j mod m = 0]
//
// with σ² = SSE / (n - 4 - (m+1)) (smoothing parameters and initial states).
type ETS struct {
	// Period is the season length in days; 0 means Week.
	Period int
	// PhiMin and PhiMax bound the damping parameter; 0 means 0.8 and 0.98.
	PhiMin, PhiMax float64
	// MaxEvaluations caps the SSE evaluations of the optimiser from each of
	// its starts; 0 means 400.
	MaxEvaluations int
}

// Name implements Model.
func (ETS) Name() string { return "ets" }

func (m ETS) withDefaults() ETS {
	if m.Period == 0 {
		m.Period = Week
	}
	if m.PhiMin == 0 {
		m.PhiMin = 0.8
	}
	if m.PhiMax == 0 {
		m.PhiMax = 0.98
	}
	if m.MaxEvaluations == 0 {
		m.MaxEvaluations = 400
	}
	return m
}

// Validate checks the configuration (after defaults).
func (m ETS) Validate() error {
	m = m.withDefaults()
	switch {
	case m.Period < 1:
		return fmt.Errorf("%w: ets.period must be >= 1, got %d", ErrConfig, m.Period)
	case m.PhiMin <= 0 || m.PhiMax > 1 || m.PhiMin > m.PhiMax:
		return fmt.Errorf("%w: ets.phi_min and ets.phi_max must satisfy 0 < phi_min <= phi_max <= 1, got %v and %v",
			ErrConfig, m.PhiMin, m.PhiMax)
	case m.MaxEvaluations < 0:
		return fmt.Errorf("%w: ets.max_evaluations must be >= 0, got %d", ErrConfig, m.MaxEvaluations)
	}
	return nil
}

// ETSFit is ETS fitted on one series: the parameters, the final states and
// the residual variance.
type ETSFit struct {
	Alpha, Beta, Gamma, Phi float64
	// Level and Trend are the states at the end of the history.
	Level, Trend float64
	// Season[j] is the seasonal state of forecast day j+1 (and j+1+m, ...).
	Season []float64
	// Sigma2 is the one-step error variance; SSE the in-sample sum of squared
	// one-step errors; Evaluations the SSE evaluations the optimiser used.
	Sigma2      float64
	SSE         float64
	Evaluations int

	start time.Time
}

// Fit implements Model.
func (m ETS) Fit(panel []Series) ([]Fitted, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m = m.withDefaults()
	return fitLocal(panel, func(s Series) (Fitted, error) {
		f, err := m.FitETS(s)
		if err != nil {
			return nil, err
		}
		return f, nil
	})
}

// etsState is the state vector (level, trend, seasons by position i mod m).
type etsState struct {
	level, trend float64
	season       []float64
}

// etsInit estimates the initial states: y(i) ≈ l0 + (i+1)·b0 + s(i mod m) by
// least squares on the first w = min(n/m, 4) whole seasons, with Σ s = 0.
func etsInit(y []float64, m int) etsState {
	w := min(len(y)/m, 4)
	season := make([]float64, m)
	var sxy, sxx float64
	for j := 0; j < m; j++ {
		var ybar float64
		for q := 0; q < w; q++ {
			ybar += y[j+m*q]
		}
		ybar /= float64(w)
		ibar := float64(j) + float64(m*(w-1))/2
		for q := 0; q < w; q++ {
			d := float64(j+m*q) - ibar
			sxy += d * (y[j+m*q] - ybar)
			sxx += d * d
		}
		season[j] = ybar // minus the trend, below, once the slope is known
	}
	slope := sxy / sxx
	var level float64
	for j := range season {
		ibar := float64(j) + float64(m*(w-1))/2
		season[j] -= slope * (ibar + 1)
		level += season[j]
	}
	level /= float64(m)
	for j := range season {
		season[j] -= level
	}
	return etsState{level: level, trend: slope, season: season}
}

// etsRun runs the recursions from init over y, returning the SSE and leaving
// the final states in st (whose season slice is overwritten).
func etsRun(y []float64, init etsState, st *etsState, alpha, beta, gamma, phi float64) float64 {
	m := len(init.season)
	copy(st.season, init.season)
	l, b := init.level, init.trend
	s := st.season
	var sse float64
	j := 0
	for _, v := range y {
		base := l + phi*b
		e := v - (base + s[j])
		sse += e * e
		l = base + alpha*e
		b = phi*b + beta*e
		s[j] += gamma * e
		if j++; j == m {
			j = 0
		}
	}
	st.level, st.trend = l, b
	return sse
}

const etsEps = 1e-4

// etsStarts are the α the optimiser starts from, with β = 0.1·α,
// γ = 0.1·(1-α) and φ = 0.95.
var etsStarts = []float64{0.02, 0.2, 0.5}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
func logit(p float64) float64    { return math.Log(p / (1 - p)) }

// etsParams maps unbounded optimiser variables to (α, β, γ, φ).
func (m ETS) etsParams(x []float64) (alpha, beta, gamma, phi float64) {
	alpha = etsEps + (1-2*etsEps)*logistic(x[0])
	beta = alpha * logistic(x[1])
	gamma = (1 - alpha) * logistic(x[2])
	phi = m.PhiMin + (m.PhiMax-m.PhiMin)*logistic(x[3])
	return alpha, beta, gamma, phi
}

// FitETS fits the model on one series (Fit does it for each series).
func (m ETS) FitETS(s Series) (*ETSFit, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	m = m.withDefaults()
	p := m.Period
	y := s.Values
	if len(y) < 2*p {
		return nil, fmt.Errorf("%w: ets needs %d days (two seasons), got %d", ErrShortHistory, 2*p, len(y))
	}
	init := etsInit(y, p)
	st := etsState{season: make([]float64, p)}
	sse := func(x []float64) float64 {
		a, b, g, phi := m.etsParams(x)
		v := etsRun(y, init, &st, a, b, g, phi)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.MaxFloat64
		}
		return v
	}
	phi0 := 0.95
	if m.PhiMax-m.PhiMin < 1e-9 {
		phi0 = m.PhiMin
	}
	settings := &optimize.Settings{
		FuncEvaluations: m.MaxEvaluations,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-7, Iterations: 20},
	}
	// The SSE of a few weeks of noisy counts often has two basins: α near 0
	// (a fixed level and season, the boundary where statsmodels' estimate
	// lands on stable demand) and α near 0.5. Nelder-Mead from one start
	// finds the basin it starts in, so each of etsStarts runs and the least
	// SSE wins.
	var x []float64
	best, evals := math.Inf(1), 0
	phiStart := logit(clampOpen((phi0 - m.PhiMin) / math.Max(m.PhiMax-m.PhiMin, 1e-12)))
	for _, alpha := range etsStarts {
		x0 := []float64{
			logit(alpha),
			logit(0.1), // β = 0.1·α
			logit(0.1), // γ = 0.1·(1-α)
			phiStart,
		}
		xs, f := x0, sse(x0)
		res, err := optimize.Minimize(optimize.Problem{Func: sse}, x0, settings, &optimize.NelderMead{SimplexSize: 1})
		if res != nil {
			evals += res.Stats.FuncEvaluations
			if !math.IsNaN(res.F) && res.F < f {
				xs, f = res.X, res.F
			}
		} else if err != nil {
			return nil, fmt.Errorf("optimising ets parameters: %w", err)
		}
		if f < best {
			x, best = xs, f
		}
	}
	a, b, g, phi := m.etsParams(x)
	total := etsRun(y, init, &st, a, b, g, phi)
	dof := len(y) - 4 - (p + 1)
	if dof < 1 {
		dof = 1
	}
	n := len(y)
	season := make([]float64, p)
	for j := range season {
		season[j] = st.season[(n+j)%p]
	}
	return &ETSFit{
		Alpha: a, Beta: b, Gamma: g, Phi: phi,
		Level: st.level, Trend: st.trend, Season: season,
		Sigma2: total / float64(dof), SSE: total, Evaluations: evals,
		start: s.End(),
	}, nil
}

// Params implements Parameterized: α, β, γ and φ.
func (f *ETSFit) Params() []Param {
	return []Param{{"alpha", f.Alpha}, {"beta", f.Beta}, {"gamma", f.Gamma}, {"phi", f.Phi}}
}

func clampOpen(p float64) float64 { return math.Min(math.Max(p, 1e-6), 1-1e-6) }

// Forecast implements Fitted: the point forecast l + (φ+…+φ^k)·b + s and
// normal intervals with the analytic variance (see ETS).
func (f *ETSFit) Forecast(h int, future Covariates) (Forecast, error) {
	if err := checkForecastArgs(h, future); err != nil {
		return Forecast{}, err
	}
	m := len(f.Season)
	out := newForecast(f.start, h)
	var phiSum, sumC2 float64
	phiK := 1.0
	for k := 1; k <= h; k++ {
		phiK *= f.Phi
		phiSum += phiK
		out.setNormal(k-1, f.Level+phiSum*f.Trend+f.Season[(k-1)%m], f.Sigma2*(1+sumC2))
		c := f.Alpha + f.Beta*phiSum
		if k%m == 0 {
			c += f.Gamma
		}
		sumC2 += c * c
	}
	out.clamp()
	return out, nil
}
