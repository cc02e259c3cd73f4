package forecasting_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/domains/forecasting"
	"github.com/meshterious/warehouse/domains/forecasting/forecast"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

func TestMain(m *testing.M) { domaintest.Main(m) }

func TestDBTProject(t *testing.T) { domaintest.CheckDBTProject(t, forecasting.Domain()) }

// TestWarehouseShares splits a region's demand by each warehouse's recent
// order lines, shrunk towards the warehouse's share of the whole region with
// the weight of 4 lines.
func TestWarehouseShares(t *testing.T) {
	lines := map[string]map[string]float64{
		"P1": {"A": 6, "B": 2}, // the region: A 6 + 0, B 2 + 4 -> ω = (0.5, 0.5)
		"P3": {"B": 4},
	}
	got := forecasting.WarehouseShares([]string{"A", "B"}, lines, 4)
	tests := []struct {
		product string
		a, b    float64
	}{
		{"P1", (6 + 2.0) / 12, (2 + 2.0) / 12}, // (lines + 4·0.5) / (8 + 4)
		{"P3", (0 + 2.0) / 8, (4 + 2.0) / 8},
		{"", 0.5, 0.5}, // a product without recent lines: the warehouses' shares
	}
	for _, tc := range tests {
		t.Run(tc.product, func(t *testing.T) {
			assert.InDelta(t, tc.a, got[tc.product]["A"], 1e-12)
			assert.InDelta(t, tc.b, got[tc.product]["B"], 1e-12)
		})
	}
	// A region without any line: equal shares.
	empty := forecasting.WarehouseShares([]string{"A", "B", "C", "D"}, nil, 4)
	assert.InDelta(t, 0.25, empty[""]["C"], 1e-12)
}

// TestWarehouseRisk: half of a region's Poisson demand of 2 a day, 2 units on
// hand and no restock. The warehouse's demand to day d is Poisson(d), so the
// risk is P(Poisson(d) > 2): 1 - e^-d (1 + d + d²/2).
func TestWarehouseRisk(t *testing.T) {
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	p, err := forecasting.WarehouseRisk(start, []float64{2, 2, 2}, []float64{2, 2, 2}, 0.5, forecasting.Position{OnHand: 2})
	require.NoError(t, err)
	for d, want := range []float64{0.0803013971, 0.3233235838, 0.5768099189} {
		assert.InDelta(t, want, p.Risk.Prob[d], 1e-9, "day %d", d+1)
	}
	assert.InDelta(t, 0.5768099189, p.Risk.RiskScore, 1e-9)
	assert.Equal(t, start.AddDate(0, 0, 2), p.Risk.PredictedDate, "day 3 is the first at 0.5 or more")
	assert.InDelta(t, 1/(1+math.Sqrt(3)/3), p.Risk.Confidence, 1e-9, "1/(1 + sd/mean) of Poisson(3)")
	assert.InDelta(t, 3, p.ExpectedDemand, 1e-12)
	assert.Equal(t, []float64{1, 1, 1}, p.Variance, "a thinned count keeps its dispersion")

	// Restocks of 1 a day keep pace with the demand's mean: stock + inbound to
	// day d is 2 + d, so the risk is P(Poisson(d) > 2 + d).
	p, err = forecasting.WarehouseRisk(start, []float64{2, 2, 2}, []float64{2, 2, 2}, 0.5, forecasting.Position{OnHand: 2, InboundPerDay: 1})
	require.NoError(t, err)
	assert.InDelta(t, 3, p.ExpectedInbound, 1e-12)
	assert.InDelta(t, 1-math.Exp(-3)*(1+3+4.5+4.5+27.0/8+81.0/40), p.Risk.RiskScore, 1e-9, "P(Poisson(3) > 5)")
	assert.True(t, p.Risk.PredictedDate.IsZero(), "never reaches 0.5")

	// Stock below zero (more booked out than in): out of stock already.
	p, err = forecasting.WarehouseRisk(start, []float64{0, 0}, []float64{0, 0}, 0.5, forecasting.Position{OnHand: -3})
	require.NoError(t, err)
	assert.Equal(t, 1.0, p.Risk.RiskScore)
	assert.Equal(t, start, p.Risk.PredictedDate)
}

// TestCheckTarget reads each part of the accuracy target off a leaderboard.
// The coverage it checks is the randomized one: every row's share inside
// the intervals is 97%/99%, which would fail every model.
func TestCheckTarget(t *testing.T) {
	row := func(dim, group, model string, rmsse, skill, c80, c95 float64) forecast.LeaderboardRow {
		return forecast.LeaderboardRow{Dimension: dim, Group: group, Model: model, Skill: skill,
			Metrics: forecast.Metrics{RMSSE: rmsse, Coverage80: 0.97, Coverage95: 0.99, RandCoverage80: c80, RandCoverage95: c95}}
	}
	lb := &forecast.Leaderboard{Baseline: "snaive", Rows: []forecast.LeaderboardRow{
		row(forecast.DimAll, "all", "good", 0.80, 0.20, 0.83, 0.94),
		row(forecast.DimAll, "all", "narrow", 0.84, 0.16, 0.70, 0.86),
		row(forecast.DimAll, "all", "snaive", 1.00, 0, 0.90, 0.93),
		row(forecast.DimCategory, "toys", "good", 0.9, 0.05, 0.8, 0.95),
		row(forecast.DimCategory, "home", "good", 0.7, 0.25, 0.8, 0.95),
		row(forecast.DimCategory, "toys", "narrow", 1.1, -0.01, 0.8, 0.95),
	}}
	tests := []struct {
		model                     string
		skill, cats, cov80, cov95 bool
		worst                     string
		errContains               string
	}{
		{model: "good", skill: true, cats: true, cov80: true, cov95: true, worst: "toys"},
		{model: "narrow", skill: true, cats: false, cov80: false, cov95: false, worst: "toys"},
		{model: "snaive", skill: false, cats: true, cov80: false, cov95: true},
		{model: "missing", errContains: `model "missing" is not on the leaderboard`},
	}
	for _, tc := range tests {
		t.Run(tc.model, func(t *testing.T) {
			got, err := forecasting.CheckTarget(lb, tc.model)
			if tc.errContains != "" {
				require.ErrorContains(t, err, tc.errContains)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []bool{tc.skill, tc.cats, tc.cov80, tc.cov95},
				[]bool{got.SkillMet, got.CategoriesMet, got.Coverage80Met, got.Coverage95Met})
			assert.Equal(t, tc.worst, got.WorstCategory)
			assert.Equal(t, 1.0, got.BaselineRMSSE)
			assert.Equal(t, tc.skill && tc.cats && tc.cov80 && tc.cov95, got.Met())
		})
	}
}

// TestRunBacktestParallel: origins backtested on two workers give the rows of
// one worker, in origin order, for every model x series x origin x day.
func TestRunBacktestParallel(t *testing.T) {
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	h := &forecasting.History{AsOf: start.AddDate(0, 0, 83), Start: start, Horizon: 7}
	r := gen.NewRand(7, 7)
	for i := 0; i < 6; i++ {
		s := forecast.Series{ID: fmt.Sprintf("P-%05d/us-east", i), Start: start, Values: make([]float64, 84)}
		for d := range s.Values {
			s.Values[d] = float64(r.Poisson(3 + float64(i) + 2*float64(s.Date(d).Weekday()%2)))
		}
		h.Series = append(h.Series, s)
		h.Keys = append(h.Keys, forecasting.SeriesKey{Product: fmt.Sprintf("P-%05d", i), Region: "us-east"})
	}
	one, err := forecasting.RunBacktest(h, forecasting.Models(), 4, 1, nil)
	require.NoError(t, err)
	two, err := forecasting.RunBacktest(h, forecasting.Models(), 4, 2, nil)
	require.NoError(t, err)
	assert.Len(t, one.Rows, 4*6*4*7)
	assert.Equal(t, one.Rows, two.Rows)
	assert.Equal(t, []time.Time{start.AddDate(0, 0, 56), start.AddDate(0, 0, 63), start.AddDate(0, 0, 70), start.AddDate(0, 0, 77)}, two.Origins)
	_, err = forecasting.RunBacktest(h, forecasting.Models(), 9, 2, nil)
	require.ErrorIs(t, err, forecasting.ErrNoHistory, "the first origin would have 28 days of history at most")
}

// The pipeline's fixture: 4000 order lines in each of two regions over the
// 84 days before FixedUntil (the stand-in of orders.fact_orders), the master
// data's products and warehouses, opening stock of 10 of every product in
// every warehouse, and the movements of one product in one warehouse.
var (
	asOf       = domaintest.FixedUntil.AddDate(0, 0, -1) // the last complete day of the stand-in
	ordersOpts = domaintest.OrdersOptions{PerRegion: 4000, Span: 84 * 24 * time.Hour, Regions: []string{"us-east", "eu-central"}}
)

func day(offset int) string { return asOf.AddDate(0, 0, offset).Format(time.DateOnly) }

// seedInventory loads the stand-ins of the inventory domain's data products.
func seedInventory(h *domaintest.Harness, product, warehouse string) {
	var products, warehouses []string
	ps := domaintest.Published(h.T, "inventory.products").Scan()
	for ps.Next() {
		products = append(products, fmt.Sprintf("('%s', '%s')", ps.String("product_id"), ps.String("category")))
	}
	require.NoError(h.T, ps.Err())
	for _, region := range gen.RegionNames() {
		for _, w := range publishedWarehouses(h.T, region) {
			warehouses = append(warehouses, fmt.Sprintf("('%s', '%s')", w, region))
		}
	}
	h.LoadSQL(lakehouse.Ident{Namespace: "inventory", Name: "dim_product"},
		"SELECT * FROM (VALUES "+strings.Join(products, ", ")+") v(product_id, category)")
	h.LoadSQL(lakehouse.Ident{Namespace: "inventory", Name: "dim_warehouse"},
		"SELECT * FROM (VALUES "+strings.Join(warehouses, ", ")+") v(warehouse_id, region)")
	h.LoadSQL(lakehouse.Ident{Namespace: "inventory", Name: "opening_stock"},
		"SELECT p.product_id, w.warehouse_id, CAST(10 AS BIGINT) AS opening_qty FROM (VALUES "+strings.Join(products, ", ")+
			") p(product_id, category) CROSS JOIN (VALUES "+strings.Join(warehouses, ", ")+") w(warehouse_id, region)")
	// 56 restocked 40 days before the as-of (on hand, but not recent), 28
	// restocked 13 days before (1 a day over the 28-day window), 5 picked the
	// day before, and 100 picked the day after the as-of, which the models
	// may not see: 10 + 56 + 28 - 5 = 89 on hand.
	h.LoadSQL(lakehouse.Ident{Namespace: "inventory", Name: "fact_inventory_movements"}, fmt.Sprintf(`
		SELECT * FROM (VALUES
			('m1', '%[1]s', '%[2]s', 'us-east', CAST(56 AS BIGINT), 'restock', DATE '%[3]s'),
			('m2', '%[1]s', '%[2]s', 'us-east', CAST(28 AS BIGINT), 'restock', DATE '%[4]s'),
			('m3', '%[1]s', '%[2]s', 'us-east', CAST(-5 AS BIGINT), 'outbound_order', DATE '%[5]s'),
			('m4', '%[1]s', '%[2]s', 'us-east', CAST(-100 AS BIGINT), 'outbound_order', DATE '%[6]s')
		) v(movement_id, product_id, warehouse_id, region, delta_qty, source_type, event_date)`,
		product, warehouse, day(-40), day(-13), day(-1), day(1)))
}

// TestPipeline runs the domain's steps on the fixture: transform build, the
// demand forecast, the stockout risks and the backtest; checks the known
// answers (the active series, their rows, the stock, the warehouse split),
// that a second run commits nothing and that --rerun is a new version.
func TestPipeline(t *testing.T) {
	h := domaintest.New(t, forecasting.Domain(), "./cmd/forecasting", domaintest.Embedded)
	domaintest.SeedOrders(h, ordersOpts)

	// The known answers, from the stand-in's order lines: the active series
	// (an order within 28 days up to the as-of) and, for one of them, the
	// recent order lines of each us-east warehouse.
	from := asOf.AddDate(0, 0, -27)
	active := map[string]bool{}
	linesByWH := map[string]map[string]float64{}
	for _, region := range ordersOpts.Regions {
		for _, l := range domaintest.OrderLines(t, region, ordersOpts) {
			d := l["order_ts"].(time.Time).UTC().Truncate(24 * time.Hour)
			if d.Before(from) || d.After(asOf) {
				continue
			}
			p := l["product_id"].(string)
			active[p+"/"+region] = true
			if region == "us-east" {
				if linesByWH[p] == nil {
					linesByWH[p] = map[string]float64{}
				}
				linesByWH[p][l["warehouse_id"].(string)]++
			}
		}
	}
	var usEast []string
	for k := range active {
		if p, ok := strings.CutSuffix(k, "/us-east"); ok {
			usEast = append(usEast, p)
		}
	}
	sort.Strings(usEast)
	whs := publishedWarehouses(t, "us-east")
	product, warehouse := usEast[0], whs[0]
	wantShare := forecasting.WarehouseShares(whs, linesByWH, forecasting.SharePrior)[product][warehouse]
	seedInventory(h, product, warehouse)

	require.Contains(t, h.Run("transform", "build"), "ERROR=0 FAIL=0")

	// Without --as-of: the last complete day of the data.
	out := h.Run("forecast", "demand")
	promos := 0
	for d := 1; d <= 14; d++ {
		if gen.IsPromoDay(asOf.AddDate(0, 0, d)) {
			promos++
		}
	}
	assert.Contains(t, out, fmt.Sprintf("forecast demand as of %s: 14 days from %s to %s, model tsb", day(0), day(1), day(14)))
	assert.Contains(t, out, fmt.Sprintf("calendar %d promotion days in the horizon", promos), "the promotion calendar from dim_date")
	series := int64(len(active))
	h.AssertRows(map[string]int64{"forecasting.fact_forecast_demand": 14 * series})
	assert.Equal(t, series, h.Int(`SELECT count(DISTINCT (product_id, region)) FROM forecasting.fact_forecast_demand`),
		"every active product x region")
	h.AssertNone(map[string]string{
		"not active": fmt.Sprintf(`SELECT count(*) FROM forecasting.fact_forecast_demand f WHERE NOT EXISTS (
			SELECT 1 FROM orders.fact_orders o WHERE o.product_id = f.product_id AND o.region = f.region
			AND o.event_date BETWEEN DATE '%s' AND DATE '%s')`, day(-27), day(0)),
		"not 14 days": `SELECT count(*) FROM (SELECT product_id, region, count(DISTINCT event_date) AS days,
			min(horizon_day) AS first, max(horizon_day) AS last FROM forecasting.fact_forecast_demand GROUP BY ALL)
			WHERE days <> 14 OR first <> 1 OR last <> 14`,
		"forecast day": `SELECT count(*) FROM forecasting.fact_forecast_demand
			WHERE event_date <> trained_through + horizon_day OR CAST(timezone('UTC', forecast_ts) AS DATE) <> event_date`,
		"intervals": `SELECT count(*) FROM forecasting.fact_forecast_demand WHERE forecast_qty < 0
			OR NOT (0 <= lower_95 AND lower_95 <= lower_80 AND lower_80 <= upper_80 AND upper_80 <= upper_95)`,
		"category": `SELECT count(*) FROM forecasting.fact_forecast_demand f JOIN inventory.dim_product p USING (product_id)
			WHERE f.category <> p.category`,
	})
	assert.Equal(t, [][]any{{day(0), "demand-" + day(0) + "-v1", "tsb"}},
		h.Query(`SELECT DISTINCT strftime(trained_through, '%Y-%m-%d'), run_id, model FROM forecasting.fact_forecast_demand`))

	out = h.Run("forecast", "stockout", "--as-of", day(0))
	assert.Contains(t, out, "calibration on 3 past origins")
	// Every active series x the warehouses of its region.
	pairs := int64(len(usEast)*len(whs)) +
		(series-int64(len(usEast)))*int64(len(publishedWarehouses(t, "eu-central")))
	h.AssertRows(map[string]int64{"forecasting.fact_stockout_risks": pairs})
	h.AssertNone(map[string]string{
		"unknown warehouse": `SELECT count(*) FROM forecasting.fact_stockout_risks
			WHERE warehouse_id NOT IN (SELECT warehouse_id FROM inventory.dim_warehouse)`,
		"another region's warehouse": `SELECT count(*) FROM forecasting.fact_stockout_risks r
			JOIN inventory.dim_warehouse w USING (warehouse_id) WHERE w.region <> r.region`,
		"shares": `SELECT count(*) FROM (SELECT product_id, region, sum(demand_share) AS s
			FROM forecasting.fact_stockout_risks GROUP BY ALL) WHERE abs(s - 1) > 1e-9`,
		"split": `SELECT count(*) FROM forecasting.fact_stockout_risks r JOIN (
			SELECT product_id, region, sum(forecast_qty) AS q FROM forecasting.fact_forecast_demand GROUP BY ALL) f
			USING (product_id, region) WHERE abs(r.expected_demand - r.demand_share * f.q) > 1e-6`,
		"risk": `SELECT count(*) FROM forecasting.fact_stockout_risks WHERE NOT (risk_score BETWEEN 0 AND 1)
			OR NOT (confidence BETWEEN 0 AND 1) OR (risk_score >= 0.5) <> (predicted_date IS NOT NULL)
			OR predicted_date <= as_of OR predicted_date > as_of + 14`,
	})
	got := h.Query(fmt.Sprintf(`SELECT on_hand, expected_inbound, demand_share, demand_run_id, run_id
		FROM forecasting.fact_stockout_risks WHERE product_id = '%s' AND warehouse_id = '%s'`, product, warehouse))
	require.Len(t, got, 1)
	assert.Equal(t, int64(89), got[0][0], "10 opening + 56 + 28 - 5; the pick after the as-of is not seen")
	assert.InDelta(t, 14.0, got[0][1], 1e-9, "28 restocked in the last 28 days: 1 a day")
	assert.InDelta(t, wantShare, got[0][2], 1e-12, "the warehouse's recent share of the product's lines")
	assert.Equal(t, []any{"demand-" + day(0) + "-v1", "stockout-" + day(0) + "-v1"}, got[0][3:])
	// Every other pair holds its opening stock and expects no restock.
	assert.Equal(t, [][]any{{int64(10), 0.0}}, h.Query(fmt.Sprintf(`SELECT DISTINCT on_hand, expected_inbound
		FROM forecasting.fact_stockout_risks WHERE NOT (product_id = '%s' AND warehouse_id = '%s')`, product, warehouse)))

	out = h.Run("backtest", "--as-of", day(0))
	assert.Contains(t, out, "accuracy target on")
	assert.Contains(t, out, "production model tsb: target ")
	h.AssertRows(map[string]int64{"forecasting.fact_forecast_backtest": 4 * series * 3 * 14})
	assert.Equal(t, [][]any{{day(-41)}, {day(-27)}, {day(-13)}},
		h.Query("SELECT DISTINCT strftime(origin, '%Y-%m-%d') FROM forecasting.fact_forecast_backtest ORDER BY 1"))
	h.AssertNone(map[string]string{
		"actuals": fmt.Sprintf(`SELECT count(*) FROM forecasting.fact_forecast_backtest b WHERE model = 'snaive' AND actual <> (
			SELECT coalesce(sum(qty), 0) FROM orders.fact_orders o WHERE o.product_id = b.product_id
			AND o.region = b.region AND o.event_date = b.forecast_date) AND forecast_date <= DATE '%s'`, day(0)),
		"errors": `SELECT count(*) FROM forecasting.fact_forecast_backtest
			WHERE abs(error - (forecast - actual)) > 1e-9 OR in_80 <> (actual BETWEEN lower_80 AND upper_80)`,
		// A randomized coverage credit is a share, and positive only inside the interval.
		"credits": `SELECT count(*) FROM forecasting.fact_forecast_backtest
			WHERE credit_80 NOT BETWEEN 0 AND 1 OR credit_95 NOT BETWEEN 0 AND 1
			   OR (credit_80 > 0 AND NOT in_80) OR (credit_95 > 0 AND NOT in_95)`,
		// ETS and TSB record their fit, one per cell, inside the region it was searched in
		// (closed for β and γ: the logistic map reaches 0 and 1 in float64).
		"params": `SELECT count(*) FROM forecasting.fact_forecast_backtest WHERE (model IN ('ets', 'tsb')) <> (fitted_params IS NOT NULL)`,
		"params per cell": `SELECT count(*) FROM (SELECT model, product_id, region, origin FROM forecasting.fact_forecast_backtest
			GROUP BY ALL HAVING count(DISTINCT fitted_params) > 1)`,
		"ets params": `SELECT count(*) FROM (SELECT CAST(p->>'alpha' AS DOUBLE) AS a, CAST(p->>'beta' AS DOUBLE) AS b,
				CAST(p->>'gamma' AS DOUBLE) AS g, CAST(p->>'phi' AS DOUBLE) AS phi
			FROM (SELECT CAST(fitted_params AS JSON) AS p FROM forecasting.fact_forecast_backtest WHERE model = 'ets'))
			WHERE NOT (a > 0 AND a < 1 AND b BETWEEN 0 AND a AND g BETWEEN 0 AND 1 - a AND phi BETWEEN 0.8 AND 0.98)`,
	})

	// A second run of every step commits nothing; --rerun is a new version.
	before := h.Snapshots()
	for _, args := range [][]string{{"forecast", "demand"}, {"forecast", "stockout"}, {"backtest"}} {
		assert.Contains(t, h.Run(append(args, "--as-of", day(0))...), "nothing committed", args)
	}
	assert.Equal(t, before, h.Snapshots(), "a second run changed a table")
	h.Run("forecast", "demand", "--as-of", day(0), "--rerun")
	h.Run("forecast", "stockout", "--as-of", day(0))
	assert.Equal(t, [][]any{
		{"demand-" + day(0) + "-v1", "stockout-" + day(0) + "-v1", pairs},
		{"demand-" + day(0) + "-v2", "stockout-" + day(0) + "-v2", pairs},
	}, h.Query(`SELECT demand_run_id, run_id, count(*) FROM forecasting.fact_stockout_risks GROUP BY ALL ORDER BY 1`))
}

// publishedWarehouses lists the ids of the warehouses of region the
// inventory domain publishes (inventory.warehouses), in its order.
func publishedWarehouses(t testing.TB, region string) []string {
	var out []string
	s := domaintest.Published(t, "inventory.warehouses").Scan()
	for s.Next() {
		if s.String("region") == region {
			out = append(out, s.String("warehouse_id"))
		}
	}
	require.NoError(t, s.Err())
	return out
}
