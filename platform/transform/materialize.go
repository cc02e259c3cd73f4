package transform

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// Materializations.
const (
	MatTable       = "table"
	MatIncremental = "incremental"
	MatView        = "view"
	MatEphemeral   = "ephemeral"
)

// resolver maps dbt nodes to the DuckDB relations the engine exposes:
// <namespace>.<table>, the same names as the Iceberg identifiers.
type resolver struct{ x *Executor }

func (r resolver) Ref(m *dbt.Model) (string, error) { return r.x.modelIdent(m).String(), nil }
func (r resolver) Source(s *dbt.Source) (string, error) {
	return r.x.sourceIdent(s).String(), nil
}
func (r resolver) Seed(s *dbt.Seed) (string, error) { return r.x.seedIdent(s).String(), nil }

func (x *Executor) namespace(schema string) string {
	if schema != "" {
		return schema
	}
	return x.project.Name
}

func (x *Executor) modelIdent(m *dbt.Model) lakehouse.Ident {
	name := m.Name
	if m.Config.Alias != "" {
		name = m.Config.Alias
	}
	return lakehouse.Ident{Namespace: x.namespace(m.Config.Schema), Name: name}
}

func (x *Executor) sourceIdent(s *dbt.Source) lakehouse.Ident {
	name := s.Table
	if s.Identifier != "" {
		name = s.Identifier
	}
	schema := s.Schema
	if schema == "" {
		schema = s.Name
	}
	return lakehouse.Ident{Namespace: schema, Name: name}
}

func (x *Executor) seedIdent(s *dbt.Seed) lakehouse.Ident {
	return lakehouse.Ident{Namespace: x.namespace(s.Schema), Name: s.Name}
}

func (x *Executor) compileContext(this lakehouse.Ident, incremental bool) dbt.CompileContext {
	return dbt.CompileContext{
		Resolver:      resolver{x},
		This:          this.String(),
		IsIncremental: incremental,
		Target:        dbt.Target{Name: "mesh", Schema: x.project.Name, Type: "duckdb"},
	}
}

func (x *Executor) snapshotSummary(invocation string, uniqueID, materialized string) map[string]string {
	return map[string]string{
		SummaryModel:        uniqueID,
		SummaryInvocation:   invocation,
		SummaryMaterialized: materialized,
	}
}

func (x *Executor) runModel(ctx context.Context, invocation string, m *dbt.Model, res *NodeResult) error {
	id := x.modelIdent(m)
	mat := m.Config.Materialized
	switch mat {
	case MatEphemeral:
		sql, err := x.project.Compile(m, x.compileContext(id, false))
		res.Compiled = sql
		res.Status = "success"
		res.Message = "ephemeral: inlined into its dependents"
		return err
	case MatView:
		sql, err := x.project.Compile(m, x.compileContext(id, false))
		if err != nil {
			return err
		}
		res.Compiled = sql
		if err := x.engine.AttachMentioned(ctx, sql); err != nil {
			return err
		}
		db := x.engine.DB()
		if _, err := db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(id.Namespace)); err != nil {
			return err
		}
		if err := x.engine.Forget(ctx, id); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS %s", relation(id), sql)); err != nil {
			return fmt.Errorf("creating view %s: %w", id, err)
		}
		res.Status = "success"
		res.Message = "CREATE VIEW"
		return nil
	case MatTable, MatIncremental:
	default:
		return fmt.Errorf("%s: materialization %q is not supported (table, incremental, view, ephemeral)", m.Path, mat)
	}

	exists, err := x.lh.TableExists(ctx, id)
	if err != nil {
		return err
	}
	if exists {
		// A rebuild killed before its rename left a staging table; a new
		// table's build replaces it anyway (StageTable).
		if dropped, err := x.lh.DropStaging(ctx, id); err != nil {
			return err
		} else if dropped {
			x.log.Info("transform: removed the staging table of an interrupted build", "model", id.String())
		}
	}
	incremental := mat == MatIncremental && exists && !x.cfg.FullRefresh
	sql, err := x.project.Compile(m, x.compileContext(id, incremental))
	if err != nil {
		return err
	}
	res.Compiled = sql
	summary := x.snapshotSummary(invocation, m.UniqueID, mat)
	if mat == MatTable && !x.cfg.FullRefresh {
		fp, rows, err := x.contentFingerprint(ctx, sql)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Path, err)
		}
		if exists {
			if snap, same := x.sameContent(ctx, id, fp); same {
				res.Rows, res.Snapshot, res.Status, res.Message = rows, snap, "success", "unchanged, nothing committed"
				return nil
			}
		}
		summary[SummaryContent] = fp
	}
	if !incremental && !x.lh.IsS3() {
		snap, rows, err := x.buildDirect(ctx, id, m.Name, sql, summary, mat == MatIncremental || x.cfg.FullRefresh)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Path, err)
		}
		res.Rows, res.Snapshot, res.Status, res.Message = rows, snap, "success", "CREATE "+strconv.FormatInt(rows, 10)
		return nil
	}
	recs, rows, err := x.evaluate(ctx, m.Name, sql)
	if err != nil {
		return fmt.Errorf("%s: %w", m.Path, err)
	}
	defer release(recs)
	res.Rows = rows
	if !incremental {
		snap, err := x.replace(ctx, id, recs, summary, mat == MatIncremental || x.cfg.FullRefresh)
		if err != nil {
			return err
		}
		res.Snapshot, res.Status, res.Message = snap, "success", "CREATE "+strconv.FormatInt(rows, 10)
		return nil
	}
	if rows == 0 {
		res.Status, res.Message = "success", "no new rows, nothing committed"
		return nil
	}
	if err := x.checkColumns(ctx, id, recs[0].Schema()); err != nil {
		return err
	}
	var snap int64
	if len(m.Config.UniqueKey) > 0 {
		snap, err = x.lh.Upsert(ctx, id, m.Config.UniqueKey, recs, summary)
		res.Message = "MERGE " + strconv.FormatInt(rows, 10)
	} else {
		snap, err = x.lh.Append(ctx, id, recs, summary)
		res.Message = "INSERT " + strconv.FormatInt(rows, 10)
	}
	if err != nil {
		return err
	}
	res.Snapshot, res.Status = snap, "success"
	return nil
}

// contentFingerprint returns a fingerprint of the rows a query returns: their
// count, the sum of their hashes (independent of row order) and a digest of
// their column names and types, and the row count. Evaluating a table model
// once more costs little for the dimensions table models are used for, and it
// spares an unchanged table a snapshot per build.
func (x *Executor) contentFingerprint(ctx context.Context, query string) (string, int64, error) {
	if err := x.engine.AttachMentioned(ctx, query); err != nil {
		return "", 0, err
	}
	var (
		rows    int64
		sum     sql.NullString
		columns sql.NullString
	)
	q := fmt.Sprintf("SELECT count(*), CAST(sum(CAST(hash(t) AS HUGEINT)) AS VARCHAR), any_value(typeof(t)) FROM (%s\n) AS t", query)
	if err := x.engine.DB().QueryRowContext(ctx, q).Scan(&rows, &sum, &columns); err != nil {
		return "", 0, fmt.Errorf("fingerprinting the rows: %w", err)
	}
	digest := sha256.Sum256([]byte(columns.String))
	return fmt.Sprintf("%d:%s:%x", rows, sum.String, digest[:8]), rows, nil
}

// sameContent reports whether the table's current snapshot was written with
// the fingerprint fp, and that snapshot's id.
func (x *Executor) sameContent(ctx context.Context, id lakehouse.Ident, fp string) (int64, bool) {
	tbl, err := x.lh.LoadTable(ctx, id)
	if err != nil {
		return 0, false
	}
	snap := tbl.CurrentSnapshot()
	if snap == nil || snap.Summary == nil || snap.Summary.Properties[SummaryContent] != fp {
		return 0, false
	}
	return snap.SnapshotID, true
}

// replace makes the table hold exactly recs, in one commit when the table
// exists with the same columns; recreate forces a new table (full refresh).
func (x *Executor) replace(ctx context.Context, id lakehouse.Ident, recs []arrow.RecordBatch, summary map[string]string, recreate bool) (int64, error) {
	if len(recs) == 0 {
		return 0, fmt.Errorf("building %s: the query returned no schema", id)
	}
	schema, err := table.ArrowSchemaToIcebergWithFreshIDs(recs[0].Schema(), true)
	if err != nil {
		return 0, fmt.Errorf("deriving the Iceberg schema of %s: %w", id, err)
	}
	exists, err := x.lh.TableExists(ctx, id)
	if err != nil {
		return 0, err
	}
	if exists && !recreate {
		tbl, err := x.lh.LoadTable(ctx, id)
		if err != nil {
			return 0, err
		}
		if sameColumns(tbl.Schema(), schema) {
			return x.lh.Overwrite(ctx, id, iceberg.AlwaysTrue{}, nonEmptyRecs(recs), summary)
		}
		recreate = true
	}
	// A new table becomes visible only with its rows (StageTable), so a
	// build killed in between leaves no empty model behind.
	tbl, err := x.lh.StageTable(ctx, id, schema, tableProperties(summary), func(staging lakehouse.Ident) error {
		_, err := x.lh.Append(ctx, staging, nonEmptyRecs(recs), summary)
		return err
	})
	if err != nil {
		return 0, err
	}
	return snapshotID(tbl), nil
}

// tableProperties are the Iceberg properties of a table a build creates.
func tableProperties(summary map[string]string) map[string]string {
	return map[string]string{"mesh.dbt.model": summary[SummaryModel]}
}

// snapshotID is the table's current snapshot, 0 for a table without one.
func snapshotID(tbl *table.Table) int64 {
	if s := tbl.CurrentSnapshot(); s != nil {
		return s.SnapshotID
	}
	return 0
}

// checkColumns refuses an incremental batch whose columns differ from the
// table's: dbt's on_schema_change=fail, the safe default.
func (x *Executor) checkColumns(ctx context.Context, id lakehouse.Ident, sc *arrow.Schema) error {
	tbl, err := x.lh.LoadTable(ctx, id)
	if err != nil {
		return err
	}
	got, err := table.ArrowSchemaToIcebergWithFreshIDs(sc, true)
	if err != nil {
		return err
	}
	if !sameColumns(tbl.Schema(), got) {
		return fmt.Errorf("the columns of %s changed (%s, table has %s): run with --full-refresh to rebuild it",
			id, columnList(got), columnList(tbl.Schema()))
	}
	return nil
}

func sameColumns(a, b *iceberg.Schema) bool {
	return columnList(a) == columnList(b)
}

func columnList(s *iceberg.Schema) string {
	parts := make([]string, 0, s.NumFields())
	for _, f := range s.Fields() {
		parts = append(parts, f.Name+" "+f.Type.String())
	}
	return strings.Join(parts, ", ")
}

// evaluate runs a SELECT in DuckDB and returns its rows as Arrow batches.
func (x *Executor) evaluate(ctx context.Context, name, sql string) ([]arrow.RecordBatch, int64, error) {
	if err := x.engine.AttachMentioned(ctx, sql); err != nil {
		return nil, 0, err
	}
	path := x.scratchFile(name)
	defer os.Remove(path)
	stmt := fmt.Sprintf("COPY (%s\n) TO %s (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 122880)", sql, quoteString(path))
	if _, err := x.engine.DB().ExecContext(ctx, stmt); err != nil {
		return nil, 0, err
	}
	return ReadParquet(ctx, path)
}

// ReadParquet reads a Parquet file into Arrow batches (at least one, empty,
// carrying the schema) and counts its rows.
func ReadParquet(ctx context.Context, path string) ([]arrow.RecordBatch, int64, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, 0, fmt.Errorf("opening result file: %w", err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 * 1024, Parallel: true}, memory.DefaultAllocator)
	if err != nil {
		return nil, 0, err
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, 0, err
	}
	defer rr.Release()
	var (
		out  []arrow.RecordBatch
		rows int64
	)
	for rr.Next() {
		rec := rr.RecordBatch()
		rec.Retain()
		out = append(out, rec)
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil && !errors.Is(err, context.Canceled) {
		release(out)
		return nil, 0, fmt.Errorf("reading result file: %w", err)
	}
	if len(out) == 0 {
		// Keep the schema of an empty result: an empty batch carries it.
		sc, err := fr.Schema()
		if err != nil {
			return nil, 0, err
		}
		empty := emptyBatch(sc)
		out = append(out, empty)
	}
	return out, rows, nil
}

func emptyBatch(sc *arrow.Schema) arrow.RecordBatch {
	cols := make([]arrow.Array, sc.NumFields())
	for i, f := range sc.Fields() {
		b := newBuilder(f.Type)
		cols[i] = b.NewArray()
		b.Release()
	}
	return newRecordBatch(sc, cols, 0)
}

func nonEmptyRecs(recs []arrow.RecordBatch) []arrow.RecordBatch {
	out := recs[:0:0]
	for _, r := range recs {
		if r.NumRows() > 0 {
			out = append(out, r)
		}
	}
	return out
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// SummarySeedChecksum records the checksum of the seed file a snapshot loaded.
const SummarySeedChecksum = "mesh.dbt.seed-checksum"

func (x *Executor) runSeed(ctx context.Context, invocation string, s *dbt.Seed, res *NodeResult) error {
	id := x.seedIdent(s)
	// An unchanged seed is not reloaded: builds stay idempotent.
	fingerprint := seedFingerprint(s)
	if tbl, err := x.lh.LoadTable(ctx, id); err == nil && !x.cfg.FullRefresh {
		if snap := tbl.CurrentSnapshot(); snap != nil && snap.Summary != nil && s.Checksum != "" &&
			snap.Summary.Properties[SummarySeedChecksum] == fingerprint {
			res.Status, res.Message = "success", "unchanged, nothing committed"
			return nil
		}
	}
	csvPath := strings.TrimSuffix(x.scratchFile(s.Name), ".parquet") + ".csv"
	f, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.Write(s.Header); err != nil {
		f.Close()
		return err
	}
	if err := w.WriteAll(s.Rows); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	defer os.Remove(csvPath)
	sql, err := x.seedSQL(ctx, s, csvPath)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	recs, rows, err := x.evaluate(ctx, s.Name, sql)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	defer release(recs)
	summary := x.snapshotSummary(invocation, s.UniqueID, "seed")
	summary[SummarySeedChecksum] = fingerprint
	snap, err := x.replace(ctx, id, recs, summary, false)
	if err != nil {
		return err
	}
	res.Rows, res.Snapshot, res.Status, res.Message = rows, snap, "success", "INSERT "+strconv.FormatInt(rows, 10)
	return nil
}

// seedTyping names how seed columns are typed (see seedSQL); it is part of
// the seed fingerprint, so a change of the rules reloads unchanged files.
const seedTyping = "dbt-core-1"

// seedFingerprint identifies what loading a seed depends on: the file, its
// column_types and the typing rules. An unchanged fingerprint is not reloaded.
func seedFingerprint(s *dbt.Seed) string {
	keys := make([]string, 0, len(s.ColumnTypes))
	for k := range s.ColumnTypes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(s.Checksum + "\n" + seedTyping)
	for _, k := range keys {
		b.WriteString("\n" + k + "=" + s.ColumnTypes[k])
	}
	sum := sha256.Sum256([]byte(b.String()))
	return fmt.Sprintf("%x", sum)
}

// seedSQL reads a seed's CSV with the column types dbt-core gives it:
// column_types as configured (read as that type, so "007" stays "007" in a
// varchar column), otherwise DuckDB's detection, except that whole numbers
// are INTEGER as dbt's agate inference makes them ("integer" for a number
// column without decimals) when they fit, and stay BIGINT when they do not
// (where dbt-core fails to load the seed).
func (x *Executor) seedSQL(ctx context.Context, s *dbt.Seed, csvPath string) (string, error) {
	opts := "header = true, auto_detect = true"
	if len(s.ColumnTypes) > 0 {
		keys := make([]string, 0, len(s.ColumnTypes))
		for k := range s.ColumnTypes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		types := make([]string, len(keys))
		for i, k := range keys {
			types[i] = quoteString(k) + ": " + quoteString(s.ColumnTypes[k])
		}
		opts += ", types = {" + strings.Join(types, ", ") + "}"
	}
	from := fmt.Sprintf("read_csv(%s, %s)", quoteString(csvPath), opts)
	db := x.engine.DB()
	rows, err := db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+from+")")
	if err != nil {
		return "", err
	}
	var wide []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return "", err
		}
		if _, configured := s.ColumnTypes[name]; !configured && typ == "BIGINT" {
			wide = append(wide, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(wide) == 0 {
		return "SELECT * FROM " + from, nil
	}
	checks := make([]string, len(wide))
	for i, c := range wide {
		checks[i] = fmt.Sprintf("coalesce(bool_and(%s BETWEEN -2147483648 AND 2147483647), true)", quoteIdent(c))
	}
	fits := make([]any, len(wide))
	ptrs := make([]any, len(wide))
	for i := range fits {
		ptrs[i] = &fits[i]
	}
	if err := db.QueryRowContext(ctx, "SELECT "+strings.Join(checks, ", ")+" FROM "+from).Scan(ptrs...); err != nil {
		return "", err
	}
	var casts []string
	for i, c := range wide {
		if ok, _ := fits[i].(bool); ok {
			casts = append(casts, fmt.Sprintf("CAST(%s AS INTEGER) AS %s", quoteIdent(c), quoteIdent(c)))
		}
	}
	if len(casts) == 0 {
		return "SELECT * FROM " + from, nil
	}
	return "SELECT * REPLACE (" + strings.Join(casts, ", ") + ") FROM " + from, nil
}

func (x *Executor) runTest(ctx context.Context, t *dbt.Test, res *NodeResult) error {
	sql, err := x.project.CompileTest(t, x.compileContext(lakehouse.Ident{}, false))
	if err != nil {
		return err
	}
	res.Compiled = sql
	if err := x.engine.AttachMentioned(ctx, sql); err != nil {
		return err
	}
	var failures int
	if err := x.engine.DB().QueryRowContext(ctx, "SELECT count(*) FROM ("+sql+"\n) AS failing").Scan(&failures); err != nil {
		return fmt.Errorf("running test %s: %w", t.Name, err)
	}
	res.Failures = failures
	if failures == 0 {
		res.Status = "pass"
		return nil
	}
	res.Status = "fail"
	if strings.EqualFold(t.Severity, "warn") {
		res.Status = "warn"
	}
	res.Message = fmt.Sprintf("Got %d result(s), configured to fail if != 0", failures)
	rows, err := x.engine.DB().QueryContext(ctx, fmt.Sprintf("SELECT * FROM (%s\n) AS failing LIMIT %d", sql, x.cfg.SampleRows))
	if err != nil {
		return nil
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if rows.Scan(ptrs...) == nil {
			res.Sample = append(res.Sample, vals)
		}
	}
	return nil
}

func relation(id lakehouse.Ident) string { return quoteIdent(id.Namespace) + "." + quoteIdent(id.Name) }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sortStrings(s []string) { sort.Strings(s) }
