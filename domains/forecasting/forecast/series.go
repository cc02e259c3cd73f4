package forecast

import (
	"fmt"
	"math"
	"time"
)

// Week is the period of the weekly seasonality of daily demand.
const Week = 7

// Normal quantiles of the central 80% and 95% intervals.
const (
	z80 = 1.2815515655446004 // Φ⁻¹(0.90)
	z95 = 1.959963984540054  // Φ⁻¹(0.975)
)

// Series is the daily demand of one product x region: Values[i] is the
// quantity of day Start+i. Promo, when not nil, has one flag per value: the
// promotion known in advance for that day (the regression's covariate).
type Series struct {
	ID     string
	Start  time.Time // date of Values[0]; only its calendar date counts
	Values []float64
	Promo  []bool
}

// Len returns the number of days.
func (s Series) Len() int { return len(s.Values) }

// Date returns the date of day i (i may be past the end: a forecast day).
func (s Series) Date(i int) time.Time { return civil(s.Start).AddDate(0, 0, i) }

// Weekday returns the weekday of day i.
func (s Series) Weekday(i int) time.Weekday { return s.Date(i).Weekday() }

// End returns the date after the last value: the first day of a forecast.
func (s Series) End() time.Time { return s.Date(len(s.Values)) }

// Head returns the first n days (n <= Len()). The slices are capped at n, so appending
// to them never writes into the days that follow.
func (s Series) Head(n int) Series {
	h := Series{ID: s.ID, Start: s.Start, Values: s.Values[:n:n]}
	if s.Promo != nil {
		h.Promo = s.Promo[:n:n]
	}
	return h
}

// Validate checks that the series has values, all finite, and promotion
// flags of the same length when it has any.
func (s Series) Validate() error {
	if len(s.Values) == 0 {
		return fmt.Errorf("%w: series %q has no values", ErrInvalidSeries, s.ID)
	}
	for i, v := range s.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: series %q: value %d is %v", ErrInvalidSeries, s.ID, i, v)
		}
	}
	if s.Promo != nil && len(s.Promo) != len(s.Values) {
		return fmt.Errorf("%w: series %q: %d promo flags for %d values",
			ErrInvalidSeries, s.ID, len(s.Promo), len(s.Values))
	}
	return nil
}

func (s Series) promo(i int) float64 {
	if s.Promo != nil && s.Promo[i] {
		return 1
	}
	return 0
}

// Covariates are the regressors known in advance for the days after a
// history: Promo[k] is the promotion flag of forecast day k+1. Nil Promo
// means no promotion is planned.
type Covariates struct {
	Promo []bool
}

func (c Covariates) check(h int) error {
	if c.Promo != nil && len(c.Promo) < h {
		return fmt.Errorf("%w: %d promo flags for horizon %d", ErrCovariates, len(c.Promo), h)
	}
	return nil
}

func (c Covariates) promo(k int) float64 {
	if c.Promo != nil && c.Promo[k] {
		return 1
	}
	return 0
}

// Forecast is a forecast of the h days from Start. Index k is day Start+k
// (horizon day k+1). Mean is the point forecast; Variance the predictive
// variance of each day's demand (see each model); Lo80/Hi80 and Lo95/Hi95
// the central 80% and 95% prediction intervals, so Lo80 and Hi80 are the 0.1
// and 0.9 quantiles. Every value is clamped at zero: demand is never negative.
// Dist is each day's predictive distribution, the one the bounds are
// quantiles of (for the randomized coverage of IntervalCredit).
type Forecast struct {
	Start                  time.Time
	Mean, Variance         []float64
	Lo80, Hi80, Lo95, Hi95 []float64
	Dist                   []Predictive
}

// Len returns the horizon.
func (f Forecast) Len() int { return len(f.Mean) }

func newForecast(start time.Time, h int) Forecast {
	buf := make([]float64, 6*h)
	return Forecast{
		Start:    civil(start),
		Mean:     buf[0:h:h],
		Variance: buf[h : 2*h : 2*h],
		Lo80:     buf[2*h : 3*h : 3*h],
		Hi80:     buf[3*h : 4*h : 4*h],
		Lo95:     buf[4*h : 5*h : 5*h],
		Hi95:     buf[5*h : 6*h : 6*h],
		Dist:     make([]Predictive, h),
	}
}

// setNormal sets day k from a normal predictive distribution.
func (f *Forecast) setNormal(k int, mean, variance float64) {
	sd := math.Sqrt(math.Max(variance, 0))
	f.Mean[k] = mean
	f.Variance[k] = math.Max(variance, 0)
	f.Lo80[k] = mean - z80*sd
	f.Hi80[k] = mean + z80*sd
	f.Lo95[k] = mean - z95*sd
	f.Hi95[k] = mean + z95*sd
	f.Dist[k] = clampedNormal{mean: mean, sd: sd}
}

// clamp sets negative means and bounds to zero.
func (f *Forecast) clamp() {
	for _, s := range [][]float64{f.Mean, f.Lo80, f.Hi80, f.Lo95, f.Hi95} {
		for i, v := range s {
			if v < 0 {
				s[i] = 0
			}
		}
	}
}

// Model is a forecasting method. Fit fits it on a panel of histories and
// returns one Fitted per series, in order: a local model fits each series on
// its own, a global model (Ridge) pools them.
type Model interface {
	Name() string
	Fit(panel []Series) ([]Fitted, error)
}

// Fitted is a model fitted on one series' history. Forecast forecasts the h
// days after the history; future carries the covariates of those days.
type Fitted interface {
	Forecast(h int, future Covariates) (Forecast, error)
}

// Param is a named parameter of a fitted model.
type Param struct {
	Name  string
	Value float64
}

// Parameterized is a Fitted with a few named parameters (ETS's smoothing
// and damping, TSB's smoothing). A backtest records them with its forecasts,
// so another implementation of the model can replay the fit exactly.
type Parameterized interface {
	Params() []Param
}

// FitSeries fits m on a single series.
func FitSeries(m Model, s Series) (Fitted, error) {
	f, err := m.Fit([]Series{s})
	if err != nil {
		return nil, err
	}
	return f[0], nil
}

// fitLocal fits a local model series by series.
func fitLocal(panel []Series, fit func(Series) (Fitted, error)) ([]Fitted, error) {
	out := make([]Fitted, len(panel))
	for i, s := range panel {
		if err := s.Validate(); err != nil {
			return nil, err
		}
		f, err := fit(s)
		if err != nil {
			return nil, fmt.Errorf("fitting series %q: %w", s.ID, err)
		}
		out[i] = f
	}
	return out, nil
}

func checkForecastArgs(h int, future Covariates) error {
	if h < 1 {
		return fmt.Errorf("%w: h = %d", ErrHorizon, h)
	}
	return future.check(h)
}

// civil returns t's calendar date at midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween returns the number of calendar days from a to b.
func daysBetween(a, b time.Time) int {
	return int(math.Round(civil(b).Sub(civil(a)).Hours() / 24))
}
