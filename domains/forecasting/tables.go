package forecasting

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/domainspec/tableschema"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// The tables the Go steps write (the dbt project writes the staging).
const (
	TableDemand   = "fact_forecast_demand"
	TableRisks    = "fact_stockout_risks"
	TableBacktest = "fact_forecast_backtest"
)

// Snapshot summary keys of the commits of the Go steps.
const (
	SummaryRunID = "mesh.run_id"
	SummaryAsOf  = "mesh.as_of"
	SummaryModel = "mesh.model"
)

// The Go steps' tables have their columns declared in domain.yaml (name,
// type, description), the one source their Arrow and Iceberg schemas, the
// catalog and the OpenMetadata export all read.
var (
	// demandSchema is fact_forecast_demand: one row per series and forecast
	// day of a run. event_date is the forecast day (the partition).
	demandSchema = declaredSchema(TableDemand)
	// risksSchema is fact_stockout_risks: one row per product and warehouse
	// of a run. event_date is the as-of day (the partition).
	risksSchema = declaredSchema(TableRisks)
	// backtestSchema is fact_forecast_backtest: one row per model, series,
	// origin and horizon day of a run. event_date is the origin (the partition).
	backtestSchema = declaredSchema(TableBacktest)
)

// declaredTable returns the declaration of one of the Go steps' tables in
// the embedded domain.yaml.
func declaredTable(name string) domainspec.Table {
	t, ok := Domain().Spec.Table(name)
	if !ok {
		panic("forecasting: domain.yaml declares no table " + name) // a programming error, caught by the tests
	}
	return t
}

// declaredSchema returns the Arrow schema of the record batches of table
// name, built from its declared columns.
func declaredSchema(name string) *arrow.Schema {
	s, err := tableschema.Arrow(declaredTable(name))
	if err != nil {
		panic("forecasting: domain.yaml: " + err.Error()) // a programming error, caught by the tests
	}
	return s
}

// ensureTable creates one of the Go steps' tables if it is missing, owned by
// the domain's team, adds the columns it lacks, and returns its identifier.
func (r *runner) ensureTable(ctx context.Context, name string) (lakehouse.Ident, error) {
	id := lakehouse.Ident{Namespace: r.domain.Name(), Name: name}
	schema, err := tableschema.Iceberg(declaredTable(name))
	if err != nil {
		return id, fmt.Errorf("schema of %s: %w", id, err)
	}
	props := map[string]string{"mesh.owner": r.domain.Spec.Owners.Team, "mesh.layer": "fact"}
	if t, ok := r.domain.Spec.Table(name); ok {
		props["comment"] = strings.TrimSpace(t.Description)
	}
	if _, err := r.lh.EnsureTable(ctx, id, schema, props); err != nil {
		return id, fmt.Errorf("creating %s: %w", id, err)
	}
	// A table made by an older version gains the columns added since.
	added, err := r.lh.AddMissingColumns(ctx, id, schema)
	if err != nil {
		return id, fmt.Errorf("adding the new columns of %s: %w", id, err)
	}
	if len(added) > 0 {
		fmt.Fprintf(r.out, "%s: added columns %s (older rows read them as NULL)\n", id, strings.Join(added, ", "))
	}
	return id, nil
}

// runs returns the run_ids of a table whose column key equals day, sorted by
// version.
func (r *runner) runs(ctx context.Context, id lakehouse.Ident, key string, day time.Time, where string) ([]string, error) {
	q := fmt.Sprintf("SELECT DISTINCT run_id FROM %s WHERE %s = ?", id, key)
	if where != "" {
		q += " AND " + where
	}
	res, err := r.eng.Query(ctx, q, day)
	if err != nil {
		return nil, fmt.Errorf("reading the runs of %s: %w", id, err)
	}
	var out []string
	for _, row := range res.Rows {
		if s, ok := row[0].(string); ok {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return runVersion(out[i]) < runVersion(out[j]) })
	return out, nil
}

var versionRE = regexp.MustCompile(`-v(\d+)$`)

func runVersion(runID string) int {
	if m := versionRE.FindStringSubmatch(runID); m != nil {
		v, _ := strconv.Atoi(m[1])
		return v
	}
	return 0
}

// runID names a run: <kind>-<as-of>-v<version>.
func runID(kind string, asOf time.Time, version int) string {
	return fmt.Sprintf("%s-%s-v%d", kind, asOf.Format(time.DateOnly), version)
}

// nextRun decides whether a run is due: it returns the new run's id, or ""
// and the latest existing run when one exists and rerun is false.
func nextRun(kind string, asOf time.Time, existing []string, rerun bool) (id, latest string) {
	if len(existing) > 0 {
		latest = existing[len(existing)-1]
		if !rerun {
			return "", latest
		}
		return runID(kind, asOf, runVersion(latest)+1), latest
	}
	return runID(kind, asOf, 1), ""
}

// batch builds the record batch of one table, row by row.
type batch struct {
	rb  *array.RecordBuilder
	col map[string]int
	n   int
}

func newBatch(schema *arrow.Schema) *batch {
	b := &batch{rb: array.NewRecordBuilder(memory.DefaultAllocator, schema), col: map[string]int{}}
	for i, f := range schema.Fields() {
		b.col[f.Name] = i
	}
	return b
}

func (b *batch) field(name string) array.Builder {
	i, ok := b.col[name]
	if !ok {
		panic("forecasting: no column " + name) // a programming error, caught by the tests
	}
	return b.rb.Field(i)
}

func (b *batch) str(name, v string) { b.field(name).(*array.StringBuilder).Append(v) }

// optStr appends v, or null when it is empty.
func (b *batch) optStr(name, v string) {
	sb := b.field(name).(*array.StringBuilder)
	if v == "" {
		sb.AppendNull()
		return
	}
	sb.Append(v)
}
func (b *batch) i32(name string, v int) {
	b.field(name).(*array.Int32Builder).Append(int32(v))
}
func (b *batch) i64(name string, v int64) { b.field(name).(*array.Int64Builder).Append(v) }

// f64 appends v, or null when it is NaN or infinite (an undefined metric).
func (b *batch) f64(name string, v float64) {
	fb := b.field(name).(*array.Float64Builder)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		fb.AppendNull()
		return
	}
	fb.Append(v)
}

func (b *batch) boolean(name string, v bool) { b.field(name).(*array.BooleanBuilder).Append(v) }

// date appends the calendar day of t, or null for the zero time.
func (b *batch) date(name string, t time.Time) {
	db := b.field(name).(*array.Date32Builder)
	if t.IsZero() {
		db.AppendNull()
		return
	}
	db.Append(arrow.Date32FromTime(t))
}

func (b *batch) ts(name string, t time.Time) {
	b.field(name).(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
}

// row ends a row: every column must have been appended once.
func (b *batch) row() { b.n++ }

// record returns the rows built so far and resets the builder.
func (b *batch) record() arrow.RecordBatch { return b.rb.NewRecordBatch() }

func (b *batch) release() { b.rb.Release() }

// commit appends the batch to id in one snapshot.
func (r *runner) commit(ctx context.Context, id lakehouse.Ident, b *batch, summary map[string]string) (int64, error) {
	rec := b.record()
	defer rec.Release()
	return r.lh.Append(ctx, id, []arrow.RecordBatch{rec}, summary)
}

// claimRun resolves --as-of and returns the table and the id of the run to
// write for that day. run is "" (after saying so on the output) when the
// table already holds a run trained through that day and --rerun was not
// given: a run for a training date already forecast commits nothing.
func (r *runner) claimRun(ctx context.Context, o options, table, kind, label string) (asOf time.Time, id lakehouse.Ident, run string, err error) {
	if asOf, err = r.resolveAsOf(ctx, o.asOf); err != nil {
		return asOf, id, "", err
	}
	if id, err = r.ensureTable(ctx, table); err != nil {
		return asOf, id, "", err
	}
	existing, err := r.runs(ctx, id, "trained_through", asOf, "")
	if err != nil {
		return asOf, id, "", err
	}
	run, latest := nextRun(kind, asOf, existing, o.rerun)
	if run == "" {
		fmt.Fprintf(r.out, "%s %s: %s already holds run %s; nothing committed (--rerun for a new version)\n",
			label, asOf.Format(time.DateOnly), id, latest)
	}
	return asOf, id, run, nil
}
