// The model: constants and defaults, the resolved DAG, Task and Schedule
// types and their methods.

package dags

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/config"
)

// Dir is the folder of a domain holding its DAG declarations.
const Dir = "dags"

// EnvRoot names the directory holding domains/*/domain.yaml and their dags/
// folders when the tools run outside the repository (e.g. in a container);
// the default is the repository root (the directory with go.work).
const EnvRoot = config.EnvRepoRoot

// DAG types.
const (
	TypeIngest      = "ingest"
	TypeStaging     = "staging"
	TypeFact        = "fact"
	TypeForecast    = "forecast"
	TypeMaintenance = "maintenance"
	TypeFreshness   = "freshness"
	TypeMetadata    = "metadata" // derived for every domain, see derived.yaml
	TypeCustom      = "custom"
)

// Trigger rules between DAGs (local runner).
const (
	TriggerAllSuccess = "all_success"
	TriggerAllDone    = "all_done"
)

// ScheduleOnUpdate is the schedule of a DAG triggered by updates of the tables it reads.
const ScheduleOnUpdate = "on_update"

// Defaults of every DAG unless its type, its file or the DAG says otherwise.
const (
	DefaultRetries          = 2
	DefaultRetryDelay       = time.Minute
	DefaultExecutionTimeout = 30 * time.Minute
	DefaultDagrunTimeout    = 2 * time.Hour
)

// StartDate is the static start date of every generated Airflow DAG.
var StartDate = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid DAG declaration")

// DAG is one resolved pipeline: what the local runner executes and the
// Airflow generator renders.
type DAG struct {
	ID          string
	Domain      string
	Type        string
	Description string
	Owner       string
	// Source is "file:line" of the declaration.
	Source string
	// File is the declaration file, relative to the root it was loaded from.
	File     string
	Schedule Schedule
	Tags     []string
	Retries  int
	// RetryDelay is the pause between attempts of a task.
	RetryDelay time.Duration
	// ExecutionTimeout bounds each attempt of each task (unless the task sets its own).
	ExecutionTimeout time.Duration
	// DagrunTimeout bounds a whole run in Airflow.
	DagrunTimeout time.Duration
	// SLA is how long after its start a run must have finished (0: none).
	SLA time.Duration
	// Reads and Writes are table identifiers, namespace.table.
	Reads, Writes []string
	// TriggerRule says whether the local runner runs the DAG when an upstream DAG did not succeed.
	TriggerRule string
	// Tasks are in declaration order.
	Tasks []Task
}

// Task is one command of a DAG.
type Task struct {
	ID string
	// Command is the binary and its arguments.
	Command   []string
	DependsOn []string
	// Retries and ExecutionTimeout are the effective values (the DAG's unless set on the task).
	Retries          int
	ExecutionTimeout time.Duration
}

// Schedule is a cron expression or a trigger on table updates.
type Schedule struct {
	Cron     string
	OnUpdate bool
}

// String returns the cron expression or "on_update".
func (s Schedule) String() string {
	if s.OnUpdate {
		return ScheduleOnUpdate
	}
	return s.Cron
}

// CommandLine is the task's command as one line, each word shell-quoted when needed.
func (t Task) CommandLine() string {
	words := make([]string, len(t.Command))
	for i, w := range t.Command {
		words[i] = ShellQuote(w)
	}
	return strings.Join(words, " ")
}

var safeWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// ShellQuote quotes s for a POSIX shell unless it is safe as is.
func ShellQuote(s string) string {
	if safeWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// Task returns the task called id.
func (d *DAG) Task(id string) (Task, bool) {
	for _, t := range d.Tasks {
		if t.ID == id {
			return t, true
		}
	}
	return Task{}, false
}

// TaskOrder returns the tasks in a dependency order (ties in declaration order).
func (d *DAG) TaskOrder() []Task {
	done := map[string]bool{}
	var out []Task
	for len(out) < len(d.Tasks) {
		progressed := false
		for _, t := range d.Tasks {
			if done[t.ID] {
				continue
			}
			ready := true
			for _, dep := range t.DependsOn {
				if !done[dep] {
					ready = false
				}
			}
			if ready {
				done[t.ID] = true
				out = append(out, t)
				progressed = true
			}
		}
		if !progressed { // a cycle; Validate reports it
			return out
		}
	}
	return out
}

// Sinks are the tasks nothing depends on: those that complete the DAG's writes.
func (d *DAG) Sinks() []Task {
	used := map[string]bool{}
	for _, t := range d.Tasks {
		for _, dep := range t.DependsOn {
			used[dep] = true
		}
	}
	var out []Task
	for _, t := range d.Tasks {
		if !used[t.ID] {
			out = append(out, t)
		}
	}
	return out
}
