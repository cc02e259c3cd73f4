package forecasting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meshterious/warehouse/domains/forecasting/forecast"
)

// ErrNoHistory reports that there is no demand to forecast from: the
// staging is empty or the as-of is before the data.
var ErrNoHistory = errors.New("no demand history")

// SeriesKey is a product in a region: one demand series.
type SeriesKey struct {
	Product, Region string
}

// ID is the series' forecast.Series ID, product/region.
func (k SeriesKey) ID() string { return k.Product + "/" + k.Region }

// History is the demand panel a run forecasts from: the daily units of every
// active product x region from Start to AsOf, the promotion calendar of
// those days and of the horizon, and each product's category.
type History struct {
	AsOf, Start time.Time
	// Series are the active series (Keys[i] is Series[i]'s), sorted by
	// product and region; Values[t] is day Start+t.
	Series []forecast.Series
	Keys   []SeriesKey
	// Known counts every product x region with an order in the panel's days.
	Known int
	// Promo holds the promotion flag of every day from Start to AsOf+Horizon.
	Promo    map[time.Time]bool
	Horizon  int
	Category map[string]string
}

// Days is the number of days of the panel.
func (h *History) Days() int { return dayIndex(h.Start, h.AsOf) + 1 }

// FuturePromo returns the promotion flags of the n days after day, known in
// advance from the calendar.
func (h *History) FuturePromo(day time.Time, n int) []bool {
	out := make([]bool, n)
	for k := range out {
		out[k] = h.Promo[civil(day).AddDate(0, 0, k+1)]
	}
	return out
}

// Meta returns the leaderboard's category and region of every series.
func (h *History) Meta() map[string]forecast.SeriesMeta {
	out := make(map[string]forecast.SeriesMeta, len(h.Keys))
	for _, k := range h.Keys {
		out[k.ID()] = forecast.SeriesMeta{Category: h.Category[k.Product], Region: k.Region}
	}
	return out
}

// dataDays returns the first and last day of the demand staging.
func (r *runner) dataDays(ctx context.Context) (first, last time.Time, err error) {
	rows, err := r.query(ctx, "SELECT min(event_date), max(event_date) FROM forecasting.stg_daily_demand")
	if err != nil {
		return first, last, fmt.Errorf("reading forecasting.stg_daily_demand (run `forecasting transform build` first): %w", err)
	}
	f, ok1 := asDay(rows[0][0])
	l, ok2 := asDay(rows[0][1])
	if !ok1 || !ok2 {
		return first, last, fmt.Errorf("%w: forecasting.stg_daily_demand is empty (orders.fact_orders has no order lines yet?)", ErrNoHistory)
	}
	return f, l, nil
}

// resolveAsOf returns the --as-of day: the flag, or the last complete day,
// the day before today (UTC) or the last day with an order when the data
// ends earlier.
func (r *runner) resolveAsOf(ctx context.Context, flag string) (time.Time, error) {
	_, last, err := r.dataDays(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if flag != "" {
		return parseDay(flag)
	}
	yesterday := civil(r.now).AddDate(0, 0, -1)
	if last.Before(yesterday) {
		return last, nil
	}
	return yesterday, nil
}

// loadHistory reads the panel of o's as-of (resolved) from the lakehouse.
func (r *runner) loadHistory(ctx context.Context, asOf time.Time, o options) (*History, error) {
	first, _, err := r.dataDays(ctx)
	if err != nil {
		return nil, err
	}
	start := asOf.AddDate(0, 0, -(o.history - 1))
	// The first day of the data is usually partial: a producer's window
	// starts in the middle of it.
	if min := first.AddDate(0, 0, 1); start.Before(min) {
		start = min
	}
	if dayIndex(start, asOf)+1 < 2*forecast.Week {
		return nil, fmt.Errorf("%w: %d days from %s to --as-of %s, want at least %d", ErrNoHistory,
			max(dayIndex(start, asOf)+1, 0), start.Format(time.DateOnly), asOf.Format(time.DateOnly), 2*forecast.Week)
	}
	h := &History{AsOf: asOf, Start: start, Horizon: o.horizonDays, Promo: map[time.Time]bool{}, Category: map[string]string{}}
	end := asOf.AddDate(0, 0, o.horizonDays)
	rows, err := r.query(ctx, `SELECT date_id, is_promo_day FROM forecasting.dim_date
		WHERE date_id BETWEEN ? AND ? ORDER BY date_id`, start, end)
	if err != nil {
		return nil, fmt.Errorf("reading the promotion calendar forecasting.dim_date: %w", err)
	}
	for _, row := range rows {
		if d, ok := asDay(row[0]); ok {
			p, _ := row[1].(bool)
			h.Promo[d] = p
		}
	}
	if want := dayIndex(start, end) + 1; len(h.Promo) != want {
		return nil, fmt.Errorf("forecasting.dim_date has %d of the %d days from %s to %s: widen mesh_core's dim_date_start/dim_date_end",
			len(h.Promo), want, start.Format(time.DateOnly), end.Format(time.DateOnly))
	}
	rows, err = r.query(ctx, "SELECT product_id, category FROM inventory.dim_product")
	if err != nil {
		return nil, fmt.Errorf("reading inventory.dim_product: %w", err)
	}
	for _, row := range rows {
		h.Category[asString(row[0])] = asString(row[1])
	}
	rows, err = r.query(ctx, `SELECT product_id, region, event_date, CAST(sum(units) AS DOUBLE)
		FROM forecasting.stg_daily_demand WHERE event_date BETWEEN ? AND ?
		GROUP BY ALL ORDER BY product_id, region, event_date`, start, asOf)
	if err != nil {
		return nil, fmt.Errorf("reading forecasting.stg_daily_demand: %w", err)
	}
	days := h.Days()
	activeFrom := asOf.AddDate(0, 0, -(o.active - 1))
	var cur *forecast.Series
	var active bool
	flush := func(k SeriesKey) {
		h.Known++
		if active {
			h.Series = append(h.Series, *cur)
			h.Keys = append(h.Keys, k)
		}
	}
	var key SeriesKey
	for _, row := range rows {
		k := SeriesKey{asString(row[0]), asString(row[1])}
		d, ok := asDay(row[2])
		if !ok {
			continue
		}
		if cur == nil || k != key {
			if cur != nil {
				flush(key)
			}
			key, active = k, false
			cur = &forecast.Series{ID: k.ID(), Start: start, Values: make([]float64, days), Promo: make([]bool, days)}
			for t := range cur.Promo {
				cur.Promo[t] = h.Promo[start.AddDate(0, 0, t)]
			}
		}
		cur.Values[dayIndex(start, d)] += asFloat(row[3])
		if !d.Before(activeFrom) {
			active = true
		}
	}
	if cur != nil {
		flush(key)
	}
	if len(h.Series) == 0 {
		return nil, fmt.Errorf("%w: no product sold within --active %d days up to %s", ErrNoHistory, o.active, asOf.Format(time.DateOnly))
	}
	return h, nil
}

// Warehouse is a fulfilment centre of inventory.dim_warehouse.
type Warehouse struct {
	ID, Region string
}

// warehouses reads inventory.dim_warehouse, by region, sorted by id.
func (r *runner) warehouses(ctx context.Context) (map[string][]string, error) {
	rows, err := r.query(ctx, "SELECT warehouse_id, region FROM inventory.dim_warehouse ORDER BY warehouse_id")
	if err != nil {
		return nil, fmt.Errorf("reading inventory.dim_warehouse: %w", err)
	}
	out := map[string][]string{}
	for _, row := range rows {
		region := asString(row[1])
		out[region] = append(out[region], asString(row[0]))
	}
	return out, nil
}

func splitID(id string) SeriesKey {
	p, r, _ := strings.Cut(id, "/")
	return SeriesKey{p, r}
}
