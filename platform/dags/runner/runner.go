package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/meshterious/warehouse/platform/dags"
)

// Environment variables a task sees besides the runner's own environment.
const (
	EnvDAGID     = "MESH_DAG_ID"
	EnvRunID     = "MESH_DAG_RUN_ID"
	EnvTaskID    = "MESH_TASK_ID"
	EnvTryNumber = "MESH_TRY_NUMBER"
	// EnvBinDir overrides where the runner looks for binaries first.
	EnvBinDir = "MESH_BIN_DIR"
)

// DefaultKillGrace is how long a timed-out task has between SIGTERM and SIGKILL.
const DefaultKillGrace = 5 * time.Second

// ErrRunFailed is returned by Run when at least one DAG did not succeed.
var ErrRunFailed = errors.New("dag run failed")

// Config configures a Runner.
type Config struct {
	// DataDir holds the run history (dags/history.db) and the task logs
	// (dags/logs/<dag>/<run>/<task>.log). Required.
	DataDir string
	// BinDirs are searched, in order, for a task's binary before PATH, and are
	// prepended to the PATH of the task.
	BinDirs []string
	// Env is added to every task's environment.
	Env []string
	// Progress receives one line per task attempt and per DAG; nil: none.
	Progress io.Writer
	// KillGrace is the time between SIGTERM and SIGKILL of a timed-out task (DefaultKillGrace when 0).
	KillGrace time.Duration
	// RetryDelay, when set, replaces every DAG's retry delay (tests, impatient humans).
	RetryDelay *time.Duration
	// Logger receives diagnostics; nil means slog.Default().
	Logger *slog.Logger
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("runner: data_dir is required")
	}
	if c.KillGrace < 0 {
		return errors.New("runner: kill_grace must be >= 0")
	}
	return nil
}

// HistoryPath is the run history database under dataDir.
func HistoryPath(dataDir string) string { return filepath.Join(dataDir, "dags", "history.db") }

// LogDir is the folder of the task logs under dataDir.
func LogDir(dataDir string) string { return filepath.Join(dataDir, "dags", "logs") }

// Runner runs DAGs as subprocesses and records their runs.
type Runner struct {
	cfg   Config
	store *Store
	log   *slog.Logger
}

// New opens the run history and returns a Runner; Close it when done.
func New(ctx context.Context, cfg Config) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.KillGrace == 0 {
		cfg.KillGrace = DefaultKillGrace
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	st, err := OpenStore(ctx, HistoryPath(cfg.DataDir))
	if err != nil {
		return nil, err
	}
	return &Runner{cfg: cfg, store: st, log: log}, nil
}

// Store returns the run history.
func (r *Runner) Store() *Store { return r.store }

// Close closes the run history.
func (r *Runner) Close() error { return r.store.Close() }

// NewRunID returns a run id: the UTC start time and a random suffix.
func NewRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Run runs the selected DAGs, in dependency order (a DAG after the DAGs that
// write a table it reads), all under one run id. A DAG whose upstream DAG did
// not succeed is skipped with the reason, unless its trigger rule is
// all_done. It returns the runs, and ErrRunFailed when one did not succeed.
func (r *Runner) Run(ctx context.Context, selected []*dags.DAG) ([]DAGRun, error) {
	order, err := dags.Order(selected)
	if err != nil {
		return nil, err
	}
	runID := NewRunID(time.Now())
	state := map[string]DAGRun{}
	var out []DAGRun
	failed := false
	for _, g := range order {
		var run DAGRun
		var blocker *DAGRun
		for _, u := range dags.Upstream(order, g) {
			if ur := state[u.ID]; ur.State != StateSuccess && blocker == nil {
				blocker = &ur
			}
		}
		switch {
		case ctx.Err() != nil:
			run = r.skip(g, runID, "interrupted before it started")
		case blocker != nil && g.TriggerRule != dags.TriggerAllDone:
			run = r.skip(g, runID, fmt.Sprintf("upstream DAG %s %s: %s", blocker.DAGID, blocker.State, blocker.Reason))
		default:
			run = r.runDAG(ctx, g, runID)
		}
		if err := r.store.SaveRun(context.WithoutCancel(ctx), run); err != nil {
			return out, err
		}
		state[g.ID] = run
		out = append(out, run)
		if run.State != StateSuccess {
			failed = true
		}
	}
	if failed {
		return out, ErrRunFailed
	}
	return out, nil
}

func (r *Runner) skip(g *dags.DAG, runID, reason string) DAGRun {
	now := time.Now().UTC()
	run := DAGRun{RunID: runID, DAGID: g.ID, Domain: g.Domain, State: StateSkipped, Reason: reason, Started: now, Ended: now, SLA: g.SLA}
	for _, t := range g.TaskOrder() {
		run.Tasks = append(run.Tasks, TaskRun{TaskID: t.ID, State: StateSkipped, Reason: "DAG skipped"})
	}
	fmt.Fprintf(r.cfg.Progress, "%-28s skipped: %s\n", g.ID, reason)
	return run
}

// runDAG runs the tasks of one DAG one at a time in dependency order.
func (r *Runner) runDAG(ctx context.Context, g *dags.DAG, runID string) DAGRun {
	run := DAGRun{RunID: runID, DAGID: g.ID, Domain: g.Domain, State: StateRunning, Started: time.Now().UTC(), SLA: g.SLA}
	if err := r.store.SaveRun(ctx, run); err != nil {
		r.log.Warn("recording a started DAG run", "dag", g.ID, "err", err)
	}
	states := map[string]TaskRun{}
	for _, t := range g.TaskOrder() {
		var tr TaskRun
		var blocked string
		for _, dep := range t.DependsOn {
			if s := states[dep]; s.State != StateSuccess && blocked == "" {
				blocked = fmt.Sprintf("upstream task %s %s", dep, s.State)
			}
		}
		switch {
		case blocked != "":
			tr = TaskRun{TaskID: t.ID, State: StateUpstreamFailed, Reason: blocked}
		case ctx.Err() != nil:
			tr = TaskRun{TaskID: t.ID, State: StateFailed, Reason: "interrupted before it started"}
		default:
			tr = r.runTask(ctx, g, t, runID)
		}
		states[t.ID] = tr
		run.Tasks = append(run.Tasks, tr)
		if tr.State != StateSuccess && run.Reason == "" {
			run.Reason = fmt.Sprintf("task %s %s: %s", t.ID, tr.State, tr.Reason)
		}
	}
	run.Ended = time.Now().UTC()
	run.State = StateSuccess
	if run.Reason != "" {
		run.State = StateFailed
	}
	if g.SLA > 0 && run.Duration() > g.SLA {
		run.DeadlineMissed = true
	}
	line := fmt.Sprintf("%-28s %s in %s", g.ID, run.State, run.Duration().Round(time.Millisecond))
	if run.Reason != "" {
		line += ": " + run.Reason
	}
	if run.DeadlineMissed {
		line += fmt.Sprintf(" (DEADLINE MISSED: sla %s)", g.SLA)
	}
	fmt.Fprintln(r.cfg.Progress, line)
	return run
}

// runTask runs a task with its retries; each attempt is bounded by the task's execution timeout.
func (r *Runner) runTask(ctx context.Context, g *dags.DAG, t dags.Task, runID string) TaskRun {
	tr := TaskRun{TaskID: t.ID, Started: time.Now().UTC()}
	tr.LogPath = filepath.Join(LogDir(r.cfg.DataDir), g.ID, runID, t.ID+".log")
	logf, err := r.openLog(tr.LogPath)
	if err != nil {
		tr.State, tr.Reason, tr.Ended = StateFailed, err.Error(), time.Now().UTC()
		return tr
	}
	defer logf.Close()
	delay := g.RetryDelay
	if r.cfg.RetryDelay != nil {
		delay = *r.cfg.RetryDelay
	}
	attempts := t.Retries + 1
	for attempt := 1; attempt <= attempts; attempt++ {
		tr.Attempts = attempt
		start := time.Now()
		code, reason := r.attempt(ctx, g, t, runID, attempt, logf)
		tr.ExitCode = code
		took := time.Since(start).Round(time.Millisecond)
		if reason == "" {
			tr.State, tr.Reason = StateSuccess, ""
			fmt.Fprintf(r.cfg.Progress, "  %-26s attempt %d/%d ok in %s\n", t.ID, attempt, attempts, took)
			break
		}
		tr.State = StateFailed
		tr.Reason = fmt.Sprintf("%s (attempt %d/%d; log %s)", reason, attempt, attempts, tr.LogPath)
		fmt.Fprintf(r.cfg.Progress, "  %-26s attempt %d/%d failed in %s: %s\n", t.ID, attempt, attempts, took, reason)
		if attempt == attempts || ctx.Err() != nil {
			break
		}
		fmt.Fprintf(logf, "--- retrying in %s\n", delay)
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
	}
	tr.Ended = time.Now().UTC()
	return tr
}

func (r *Runner) openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating the log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the task log: %w", err)
	}
	return f, nil
}

// LookPath finds a task's binary: a path as is, else in the bin dirs, else on PATH.
func (r *Runner) LookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range r.cfg.BinDirs {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("binary %q not found in %s nor on PATH (go run mage.go build puts them in bin/)", name, strings.Join(r.cfg.BinDirs, ", "))
	}
	return p, nil
}

// attempt runs the task's command once and returns its exit code and, when it failed, why.
func (r *Runner) attempt(ctx context.Context, g *dags.DAG, t dags.Task, runID string, try int, logf *os.File) (int, string) {
	fmt.Fprintf(logf, "--- %s attempt %d/%d of %s.%s (run %s): %s\n", time.Now().UTC().Format(time.RFC3339), try, t.Retries+1, g.ID, t.ID, runID, t.CommandLine())
	bin, err := r.LookPath(t.Command[0])
	if err != nil {
		fmt.Fprintf(logf, "--- %v\n", err)
		return -1, err.Error()
	}
	tctx, cancel := context.WithTimeout(ctx, t.ExecutionTimeout)
	defer cancel()
	cmd := exec.Command(bin, t.Command[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	path := os.Getenv("PATH")
	if len(r.cfg.BinDirs) > 0 {
		path = strings.Join(r.cfg.BinDirs, string(os.PathListSeparator)) + string(os.PathListSeparator) + path
	}
	cmd.Env = append(os.Environ(), r.cfg.Env...)
	cmd.Env = append(cmd.Env, "PATH="+path, EnvDAGID+"="+g.ID, EnvRunID+"="+runID, EnvTaskID+"="+t.ID, fmt.Sprintf("%s=%d", EnvTryNumber, try))
	// Its own process group, so that a timeout stops the task and its children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(logf, "--- starting: %v\n", err)
		return -1, fmt.Sprintf("starting %s: %v", bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var waitErr error
	stopped := ""
	select {
	case waitErr = <-done:
	case <-tctx.Done():
		stopped = "timed out after " + t.ExecutionTimeout.String()
		if ctx.Err() != nil {
			stopped = "interrupted"
		}
		pgid := cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case waitErr = <-done:
		case <-time.After(r.cfg.KillGrace):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			waitErr = <-done
		}
		// Children that ignored SIGTERM must not outlive the attempt.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	code := cmd.ProcessState.ExitCode()
	switch {
	case stopped != "":
		fmt.Fprintf(logf, "--- %s: killed\n", stopped)
		return code, stopped
	case waitErr != nil:
		fmt.Fprintf(logf, "--- exit code %d\n", code)
		return code, fmt.Sprintf("exit code %d", code)
	}
	fmt.Fprintf(logf, "--- exit code 0\n")
	return 0, ""
}
