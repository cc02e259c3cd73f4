package forecasting

import (
	"context"
	"fmt"
	"math"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/meshterious/warehouse/domains/forecasting/forecast"
	"github.com/meshterious/warehouse/platform/domainkit"
)

// SharePrior is the weight, in order lines, of a warehouse's share of all its
// region's lines in the split of a product's regional demand: a product
// with few recent orders gets about the warehouse's usual share.
const SharePrior = 4.0

// WarehouseShares splits each product's regional demand to the region's
// warehouses: share(p, w) = (lines(p, w) + k·ω(w)) / (Σ_w lines(p, w) + k),
// with ω(w) the warehouse's share of every line of the region (equal shares
// when the region had none) and k = prior. lines holds the recent order lines
// of each product (outer key) per warehouse; the shares of a product sum to 1
// over warehouses.
func WarehouseShares(warehouses []string, lines map[string]map[string]float64, prior float64) map[string]map[string]float64 {
	omega := make(map[string]float64, len(warehouses))
	var total float64
	for _, byWH := range lines {
		for w, n := range byWH {
			omega[w] += n
			total += n
		}
	}
	for _, w := range warehouses {
		if total > 0 {
			omega[w] /= total
		} else {
			omega[w] = 1 / float64(len(warehouses))
		}
	}
	out := map[string]map[string]float64{}
	share := func(p string) map[string]float64 {
		byWH := lines[p]
		var sum float64
		for _, w := range warehouses {
			sum += byWH[w]
		}
		m := make(map[string]float64, len(warehouses))
		for _, w := range warehouses {
			if sum+prior > 0 {
				m[w] = (byWH[w] + prior*omega[w]) / (sum + prior)
			} else {
				m[w] = omega[w]
			}
		}
		return m
	}
	for p := range lines {
		out[p] = share(p)
	}
	out[""] = share("") // a product without recent lines
	return out
}

// Position is a product's stock in a warehouse at the end of the as-of day.
type Position struct {
	// OnHand is opening stock plus every movement up to the as-of day.
	OnHand int64
	// InboundPerDay is the expected restock per day: the average daily
	// restock of the recent window (there are no purchase orders to read).
	InboundPerDay float64
}

// PairRisk is the stockout risk of one product in one warehouse.
type PairRisk struct {
	Key       SeriesKey // the product and the warehouse's region
	Warehouse string
	Share     float64
	Position
	Mean, Variance  []float64 // the warehouse's daily demand
	ExpectedDemand  float64
	ExpectedInbound float64
	Risk            forecast.StockoutRisk
}

// WarehouseRisk splits a region forecast (daily means and variances from
// start) to a warehouse holding share of it and computes its stockout risk.
// A thinned compound count keeps its variance-to-mean ratio, so the
// warehouse's mean and variance are share times the region's.
func WarehouseRisk(start time.Time, mean, variance []float64, share float64, pos Position) (PairRisk, error) {
	h := len(mean)
	p := PairRisk{Share: share, Position: pos, Mean: make([]float64, h), Variance: make([]float64, h)}
	inbound := make([]float64, h)
	for d := 0; d < h; d++ {
		p.Mean[d] = share * mean[d]
		p.Variance[d] = share * variance[d]
		inbound[d] = pos.InboundPerDay
		p.ExpectedDemand += p.Mean[d]
		p.ExpectedInbound += inbound[d]
	}
	risk, err := forecast.Stockout(forecast.StockoutInput{Start: start, Mean: p.Mean, Variance: p.Variance,
		OnHand: float64(pos.OnHand), Inbound: inbound}, forecast.Auto)
	if err != nil {
		return p, err
	}
	p.Risk = risk
	return p, nil
}

// assess computes the risk of every product of keys (with its region
// forecast) in every warehouse of its region, with the stock, restocks and
// warehouse shares as of asOf.
func (r *runner) assess(ctx context.Context, asOf time.Time, keys []SeriesKey, means, variances [][]float64, shareDays int) ([]PairRisk, error) {
	whs, err := r.warehouses(ctx)
	if err != nil {
		return nil, err
	}
	from := asOf.AddDate(0, 0, -(shareDays - 1))
	rows, err := r.query(ctx, `SELECT region, product_id, warehouse_id, CAST(sum(order_lines) AS DOUBLE)
		FROM forecasting.stg_daily_demand WHERE event_date BETWEEN ? AND ? GROUP BY ALL`, from, asOf)
	if err != nil {
		return nil, fmt.Errorf("reading forecasting.stg_daily_demand: %w", err)
	}
	lines := map[string]map[string]map[string]float64{} // region -> product -> warehouse
	for _, row := range rows {
		region, p, w := asString(row[0]), asString(row[1]), asString(row[2])
		if lines[region] == nil {
			lines[region] = map[string]map[string]float64{}
		}
		if lines[region][p] == nil {
			lines[region][p] = map[string]float64{}
		}
		lines[region][p][w] += asFloat(row[3])
	}
	shares := map[string]map[string]map[string]float64{}
	for region, ws := range whs {
		shares[region] = WarehouseShares(ws, lines[region], SharePrior)
	}
	rows, err = r.query(ctx, `WITH opening AS (
			SELECT product_id, warehouse_id, CAST(sum(opening_qty) AS BIGINT) AS qty
			FROM inventory.opening_stock GROUP BY ALL),
		moved AS (
			SELECT product_id, warehouse_id, CAST(sum(net_qty) AS BIGINT) AS qty,
			       CAST(sum(CASE WHEN event_date >= ? THEN restock_qty ELSE 0 END) AS DOUBLE) AS restocked
			FROM forecasting.stg_stock_movements WHERE event_date <= ? GROUP BY ALL)
		SELECT product_id, warehouse_id, coalesce(o.qty, 0) + coalesce(m.qty, 0), coalesce(m.restocked, 0)
		FROM opening o FULL JOIN moved m USING (product_id, warehouse_id)`, from, asOf)
	if err != nil {
		return nil, fmt.Errorf("reading the stock on hand (inventory.opening_stock, forecasting.stg_stock_movements): %w", err)
	}
	type pw struct{ product, warehouse string }
	positions := map[pw]Position{}
	for _, row := range rows {
		onHand, _ := row[2].(int64)
		positions[pw{asString(row[0]), asString(row[1])}] = Position{OnHand: onHand, InboundPerDay: asFloat(row[3]) / float64(shareDays)}
	}
	start := asOf.AddDate(0, 0, 1)
	var out []PairRisk
	for i, k := range keys {
		byWH, ok := shares[k.Region][k.Product]
		if !ok {
			byWH = shares[k.Region][""]
		}
		for _, w := range whs[k.Region] {
			p, err := WarehouseRisk(start, means[i], variances[i], byWH[w], positions[pw{k.Product, w}])
			if err != nil {
				return nil, fmt.Errorf("stockout risk of %s in %s: %w", k.Product, w, err)
			}
			p.Key, p.Warehouse = k, w
			out = append(out, p)
		}
	}
	return out, nil
}

// demandRun is the forecast of one fact_forecast_demand run.
type demandRun struct {
	run, model string
	keys       []SeriesKey
	category   map[string]string
	means      [][]float64
	variances  [][]float64
}

// readDemandRun reads the first horizon days of a demand run.
func (r *runner) readDemandRun(ctx context.Context, run string, horizon int) (*demandRun, error) {
	rows, err := r.query(ctx, `SELECT product_id, region, category, horizon_day, forecast_qty, forecast_variance, model
		FROM forecasting.fact_forecast_demand WHERE run_id = ? AND horizon_day <= ?
		ORDER BY product_id, region, horizon_day`, run, horizon)
	if err != nil {
		return nil, fmt.Errorf("reading forecasting.%s: %w", TableDemand, err)
	}
	d := &demandRun{run: run, category: map[string]string{}}
	for _, row := range rows {
		k := SeriesKey{asString(row[0]), asString(row[1])}
		if n := len(d.keys); n == 0 || d.keys[n-1] != k {
			d.keys = append(d.keys, k)
			d.means = append(d.means, nil)
			d.variances = append(d.variances, nil)
			d.category[k.Product] = asString(row[2])
			d.model = asString(row[6])
		}
		n := len(d.keys) - 1
		d.means[n] = append(d.means[n], asFloat(row[4]))
		d.variances[n] = append(d.variances[n], asFloat(row[5]))
	}
	for i, m := range d.means {
		if len(m) != horizon {
			return nil, fmt.Errorf("demand run %s forecasts %d days of %s, --horizon is %d", run, len(m), d.keys[i].ID(), horizon)
		}
	}
	return d, nil
}

func runStockout(ctx context.Context, app *domainkit.App, args []string) error {
	fs := newFlagSet(app, "forecast stockout")
	var o options
	o.register(fs)
	shareDays := fs.Int("share-window", DefaultShareDays, "days of order lines and restocks behind the warehouse shares and the expected inbound")
	calibrationOrigins := fs.Int("calibration-origins", 3, "past origins, --horizon days apart, on which the Brier score is measured (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.parse(); err != nil {
		return err
	}
	if *shareDays < 1 {
		return fmt.Errorf("--share-window %d: want at least 1 day", *shareDays)
	}
	r, err := openRunner(ctx, app)
	if err != nil {
		return err
	}
	defer r.Close()
	asOf, err := r.resolveAsOf(ctx, o.asOf)
	if err != nil {
		return err
	}
	demandID, err := r.ensureTable(ctx, TableDemand)
	if err != nil {
		return err
	}
	demandRuns, err := r.runs(ctx, demandID, "trained_through", asOf, "")
	if err != nil {
		return err
	}
	if len(demandRuns) == 0 {
		return fmt.Errorf("no demand forecast as of %s in %s: run `forecasting forecast demand --as-of %s` first",
			asOf.Format(time.DateOnly), demandID, asOf.Format(time.DateOnly))
	}
	demandRunID := demandRuns[len(demandRuns)-1]
	id, err := r.ensureTable(ctx, TableRisks)
	if err != nil {
		return err
	}
	same, err := r.runs(ctx, id, "as_of", asOf, "demand_run_id = '"+demandRunID+"'")
	if err != nil {
		return err
	}
	all, err := r.runs(ctx, id, "as_of", asOf, "")
	if err != nil {
		return err
	}
	if len(same) > 0 && !o.rerun {
		fmt.Fprintf(r.out, "stockout risks as of %s: %s already holds run %s from demand run %s; nothing committed (--rerun for a new version)\n",
			asOf.Format(time.DateOnly), id, same[len(same)-1], demandRunID)
		return nil
	}
	run, _ := nextRun("stockout", asOf, all, true)
	r.step("reading demand run %s", demandRunID)
	d, err := r.readDemandRun(ctx, demandRunID, o.horizonDays)
	if err != nil {
		return err
	}
	r.step("stock on hand, restocks and warehouse shares as of %s for %d series", asOf.Format(time.DateOnly), len(d.keys))
	risks, err := r.assess(ctx, asOf, d.keys, d.means, d.variances, *shareDays)
	if err != nil {
		return err
	}
	b := newBatch(risksSchema)
	defer b.release()
	for _, p := range risks {
		b.str("product_id", p.Key.Product)
		b.str("warehouse_id", p.Warehouse)
		b.str("region", p.Key.Region)
		b.str("category", d.category[p.Key.Product])
		b.date("as_of", asOf)
		b.i32("horizon_days", o.horizonDays)
		b.f64("risk_score", p.Risk.RiskScore)
		b.date("predicted_date", p.Risk.PredictedDate)
		b.f64("confidence", p.Risk.Confidence)
		b.str("distribution", p.Risk.Distribution.String())
		b.i64("on_hand", p.OnHand)
		b.f64("expected_demand", p.ExpectedDemand)
		b.f64("expected_inbound", p.ExpectedInbound)
		b.f64("demand_share", p.Share)
		b.str("model", d.model)
		b.str("demand_run_id", demandRunID)
		b.str("run_id", run)
		b.ts("created_at", r.now)
		b.date("event_date", asOf)
		b.row()
	}
	var cal *Calibration
	if *calibrationOrigins > 0 {
		model, err := ModelByName(d.model)
		if err != nil {
			return fmt.Errorf("demand run %s: %w", demandRunID, err)
		}
		if cal, err = r.calibrate(ctx, asOf, o, model, *shareDays, *calibrationOrigins); err != nil {
			return err
		}
	}
	summary := map[string]string{SummaryRunID: run, SummaryAsOf: asOf.Format(time.DateOnly), SummaryModel: d.model,
		"mesh.demand_run_id": demandRunID}
	if cal != nil && cal.Pairs > 0 {
		summary["mesh.brier_daily"] = fmt.Sprintf("%.6f", cal.BrierDaily)
		summary["mesh.brier_horizon"] = fmt.Sprintf("%.6f", cal.BrierHorizon)
	}
	rows := b.n
	r.step("committing %d rows to %s", rows, id)
	snap, err := r.commit(ctx, id, b, summary)
	if err != nil {
		return err
	}
	printRiskSummary(r, asOf, o.horizonDays, d, run, risks, rows, snap, *shareDays, cal)
	return nil
}

// Calibration is the Brier score of stockout probabilities on past origins.
type Calibration struct {
	Origins []time.Time
	// Pairs counts product x warehouse x origin; Days the (pair, day) probabilities.
	Pairs, Days int
	// BrierDaily scores every day's probability, BrierHorizon the risk
	// scores; the references are those of always saying the base rate.
	BrierDaily, BrierHorizon       float64
	BaseDaily, BaseHorizon         float64
	ReferenceDaily, ReferenceHorzn float64
	// Bins are the reliability of the risk scores.
	Bins []ReliabilityBin
}

// ReliabilityBin compares the mean risk score of the pairs in [Lo, Hi) with
// the share of them that ran out.
type ReliabilityBin struct {
	Lo, Hi            float64
	N                 int
	MeanProb, Outcome float64
}

// calibrate refits model at past origins and scores its stockout probabilities.
func (r *runner) calibrate(ctx context.Context, asOf time.Time, o options, model forecast.Model, shareDays, origins int) (*Calibration, error) {
	cal := &Calibration{}
	var probs, horizonProbs []float64
	var outs, horizonOuts []bool
	for k := origins; k >= 1; k-- {
		past := asOf.AddDate(0, 0, -o.horizonDays*k)
		h, err := r.loadHistory(ctx, past, o)
		if err != nil || h.Days() < 4*forecast.Week {
			continue // not enough history that far back
		}
		r.step("calibration: %s as of %s on %d series", model.Name(), past.Format(time.DateOnly), len(h.Series))
		fc, err := ForecastPanel(model, h)
		if err != nil {
			return nil, err
		}
		means := make([][]float64, len(fc.Forecasts))
		vars := make([][]float64, len(fc.Forecasts))
		for i, f := range fc.Forecasts {
			means[i], vars[i] = f.Mean, f.Variance
		}
		risks, err := r.assess(ctx, past, h.Keys, means, vars, shareDays)
		if err != nil {
			return nil, err
		}
		actual, err := r.realised(ctx, past, o.horizonDays)
		if err != nil {
			return nil, err
		}
		cal.Origins = append(cal.Origins, past)
		for _, p := range risks {
			inbound := make([]float64, o.horizonDays)
			for d := range inbound {
				inbound[d] = p.InboundPerDay
			}
			a := actual[[2]string{p.Key.Product, p.Warehouse}]
			if a == nil {
				a = make([]float64, o.horizonDays)
			}
			out, err := forecast.StockoutOutcomes(a, float64(p.OnHand), inbound)
			if err != nil {
				return nil, err
			}
			probs = append(probs, p.Risk.Prob...)
			outs = append(outs, out...)
			horizonProbs = append(horizonProbs, p.Risk.RiskScore)
			horizonOuts = append(horizonOuts, out[len(out)-1])
		}
	}
	if len(probs) == 0 {
		return cal, nil
	}
	var err error
	if cal.BrierDaily, err = forecast.BrierScore(probs, outs); err != nil {
		return nil, err
	}
	if cal.BrierHorizon, err = forecast.BrierScore(horizonProbs, horizonOuts); err != nil {
		return nil, err
	}
	cal.Pairs, cal.Days = len(horizonProbs), len(probs)
	cal.BaseDaily, cal.ReferenceDaily = baseRate(outs)
	cal.BaseHorizon, cal.ReferenceHorzn = baseRate(horizonOuts)
	for _, edge := range [][2]float64{{0, 0.05}, {0.05, 0.2}, {0.2, 0.5}, {0.5, 0.8}, {0.8, 1.01}} {
		bin := ReliabilityBin{Lo: edge[0], Hi: math.Min(edge[1], 1)}
		var sp, so float64
		for i, p := range horizonProbs {
			if p >= edge[0] && p < edge[1] {
				bin.N++
				sp += p
				if horizonOuts[i] {
					so++
				}
			}
		}
		if bin.N > 0 {
			bin.MeanProb, bin.Outcome = sp/float64(bin.N), so/float64(bin.N)
		}
		cal.Bins = append(cal.Bins, bin)
	}
	return cal, nil
}

// baseRate returns the share of events and the Brier score of always
// forecasting it.
func baseRate(outs []bool) (rate, brier float64) {
	for _, o := range outs {
		if o {
			rate++
		}
	}
	rate /= float64(len(outs))
	return rate, rate * (1 - rate)
}

// realised reads the units ordered from each product x warehouse on each of
// the n days after asOf.
func (r *runner) realised(ctx context.Context, asOf time.Time, n int) (map[[2]string][]float64, error) {
	rows, err := r.query(ctx, `SELECT product_id, warehouse_id, event_date, CAST(sum(units) AS DOUBLE)
		FROM forecasting.stg_daily_demand WHERE event_date BETWEEN ? AND ? GROUP BY ALL`,
		asOf.AddDate(0, 0, 1), asOf.AddDate(0, 0, n))
	if err != nil {
		return nil, fmt.Errorf("reading forecasting.stg_daily_demand: %w", err)
	}
	out := map[[2]string][]float64{}
	for _, row := range rows {
		k := [2]string{asString(row[0]), asString(row[1])}
		d, ok := asDay(row[2])
		if !ok {
			continue
		}
		if out[k] == nil {
			out[k] = make([]float64, n)
		}
		out[k][dayIndex(asOf, d)-1] += asFloat(row[3])
	}
	return out, nil
}

func printRiskSummary(r *runner, asOf time.Time, horizon int, d *demandRun, run string, risks []PairRisk, rows int, snap int64, shareDays int, cal *Calibration) {
	warehouses := map[string]bool{}
	var high, some int
	for _, p := range risks {
		warehouses[p.Warehouse] = true
		if p.Risk.RiskScore >= 0.5 {
			high++
		} else if p.Risk.RiskScore >= 0.1 {
			some++
		}
	}
	fmt.Fprintf(r.out, "\nstockout risks as of %s: %d days to %s, from demand run %s (%s)\n", asOf.Format(time.DateOnly), horizon,
		asOf.AddDate(0, 0, horizon).Format(time.DateOnly), d.run, d.model)
	fmt.Fprintf(r.out, "  pairs    %d product x warehouse: %d series x the warehouses of their region (%d warehouses)\n",
		len(risks), len(d.keys), len(warehouses))
	fmt.Fprintf(r.out, "  at risk  %d with risk_score >= 0.5 (a predicted_date in the horizon), %d more >= 0.1\n", high, some)
	fmt.Fprintf(r.out, "  inbound  expected from each pair's restocks of the last %d days, spread evenly (our data has no purchase orders)\n", shareDays)
	fmt.Fprintf(r.out, "  written  %d rows to forecasting.%s, run %s, snapshot %d\n", rows, TableRisks, run, snap)
	sorted := append([]PairRisk(nil), risks...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Risk.RiskScore > sorted[j].Risk.RiskScore })
	fmt.Fprintf(r.out, "\nhighest risks:\n")
	tw := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "product\twarehouse\ton hand\tdemand\tinbound\trisk\tpredicted\tconfidence\t\n")
	for _, p := range sorted[:min(8, len(sorted))] {
		pred := "-"
		if !p.Risk.PredictedDate.IsZero() {
			pred = p.Risk.PredictedDate.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.1f\t%.3f\t%s\t%.2f\t\n", p.Key.Product, p.Warehouse, p.OnHand,
			p.ExpectedDemand, p.ExpectedInbound, p.Risk.RiskScore, pred, p.Risk.Confidence)
	}
	_ = tw.Flush()
	if cal == nil || cal.Pairs == 0 {
		fmt.Fprintf(r.out, "\ncalibration: no past origin with enough history\n")
		return
	}
	var days []string
	for _, o := range cal.Origins {
		days = append(days, o.Format(time.DateOnly))
	}
	fmt.Fprintf(r.out, "\ncalibration on %d past origins (as of %v), realised demand of each warehouse vs the same stock and inbound:\n", len(cal.Origins), days)
	fmt.Fprintf(r.out, "  daily probabilities  Brier %.4f over %d (pair, day); base rate %.2f%%, reference %.4f, skill %s\n",
		cal.BrierDaily, cal.Days, 100*cal.BaseDaily, cal.ReferenceDaily, skill(cal.BrierDaily, cal.ReferenceDaily))
	fmt.Fprintf(r.out, "  risk scores          Brier %.4f over %d pairs; base rate %.2f%%, reference %.4f, skill %s\n",
		cal.BrierHorizon, cal.Pairs, 100*cal.BaseHorizon, cal.ReferenceHorzn, skill(cal.BrierHorizon, cal.ReferenceHorzn))
	tw = tabwriter.NewWriter(r.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  risk score\tpairs\tmean risk\tran out\t\n")
	for _, b := range cal.Bins {
		if b.N == 0 {
			fmt.Fprintf(tw, "  [%.2f, %.2f)\t0\t-\t-\t\n", b.Lo, b.Hi)
			continue
		}
		fmt.Fprintf(tw, "  [%.2f, %.2f)\t%d\t%.3f\t%.3f\t\n", b.Lo, b.Hi, b.N, b.MeanProb, b.Outcome)
	}
	_ = tw.Flush()
}

// skill is 1 - score/reference as a percentage ("-" without a reference).
func skill(score, reference float64) string {
	if reference <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*(1-score/reference))
}
