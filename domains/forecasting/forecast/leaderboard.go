package forecast

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// SeriesMeta describes a series for the leaderboard's aggregations.
type SeriesMeta struct {
	Category, Region string
}

// Leaderboard dimensions.
const (
	DimAll      = "all"
	DimCategory = "category"
	DimRegion   = "region"
	DimHorizon  = "horizon"
)

// LeaderboardRow is the metrics of one model over one group of rows.
type LeaderboardRow struct {
	// Dimension is DimAll, DimCategory, DimRegion or DimHorizon; Group the
	// category, region or horizon day ("all" for DimAll).
	Dimension, Group string
	Model            string
	Metrics
	// Skill is 1 - RMSSE / RMSSE of the baseline in the same group: > 0 when
	// the model beats the baseline.
	Skill float64
}

// Leaderboard ranks the models of a backtest: for every group, its models
// sorted by RMSSE (best first).
type Leaderboard struct {
	Baseline string
	Rows     []LeaderboardRow
}

// BuildLeaderboard evaluates every model of res overall, by category, by
// region (from meta; a series missing from meta is in group "unknown") and by
// horizon day, with the skill against baseline ("" means "snaive", which must
// be one of the backtest's models).
func BuildLeaderboard(res *BacktestResult, meta map[string]SeriesMeta, baseline string) (*Leaderboard, error) {
	if res == nil || len(res.Rows) == 0 {
		return nil, fmt.Errorf("%w: leaderboard of an empty backtest", ErrInput)
	}
	if baseline == "" {
		baseline = SeasonalNaive{}.Name()
	}
	if !slices.Contains(res.Models, baseline) {
		return nil, fmt.Errorf("%w: leaderboard baseline %q is not a backtested model (%s)",
			ErrInput, baseline, strings.Join(res.Models, ", "))
	}
	group := func(dim string, r BacktestRow) string {
		switch dim {
		case DimCategory, DimRegion:
			m, ok := meta[r.Series]
			v := m.Category
			if dim == DimRegion {
				v = m.Region
			}
			if !ok || v == "" {
				return "unknown"
			}
			return v
		case DimHorizon:
			return strconv.Itoa(r.Step)
		}
		return DimAll
	}
	type gkey struct{ group, model string }
	lb := &Leaderboard{Baseline: baseline}
	for _, dim := range []string{DimAll, DimCategory, DimRegion, DimHorizon} {
		buckets := map[gkey][]BacktestRow{}
		var groups []string
		for _, r := range res.Rows {
			g := group(dim, r)
			k := gkey{g, r.Model}
			if _, ok := buckets[k]; !ok && !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
			buckets[k] = append(buckets[k], r)
		}
		if dim == DimHorizon {
			slices.SortFunc(groups, func(a, b string) int {
				x, _ := strconv.Atoi(a)
				y, _ := strconv.Atoi(b)
				return x - y
			})
		} else {
			slices.Sort(groups)
		}
		for _, g := range groups {
			base := Evaluate(buckets[gkey{g, baseline}])
			var rows []LeaderboardRow
			for _, model := range res.Models {
				b, ok := buckets[gkey{g, model}]
				if !ok {
					continue
				}
				m := Evaluate(b)
				rows = append(rows, LeaderboardRow{Dimension: dim, Group: g, Model: model,
					Metrics: m, Skill: 1 - scaled(m.RMSSE, base.RMSSE)})
			}
			slices.SortStableFunc(rows, func(a, b LeaderboardRow) int { return cmpNaNLast(a.RMSSE, b.RMSSE) })
			lb.Rows = append(lb.Rows, rows...)
		}
	}
	return lb, nil
}

func cmpNaNLast(a, b float64) int {
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return 1
	case math.IsNaN(b):
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Filter returns the rows of one dimension.
func (l *Leaderboard) Filter(dimension string) []LeaderboardRow {
	var out []LeaderboardRow
	for _, r := range l.Rows {
		if r.Dimension == dimension {
			out = append(out, r)
		}
	}
	return out
}

// WriteText writes the leaderboard as an aligned text table; undefined
// values (a zero scale or no actual demand) print as "-".
func (l *Leaderboard) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "dimension\tgroup\tmodel\tRMSSE\tskill vs %s\tMASE\tWAPE\tbias\tSPL0.1\tSPL0.5\tSPL0.9\tcov80\tcov95\trcov80\trcov95\tcells\tdays\t\n", l.Baseline)
	for _, r := range l.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t\n",
			r.Dimension, r.Group, r.Model, num(r.RMSSE), pct(r.Skill), num(r.MASE), pct(r.WAPE), pct(r.Bias),
			num(r.SPL10), num(r.SPL50), num(r.SPL90), pct(r.Coverage80), pct(r.Coverage95), pct(r.RandCoverage80), pct(r.RandCoverage95), r.Cells, r.Days)
	}
	return tw.Flush()
}

// String returns the text table of WriteText.
func (l *Leaderboard) String() string {
	var b strings.Builder
	_ = l.WriteText(&b)
	return b.String()
}

func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}
