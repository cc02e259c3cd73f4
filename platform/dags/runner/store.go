package runner

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/uptrace/bun/driver/sqliteshim"
)

// Run and task states.
const (
	StateRunning        = "running"
	StateSuccess        = "success"
	StateFailed         = "failed"
	StateSkipped        = "skipped"
	StateUpstreamFailed = "upstream_failed"
)

// DAGRun is one recorded run of a DAG.
type DAGRun struct {
	RunID, DAGID, Domain, State, Reason string
	Started, Ended                      time.Time
	SLA                                 time.Duration
	DeadlineMissed                      bool
	Tasks                               []TaskRun
}

// Duration is how long the run took (0 while running or when skipped).
func (r DAGRun) Duration() time.Duration {
	if r.Ended.IsZero() || r.Started.IsZero() {
		return 0
	}
	return r.Ended.Sub(r.Started)
}

// TaskRun is one recorded task of a run.
type TaskRun struct {
	TaskID, State, Reason, LogPath string
	Attempts, ExitCode             int
	Started, Ended                 time.Time
}

// Duration is how long the task took, over all attempts.
func (t TaskRun) Duration() time.Duration {
	if t.Ended.IsZero() || t.Started.IsZero() {
		return 0
	}
	return t.Ended.Sub(t.Started)
}

// Store is the run history: a SQLite file (pure Go, no cgo) in the data directory.
type Store struct{ db *sql.DB }

const schema = `
CREATE TABLE IF NOT EXISTS dag_runs (
  run_id TEXT NOT NULL, dag_id TEXT NOT NULL, domain TEXT NOT NULL, state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '', started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL DEFAULT 0,
  sla_ms INTEGER NOT NULL DEFAULT 0, deadline_missed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dag_id, run_id));
CREATE INDEX IF NOT EXISTS dag_runs_started ON dag_runs (dag_id, started_ms);
CREATE TABLE IF NOT EXISTS task_runs (
  run_id TEXT NOT NULL, dag_id TEXT NOT NULL, task_id TEXT NOT NULL, state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, exit_code INTEGER NOT NULL DEFAULT 0,
  started_ms INTEGER NOT NULL DEFAULT 0, ended_ms INTEGER NOT NULL DEFAULT 0, log_path TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (dag_id, run_id, task_id));
`

// OpenStore opens (and creates) the history database at path.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating the run history directory: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening the run history %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the run history tables in %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// SaveRun inserts or replaces a DAG run and its tasks.
func (s *Store) SaveRun(ctx context.Context, r DAGRun) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("recording run %s of %s: %w", r.RunID, r.DAGID, err)
	}
	defer tx.Rollback()
	missed := 0
	if r.DeadlineMissed {
		missed = 1
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO dag_runs
		(run_id, dag_id, domain, state, reason, started_ms, ended_ms, sla_ms, deadline_missed) VALUES (?,?,?,?,?,?,?,?,?)`,
		r.RunID, r.DAGID, r.Domain, r.State, r.Reason, ms(r.Started), ms(r.Ended), r.SLA.Milliseconds(), missed); err != nil {
		return fmt.Errorf("recording run %s of %s: %w", r.RunID, r.DAGID, err)
	}
	for _, t := range r.Tasks {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO task_runs
			(run_id, dag_id, task_id, state, reason, attempts, exit_code, started_ms, ended_ms, log_path) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			r.RunID, r.DAGID, t.TaskID, t.State, t.Reason, t.Attempts, t.ExitCode, ms(t.Started), ms(t.Ended), t.LogPath); err != nil {
			return fmt.Errorf("recording task %s of run %s: %w", t.TaskID, r.RunID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("recording run %s of %s: %w", r.RunID, r.DAGID, err)
	}
	return nil
}

// Runs returns the runs of dagID (all DAGs when empty), newest first, at most
// limit per DAG (0: no limit), with their tasks.
func (s *Store) Runs(ctx context.Context, dagID string, limit int) ([]DAGRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, dag_id, domain, state, reason, started_ms, ended_ms, sla_ms, deadline_missed,
		ROW_NUMBER() OVER (PARTITION BY dag_id ORDER BY started_ms DESC, run_id DESC) AS n
		FROM dag_runs WHERE (? = '' OR dag_id = ?) ORDER BY dag_id, started_ms DESC, run_id DESC`, dagID, dagID)
	if err != nil {
		return nil, fmt.Errorf("reading the run history: %w", err)
	}
	defer rows.Close()
	var out []DAGRun
	for rows.Next() {
		var r DAGRun
		var started, ended, sla int64
		var missed, n int
		if err := rows.Scan(&r.RunID, &r.DAGID, &r.Domain, &r.State, &r.Reason, &started, &ended, &sla, &missed, &n); err != nil {
			return nil, fmt.Errorf("reading the run history: %w", err)
		}
		if limit > 0 && n > limit {
			continue
		}
		r.Started, r.Ended, r.SLA, r.DeadlineMissed = fromMS(started), fromMS(ended), time.Duration(sla)*time.Millisecond, missed == 1
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		tasks, err := s.tasks(ctx, out[i].DAGID, out[i].RunID)
		if err != nil {
			return nil, err
		}
		out[i].Tasks = tasks
	}
	return out, nil
}

func (s *Store) tasks(ctx context.Context, dagID, runID string) ([]TaskRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT task_id, state, reason, attempts, exit_code, started_ms, ended_ms, log_path
		FROM task_runs WHERE dag_id = ? AND run_id = ? ORDER BY started_ms = 0, started_ms, task_id`, dagID, runID)
	if err != nil {
		return nil, fmt.Errorf("reading the tasks of run %s: %w", runID, err)
	}
	defer rows.Close()
	var out []TaskRun
	for rows.Next() {
		var t TaskRun
		var started, ended int64
		if err := rows.Scan(&t.TaskID, &t.State, &t.Reason, &t.Attempts, &t.ExitCode, &started, &ended, &t.LogPath); err != nil {
			return nil, err
		}
		t.Started, t.Ended = fromMS(started), fromMS(ended)
		out = append(out, t)
	}
	return out, rows.Err()
}
