package query

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/meshterious/warehouse/platform/lakehouse"
)

// Config configures an Engine.
type Config struct {
	// Memory is DuckDB's memory_limit, e.g. "2GB"; empty keeps DuckDB's default.
	Memory string
	// Threads is DuckDB's thread count; 0 keeps DuckDB's default (all cores).
	Threads int
	// TempDir holds DuckDB's spill files and the Parquet files through which
	// scanned Iceberg data is loaded; empty means os.TempDir().
	TempDir string
	// Logger receives diagnostics; nil means slog.Default().
	Logger *slog.Logger
	// Masks names, per table, the columns the engine exposes masked: a
	// string column reads as MaskedText, any other as NULL. The mask is
	// applied where the table is attached, so an alias of the column or an
	// expression over it sees only the mask. meshctl sql fills it from the
	// catalog for the caller's role (package catalog, Catalog.Masks).
	Masks map[lakehouse.Ident][]string
}

// MaskedText is what a masked string column reads as.
const MaskedText = "****"

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Threads < 0 {
		return fmt.Errorf("%w: query.threads must be >= 0, got %d", ErrInvalidConfig, c.Threads)
	}
	if strings.ContainsAny(c.Memory, "'\\;") {
		return fmt.Errorf("%w: query.memory %q is not a size like 2GB", ErrInvalidConfig, c.Memory)
	}
	if strings.Contains(c.TempDir, "'") {
		return fmt.Errorf("%w: query.temp_dir must not contain a quote", ErrInvalidConfig)
	}
	return nil
}

// Engine is a DuckDB database in which lakehouse tables appear as <namespace>.<table>.
type Engine struct {
	lh      *lakehouse.Lakehouse
	cfg     Config
	log     *slog.Logger
	db      *sql.DB
	conn    *duckdb.Connector
	tmp     string
	mu      sync.Mutex
	tables  map[lakehouse.Ident]string // attached table -> metadata location it shows
	schemas map[string]bool
	closed  bool
}

// NewEngine starts an in-memory DuckDB over the lakehouse lh.
func NewEngine(ctx context.Context, lh *lakehouse.Lakehouse, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	base := cfg.TempDir
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("creating query temp dir: %w", err)
	}
	tmp, err := os.MkdirTemp(base, "mesh-query-*")
	if err != nil {
		return nil, fmt.Errorf("creating query temp dir: %w", err)
	}
	var init []string
	if cfg.Memory != "" {
		init = append(init, fmt.Sprintf("SET memory_limit='%s'", cfg.Memory))
	}
	if cfg.Threads > 0 {
		init = append(init, fmt.Sprintf("SET threads=%d", cfg.Threads))
	}
	init = append(init, fmt.Sprintf("SET temp_directory='%s'", filepath.Join(tmp, "spill")))
	conn, err := duckdb.NewConnector("", func(execer driver.ExecerContext) error {
		for _, s := range init {
			if _, err := execer.ExecContext(context.Background(), s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("starting duckdb: %w", err)
	}
	db := sql.OpenDB(conn)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		conn.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("starting duckdb: %w", err)
	}
	return &Engine{
		lh: lh, cfg: cfg, log: log, db: db, conn: conn, tmp: tmp,
		tables: map[lakehouse.Ident]string{}, schemas: map[string]bool{},
	}, nil
}

// DB returns the DuckDB database, for callers that run their own statements.
// Tables appear there once Query or Attach has attached them.
func (e *Engine) DB() *sql.DB { return e.db }

// Close closes DuckDB and removes the engine's temporary files.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	err := errors.Join(e.db.Close(), e.conn.Close())
	return errors.Join(err, os.RemoveAll(e.tmp))
}

// Result is a fully read query result.
type Result struct {
	Columns []string
	Types   []string // DuckDB type names, e.g. VARCHAR, BIGINT, DATE
	Rows    [][]any
}

// Query runs sql, in which lakehouse tables are named <namespace>.<table>.
// The tables the text mentions are attached (or refreshed) first, so each
// reflects its current snapshot at the time of the call.
func (e *Engine) Query(ctx context.Context, sqlText string, args ...any) (*Result, error) {
	ids, err := e.mentioned(ctx, sqlText)
	if err != nil {
		return nil, err
	}
	if err := e.Attach(ctx, ids...); err != nil {
		return nil, err
	}
	return e.run(ctx, sqlText, args...)
}

// run runs sqlText over the tables attached so far and reads its result.
func (e *Engine) run(ctx context.Context, sqlText string, args ...any) (*Result, error) {
	rows, err := e.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("running query: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("reading query columns: %w", err)
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("reading query column types: %w", err)
	}
	res := &Result{Columns: cols, Types: make([]string, len(cts)), Rows: [][]any{}}
	for i, ct := range cts {
		res.Types[i] = ct.DatabaseTypeName()
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("reading query row: %w", err)
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading query rows: %w", err)
	}
	return res, nil
}

// identRE matches dotted names: ns.table, "ns"."table".
var identRE = regexp.MustCompile(`(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))\s*\.\s*(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))`)

// mentioned returns the lakehouse tables named in sqlText. Candidates that are
// not tables of the catalog (column references like t.col, DuckDB's own
// schemas) are dropped.
func (e *Engine) mentioned(ctx context.Context, sqlText string) ([]lakehouse.Ident, error) {
	seen := map[lakehouse.Ident]bool{}
	var out []lakehouse.Ident
	for _, m := range identRE.FindAllStringSubmatch(sqlText, -1) {
		id := lakehouse.Ident{Namespace: m[1] + m[2], Name: m[3] + m[4]}
		if seen[id] {
			continue
		}
		seen[id] = true
		switch strings.ToLower(id.Namespace) {
		case "main", "information_schema", "pg_catalog", "temp", "system", "memory":
			continue
		}
		ok, err := e.lh.Catalog().CheckTableExists(ctx, table.Identifier{id.Namespace, id.Name})
		if err != nil || !ok {
			continue
		}
		out = append(out, id)
	}
	return out, nil
}

// Attach makes the tables queryable as <namespace>.<table> at their current
// snapshot, refreshing those whose snapshot moved since they were attached.
func (e *Engine) Attach(ctx context.Context, ids ...lakehouse.Ident) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	for _, id := range ids {
		if err := e.attach(ctx, id); err != nil {
			return fmt.Errorf("attaching %s: %w", id, err)
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (e *Engine) attach(ctx context.Context, id lakehouse.Ident) error {
	tbl, err := e.lh.LoadTable(ctx, id)
	if err != nil {
		return err
	}
	if loc, ok := e.tables[id]; ok && loc == tbl.MetadataLocation() {
		return nil // unchanged since the last attach
	}
	if !e.schemas[id.Namespace] {
		if _, err := e.db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(id.Namespace)); err != nil {
			return fmt.Errorf("creating schema: %w", err)
		}
		e.schemas[id.Namespace] = true
	}
	name := quoteIdent(id.Namespace) + "." + quoteIdent(id.Name)
	// Drop whatever object (view or table) had the name: DuckDB refuses
	// DROP VIEW on a table, so the second statement covers that case.
	if _, err := e.db.ExecContext(ctx, "DROP VIEW IF EXISTS "+name); err != nil {
		if _, err := e.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
			return fmt.Errorf("dropping previous %s: %w", name, err)
		}
	}
	delete(e.tables, id)

	if !e.lh.IsS3() {
		ok, err := e.attachParquetView(ctx, id, tbl, name)
		if err != nil {
			e.log.Debug("query: read_parquet view failed, streaming instead", "table", id.String(), "err", err)
		}
		if ok {
			e.tables[id] = tbl.MetadataLocation()
			return nil
		}
	}
	if err := e.attachStreamed(ctx, id, tbl, name); err != nil {
		return err
	}
	e.tables[id] = tbl.MetadataLocation()
	return nil
}

// attachParquetView exposes a local table whose scan has no delete files as a
// view over read_parquet of the planned data files. It reports false when the
// table needs the streamed path instead.
func (e *Engine) attachParquetView(ctx context.Context, id lakehouse.Ident, tbl *table.Table, name string) (bool, error) {
	if tbl.CurrentSnapshot() == nil {
		return false, nil
	}
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		return false, fmt.Errorf("planning scan: %w", err)
	}
	if len(tasks) == 0 {
		return false, nil
	}
	paths := make([]string, 0, len(tasks))
	for _, t := range tasks {
		if len(t.DeleteFiles) > 0 || len(t.EqualityDeleteFiles) > 0 || len(t.DeletionVectorFiles) > 0 {
			return false, nil
		}
		p := t.File.FilePath()
		if strings.Contains(p, "://") {
			if !strings.HasPrefix(p, "file://") {
				return false, nil
			}
			p = strings.TrimPrefix(p, "file://")
		}
		paths = append(paths, quoteString(p))
	}
	cols := e.selectList(id, tbl)
	// Iceberg data files hold every column, partition sources included:
	// hive_partitioning=false stops DuckDB from adding a second event_date
	// column parsed from the event_date=... directory names.
	stmt := fmt.Sprintf("CREATE VIEW %s AS SELECT %s FROM read_parquet([%s], hive_partitioning=false, union_by_name=true)",
		name, cols, strings.Join(paths, ", "))
	if _, err := e.db.ExecContext(ctx, stmt); err != nil {
		return false, err
	}
	return true, nil
}

// attachStreamed reads the table through iceberg-go (which applies delete
// files and reads S3), spools the batches to a Parquet file and loads it into
// a DuckDB table.
func (e *Engine) attachStreamed(ctx context.Context, id lakehouse.Ident, tbl *table.Table, name string) error {
	sc, it, err := tbl.Scan().ToArrowRecords(ctx)
	if err != nil {
		return fmt.Errorf("scanning: %w", err)
	}
	f, err := os.CreateTemp(e.tmp, "scan-*.parquet")
	if err != nil {
		return fmt.Errorf("creating spool file: %w", err)
	}
	path := f.Name()
	defer os.Remove(path)
	w, err := pqarrow.NewFileWriter(sc, f,
		parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Uncompressed)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return fmt.Errorf("opening spool writer: %w", err)
	}
	for rec, err := range it {
		if err != nil {
			w.Close()
			return fmt.Errorf("scanning: %w", err)
		}
		err = w.WriteBuffered(rec)
		rec.Release()
		if err != nil {
			w.Close()
			return fmt.Errorf("spooling batch: %w", err)
		}
	}
	if err := w.Close(); err != nil { // also closes f
		return fmt.Errorf("closing spool file: %w", err)
	}
	stmt := fmt.Sprintf("CREATE TABLE %s AS SELECT %s FROM read_parquet(%s)", name, e.selectList(id, tbl), quoteString(path))
	if _, err := e.db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("loading spooled scan: %w", err)
	}
	return nil
}

// selectList is the projection that exposes the table: its columns by name,
// masked ones replaced by MaskedText (strings; a NULL stays NULL, so counts
// of missing values hold) or a NULL of the column's type (CASE WHEN false
// THEN col END keeps the type), under their own name.
func (e *Engine) selectList(id lakehouse.Ident, tbl *table.Table) string {
	masked := map[string]bool{}
	for _, c := range e.cfg.Masks[id] {
		masked[c] = true
	}
	cols := make([]string, 0, tbl.Schema().NumFields())
	for _, f := range tbl.Schema().Fields() {
		q := quoteIdent(f.Name)
		switch {
		case !masked[f.Name]:
			cols = append(cols, q)
		case f.Type.Equals(iceberg.PrimitiveTypes.String):
			cols = append(cols, "CASE WHEN "+q+" IS NULL THEN NULL ELSE "+quoteString(MaskedText)+" END AS "+q)
		default:
			cols = append(cols, "CASE WHEN false THEN "+q+" END AS "+q)
		}
	}
	return strings.Join(cols, ", ")
}

// AttachMentioned attaches (or refreshes) the lakehouse tables that sqlText
// names, for callers that then run statements on DB() themselves.
func (e *Engine) AttachMentioned(ctx context.Context, sqlText string) error {
	ids, err := e.mentioned(ctx, sqlText)
	if err != nil {
		return err
	}
	return e.Attach(ctx, ids...)
}

// Forget drops the attached copy of a table, so that a DuckDB view or table
// of the same name can take its place (or the next Attach reloads it).
func (e *Engine) Forget(ctx context.Context, id lakehouse.Ident) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.tables, id)
	return nil
}
