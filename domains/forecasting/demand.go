package forecasting

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/meshterious/warehouse/domains/forecasting/forecast"
	"github.com/meshterious/warehouse/platform/domainkit"
)

// Forecasts are the forecasts of a panel's series, in order.
type Forecasts struct {
	Model     string
	Forecasts []forecast.Forecast
}

// ForecastPanel fits model on the history and forecasts its horizon, with the
// promotion flags of the forecast days from the calendar.
func ForecastPanel(model forecast.Model, h *History) (*Forecasts, error) {
	fitted, err := model.Fit(h.Series)
	if err != nil {
		return nil, fmt.Errorf("fitting %s: %w", model.Name(), err)
	}
	future := forecast.Covariates{Promo: h.FuturePromo(h.AsOf, h.Horizon)}
	out := &Forecasts{Model: model.Name(), Forecasts: make([]forecast.Forecast, len(fitted))}
	for i, f := range fitted {
		fc, err := f.Forecast(h.Horizon, future)
		if err != nil {
			return nil, fmt.Errorf("forecasting %s with %s: %w", h.Series[i].ID, model.Name(), err)
		}
		out.Forecasts[i] = fc
	}
	return out, nil
}

func runDemand(ctx context.Context, app *domainkit.App, args []string) error {
	fs := newFlagSet(app, "forecast demand")
	var o options
	o.register(fs)
	modelName := fs.String("model", DefaultModel, "the model whose forecasts are written: snaive, ets, tsb or ridge")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.parse(); err != nil {
		return err
	}
	model, err := ModelByName(*modelName)
	if err != nil {
		return err
	}
	r, err := openRunner(ctx, app)
	if err != nil {
		return err
	}
	defer r.Close()
	asOf, id, run, err := r.claimRun(ctx, o, TableDemand, "demand", "forecast demand as of")
	if err != nil || run == "" {
		return err
	}
	r.step("reading the demand history up to %s", asOf.Format(time.DateOnly))
	h, err := r.loadHistory(ctx, asOf, o)
	if err != nil {
		return err
	}
	r.step("fitting %s on %d active product x region series (%d days from %s), forecasting %d days",
		model.Name(), len(h.Series), h.Days(), h.Start.Format(time.DateOnly), h.Horizon)
	fc, err := ForecastPanel(model, h)
	if err != nil {
		return err
	}
	b := newBatch(demandSchema)
	defer b.release()
	for i, k := range h.Keys {
		f := fc.Forecasts[i]
		for d := 0; d < f.Len(); d++ {
			day := asOf.AddDate(0, 0, d+1)
			b.str("product_id", k.Product)
			b.str("region", k.Region)
			b.str("category", h.Category[k.Product])
			b.ts("forecast_ts", day)
			b.i32("horizon_day", d+1)
			b.f64("forecast_qty", f.Mean[d])
			b.f64("forecast_variance", f.Variance[d])
			b.f64("lower_80", f.Lo80[d])
			b.f64("upper_80", f.Hi80[d])
			b.f64("lower_95", f.Lo95[d])
			b.f64("upper_95", f.Hi95[d])
			b.str("model", fc.Model)
			b.date("trained_through", asOf)
			b.str("run_id", run)
			b.ts("created_at", r.now)
			b.date("event_date", day)
			b.row()
		}
	}
	rows := b.n
	r.step("committing %d rows to %s", rows, id)
	snap, err := r.commit(ctx, id, b, map[string]string{
		SummaryRunID: run, SummaryAsOf: asOf.Format(time.DateOnly), SummaryModel: fc.Model,
	})
	if err != nil {
		return err
	}
	printDemandSummary(r, h, fc, run, rows, snap, o.active)
	return nil
}

// printDemandSummary prints the run and, per region, the units forecast over
// the horizon next to the units of the same number of days before it.
func printDemandSummary(r *runner, h *History, fc *Forecasts, run string, rows int, snap int64, activeDays int) {
	fmt.Fprintf(r.out, "\nforecast demand as of %s: %d days from %s to %s, model %s\n", h.AsOf.Format(time.DateOnly), h.Horizon,
		h.AsOf.AddDate(0, 0, 1).Format(time.DateOnly), h.AsOf.AddDate(0, 0, h.Horizon).Format(time.DateOnly), fc.Model)
	fmt.Fprintf(r.out, "  series   %d active product x region (sold within %d days) of %d with history; %d days of history from %s\n",
		len(h.Series), activeDays, h.Known, h.Days(), h.Start.Format(time.DateOnly))
	promos := 0
	for _, p := range h.FuturePromo(h.AsOf, h.Horizon) {
		if p {
			promos++
		}
	}
	fmt.Fprintf(r.out, "  calendar %d promotion days in the horizon (forecasting.dim_date.is_promo_day)\n", promos)
	fmt.Fprintf(r.out, "  written  %d rows to forecasting.%s, run %s, snapshot %d\n\n", rows, TableDemand, run, snap)
	type agg struct{ past, mean, lo, hi float64 }
	byRegion := map[string]*agg{}
	for i, k := range h.Keys {
		a := byRegion[k.Region]
		if a == nil {
			a = &agg{}
			byRegion[k.Region] = a
		}
		s := h.Series[i].Values
		for t := max(0, len(s)-h.Horizon); t < len(s); t++ {
			a.past += s[t]
		}
		for d := range fc.Forecasts[i].Mean {
			a.mean += fc.Forecasts[i].Mean[d]
		}
	}
	tw := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "region\tseries\tunits, last %d days\tunits forecast, next %d days\tchange\t\n", h.Horizon, h.Horizon)
	n := map[string]int{}
	for _, k := range h.Keys {
		n[k.Region]++
	}
	var tp, tm float64
	for _, region := range slices.Sorted(maps.Keys(byRegion)) {
		a := byRegion[region]
		tp, tm = tp+a.past, tm+a.mean
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%s\t\n", region, n[region], a.past, a.mean, change(a.mean, a.past))
	}
	fmt.Fprintf(tw, "all\t%d\t%.0f\t%.0f\t%s\t\n", len(h.Keys), tp, tm, change(tm, tp))
	_ = tw.Flush()
	// The largest forecasts, for a glance at the head of the catalogue.
	type top struct {
		k    SeriesKey
		mean float64
	}
	var tops []top
	for i, k := range h.Keys {
		var m float64
		for _, v := range fc.Forecasts[i].Mean {
			m += v
		}
		tops = append(tops, top{k, m})
	}
	sort.Slice(tops, func(i, j int) bool { return tops[i].mean > tops[j].mean })
	fmt.Fprintf(r.out, "\nlargest forecasts (units over the horizon): ")
	for i := 0; i < min(5, len(tops)); i++ {
		if i > 0 {
			fmt.Fprint(r.out, ", ")
		}
		fmt.Fprintf(r.out, "%s %s %.0f", tops[i].k.Product, tops[i].k.Region, tops[i].mean)
	}
	fmt.Fprintln(r.out)
}

func change(now, before float64) string {
	if before == 0 || math.IsNaN(now) {
		return "-"
	}
	return strconv.FormatFloat(100*(now/before-1), 'f', 1, 64) + "%"
}
