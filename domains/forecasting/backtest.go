package forecasting

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/meshterious/warehouse/domains/forecasting/forecast"
	"github.com/meshterious/warehouse/platform/domainkit"
)

// The accuracy target of the production model on the backtest.
const (
	// TargetSkill: mean RMSSE at least this much below seasonal naive.
	TargetSkill = 0.15
	// TargetCoverageTolerance: 80% and 95% randomized interval coverage
	// (forecast.IntervalCredit) within this of nominal.
	TargetCoverageTolerance = 0.05
)

// Target is the accuracy target checked for one model of a leaderboard.
type Target struct {
	Model string
	// RMSSE and BaselineRMSSE are the mean RMSSE of the model and of the
	// baseline; Skill = 1 - RMSSE/BaselineRMSSE.
	RMSSE, BaselineRMSSE, Skill float64
	// WorstCategory is the category where the model's skill is lowest.
	WorstCategory      string
	WorstCategorySkill float64
	// Coverage80 and Coverage95 are the randomized coverages the target
	// checks; Interval80 and Interval95 the shares of actuals inside the
	// intervals, above nominal by construction for counts with many zeros.
	Coverage80, Coverage95 float64
	Interval80, Interval95 float64
	// Whether each part of the target is met.
	SkillMet, CategoriesMet, Coverage80Met, Coverage95Met bool
}

// Met reports whether every part of the target is met.
func (t Target) Met() bool {
	return t.SkillMet && t.CategoriesMet && t.Coverage80Met && t.Coverage95Met
}

// CheckTarget checks the accuracy target for model on a leaderboard: mean
// RMSSE at least TargetSkill below the baseline, no category with a negative
// skill, 80% and 95% randomized coverage within TargetCoverageTolerance of
// nominal.
func CheckTarget(lb *forecast.Leaderboard, model string) (Target, error) {
	t := Target{Model: model, WorstCategorySkill: math.Inf(1)}
	found := false
	for _, r := range lb.Rows {
		if r.Model == model && r.Dimension == forecast.DimAll {
			found = true
			t.RMSSE, t.Skill = r.RMSSE, r.Skill
			t.Coverage80, t.Coverage95 = r.RandCoverage80, r.RandCoverage95
			t.Interval80, t.Interval95 = r.Coverage80, r.Coverage95
		}
		if r.Model == lb.Baseline && r.Dimension == forecast.DimAll {
			t.BaselineRMSSE = r.RMSSE
		}
		if r.Model == model && r.Dimension == forecast.DimCategory && r.Skill < t.WorstCategorySkill {
			t.WorstCategory, t.WorstCategorySkill = r.Group, r.Skill
		}
	}
	if !found {
		return t, fmt.Errorf("model %q is not on the leaderboard", model)
	}
	t.SkillMet = t.Skill >= TargetSkill
	t.CategoriesMet = t.WorstCategory == "" || t.WorstCategorySkill >= 0
	t.Coverage80Met = math.Abs(t.Coverage80-0.80) <= TargetCoverageTolerance+1e-12
	t.Coverage95Met = math.Abs(t.Coverage95-0.95) <= TargetCoverageTolerance+1e-12
	return t, nil
}

// RunBacktest backtests models on the history's series from count origins,
// horizon days apart, the last one ending with the history; the origins
// run on workers goroutines. progress, when not nil, is called after each
// origin.
func RunBacktest(h *History, models []forecast.Model, count, workers int, progress func(origin time.Time, took time.Duration)) (*forecast.BacktestResult, error) {
	origins, err := forecast.RollingOrigins(h.Series, count, h.Horizon, h.Horizon)
	if err != nil {
		return nil, err
	}
	const minHistory = 4 * forecast.Week
	if have := dayIndex(h.Start, origins[0]); have < minHistory {
		return nil, fmt.Errorf("%w: the first of %d origins, %s, has %d days of history before it, want %d (fewer --origins, or more --history)",
			ErrNoHistory, count, origins[0].Format(time.DateOnly), have, minHistory)
	}
	results := make([]*forecast.BacktestResult, len(origins))
	errs := make([]error, len(origins))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				results[i], errs[i] = forecast.Backtest(h.Series, forecast.BacktestConfig{
					Origins: origins[i : i+1], Horizon: h.Horizon, Models: models, MinHistory: minHistory})
				if progress != nil && errs[i] == nil {
					mu.Lock()
					progress(origins[i], time.Since(start))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range origins {
		next <- i
	}
	close(next)
	wg.Wait()
	out := &forecast.BacktestResult{Horizon: h.Horizon}
	for i, res := range results {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out.Models = res.Models
		out.Origins = append(out.Origins, res.Origins...)
		out.Rows = append(out.Rows, res.Rows...)
	}
	return out, nil
}

func runBacktest(ctx context.Context, app *domainkit.App, args []string) error {
	fs := newFlagSet(app, "backtest")
	var o options
	o.register(fs)
	count := fs.Int("origins", DefaultOrigins, "rolling origins, --horizon days apart, the last one ending with --as-of")
	workers := fs.Int("workers", DefaultWorkers, "origins backtested in parallel")
	modelName := fs.String("model", DefaultModel, "the production model the accuracy target is checked for first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.parse(); err != nil {
		return err
	}
	if *count < 1 {
		return fmt.Errorf("--origins %d: want at least 1", *count)
	}
	if _, err := ModelByName(*modelName); err != nil {
		return err
	}
	r, err := openRunner(ctx, app)
	if err != nil {
		return err
	}
	defer r.Close()
	asOf, id, run, err := r.claimRun(ctx, o, TableBacktest, "backtest", "backtest through")
	if err != nil || run == "" {
		return err
	}
	r.step("reading the demand history up to %s", asOf.Format(time.DateOnly))
	h, err := r.loadHistory(ctx, asOf, o)
	if err != nil {
		return err
	}
	models := Models()
	var names []string
	for _, m := range models {
		names = append(names, m.Name())
	}
	r.step("backtesting %s on %d series: %d origins x %d days, %d workers", strings.Join(names, ", "),
		len(h.Series), *count, h.Horizon, *workers)
	res, err := RunBacktest(h, models, *count, *workers, func(origin time.Time, took time.Duration) {
		r.step("origin %s done in %.1fs", origin.Format(time.DateOnly), took.Seconds())
	})
	if err != nil {
		return err
	}
	lb, err := forecast.BuildLeaderboard(res, h.Meta(), "")
	if err != nil {
		return err
	}
	b := newBatch(backtestSchema)
	defer b.release()
	appendBacktestRows(b, res, h, run, asOf, r.now)
	rows := b.n
	r.step("committing %d rows to %s", rows, id)
	snap, err := r.commit(ctx, id, b, map[string]string{
		SummaryRunID: run, SummaryAsOf: asOf.Format(time.DateOnly), SummaryModel: strings.Join(names, ","),
	})
	if err != nil {
		return err
	}
	var origins []string
	for _, o := range res.Origins {
		origins = append(origins, o.Format(time.DateOnly))
	}
	fmt.Fprintf(r.out, "\nbacktest through %s: %d series, origins %s, %d days each; %d rows to forecasting.%s, run %s, snapshot %d\n\n",
		asOf.Format(time.DateOnly), len(h.Series), strings.Join(origins, ", "), h.Horizon, rows, TableBacktest, run, snap)
	fmt.Fprintf(r.out, "leaderboard (RMSSE, MASE and SPL are means over series x origin, scaled by the in-sample naive errors; WAPE, bias and coverage pool every day):\n")
	if err := lb.WriteText(r.out); err != nil {
		return err
	}
	return printTargets(r, lb, res, *modelName, len(h.Series))
}

// appendBacktestRows adds every row of a backtest, with its errors, pinball
// losses, coverage flags and its cell's RMSSE and MASE.
func appendBacktestRows(b *batch, res *forecast.BacktestResult, h *History, run string, asOf, now time.Time) {
	rows := res.Rows
	for i := 0; i < len(rows); {
		// Rows of one (model, series, origin) cell are consecutive.
		j := i
		var ss, sa float64
		for ; j < len(rows) && rows[j].Model == rows[i].Model && rows[j].Series == rows[i].Series && rows[j].Origin.Equal(rows[i].Origin); j++ {
			e := rows[j].Forecast - rows[j].Actual
			ss += e * e
			sa += math.Abs(e)
		}
		n := float64(j - i)
		rmsse, mase := math.NaN(), math.NaN()
		if rows[i].ScaleMSE > 0 {
			rmsse = math.Sqrt(ss / n / rows[i].ScaleMSE)
		}
		if rows[i].ScaleMAE > 0 {
			mase = sa / n / rows[i].ScaleMAE
		}
		k := splitID(rows[i].Series)
		params := paramsJSON(rows[i].Params)
		for _, x := range rows[i:j] {
			e := x.Forecast - x.Actual
			b.str("model", x.Model)
			b.str("product_id", k.Product)
			b.str("region", k.Region)
			b.str("category", h.Category[k.Product])
			b.date("origin", x.Origin)
			b.i32("horizon_day", x.Step)
			b.date("forecast_date", x.Date)
			b.f64("actual", x.Actual)
			b.f64("forecast", x.Forecast)
			b.f64("lower_80", x.Lo80)
			b.f64("upper_80", x.Hi80)
			b.f64("lower_95", x.Lo95)
			b.f64("upper_95", x.Hi95)
			b.f64("error", e)
			b.f64("abs_error", math.Abs(e))
			b.f64("squared_error", e*e)
			b.f64("pinball_10", pinball(x.Actual, x.Lo80, 0.1))
			b.f64("pinball_50", pinball(x.Actual, x.Forecast, 0.5))
			b.f64("pinball_90", pinball(x.Actual, x.Hi80, 0.9))
			b.boolean("in_80", x.Actual >= x.Lo80 && x.Actual <= x.Hi80)
			b.boolean("in_95", x.Actual >= x.Lo95 && x.Actual <= x.Hi95)
			b.f64("credit_80", x.Credit80)
			b.f64("credit_95", x.Credit95)
			b.f64("scale_mse", x.ScaleMSE)
			b.f64("scale_mae", x.ScaleMAE)
			b.f64("rmsse", rmsse)
			b.f64("mase", mase)
			b.date("trained_through", asOf)
			b.str("run_id", run)
			b.ts("created_at", now)
			b.date("event_date", x.Origin)
			b.optStr("fitted_params", params)
			b.row()
		}
		i = j
	}
}

// paramsJSON writes a fit's parameters as a JSON object in their order, each
// number in the shortest form that reads back to the same float64 (finite:
// each parameter lies in its model's bounded region); "" when the model has
// none.
func paramsJSON(params []forecast.Param) string {
	if len(params) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteByte('{')
	for i, p := range params {
		if i > 0 {
			sb.WriteByte(',')
		}
		name, _ := json.Marshal(p.Name) // a string always marshals
		sb.Write(name)
		sb.WriteByte(':')
		sb.WriteString(strconv.FormatFloat(p.Value, 'g', -1, 64))
	}
	sb.WriteByte('}')
	return sb.String()
}

// pinball is the pinball loss of quantile q at level tau for actual y (see
// forecast.Pinball).
func pinball(y, q, tau float64) float64 {
	v, err := forecast.Pinball([]float64{y}, []float64{q}, tau)
	if err != nil {
		return math.NaN()
	}
	return v
}

// printTargets prints, for every model (the production model first),
// whether the accuracy target is met, and two references that bound what
// any model can reach on this data.
func printTargets(r *runner, lb *forecast.Leaderboard, res *forecast.BacktestResult, production string, series int) error {
	fmt.Fprintf(r.out, "\naccuracy target on %d series x %d origins x %d days: mean RMSSE at least %.0f%% below %s, no category worse than %s, 80%% and 95%% randomized coverage within %.0f points of nominal\n",
		series, len(res.Origins), res.Horizon, 100*TargetSkill, lb.Baseline, lb.Baseline, 100*TargetCoverageTolerance)
	order := []string{production}
	for _, m := range res.Models {
		if m != production && m != lb.Baseline {
			order = append(order, m)
		}
	}
	tw := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "model\tRMSSE\tskill (>= %.0f%%)\tworst category (>= 0%%)\trcov80 (75-85%%)\trcov95 (90-100%%)\tinside 80%%\tinside 95%%\ttarget\n", 100*TargetSkill)
	var prod Target
	for _, m := range order {
		t, err := CheckTarget(lb, m)
		if err != nil {
			return err
		}
		name := m
		if m == production {
			name, prod = m+" (production)", t
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%s %s\t%s %s %s\t%s %s\t%s %s\t%s\t%s\t%s\n", name, t.RMSSE,
			pctText(t.Skill), metText(t.SkillMet), t.WorstCategory, pctText(t.WorstCategorySkill), metText(t.CategoriesMet),
			pctText(t.Coverage80), metText(t.Coverage80Met), pctText(t.Coverage95), metText(t.Coverage95Met),
			pctText(t.Interval80), pctText(t.Interval95), verdict(t))
	}
	_ = tw.Flush()
	fmt.Fprintf(r.out, "production model %s: target %s (skill %s vs %.0f%%; worst category %s %s; randomized coverage 80%% %s, 95%% %s)\n",
		prod.Model, strings.ToUpper(verdict(prod)), pctText(prod.Skill), 100*TargetSkill, prod.WorstCategory,
		pctText(prod.WorstCategorySkill), pctText(prod.Coverage80), pctText(prod.Coverage95))
	// References: what the metrics allow on this data.
	var base []forecast.BacktestRow
	var zeros, lowZero, prodDays int
	for _, x := range res.Rows {
		if x.Model == lb.Baseline {
			z := x
			z.Forecast, z.Lo80, z.Hi80, z.Lo95, z.Hi95 = 0, 0, 0, 0, 0
			base = append(base, z)
			if x.Actual == 0 {
				zeros++
			}
		}
		if x.Model == production {
			prodDays++
			if x.Lo80 == 0 {
				lowZero++
			}
		}
	}
	zero := forecast.Evaluate(base)
	fmt.Fprintf(r.out, "references: forecasting 0 every day scores RMSSE %.3f, skill %s, WAPE %s: at this grain (product x region x day) most days are 0, so read RMSSE with WAPE and the pinball losses\n",
		zero.RMSSE, pctText(1-zero.RMSSE/prod.BaselineRMSSE), pctText(zero.WAPE))
	if len(base) > 0 && prodDays > 0 {
		fmt.Fprintf(r.out, "            %.1f%% of the actual days are 0 and %s's 80%% interval starts at 0 on %.1f%% of the days: an interval [0, q0.9] holds every 0, so the share inside is above nominal whatever the model; the randomized coverage (rcov) counts an actual at an atom of the forecast distribution by the share of the atom inside the interval, nominal for a calibrated forecast\n",
			100*float64(zeros)/float64(len(base)), production, 100*float64(lowZero)/float64(prodDays))
	}
	return nil
}

func pctText(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

func metText(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func verdict(t Target) string {
	if t.Met() {
		return "met"
	}
	var miss []string
	for _, p := range []struct {
		ok   bool
		name string
	}{{t.SkillMet, "skill"}, {t.CategoriesMet, "category"}, {t.Coverage80Met, "cov80"}, {t.Coverage95Met, "cov95"}} {
		if !p.ok {
			miss = append(miss, p.name)
		}
	}
	return "not met (" + strings.Join(miss, ", ") + ")"
}
