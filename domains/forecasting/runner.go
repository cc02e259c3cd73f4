package forecasting

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/meshterious/warehouse/domains/forecasting/forecast"
	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/query"
)

// DefaultModel is the production model of fact_forecast_demand and the
// stockout risks: TSB suits intermittent demand and its intervals and
// variances are those of a count.
const DefaultModel = "tsb"

// Defaults of the command-line flags.
const (
	DefaultHorizonDays = 14
	DefaultHistoryDays = 84
	DefaultActiveDays  = 28
	DefaultShareDays   = 28
	DefaultOrigins     = 3
	DefaultWorkers     = 2
)

// Models returns the models the backtest compares, baseline first.
func Models() []forecast.Model {
	return []forecast.Model{forecast.SeasonalNaive{}, forecast.ETS{}, forecast.TSB{}, forecast.Ridge{}}
}

// ModelByName returns one of Models.
func ModelByName(name string) (forecast.Model, error) {
	var names []string
	for _, m := range Models() {
		if m.Name() == name {
			return m, nil
		}
		names = append(names, m.Name())
	}
	return nil, fmt.Errorf("--model %q: want one of %s", name, strings.Join(names, ", "))
}

// Commands are the forecasting binary's commands beyond domainkit's.
func Commands() []domainkit.Command {
	return []domainkit.Command{
		{Name: "forecast", Summary: "forecast demand|stockout [--as-of DATE] [--horizon 14d]: fact_forecast_demand, fact_stockout_risks", Run: runForecast},
		{Name: "backtest", Summary: "rolling-origin backtest of every model into fact_forecast_backtest; prints the leaderboard", Run: runBacktest},
	}
}

func runForecast(ctx context.Context, app *domainkit.App, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("usage: %s forecast demand|stockout [--as-of DATE] [--horizon 14d]", app.Domain.Name())
	}
	switch args[0] {
	case "demand":
		return runDemand(ctx, app, args[1:])
	case "stockout":
		return runStockout(ctx, app, args[1:])
	}
	return fmt.Errorf("forecast %q: want demand or stockout", args[0])
}

// options are the flags every step shares.
type options struct {
	asOf        string
	horizon     string
	history     int
	active      int
	rerun       bool
	horizonDays int
}

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.asOf, "as-of", "", "last day of history the models may see, YYYY-MM-DD (default: the last complete day)")
	fs.StringVar(&o.horizon, "horizon", fmt.Sprintf("%dd", DefaultHorizonDays), "days forecast after --as-of, e.g. 14d")
	fs.IntVar(&o.history, "history", DefaultHistoryDays, "days of history the models see, ending at --as-of")
	fs.IntVar(&o.active, "active", DefaultActiveDays, "a product x region is forecast when it sold within this many days up to --as-of")
	fs.BoolVar(&o.rerun, "rerun", false, "run again for an --as-of already done, as a new version")
}

func (o *options) parse() error {
	d, err := domainspec.ParseDuration(o.horizon)
	if err != nil {
		return fmt.Errorf("--horizon: %w", err)
	}
	if d < 24*time.Hour || d%(24*time.Hour) != 0 {
		return fmt.Errorf("--horizon %q: want whole days, at least 1d", o.horizon)
	}
	o.horizonDays = int(d / (24 * time.Hour))
	if o.history < 2*forecast.Week {
		return fmt.Errorf("--history %d: want at least %d days", o.history, 2*forecast.Week)
	}
	if o.active < 1 {
		return fmt.Errorf("--active %d: want at least 1 day", o.active)
	}
	return nil
}

func newFlagSet(app *domainkit.App, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(app.Domain.Name()+" "+name, flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	return fs
}

// runner is one run of a step: the domain, the lakehouse and a query engine
// over it, and where it reports.
type runner struct {
	domain   *domainkit.Domain
	out      io.Writer // the summary
	progress io.Writer // progress lines
	lh       *lakehouse.Lakehouse
	eng      *query.Engine
	started  time.Time
	now      time.Time
}

func openRunner(ctx context.Context, app *domainkit.App) (*runner, error) {
	rt, err := mesh.Load(app.Stderr)
	if err != nil {
		return nil, err
	}
	lh, err := rt.OpenLakehouse(ctx)
	if err != nil {
		return nil, err
	}
	eng, err := query.NewEngine(ctx, lh, query.Config{Logger: rt.Logger})
	if err != nil {
		lh.Close()
		return nil, err
	}
	now := time.Now().UTC()
	return &runner{domain: app.Domain, out: app.Stdout, progress: app.Stderr, lh: lh, eng: eng, started: now, now: now.Truncate(time.Microsecond)}, nil
}

func (r *runner) Close() error { return errors.Join(r.eng.Close(), r.lh.Close()) }

// step prints a progress line with the time since the run started.
func (r *runner) step(format string, args ...any) {
	fmt.Fprintf(r.progress, "%s [%5.1fs] %s\n", r.domain.Name(), time.Since(r.started).Seconds(), fmt.Sprintf(format, args...))
}

// query runs SQL over the lakehouse and returns its rows.
func (r *runner) query(ctx context.Context, q string, args ...any) ([][]any, error) {
	res, err := r.eng.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return res.Rows, nil
}

// Conversions of DuckDB values.

func asString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case int:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	}
	return 0
}

func asDay(v any) (time.Time, bool) {
	t, ok := v.(time.Time)
	if !ok {
		return time.Time{}, false
	}
	return civil(t), true
}

// civil returns t's calendar day at midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dayIndex is the number of days from start to d.
func dayIndex(start, d time.Time) int {
	return int(civil(d).Sub(civil(start)).Round(time.Hour).Hours() / 24)
}

func parseDay(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--as-of %q: want a date like 2026-11-25", s)
	}
	return t, nil
}
