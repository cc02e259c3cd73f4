package forecast

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Ridge is a global linear regression pooled across every series of the
// panel, fitted by ridge regression in closed form. Each series is first
// divided by its level, the mean of its history (see NoScaling). The
// features of day t of a series, all known before t (no peeking), are:
//
//	dow_tue … dow_sun  weekday one-hot (Monday is the baseline)
//	day_of_month       1…31
//	trend_years        (date - 2000-01-01) in years, an annual trend term
//	promo              the promotion flag of day t, known in advance
//	lagK               y(t-K), for K in Lags (default 7, 14)
//	rmeanW             mean of y(t-W) … y(t-1), for W in Windows (default 7, 28)
//
// The coefficients minimise Σ(y - ŷ)² + λ·‖β‖² on standardised features with
// an unpenalised intercept, solving (ZᵀZ + λI)β = Zᵀ(y - ȳ) by Cholesky; they
// are reported on the original scale (RidgeModel). Forecasts are recursive:
// each forecast day feeds the lags and rolling means of the following days.
//
// Intervals come from residual quantiles by horizon: from each of the last
// CalibrationOrigins in-sample origins of every series, the fitted model
// forecasts CalibrationHorizon days recursively; the errors, divided by the
// series' in-sample one-step residual RMS s, are pooled across series by
// horizon day k. Day k's bounds are mean + s·q(k, τ) for τ = 0.025, 0.1, 0.9,
// 0.975 and its variance s²·mean(scaled error²); days beyond the calibration
// horizon reuse its last day. These in-sample errors come from a model fitted
// on the same days, so intervals tend to be a little narrow.
type Ridge struct {
	// Lambda is the penalty on the standardised coefficients; 0 means 0.01,
	// enough to keep the normal equations positive definite when lags and
	// rolling means are collinear, too little to bias a panel of any size.
	Lambda float64
	// Lags and Windows are the lag and rolling-mean lengths in days; nil
	// means {7, 14} and {7, 28}.
	Lags, Windows []int
	// NoDayOfMonth and NoTrend drop those features.
	NoDayOfMonth, NoTrend bool
	// NoScaling pools the series in their own units. By default each series
	// is divided by its level, the mean of its history (1 when that is 0),
	// before pooling and its forecasts multiplied back: series of different
	// sizes then share relative weekday, promotion and trend effects.
	NoScaling bool
	// CalibrationOrigins (default 28) and CalibrationHorizon (default 14) set
	// the in-sample origins per series and their horizon for the intervals.
	CalibrationOrigins, CalibrationHorizon int
}

// Name implements Model.
func (Ridge) Name() string { return "ridge" }

func (m Ridge) withDefaults() Ridge {
	if m.Lambda == 0 {
		m.Lambda = 0.01
	}
	if m.Lags == nil {
		m.Lags = []int{7, 14}
	}
	if m.Windows == nil {
		m.Windows = []int{7, 28}
	}
	if m.CalibrationOrigins == 0 {
		m.CalibrationOrigins = 28
	}
	if m.CalibrationHorizon == 0 {
		m.CalibrationHorizon = 14
	}
	return m
}

// Validate checks the configuration (after defaults).
func (m Ridge) Validate() error {
	m = m.withDefaults()
	if m.Lambda < 0 {
		return fmt.Errorf("%w: ridge.lambda must be >= 0, got %v", ErrConfig, m.Lambda)
	}
	for _, l := range m.Lags {
		if l < 1 {
			return fmt.Errorf("%w: ridge.lags must be >= 1, got %d", ErrConfig, l)
		}
	}
	for _, w := range m.Windows {
		if w < 1 {
			return fmt.Errorf("%w: ridge.windows must be >= 1, got %d", ErrConfig, w)
		}
	}
	if m.CalibrationOrigins < 0 || m.CalibrationHorizon < 0 {
		return fmt.Errorf("%w: ridge.calibration_origins and ridge.calibration_horizon must be >= 0", ErrConfig)
	}
	return nil
}

// trendEpochDays is the origin of the trend_years feature, 2000-01-01, in
// days since 1970-01-01.
const trendEpochDays = 10957

// RidgeModel is the fitted global regression.
type RidgeModel struct {
	// Names and Coef are the features and their coefficients, unstandardised:
	// ŷ = Intercept + Σ Coef[j]·x[j], in units of each series' level (of
	// demand itself with NoScaling).
	Names     []string
	Coef      []float64
	Intercept float64
	// Rows is the number of training rows (series-days with every feature).
	Rows int
	// ErrQuantiles[k] holds the 0.025, 0.1, 0.9 and 0.975 quantiles of the
	// scaled in-sample errors of horizon day k+1; ErrMSE[k] their mean square.
	ErrQuantiles [][4]float64
	ErrMSE       []float64

	cfg  Ridge
	back int // days of history a feature row needs
}

// Fit implements Model: one regression for the whole panel, one Fitted per series.
func (m Ridge) Fit(panel []Series) ([]Fitted, error) {
	tr, err := m.train(panel)
	if err != nil {
		return nil, err
	}
	out := make([]Fitted, len(panel))
	for i, s := range tr.scaled {
		// The recursion only reads the last model.back days: keep a copy of them.
		skip := len(s.Values) - tr.model.back
		out[i] = &ridgeFit{model: tr.model, history: slices.Clone(s.Values[skip:]),
			start: s.Date(skip), resid: tr.resid[i], level: tr.level[i]}
	}
	return out, nil
}

// Train fits the global regression on the panel and returns it.
func (m Ridge) Train(panel []Series) (*RidgeModel, error) {
	tr, err := m.train(panel)
	return tr.model, err
}

// trained is a fitted regression with what it knows of each series.
type trained struct {
	model  *RidgeModel
	scaled []Series  // the series divided by their levels
	level  []float64 // each series' level (1 with NoScaling)
	resid  []float64 // each series' one-step residual RMS, in level units
}

func (m Ridge) train(panel []Series) (trained, error) {
	if err := m.Validate(); err != nil {
		return trained{}, err
	}
	if len(panel) == 0 {
		return trained{}, fmt.Errorf("%w: ridge needs at least one series", ErrShortHistory)
	}
	cfg := m.withDefaults()
	model := &RidgeModel{cfg: cfg, Names: cfg.featureNames()}
	for _, l := range cfg.Lags {
		model.back = max(model.back, l)
	}
	for _, w := range cfg.Windows {
		model.back = max(model.back, w)
	}
	rows := 0
	for _, s := range panel {
		if err := s.Validate(); err != nil {
			return trained{}, err
		}
		if len(s.Values) < model.back {
			return trained{}, fmt.Errorf("%w: ridge needs %d days of series %q, got %d",
				ErrShortHistory, model.back, s.ID, len(s.Values))
		}
		rows += len(s.Values) - model.back
	}
	p := len(model.Names)
	if rows < 2 {
		return trained{}, fmt.Errorf("%w: ridge has %d training rows", ErrShortHistory, rows)
	}
	model.Rows = rows
	tr := trained{model: model, scaled: panel, level: make([]float64, len(panel))}
	for i := range tr.level {
		tr.level[i] = 1
	}
	if !cfg.NoScaling {
		tr.scaled = make([]Series, len(panel))
		for i, s := range panel {
			var sum float64
			for _, v := range s.Values {
				sum += math.Abs(v)
			}
			if sum > 0 {
				tr.level[i] = sum / float64(len(s.Values))
			}
			values := make([]float64, len(s.Values))
			for t, v := range s.Values {
				values[t] = v / tr.level[i]
			}
			tr.scaled[i] = Series{ID: s.ID, Start: s.Start, Values: values, Promo: s.Promo}
		}
	}
	panel = tr.scaled

	// Design matrix and response.
	x := mat.NewDense(rows, p, nil)
	y := make([]float64, rows)
	r := 0
	for _, s := range panel {
		day0 := unixDays(s.Start)
		for t := model.back; t < len(s.Values); t++ {
			model.features(x.RawRowView(r), s.Values, t, day0, s.promo(t))
			y[r] = s.Values[t]
			r++
		}
	}

	// Standardise the columns and centre the response.
	means, sds := make([]float64, p), make([]float64, p)
	for j := 0; j < p; j++ {
		col := mat.Col(nil, j, x)
		means[j], sds[j] = stat.PopMeanStdDev(col, nil)
		scale := 1 / sds[j]
		if !(sds[j] > 1e-12*math.Max(1, math.Abs(means[j]))) {
			sds[j], scale = 1, 0 // constant column: zeroed, its coefficient is 0
		}
		for i := 0; i < rows; i++ {
			x.Set(i, j, (x.At(i, j)-means[j])*scale)
		}
	}
	ybar := stat.Mean(y, nil)
	yc := mat.NewVecDense(rows, nil)
	for i, v := range y {
		yc.SetVec(i, v-ybar)
	}

	// (ZᵀZ + λI) β = Zᵀ(y - ȳ).
	var a mat.SymDense
	a.SymOuterK(1, x.T())
	for j := 0; j < p; j++ {
		a.SetSym(j, j, a.At(j, j)+cfg.Lambda)
	}
	var rhs, beta mat.VecDense
	rhs.MulVec(x.T(), yc)
	var chol mat.Cholesky
	if !chol.Factorize(&a) {
		return trained{}, fmt.Errorf("%w: ridge normal equations are not positive definite; raise ridge.lambda", ErrConfig)
	}
	if err := chol.SolveVecTo(&beta, &rhs); err != nil {
		return trained{}, fmt.Errorf("solving ridge normal equations: %w", err)
	}
	model.Coef = make([]float64, p)
	model.Intercept = ybar
	for j := 0; j < p; j++ {
		model.Coef[j] = beta.AtVec(j) / sds[j]
		model.Intercept -= model.Coef[j] * means[j]
	}

	tr.resid = model.calibrate(panel)
	return tr, nil
}

func (cfg Ridge) featureNames() []string {
	names := []string{"dow_tue", "dow_wed", "dow_thu", "dow_fri", "dow_sat", "dow_sun"}
	if !cfg.NoDayOfMonth {
		names = append(names, "day_of_month")
	}
	if !cfg.NoTrend {
		names = append(names, "trend_years")
	}
	names = append(names, "promo")
	for _, l := range cfg.Lags {
		names = append(names, "lag"+strconv.Itoa(l))
	}
	for _, w := range cfg.Windows {
		names = append(names, "rmean"+strconv.Itoa(w))
	}
	return names
}

// features fills x with the features of day t of a series whose day 0 is
// day0 (days since 1970-01-01) and whose values (observed or forecast) are
// y[:t]; y[t:] is never read.
func (r *RidgeModel) features(x []float64, y []float64, t int, day0 int, promo float64) {
	day := day0 + t
	clear(x[:6])
	if d := mod7(day + 3); d > 0 { // 1970-01-01 was a Thursday; Monday = 0, the baseline
		x[d-1] = 1
	}
	j := 6
	if !r.cfg.NoDayOfMonth {
		x[j] = float64(dayOfMonth(day))
		j++
	}
	if !r.cfg.NoTrend {
		x[j] = float64(day-trendEpochDays) / 365.25
		j++
	}
	x[j] = promo
	j++
	for _, l := range r.cfg.Lags {
		x[j] = y[t-l]
		j++
	}
	for _, w := range r.cfg.Windows {
		var sum float64
		for _, v := range y[t-w : t] {
			sum += v
		}
		x[j] = sum / float64(w)
		j++
	}
}

// unixDays returns the days from 1970-01-01 to t's calendar date.
func unixDays(t time.Time) int { return daysBetween(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), t) }

func mod7(x int) int { return ((x % 7) + 7) % 7 }

// dayOfMonth returns the day of month of the date z days after 1970-01-01
// (H. Hinnant's civil_from_days), without the time package's cost.
func dayOfMonth(z int) int {
	z += 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	return doy - (153*mp+2)/5 + 1
}

// predict returns the regression's value for features x.
func (r *RidgeModel) predict(x []float64) float64 {
	v := r.Intercept
	for j, c := range r.Coef {
		v += c * x[j]
	}
	return v
}

// recurse forecasts buf[from:] recursively from buf[:from], clamping each
// forecast at zero before it feeds the next days.
func (r *RidgeModel) recurse(buf []float64, from int, day0 int, x []float64, promo func(t int) float64) {
	for t := from; t < len(buf); t++ {
		r.features(x, buf, t, day0, promo(t))
		buf[t] = math.Max(0, r.predict(x))
	}
}

// calibrate computes each series' one-step residual RMS and the scaled
// multi-step error quantiles by horizon day; it returns the scales.
func (r *RidgeModel) calibrate(panel []Series) []float64 {
	cfg := r.cfg
	x := make([]float64, len(r.Names))
	scales := make([]float64, len(panel))
	errs := make([][]float64, cfg.CalibrationHorizon)
	for i, s := range panel {
		y := s.Values
		day0 := unixDays(s.Start)
		var sse float64
		for t := r.back; t < len(y); t++ {
			r.features(x, y, t, day0, s.promo(t))
			e := y[t] - r.predict(x)
			sse += e * e
		}
		if n := len(y) - r.back; n > 0 {
			scales[i] = math.Sqrt(sse / float64(n))
		}
		if scales[i] == 0 || cfg.CalibrationHorizon == 0 {
			continue
		}
		buf := make([]float64, len(y))
		first := max(r.back, len(y)-cfg.CalibrationHorizon-cfg.CalibrationOrigins+1)
		for o := first; o+cfg.CalibrationHorizon <= len(y); o++ {
			copy(buf, y)
			r.recurse(buf[:o+cfg.CalibrationHorizon], o, day0, x, s.promo)
			for k := 0; k < cfg.CalibrationHorizon; k++ {
				errs[k] = append(errs[k], (y[o+k]-buf[o+k])/scales[i])
			}
		}
	}
	r.ErrQuantiles = make([][4]float64, cfg.CalibrationHorizon)
	r.ErrMSE = make([]float64, cfg.CalibrationHorizon)
	for k, e := range errs {
		if len(e) == 0 {
			continue
		}
		slices.Sort(e)
		for qi, tau := range [4]float64{0.025, 0.1, 0.9, 0.975} {
			r.ErrQuantiles[k][qi] = stat.Quantile(tau, stat.LinInterp, e, nil)
		}
		var ss float64
		for _, v := range e {
			ss += v * v
		}
		r.ErrMSE[k] = ss / float64(len(e))
	}
	return scales
}

// ridgeKnotProbs are the probabilities of ridge's interval bounds: its
// predictive distribution is linear between them (quantileKnots).
var ridgeKnotProbs = []float64{0.025, 0.1, 0.9, 0.975}

type ridgeFit struct {
	model   *RidgeModel
	history []float64 // the last model.back days of the history, in level units
	start   time.Time // date of history[0]
	resid   float64   // in-sample one-step residual RMS, in level units
	level   float64   // the series' level: forecasts are multiplied by it
}

// Forecast implements Fitted.
func (f *ridgeFit) Forecast(h int, future Covariates) (Forecast, error) {
	if err := checkForecastArgs(h, future); err != nil {
		return Forecast{}, err
	}
	n := len(f.history)
	buf := make([]float64, n+h)
	copy(buf, f.history)
	x := make([]float64, len(f.model.Names))
	f.model.recurse(buf, n, unixDays(f.start), x, func(t int) float64 { return future.promo(t - n) })
	out := newForecast(civil(f.start).AddDate(0, 0, n), h)
	nq := len(f.model.ErrQuantiles)
	for k := 0; k < h; k++ {
		mean := buf[n+k]
		lo95, lo80, hi80, hi95, variance := mean, mean, mean, mean, 0.0
		if nq > 0 {
			kk := min(k, nq-1)
			q := f.model.ErrQuantiles[kk]
			lo95, lo80 = mean+f.resid*q[0], mean+f.resid*q[1]
			hi80, hi95 = mean+f.resid*q[2], mean+f.resid*q[3]
			variance = f.resid * f.resid * f.model.ErrMSE[kk]
		}
		l := f.level
		out.Mean[k], out.Variance[k] = l*mean, l*l*variance
		out.Lo95[k], out.Lo80[k], out.Hi80[k], out.Hi95[k] = l*lo95, l*lo80, l*hi80, l*hi95
		out.Dist[k] = newQuantileKnots([]float64{l * lo95, l * lo80, l * hi80, l * hi95}, ridgeKnotProbs)
	}
	out.clamp()
	return out, nil
}
