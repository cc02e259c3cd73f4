package forecast

import (
	"fmt"
	"time"
)

// SeasonalNaive forecasts each day with the same weekday of the last week of
// history: ŷ(T+k) = y(T+k-m·(⌊(k-1)/m⌋+1)). It is the baseline every model
// must beat. Its intervals are normal with variance σ²·(⌊(k-1)/m⌋+1), σ²
// being the mean squared in-sample seasonal difference y(t)-y(t-m).
type SeasonalNaive struct {
	// Period is the season length in days; 0 means Week.
	Period int
}

// Name implements Model.
func (SeasonalNaive) Name() string { return "snaive" }

// Validate checks the configuration.
func (m SeasonalNaive) Validate() error {
	if m.Period < 0 {
		return fmt.Errorf("%w: snaive.period must be >= 0, got %d", ErrConfig, m.Period)
	}
	return nil
}

// Fit implements Model.
func (m SeasonalNaive) Fit(panel []Series) ([]Fitted, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	p := m.Period
	if p == 0 {
		p = Week
	}
	return fitLocal(panel, func(s Series) (Fitted, error) {
		y := s.Values
		if len(y) < p {
			return nil, fmt.Errorf("%w: snaive needs %d days, got %d", ErrShortHistory, p, len(y))
		}
		var sse float64
		for t := p; t < len(y); t++ {
			e := y[t] - y[t-p]
			sse += e * e
		}
		var sigma2 float64
		if len(y) > p {
			sigma2 = sse / float64(len(y)-p)
		}
		last := append([]float64(nil), y[len(y)-p:]...)
		return &snaiveFit{start: s.End(), last: last, sigma2: sigma2}, nil
	})
}

type snaiveFit struct {
	start  time.Time
	last   []float64 // the last season of history
	sigma2 float64
}

// Forecast implements Fitted.
func (f *snaiveFit) Forecast(h int, future Covariates) (Forecast, error) {
	if err := checkForecastArgs(h, future); err != nil {
		return Forecast{}, err
	}
	p := len(f.last)
	out := newForecast(f.start, h)
	for k := 0; k < h; k++ {
		seasons := float64(k/p + 1)
		out.setNormal(k, f.last[k%p], f.sigma2*seasons)
	}
	out.clamp()
	return out, nil
}
