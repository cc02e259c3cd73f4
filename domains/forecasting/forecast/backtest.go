package forecast

import (
	"fmt"
	"time"
)

// BacktestConfig configures a rolling-origin backtest.
type BacktestConfig struct {
	// Origins are the first forecast days; each model is fitted on the days
	// strictly before each origin.
	Origins []time.Time
	// Horizon is the number of days forecast from each origin; 0 means 14.
	Horizon int
	// Models are the models compared; their names must differ.
	Models []Model
	// MinHistory is the fewest days of history a series must have before
	// every origin; 0 means 28.
	MinHistory int
}

func (c BacktestConfig) withDefaults() BacktestConfig {
	if c.Horizon == 0 {
		c.Horizon = 14
	}
	if c.MinHistory == 0 {
		c.MinHistory = 28
	}
	return c
}

// Validate checks the configuration (after defaults).
func (c BacktestConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case len(c.Origins) == 0:
		return fmt.Errorf("%w: backtest.origins is empty", ErrConfig)
	case c.Horizon < 1:
		return fmt.Errorf("%w: backtest.horizon must be >= 1, got %d", ErrConfig, c.Horizon)
	case len(c.Models) == 0:
		return fmt.Errorf("%w: backtest.models is empty", ErrConfig)
	case c.MinHistory < 1:
		return fmt.Errorf("%w: backtest.min_history must be >= 1, got %d", ErrConfig, c.MinHistory)
	}
	seen := map[string]bool{}
	for _, m := range c.Models {
		if seen[m.Name()] {
			return fmt.Errorf("%w: backtest.models has two models named %q", ErrConfig, m.Name())
		}
		seen[m.Name()] = true
	}
	return nil
}

// BacktestRow is one forecast day of one model, series and origin.
type BacktestRow struct {
	Model, Series string
	Origin        time.Time
	// Step is the horizon day, 1 for the origin itself; Date = Origin+Step-1.
	Step int
	Date time.Time
	// Actual is the observed demand; Forecast the point forecast; Lo80/Hi80
	// and Lo95/Hi95 the prediction intervals.
	Actual, Forecast, Lo80, Hi80, Lo95, Hi95 float64
	// Credit80 and Credit95 are the randomized coverage of the actual by the
	// 80% and 95% intervals (IntervalCredit under the forecast's Dist).
	Credit80, Credit95 float64
	// ScaleMSE and ScaleMAE are NaiveScale of the series' history before the
	// origin: the denominators of RMSSE, MASE and the scaled pinball losses.
	ScaleMSE, ScaleMAE float64
	// Params are the parameters the model fitted at this origin, when it is
	// Parameterized; the same slice on every day of the cell.
	Params []Param
}

// BacktestResult holds every row of a backtest, ordered by origin, model,
// series and step.
type BacktestResult struct {
	Horizon int
	Models  []string // in the order of the configuration
	Origins []time.Time
	Rows    []BacktestRow
}

// Backtest runs a rolling-origin backtest. For each origin, every series is
// cut to the days before it (Series.Head: the models never see a later value
// or promotion flag), every model is fitted on that panel and forecasts
// Horizon days with the series' promotion flags of those days as covariates,
// known in advance. Every series must have MinHistory days before each origin
// and Horizon days of actuals from it (ErrShortHistory otherwise).
func Backtest(series []Series, cfg BacktestConfig) (*BacktestResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if len(series) == 0 {
		return nil, fmt.Errorf("%w: backtest has no series", ErrInput)
	}
	for _, s := range series {
		if err := s.Validate(); err != nil {
			return nil, err
		}
	}
	h := cfg.Horizon
	res := &BacktestResult{Horizon: h}
	for _, m := range cfg.Models {
		res.Models = append(res.Models, m.Name())
	}
	type cut struct {
		future   Covariates
		actual   []float64
		mse, mae float64
	}
	histories := make([]Series, len(series))
	cuts := make([]cut, len(series))
	for _, origin := range cfg.Origins {
		origin = civil(origin)
		res.Origins = append(res.Origins, origin)
		for i, s := range series {
			o := daysBetween(s.Start, origin)
			if o < cfg.MinHistory {
				return nil, fmt.Errorf("%w: series %q has %d days before origin %s, backtest.min_history is %d",
					ErrShortHistory, s.ID, max(o, 0), origin.Format(time.DateOnly), cfg.MinHistory)
			}
			if o+h > len(s.Values) {
				return nil, fmt.Errorf("%w: series %q has %d days of actuals from origin %s, horizon is %d",
					ErrShortHistory, s.ID, max(len(s.Values)-o, 0), origin.Format(time.DateOnly), h)
			}
			histories[i] = s.Head(o)
			c := cut{actual: s.Values[o : o+h : o+h]}
			if s.Promo != nil {
				c.future.Promo = s.Promo[o : o+h : o+h]
			}
			c.mse, c.mae = NaiveScale(histories[i].Values)
			cuts[i] = c
		}
		for _, m := range cfg.Models {
			fitted, err := m.Fit(histories)
			if err != nil {
				return nil, fmt.Errorf("fitting %s at origin %s: %w", m.Name(), origin.Format(time.DateOnly), err)
			}
			for i, f := range fitted {
				fc, err := f.Forecast(h, cuts[i].future)
				if err != nil {
					return nil, fmt.Errorf("forecasting series %q with %s at origin %s: %w",
						series[i].ID, m.Name(), origin.Format(time.DateOnly), err)
				}
				var params []Param
				if p, ok := f.(Parameterized); ok {
					params = p.Params()
				}
				for k := 0; k < h; k++ {
					y := cuts[i].actual[k]
					res.Rows = append(res.Rows, BacktestRow{
						Model: m.Name(), Series: series[i].ID, Origin: origin,
						Step: k + 1, Date: origin.AddDate(0, 0, k),
						Actual: cuts[i].actual[k], Forecast: fc.Mean[k],
						Lo80: fc.Lo80[k], Hi80: fc.Hi80[k], Lo95: fc.Lo95[k], Hi95: fc.Hi95[k],
						Credit80: IntervalCredit(fc.Dist[k], y, 0.1, 0.9),
						Credit95: IntervalCredit(fc.Dist[k], y, 0.025, 0.975),
						ScaleMSE: cuts[i].mse, ScaleMAE: cuts[i].mae,
						Params: params,
					})
				}
			}
		}
	}
	return res, nil
}

// RollingOrigins returns count origins step days apart, the last one leaving
// exactly horizon days of actuals before the end of the shortest series.
func RollingOrigins(series []Series, count, horizon, step int) ([]time.Time, error) {
	if len(series) == 0 || count < 1 || horizon < 1 || step < 1 {
		return nil, fmt.Errorf("%w: rolling origins need series, count, horizon and step >= 1", ErrInput)
	}
	end := series[0].End()
	for _, s := range series[1:] {
		if e := s.End(); e.Before(end) {
			end = e
		}
	}
	out := make([]time.Time, count)
	for k := range out {
		out[k] = end.AddDate(0, 0, -horizon-step*(count-1-k))
	}
	return out, nil
}
