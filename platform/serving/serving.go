package serving

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/meshterious/warehouse/platform/filelock"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/query"
)

// DefaultFile is the serving database's path under the data directory.
const DefaultFile = "serving/mesh.duckdb"

// MetaTable is the table of the serving file recording what was published.
const MetaTable = "mesh_serving.published"

// DefaultLockTimeout is how long Publish waits for another publish of the
// same file by default: parallel DAGs publish one table each, a few seconds.
const DefaultLockTimeout = 10 * time.Minute

// ErrInvalidConfig is wrapped by configuration errors.
var ErrInvalidConfig = errors.New("invalid serving config")

// ErrStale is returned by Check when a published table lags its source by
// more than the allowed lag.
var ErrStale = errors.New("serving copy is stale")

// Config configures Publish.
type Config struct {
	// Path is the DuckDB file to write (required).
	Path string
	// Tables are the tables to publish; empty means every table whose name
	// does not start with raw_, and the file then holds only those. With
	// tables given, the file keeps every other table it holds as it was
	// published: a pipeline step refreshes the table it just built.
	Tables []lakehouse.Ident
	// LockTimeout bounds the wait for another publish of the same file to
	// finish (default DefaultLockTimeout).
	LockTimeout time.Duration
	// Query configures the DuckDB engine that reads the lakehouse.
	Query query.Config
	// Progress receives a line per table; nil means none.
	Progress io.Writer
}

// Validate checks the config; messages name the field.
func (c Config) Validate() error {
	if c.Path == "" {
		return fmt.Errorf("%w: serving.path is required", ErrInvalidConfig)
	}
	if strings.Contains(c.Path, "'") {
		return fmt.Errorf("%w: serving.path must not contain a quote", ErrInvalidConfig)
	}
	return nil
}

// Published is one table of the serving file.
type Published struct {
	Table       lakehouse.Ident
	Rows        int64
	SnapshotID  int64
	CommittedAt time.Time // the source snapshot's commit time
	PublishedAt time.Time
}

// Publish writes the tables' current snapshots into a new DuckDB file and
// renames it over cfg.Path.
func Publish(ctx context.Context, lh *lakehouse.Lakehouse, cfg Config) ([]Published, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	infos, err := lh.Tables(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[lakehouse.Ident]lakehouse.TableInfo{}
	for _, ti := range infos {
		byID[ti.Ident] = ti
	}
	ids := cfg.Tables
	if len(ids) == 0 {
		for _, ti := range infos {
			if !strings.HasPrefix(ti.Ident.Name, "raw_") && ti.SnapshotID != 0 {
				ids = append(ids, ti.Ident)
			}
		}
	}
	for _, id := range ids {
		if _, ok := byID[id]; !ok {
			return nil, fmt.Errorf("publishing %s: %w", id, lakehouse.ErrNoSuchTable)
		}
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o755); err != nil {
		return nil, fmt.Errorf("creating the serving directory: %w", err)
	}
	// One publish of a file at a time, across processes: parallel DAGs each
	// refresh their table, and each must start from the file the previous
	// one renamed into place (and not delete its temporary file).
	unlock, err := filelock.Lock(ctx, cfg.Path+".lock", cmp.Or(cfg.LockTimeout, DefaultLockTimeout))
	if errors.Is(err, filelock.ErrTimeout) {
		return nil, fmt.Errorf("another publish of %s is still running (--lock-timeout): %w", cfg.Path, err)
	} else if err != nil {
		return nil, fmt.Errorf("publishing %s: %w", cfg.Path, err)
	}
	defer unlock()
	tmp := cfg.Path + ".publishing"
	_ = os.Remove(tmp)
	_ = os.Remove(tmp + ".wal")
	defer os.Remove(tmp)
	// Publishing named tables refreshes them in a copy of the current file,
	// which keeps every other table as it was published.
	refresh := false
	if len(cfg.Tables) > 0 {
		switch err := copyFile(cfg.Path, tmp); {
		case err == nil:
			refresh = true
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("copying the published %s: %w", cfg.Path, err)
		}
	}

	eng, err := query.NewEngine(ctx, lh, cfg.Query)
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	db := eng.DB()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "ATTACH '"+tmp+"' AS serving"); err != nil {
		return nil, fmt.Errorf("creating %s: %w", tmp, err)
	}
	attached := true
	defer func() {
		if attached {
			_, _ = conn.ExecContext(context.Background(), "DETACH serving")
		}
	}()
	now := time.Now().UTC()
	var out []Published
	for _, stmt := range []string{
		"CREATE SCHEMA IF NOT EXISTS serving.mesh_serving",
		"CREATE TABLE IF NOT EXISTS serving." + MetaTable + " (table_name VARCHAR, rows BIGINT, snapshot_id BIGINT, committed_at TIMESTAMPTZ, published_at TIMESTAMPTZ)",
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("creating %s: %w", MetaTable, err)
		}
	}
	for i, id := range ids {
		start := time.Now()
		if err := eng.Attach(ctx, id); err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS serving."+quoteIdent(id.Namespace)); err != nil {
			return nil, fmt.Errorf("creating schema %s: %w", id.Namespace, err)
		}
		name := quoteIdent(id.Namespace) + "." + quoteIdent(id.Name)
		if refresh {
			// Dropped and checkpointed first, so that the new copy reuses
			// the old one's blocks and the file does not grow.
			for _, stmt := range []string{"DROP TABLE IF EXISTS serving." + name, "CHECKPOINT serving"} {
				if _, err := conn.ExecContext(ctx, stmt); err != nil {
					return nil, fmt.Errorf("replacing the published %s: %w", id, err)
				}
			}
			if _, err := conn.ExecContext(ctx, "DELETE FROM serving."+MetaTable+" WHERE table_name = ?", id.String()); err != nil {
				return nil, fmt.Errorf("replacing the record of %s: %w", id, err)
			}
		}
		if _, err := conn.ExecContext(ctx, "CREATE TABLE serving."+name+" AS SELECT * FROM memory."+name); err != nil {
			return nil, fmt.Errorf("publishing %s: %w", id, err)
		}
		var rows int64
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM serving."+name).Scan(&rows); err != nil {
			return nil, fmt.Errorf("counting %s: %w", id, err)
		}
		ti := byID[id]
		p := Published{Table: id, Rows: rows, SnapshotID: ti.SnapshotID, CommittedAt: ti.LastCommit.UTC(), PublishedAt: now}
		if _, err := conn.ExecContext(ctx, "INSERT INTO serving.mesh_serving.published VALUES (?, ?, ?, ?, ?)",
			id.String(), p.Rows, p.SnapshotID, p.CommittedAt, p.PublishedAt); err != nil {
			return nil, fmt.Errorf("recording %s: %w", id, err)
		}
		// The in-memory copy is no longer needed: keep the engine's memory
		// to one table at a time.
		if _, err := conn.ExecContext(ctx, "DROP VIEW IF EXISTS memory."+name); err != nil {
			if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS memory."+name); err != nil {
				return nil, fmt.Errorf("dropping the copy of %s: %w", id, err)
			}
		}
		if err := eng.Forget(ctx, id); err != nil {
			return nil, err
		}
		out = append(out, p)
		fmt.Fprintf(progress, "  [%d/%d] %-40s %9d rows  %s\n", i+1, len(ids), id, rows, time.Since(start).Round(time.Millisecond))
	}
	if _, err := conn.ExecContext(ctx, "DETACH serving"); err != nil {
		return nil, fmt.Errorf("closing %s: %w", tmp, err)
	}
	attached = false
	if err := os.Rename(tmp, cfg.Path); err != nil {
		return nil, fmt.Errorf("replacing %s: %w", cfg.Path, err)
	}
	return out, nil
}

// copyFile copies the file at src to dst (created or truncated).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Lag is how far one published table is behind its source.
type Lag struct {
	Table lakehouse.Ident
	// Published is what the serving file holds (zero when the table is
	// missing from it).
	Published Published
	// Current is the lakehouse's current snapshot and its commit time.
	CurrentSnapshot int64
	CurrentCommit   time.Time
	// Behind is the time from the first commit the serving copy lacks to
	// now; zero when it holds the current snapshot.
	Behind time.Duration
}

// Check reads what the serving file at path holds and compares each table
// with the lakehouse's current snapshot; it returns every table's lag and
// ErrStale when one is behind by more than maxLag.
func Check(ctx context.Context, lh *lakehouse.Lakehouse, path string, maxLag time.Duration, now time.Time) ([]Lag, error) {
	published, err := ReadPublished(ctx, path)
	if err != nil {
		return nil, err
	}
	infos, err := lh.Tables(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[lakehouse.Ident]lakehouse.TableInfo{}
	for _, ti := range infos {
		byID[ti.Ident] = ti
	}
	var out []Lag
	var stale []string
	for _, p := range published {
		ti, ok := byID[p.Table]
		l := Lag{Table: p.Table, Published: p}
		if ok {
			l.CurrentSnapshot, l.CurrentCommit = ti.SnapshotID, ti.LastCommit.UTC()
			if ti.SnapshotID != p.SnapshotID && ti.LastCommit.After(p.CommittedAt) {
				// The serving copy has been missing the newer commits
				// since they were made (at the latest, the current one).
				l.Behind = now.Sub(ti.LastCommit)
				if l.Behind < 0 {
					l.Behind = 0
				}
			}
		}
		if l.Behind > maxLag {
			stale = append(stale, fmt.Sprintf("%s (%s behind)", p.Table, l.Behind.Round(time.Second)))
		}
		out = append(out, l)
	}
	if len(stale) > 0 {
		return out, fmt.Errorf("%w: %s (allowed %s): run meshctl publish", ErrStale, strings.Join(stale, ", "), maxLag)
	}
	return out, nil
}

// ReadPublished returns the tables the serving file at path holds, read only.
func ReadPublished(ctx context.Context, path string) ([]Published, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("reading the serving file: %w (run meshctl publish)", err)
	}
	db, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT table_name, rows, snapshot_id, committed_at, published_at FROM "+MetaTable+" ORDER BY table_name")
	if err != nil {
		return nil, fmt.Errorf("reading %s of %s: %w", MetaTable, path, err)
	}
	defer rows.Close()
	var out []Published
	for rows.Next() {
		var p Published
		var name string
		if err := rows.Scan(&name, &p.Rows, &p.SnapshotID, &p.CommittedAt, &p.PublishedAt); err != nil {
			return nil, err
		}
		id, err := lakehouse.ParseIdent(name)
		if err != nil {
			return nil, err
		}
		p.Table = id
		out = append(out, p)
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
