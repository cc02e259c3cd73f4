package forecast

import (
	"fmt"
	"math"
	"time"
)

// NaiveScale returns the in-sample one-step naive errors of a history: the
// mean of (y(t)-y(t-1))² (mse) and of |y(t)-y(t-1)| (mae), over the days
// after the first non-zero value, as in M5 (leading zeros of a product not
// yet on sale do not count). Both are 0 when fewer than two such days exist.
func NaiveScale(history []float64) (mse, mae float64) {
	first := 0
	for first < len(history) && history[first] == 0 {
		first++
	}
	n := 0
	for t := first + 1; t < len(history); t++ {
		d := history[t] - history[t-1]
		mse += d * d
		mae += math.Abs(d)
		n++
	}
	if n == 0 {
		return 0, 0
	}
	return mse / float64(n), mae / float64(n)
}

func checkLens(actual []float64, others ...[]float64) error {
	if len(actual) == 0 {
		return fmt.Errorf("%w: no actuals", ErrInput)
	}
	for _, o := range others {
		if len(o) != len(actual) {
			return fmt.Errorf("%w: %d values for %d actuals", ErrInput, len(o), len(actual))
		}
	}
	return nil
}

// RMSSE is the root mean squared scaled error of M5:
// sqrt( mean((y - ŷ)²) / scale ), scale being NaiveScale(history)'s mse.
// It is NaN when the scale is 0 (a constant history).
func RMSSE(actual, forecast, history []float64) (float64, error) {
	if err := checkLens(actual, forecast); err != nil {
		return 0, err
	}
	mse, _ := NaiveScale(history)
	var ss float64
	for i, a := range actual {
		ss += sq(a - forecast[i])
	}
	return scaled(math.Sqrt(ss/float64(len(actual))), math.Sqrt(mse)), nil
}

// MASE is the mean absolute scaled error: mean(|y - ŷ|) / scale, scale being
// NaiveScale(history)'s mae. NaN when the scale is 0.
func MASE(actual, forecast, history []float64) (float64, error) {
	if err := checkLens(actual, forecast); err != nil {
		return 0, err
	}
	_, mae := NaiveScale(history)
	var sa float64
	for i, a := range actual {
		sa += math.Abs(a - forecast[i])
	}
	return scaled(sa/float64(len(actual)), mae), nil
}

// WAPE is the weighted absolute percentage error Σ|y - ŷ| / Σ|y|; NaN when
// every actual is 0.
func WAPE(actual, forecast []float64) (float64, error) {
	if err := checkLens(actual, forecast); err != nil {
		return 0, err
	}
	var num, den float64
	for i, a := range actual {
		num += math.Abs(a - forecast[i])
		den += math.Abs(a)
	}
	return scaled(num, den), nil
}

// Bias is Σ(ŷ - y) / Σ|y|: positive when the forecast is too high; NaN when
// every actual is 0.
func Bias(actual, forecast []float64) (float64, error) {
	if err := checkLens(actual, forecast); err != nil {
		return 0, err
	}
	var num, den float64
	for i, a := range actual {
		num += forecast[i] - a
		den += math.Abs(a)
	}
	return scaled(num, den), nil
}

// Pinball is the mean pinball (quantile) loss of quantile forecasts q at
// level tau: τ·(y - q) when y >= q, else (1-τ)·(q - y).
func Pinball(actual, quantile []float64, tau float64) (float64, error) {
	if err := checkLens(actual, quantile); err != nil {
		return 0, err
	}
	if !(tau > 0 && tau < 1) {
		return 0, fmt.Errorf("%w: pinball level %v not in (0,1)", ErrInput, tau)
	}
	var sum float64
	for i, a := range actual {
		sum += pinball(a, quantile[i], tau)
	}
	return sum / float64(len(actual)), nil
}

func pinball(y, q, tau float64) float64 {
	if y >= q {
		return tau * (y - q)
	}
	return (1 - tau) * (q - y)
}

// Coverage is the share of actuals inside [lo, hi] (bounds included).
func Coverage(actual, lo, hi []float64) (float64, error) {
	if err := checkLens(actual, lo, hi); err != nil {
		return 0, err
	}
	in := 0
	for i, a := range actual {
		if a >= lo[i] && a <= hi[i] {
			in++
		}
	}
	return float64(in) / float64(len(actual)), nil
}

func sq(x float64) float64 { return x * x }

// scaled returns num/den, NaN when den is 0.
func scaled(num, den float64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// Metrics summarises backtest rows (see Evaluate).
type Metrics struct {
	// Days is the number of rows; Cells the number of (model, series,
	// origin) triples.
	Days, Cells int
	// RMSSE and MASE are means over cells; the SPLs are the scaled pinball
	// losses at 0.1, 0.5 and 0.9 (mean pinball loss / naive MAE), means over
	// cells; cells whose scale is 0 are left out of these means.
	RMSSE, MASE, SPL10, SPL50, SPL90 float64
	// WAPE, Bias and the coverages pool every row: Coverage80/95 are the
	// shares of actuals inside the intervals, RandCoverage80/95 the means of
	// the randomized coverage credits (BacktestRow.Credit80/95), the measure
	// that is nominal for a calibrated forecast of counts.
	WAPE, Bias, Coverage80, Coverage95 float64
	RandCoverage80, RandCoverage95     float64
}

// Evaluate computes the metrics of backtest rows (normally of one model).
// Each (model, series, origin) cell gets its RMSSE, MASE and SPLs from its rows and
// its scales (ScaleMSE, ScaleMAE), and these are averaged over cells with
// equal weights (M5 weighs series by revenue; here every series counts the
// same). The quantile forecasts are q0.1 = Lo80, q0.5 = Forecast and
// q0.9 = Hi80: the 80% interval is central, and the point forecast stands
// for the median (exact for symmetric predictive distributions).
func Evaluate(rows []BacktestRow) Metrics {
	type key struct {
		model, series string
		origin        time.Time
	}
	type acc struct {
		n                     int
		ss, sa, p10, p50, p90 float64
		mse, mae              float64
	}
	cells := map[key]*acc{}
	var order []key
	var m Metrics
	var absErr, overshoot, absAct float64
	var in80, in95 int
	var credit80, credit95 float64
	for _, r := range rows {
		k := key{r.Model, r.Series, r.Origin}
		c := cells[k]
		if c == nil {
			c = &acc{mse: r.ScaleMSE, mae: r.ScaleMAE}
			cells[k] = c
			order = append(order, k)
		}
		e := r.Actual - r.Forecast
		c.n++
		c.ss += e * e
		c.sa += math.Abs(e)
		c.p10 += pinball(r.Actual, r.Lo80, 0.1)
		c.p50 += pinball(r.Actual, r.Forecast, 0.5)
		c.p90 += pinball(r.Actual, r.Hi80, 0.9)
		absErr += math.Abs(e)
		overshoot -= e // ŷ - y
		absAct += math.Abs(r.Actual)
		credit80 += r.Credit80
		credit95 += r.Credit95
		if r.Actual >= r.Lo80 && r.Actual <= r.Hi80 {
			in80++
		}
		if r.Actual >= r.Lo95 && r.Actual <= r.Hi95 {
			in95++
		}
	}
	m.Days, m.Cells = len(rows), len(cells)
	var rm, ma, s10, s50, s90 mean
	for _, k := range order {
		c := cells[k]
		n := float64(c.n)
		rm.add(scaled(math.Sqrt(c.ss/n), math.Sqrt(c.mse)))
		ma.add(scaled(c.sa/n, c.mae))
		s10.add(scaled(c.p10/n, c.mae))
		s50.add(scaled(c.p50/n, c.mae))
		s90.add(scaled(c.p90/n, c.mae))
	}
	m.RMSSE, m.MASE, m.SPL10, m.SPL50, m.SPL90 = rm.value(), ma.value(), s10.value(), s50.value(), s90.value()
	m.WAPE, m.Bias = scaled(absErr, absAct), scaled(overshoot, absAct)
	if len(rows) > 0 {
		m.Coverage80 = float64(in80) / float64(len(rows))
		m.Coverage95 = float64(in95) / float64(len(rows))
		m.RandCoverage80 = credit80 / float64(len(rows))
		m.RandCoverage95 = credit95 / float64(len(rows))
	} else {
		m.Coverage80, m.Coverage95 = math.NaN(), math.NaN()
		m.RandCoverage80, m.RandCoverage95 = math.NaN(), math.NaN()
	}
	return m
}

// mean averages the finite values it is given; NaN when there are none.
type mean struct {
	sum float64
	n   int
}

func (m *mean) add(v float64) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		m.sum += v
		m.n++
	}
}

func (m mean) value() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return m.sum / float64(m.n)
}
