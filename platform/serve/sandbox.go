package serve

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/query"
)

// Sandbox answers read-only SQL over a locked, in-memory snapshot of the
// lakehouse (see the package documentation for why it is built this way).
type Sandbox struct {
	lh  *lakehouse.Lakehouse
	cfg Config

	mu   sync.RWMutex
	snap *snapshot

	loadMu sync.Mutex // one load at a time
}

// snapshot is one locked DuckDB holding a copy of every table.
type snapshot struct {
	eng      *query.Engine
	empty    *lakehouse.Lakehouse // the serving engine's own catalog: always empty
	dir      string
	versions map[lakehouse.Ident]int64
	tables   []lakehouse.TableInfo
	loaded   time.Time
	took     time.Duration
	inflight sync.WaitGroup
}

func (s *snapshot) close() error {
	s.inflight.Wait()
	return errors.Join(s.eng.Close(), s.empty.Close(), os.RemoveAll(s.dir))
}

// NewSandbox returns a Sandbox over lh; Load (or Run) fills it.
func NewSandbox(lh *lakehouse.Lakehouse, cfg Config) (*Sandbox, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Sandbox{lh: lh, cfg: cfg}, nil
}

// Close releases the current snapshot, after its running queries.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	snap := s.snap
	s.snap = nil
	s.mu.Unlock()
	if snap == nil {
		return nil
	}
	return snap.close()
}

// Loaded reports when the current snapshot was taken and how many tables it holds.
func (s *Sandbox) Loaded() (time.Time, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.snap == nil {
		return time.Time{}, 0
	}
	return s.snap.loaded, len(s.snap.tables)
}

// Run reloads the snapshot every cfg.Refresh when a table has a new commit,
// until ctx ends. Errors are logged; the previous snapshot keeps serving.
// With tables that change all the time (live producers), a reload waits
// until four times the last load's duration has passed since it ended, so
// that loading takes at most a fifth of the machine's time.
func (s *Sandbox) Run(ctx context.Context) {
	if s.cfg.Refresh < 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(s.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.resting() {
				continue
			}
			if _, err := s.Load(ctx, false); err != nil && ctx.Err() == nil {
				s.cfg.logger().Warn("serve: reloading the lakehouse snapshot failed; the previous one keeps serving", "err", err)
			}
		}
	}
}

// resting reports whether the last load ended less than four of its
// durations ago.
func (s *Sandbox) resting() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.snap != nil && time.Since(s.snap.loaded) < 4*s.snap.took
}

// Load takes a new snapshot when some table changed since the current one
// (always when force), and reports whether it did.
func (s *Sandbox) Load(ctx context.Context, force bool) (bool, error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	infos, err := s.lh.Tables(ctx)
	if err != nil {
		return false, fmt.Errorf("listing tables: %w", err)
	}
	s.mu.RLock()
	cur := s.snap
	s.mu.RUnlock()
	if !force && cur != nil && sameVersions(cur.versions, infos) {
		return false, nil
	}
	snap, err := s.build(ctx, infos)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	old := s.snap
	s.snap = snap
	s.mu.Unlock()
	if old != nil {
		go func() {
			if err := old.close(); err != nil {
				s.cfg.logger().Warn("serve: closing the previous snapshot", "err", err)
			}
		}()
	}
	return true, nil
}

func sameVersions(v map[lakehouse.Ident]int64, infos []lakehouse.TableInfo) bool {
	if len(v) != len(infos) {
		return false
	}
	for _, ti := range infos {
		if id, ok := v[ti.Ident]; !ok || id != ti.SnapshotID {
			return false
		}
	}
	return true
}

// build copies every table into a snapshot and locks it: a loader engine
// (with file access, and the configured masks) writes every table into a
// DuckDB database file; the serving engine attaches that file READ_ONLY,
// exposes each table as <namespace>.<table>, and only then switches
// external access off and locks its configuration. An attached database
// stays readable after the lock (checked), and nothing can write to it.
func (s *Sandbox) build(ctx context.Context, infos []lakehouse.TableInfo) (_ *snapshot, err error) {
	start := time.Now()
	log := s.cfg.logger()
	base := s.cfg.TempDir
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("creating the snapshot directory: %w", err)
	}
	dir, err := os.MkdirTemp(base, "mesh-serve-*")
	if err != nil {
		return nil, fmt.Errorf("creating the snapshot directory: %w", err)
	}
	snap := &snapshot{dir: dir, versions: map[lakehouse.Ident]int64{}}
	defer func() {
		if err != nil {
			if snap.eng != nil {
				snap.eng.Close()
			}
			if snap.empty != nil {
				snap.empty.Close()
			}
			os.RemoveAll(dir)
		}
	}()

	loaderCfg := s.cfg.Loader
	if loaderCfg.TempDir == "" {
		loaderCfg.TempDir = dir
	}
	if loaderCfg.Logger == nil {
		loaderCfg.Logger = log
	}
	loader, err := query.NewEngine(ctx, s.lh, loaderCfg)
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	file := filepath.Join(dir, "snapshot.duckdb")
	ldb := loader.DB()
	if _, err := ldb.ExecContext(ctx, "ATTACH "+quoteString(file)+" AS "+snapshotDB); err != nil {
		return nil, fmt.Errorf("creating the snapshot file: %w", err)
	}
	var copied []lakehouse.TableInfo
	schemas := map[string]bool{}
	for _, ti := range infos {
		if err := loader.Attach(ctx, ti.Ident); err != nil {
			log.Warn("serve: table left out of the snapshot", "table", ti.Ident.String(), "err", err)
			continue
		}
		ns := snapshotDB + "." + quoteIdent(ti.Ident.Namespace)
		if !schemas[ti.Ident.Namespace] {
			if _, err := ldb.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+ns); err != nil {
				return nil, fmt.Errorf("creating schema %s in the snapshot: %w", ti.Ident.Namespace, err)
			}
			schemas[ti.Ident.Namespace] = true
		}
		stmt := fmt.Sprintf("CREATE TABLE %s.%s AS SELECT * FROM %s", ns, quoteIdent(ti.Ident.Name), qualified(ti.Ident))
		if _, err := ldb.ExecContext(ctx, stmt); err != nil {
			log.Warn("serve: table left out of the snapshot", "table", ti.Ident.String(), "err", err)
			continue
		}
		copied = append(copied, ti)
	}
	if _, err := ldb.ExecContext(ctx, "DETACH "+snapshotDB); err != nil {
		return nil, fmt.Errorf("writing the snapshot file: %w", err)
	}

	// The serving engine's catalog is an empty one of its own: the engine
	// attaches the lakehouse tables a query names, and here nothing may be
	// attached after the lock (a re-attach would need file access); every
	// table is a view of the read-only snapshot file instead.
	snap.empty, err = lakehouse.Open(ctx, lakehouse.Config{
		CatalogKind: lakehouse.CatalogSQLite,
		CatalogURI:  filepath.Join(dir, "empty-catalog.db"),
		Warehouse:   filepath.Join(dir, "empty-warehouse"),
		DataDir:     dir,
		Logger:      log,
	})
	if err != nil {
		return nil, fmt.Errorf("opening the snapshot's empty catalog: %w", err)
	}
	snap.eng, err = query.NewEngine(ctx, snap.empty, query.Config{Memory: s.cfg.Memory, Threads: s.cfg.Threads, TempDir: dir, Logger: log})
	if err != nil {
		return nil, err
	}
	db := snap.eng.DB()
	if _, err := db.ExecContext(ctx, "ATTACH "+quoteString(file)+" AS "+snapshotDB+" (READ_ONLY)"); err != nil {
		return nil, fmt.Errorf("opening the snapshot file: %w", err)
	}
	schemas = map[string]bool{}
	for _, ti := range copied {
		if !schemas[ti.Ident.Namespace] {
			if _, err := db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(ti.Ident.Namespace)); err != nil {
				return nil, fmt.Errorf("creating schema %s: %w", ti.Ident.Namespace, err)
			}
			schemas[ti.Ident.Namespace] = true
		}
		stmt := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s.%s.%s", qualified(ti.Ident), snapshotDB, quoteIdent(ti.Ident.Namespace), quoteIdent(ti.Ident.Name))
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("exposing %s: %w", ti.Ident, err)
		}
		snap.versions[ti.Ident] = ti.SnapshotID
		snap.tables = append(snap.tables, ti)
	}
	for _, stmt := range []string{"SET enable_external_access=false", "SET lock_configuration=true"} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("locking the snapshot (%s): %w", stmt, err)
		}
	}
	var ext string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('enable_external_access')").Scan(&ext); err != nil || ext != "false" {
		return nil, fmt.Errorf("locking the snapshot: enable_external_access is %q (%v)", ext, err)
	}
	snap.loaded = time.Now()
	snap.took = time.Since(start)
	log.Info("serve: lakehouse snapshot loaded", "tables", len(snap.tables), "took", snap.took.Round(time.Millisecond))
	return snap, nil
}

// snapshotDB is the DuckDB database name of the snapshot file, in the
// loader (written) and in the serving engine (attached read only).
const snapshotDB = "mesh_snapshot"

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func qualified(id lakehouse.Ident) string {
	return quoteIdent(id.Namespace) + "." + quoteIdent(id.Name)
}

// Result is the answer of Query.
type Result struct {
	Columns []string `json:"columns"`
	Types   []string `json:"types"`
	// Rows hold each value's JSON form as DuckDB prints it (package
	// query's Value), null for NULL.
	Rows [][]any `json:"rows"`
	// Elapsed is the query's wall time in milliseconds.
	Elapsed float64 `json:"elapsed"`
	// Truncated says the query had more than Limit rows.
	Truncated bool `json:"truncated"`
	Limit     int  `json:"limit"`
	// Snapshot is when the lakehouse snapshot answering the query was taken.
	Snapshot time.Time `json:"snapshot"`
}

// acquire returns the current snapshot, held until release is called.
func (s *Sandbox) acquire() (*snapshot, func(), error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.snap == nil {
		return nil, nil, ErrNotReady
	}
	snap := s.snap
	snap.inflight.Add(1)
	return snap, snap.inflight.Done, nil
}

// Query runs one read-only query with the row limit and the timeout.
func (s *Sandbox) Query(ctx context.Context, sqlText string) (*Result, error) {
	text := strings.TrimSpace(sqlText)
	if text == "" {
		return nil, fmt.Errorf("%w: no SQL given", ErrRefused)
	}
	if len(text) > s.cfg.MaxSQLBytes {
		return nil, fmt.Errorf("%w: the SQL is %d bytes, more than the %d allowed", ErrRefused, len(text), s.cfg.MaxSQLBytes)
	}
	snap, release, err := s.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	start := time.Now()
	if err := checkReadOnly(ctx, snap.eng.DB(), text); err != nil {
		return nil, timeoutOr(ctx, s.cfg.QueryTimeout, err)
	}
	body := strings.TrimSpace(strings.TrimSuffix(text, ";"))
	// One more row than the limit tells a cut result from an exact fit;
	// DuckDB stops reading once it has them.
	wrapped := fmt.Sprintf("SELECT * FROM (\n%s\n) LIMIT %d", body, s.cfg.MaxRows+1)
	res, err := snap.eng.QueryText(ctx, wrapped)
	if err != nil {
		if strings.Contains(err.Error(), "disabled by configuration") {
			return nil, fmt.Errorf("%w: queries here cannot read files or the network (%s)", ErrRefused, firstLine(err.Error()))
		}
		return nil, timeoutOr(ctx, s.cfg.QueryTimeout, err)
	}
	out := &Result{Columns: res.Columns, Types: res.Types, Rows: res.Rows, Limit: s.cfg.MaxRows, Snapshot: snap.loaded.UTC()}
	if len(out.Rows) > s.cfg.MaxRows {
		out.Rows, out.Truncated = out.Rows[:s.cfg.MaxRows], true
	}
	out.Elapsed = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

func timeoutOr(ctx context.Context, limit time.Duration, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: the query ran past its %s limit and was interrupted", ErrTimeout, limit)
	}
	return err
}

// checkReadOnly refuses anything but exactly one query statement. DuckDB
// itself decides: json_serialize_sql serializes SELECT statements (WITH,
// VALUES, FROM-first, DESCRIBE, SUMMARIZE...) and nothing else, so writes,
// ATTACH, COPY, PRAGMA, SET, INSTALL and LOAD are refused before they run.
// File and network access from within a query is off in the locked engine.
func checkReadOnly(ctx context.Context, db *sql.DB, text string) error {
	var js string
	if err := db.QueryRowContext(ctx, "SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)", text).Scan(&js); err != nil {
		return fmt.Errorf("checking the SQL: %w", err)
	}
	var parsed struct {
		Error        bool              `json:"error"`
		ErrorType    string            `json:"error_type"`
		ErrorMessage string            `json:"error_message"`
		Statements   []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(js), &parsed); err != nil {
		return fmt.Errorf("checking the SQL: %w", err)
	}
	if parsed.Error {
		if parsed.ErrorType == "not implemented" || strings.Contains(parsed.ErrorMessage, "Only SELECT statements") {
			return fmt.Errorf("%w: only one read-only query (SELECT, WITH, VALUES, FROM, DESCRIBE, SUMMARIZE) is allowed; %s", ErrRefused, notAQuery(text))
		}
		return fmt.Errorf("%w: %s", ErrRefused, parsed.ErrorMessage)
	}
	if len(parsed.Statements) != 1 {
		return fmt.Errorf("%w: one statement at a time, got %d", ErrRefused, len(parsed.Statements))
	}
	return nil
}

// notAQuery names what was refused, for messages: the first keyword, unless
// that starts a query (then a later statement is the culprit).
func notAQuery(text string) string {
	f := strings.Fields(text)
	if len(f) == 0 {
		return "the text is empty"
	}
	switch w := strings.ToUpper(strings.Trim(f[0], "(;")); w {
	case "SELECT", "WITH", "VALUES", "FROM", "DESCRIBE", "SUMMARIZE", "SHOW", "TABLE":
		return "a statement after the first is not a query"
	default:
		return w + " is not a query"
	}
}

// firstLine is the first line of DuckDB's message, without the context
// (LINE 1: ...) it adds below.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}
