package forecast

import (
	"fmt"
	"math"
	"time"
)

// SelectModels picks each series' model from a backtest: the one with the
// lowest mean over origins of MSE / ScaleMSE (the squared RMSSE; a zero scale
// counts as 1, so constant histories rank by MSE). Ties go to the model
// listed first in res.Models.
func SelectModels(res *BacktestResult) map[string]string {
	type key struct {
		model, series string
		origin        time.Time
	}
	type acc struct{ ss, n, scale float64 }
	cells := map[key]*acc{}
	for _, r := range res.Rows {
		k := key{r.Model, r.Series, r.Origin}
		c := cells[k]
		if c == nil {
			c = &acc{scale: r.ScaleMSE}
			if c.scale == 0 {
				c.scale = 1
			}
			cells[k] = c
		}
		c.ss += sq(r.Actual - r.Forecast)
		c.n++
	}
	type skey struct{ model, series string }
	score := map[skey]*mean{}
	var seriesOrder []string
	seen := map[string]bool{}
	for k, c := range cells {
		sk := skey{k.model, k.series}
		if score[sk] == nil {
			score[sk] = &mean{}
		}
		score[sk].add(c.ss / c.n / c.scale)
		if !seen[k.series] {
			seen[k.series] = true
			seriesOrder = append(seriesOrder, k.series)
		}
	}
	out := make(map[string]string, len(seriesOrder))
	for _, s := range seriesOrder {
		best := math.Inf(1)
		for _, m := range res.Models {
			sc, ok := score[skey{m, s}]
			if !ok {
				continue
			}
			if v := sc.value(); v < best {
				best, out[s] = v, m
			}
		}
	}
	return out
}

// Global is implemented by models that pool every series of the panel
// (Ridge); PerSeries fits them on the whole panel.
type Global interface {
	Global() bool
}

// Global reports that Ridge pools the panel.
func (Ridge) Global() bool { return true }

// PerSeries forecasts each series with the model chosen for it, typically by
// SelectModels on a backtest of earlier origins. Local models are fitted
// only on the series that chose them; global models on the whole panel.
type PerSeries struct {
	// Models are the candidates, by name.
	Models []Model
	// Choice maps a series ID to a model name.
	Choice map[string]string
	// Default is the model of series missing from Choice; "" means the first model.
	Default string
}

// Name implements Model.
func (PerSeries) Name() string { return "per-series" }

// Fit implements Model.
func (p PerSeries) Fit(panel []Series) ([]Fitted, error) {
	if len(p.Models) == 0 {
		return nil, fmt.Errorf("%w: per_series.models is empty", ErrConfig)
	}
	byName := map[string]Model{}
	for _, m := range p.Models {
		byName[m.Name()] = m
	}
	def := p.Default
	if def == "" {
		def = p.Models[0].Name()
	}
	if byName[def] == nil {
		return nil, fmt.Errorf("%w: per_series.default %q is not a model", ErrConfig, def)
	}
	members := map[string][]int{}
	var order []string
	for i, s := range panel {
		name, ok := p.Choice[s.ID]
		if !ok {
			name = def
		}
		if byName[name] == nil {
			return nil, fmt.Errorf("%w: per_series.choice of series %q is %q, not a model", ErrConfig, s.ID, name)
		}
		if members[name] == nil {
			order = append(order, name)
		}
		members[name] = append(members[name], i)
	}
	out := make([]Fitted, len(panel))
	for _, name := range order {
		m := byName[name]
		idx := members[name]
		if g, ok := m.(Global); ok && g.Global() {
			fitted, err := m.Fit(panel)
			if err != nil {
				return nil, err
			}
			for _, i := range idx {
				out[i] = fitted[i]
			}
			continue
		}
		sub := make([]Series, len(idx))
		for j, i := range idx {
			sub[j] = panel[i]
		}
		fitted, err := m.Fit(sub)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			out[i] = fitted[j]
		}
	}
	return out, nil
}
