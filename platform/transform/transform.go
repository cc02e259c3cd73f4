package transform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/query"
)

// Errors callers branch on.
var (
	ErrInvalidConfig = errors.New("invalid transform configuration")
	// ErrFailed: at least one model or test failed; the Report says which.
	ErrFailed = errors.New("transformation failed")
)

// Commands.
const (
	Run   = "run"   // build the selected models
	Test  = "test"  // run the data tests of the selected models
	Build = "build" // seeds, then each model followed by its tests
	Seed  = "seed"  // load the seeds
)

// Snapshot summary keys written with every commit.
const (
	SummaryModel        = "mesh.dbt.model"
	SummaryInvocation   = "mesh.dbt.invocation_id"
	SummaryMaterialized = "mesh.dbt.materialized"
	// SummaryContent is the fingerprint of a table model's rows (see
	// contentFingerprint): a rebuild that would write the same rows commits
	// nothing.
	SummaryContent = "mesh.dbt.content"
)

// Config configures one invocation.
type Config struct {
	Command     string // run, test, build or seed
	Select      string // dbt selector; "" = everything
	FullRefresh bool
	TargetDir   string // where manifest.json etc. are written; "" = none
	Database    string // the catalog name recorded in artifacts (e.g. "mesh")
	TempDir     string // scratch space for result files; "" = os.TempDir()
	SampleRows  int    // failing rows shown per failed test, default 5
	Progress    io.Writer
	Logger      *slog.Logger
}

// Validate checks the configuration; errors name the flag.
func (c Config) Validate() error {
	switch c.Command {
	case Run, Test, Build, Seed:
	default:
		return fmt.Errorf("%w: command %q: want run, test, build or seed", ErrInvalidConfig, c.Command)
	}
	return nil
}

// NodeResult is the outcome of one model, seed or test.
type NodeResult struct {
	UniqueID string
	Name     string
	Kind     string // model, seed, test
	Status   string // success, error, skipped, pass, fail
	Message  string
	Rows     int64
	Failures int
	Sample   [][]any // failing rows of a test
	Snapshot int64   // snapshot committed, 0 = none
	Started  time.Time
	Took     time.Duration
	Compiled string
}

// Report is the outcome of an invocation.
type Report struct {
	InvocationID string
	Results      []NodeResult
	Took         time.Duration
}

// Counts tallies results by status.
func (r *Report) Counts() map[string]int {
	out := map[string]int{}
	for _, n := range r.Results {
		out[n.Status]++
	}
	return out
}

// Failed reports whether any model errored or any test failed.
func (r *Report) Failed() bool {
	c := r.Counts()
	return c["error"] > 0 || c["fail"] > 0
}

// Executor runs dbt projects of one domain against the lakehouse.
type Executor struct {
	project *dbt.Project
	lh      *lakehouse.Lakehouse
	engine  *query.Engine
	cfg     Config
	log     *slog.Logger
	scratch string
}

// New prepares an executor; Close releases its DuckDB engine.
func New(ctx context.Context, p *dbt.Project, lh *lakehouse.Lakehouse, cfg Config) (*Executor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.SampleRows == 0 {
		cfg.SampleRows = 5
	}
	if cfg.Database == "" {
		cfg.Database = lh.Config().CatalogName
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	scratch, err := os.MkdirTemp(cfg.TempDir, "mesh-transform-*")
	if err != nil {
		return nil, fmt.Errorf("creating scratch directory: %w", err)
	}
	eng, err := query.NewEngine(ctx, lh, query.Config{Logger: log, TempDir: scratch})
	if err != nil {
		os.RemoveAll(scratch)
		return nil, err
	}
	// Models compute in UTC whatever the machine's time zone (DuckDB's
	// default): CAST(event_ts AS DATE) is the UTC day, as dbt-core computes it
	// with a profile whose settings give TimeZone UTC. GLOBAL reaches every
	// connection of the engine's pool.
	if _, err := eng.DB().ExecContext(ctx, "SET GLOBAL TimeZone = 'UTC'"); err != nil {
		eng.Close()
		os.RemoveAll(scratch)
		return nil, fmt.Errorf("setting the session time zone to UTC: %w", err)
	}
	return &Executor{project: p, lh: lh, engine: eng, cfg: cfg, log: log, scratch: scratch}, nil
}

// Close releases the DuckDB engine and scratch files.
func (x *Executor) Close() error {
	err := x.engine.Close()
	os.RemoveAll(x.scratch)
	return err
}

// Execute runs the configured command and writes the artifacts. It returns
// ErrFailed (with the report) when a model errored or a test failed.
func (x *Executor) Execute(ctx context.Context) (*Report, error) {
	start := time.Now()
	rep := &Report{InvocationID: uuid.NewString()}
	models, err := x.project.Select(x.cfg.Select)
	if err != nil {
		return rep, err
	}
	ordered, err := x.project.Order(models)
	if err != nil {
		return rep, err
	}
	ordered, err = x.withMissingUpstream(ctx, ordered)
	if err != nil {
		return rep, err
	}
	plan := x.plan(ordered)
	x.header(plan)
	compiled := map[string]string{}
	failedUpstream := map[string]string{} // unique id -> reason it is skipped
	for i, step := range plan {
		if reason, skip := x.blocked(step, failedUpstream); skip {
			res := NodeResult{UniqueID: step.uniqueID(), Name: step.name(), Kind: step.kind(), Status: "skipped", Message: reason, Started: time.Now()}
			rep.Results = append(rep.Results, res)
			x.line(i+1, len(plan), res)
			x.markFailed(step, failedUpstream, reason)
			continue
		}
		x.startLine(i+1, len(plan), step)
		res := x.runStep(ctx, rep.InvocationID, step)
		if res.Compiled != "" {
			compiled[res.UniqueID] = res.Compiled
		}
		rep.Results = append(rep.Results, res)
		x.line(i+1, len(plan), res)
		if res.Status == "error" || res.Status == "fail" {
			x.markFailed(step, failedUpstream, fmt.Sprintf("upstream %s %s", res.Name, res.Status))
		}
	}
	rep.Took = time.Since(start)
	x.summary(rep)
	if x.cfg.TargetDir != "" {
		if err := x.writeArtifacts(ctx, rep, compiled); err != nil {
			return rep, err
		}
	}
	if rep.Failed() {
		return rep, ErrFailed
	}
	return rep, nil
}

// step is one node to execute.
type step struct {
	model *dbt.Model
	seed  *dbt.Seed
	test  *dbt.Test
}

func (s step) uniqueID() string {
	switch {
	case s.model != nil:
		return s.model.UniqueID
	case s.seed != nil:
		return s.seed.UniqueID
	default:
		return s.test.UniqueID
	}
}

func (s step) name() string {
	switch {
	case s.model != nil:
		return s.model.Name
	case s.seed != nil:
		return s.seed.Name
	default:
		return s.test.Name
	}
}

func (s step) kind() string {
	switch {
	case s.model != nil:
		return "model"
	case s.seed != nil:
		return "seed"
	default:
		return "test"
	}
}

// plan lists the steps of the command in execution order.
func (x *Executor) plan(models []*dbt.Model) []step {
	var out []step
	selected := map[string]bool{}
	for _, m := range models {
		selected[m.UniqueID] = true
	}
	testsOf := func(id string) []step {
		var ts []step
		for _, t := range x.project.Tests {
			if t.Model == id {
				ts = append(ts, step{test: t})
			}
		}
		return ts
	}
	needSeed := func(s *dbt.Seed) bool {
		if x.cfg.Select == "" {
			return true
		}
		for _, m := range models {
			for _, d := range m.DependsOn {
				if d == s.UniqueID {
					return true
				}
			}
		}
		// Tests of selected models may read seeds (relationships).
		for _, t := range x.project.Tests {
			if selected[t.Model] && strings.Contains(fmt.Sprint(t.Args), "'"+s.Name+"'") {
				return true
			}
		}
		return false
	}
	switch x.cfg.Command {
	case Seed:
		for _, s := range sortedSeeds(x.project) {
			out = append(out, step{seed: s})
		}
	case Run:
		for _, s := range sortedSeeds(x.project) {
			if needSeed(s) && !x.seedLoaded(s) {
				out = append(out, step{seed: s})
			}
		}
		for _, m := range models {
			out = append(out, step{model: m})
		}
	case Test:
		for _, m := range models {
			out = append(out, testsOf(m.UniqueID)...)
		}
	case Build:
		for _, s := range sortedSeeds(x.project) {
			if needSeed(s) {
				out = append(out, step{seed: s})
				out = append(out, testsOf(s.UniqueID)...)
			}
		}
		for _, m := range models {
			out = append(out, step{model: m})
			out = append(out, testsOf(m.UniqueID)...)
		}
	}
	return out
}

// seedLoaded reports whether a seed's table exists already (run loads missing seeds only).
func (x *Executor) seedLoaded(s *dbt.Seed) bool {
	ok, err := x.lh.TableExists(context.Background(), x.seedIdent(s))
	return err == nil && ok
}

// blocked tells whether a step must be skipped because something it depends on failed.
func (x *Executor) blocked(s step, failed map[string]string) (string, bool) {
	var deps []string
	switch {
	case s.model != nil:
		deps = s.model.DependsOn
	case s.test != nil:
		deps = []string{s.test.Model}
	}
	for _, d := range deps {
		if reason, ok := failed[d]; ok {
			return reason, true
		}
	}
	return "", false
}

// markFailed records that the node failed (or was skipped); a failing test
// blocks the model it tests, so that build stops everything downstream.
func (x *Executor) markFailed(s step, failed map[string]string, reason string) {
	failed[s.uniqueID()] = reason
	if s.test != nil {
		failed[s.test.Model] = reason
	}
}

func (x *Executor) runStep(ctx context.Context, invocation string, s step) NodeResult {
	res := NodeResult{UniqueID: s.uniqueID(), Name: s.name(), Kind: s.kind(), Started: time.Now()}
	var err error
	switch {
	case s.model != nil:
		err = x.runModel(ctx, invocation, s.model, &res)
	case s.seed != nil:
		err = x.runSeed(ctx, invocation, s.seed, &res)
	default:
		err = x.runTest(ctx, s.test, &res)
	}
	res.Took = time.Since(res.Started)
	if err != nil {
		res.Status = "error"
		res.Message = err.Error()
	}
	return res
}

func sortedSeeds(p *dbt.Project) []*dbt.Seed {
	names := make([]string, 0, len(p.Seeds))
	for n := range p.Seeds {
		names = append(names, n)
	}
	sortStrings(names)
	out := make([]*dbt.Seed, len(names))
	for i, n := range names {
		out[i] = p.Seeds[n]
	}
	return out
}

func (x *Executor) scratchFile(name string) string {
	return filepath.Join(x.scratch, fmt.Sprintf("%s-%d.parquet", name, time.Now().UnixNano()))
}

// withMissingUpstream adds, in front of the selection, the models that the
// selected models or their tests read but that were never materialized (a
// first `--select fact_orders` needs dim_date for its relationships test).
// Models that exist already are read as they are, as dbt would.
func (x *Executor) withMissingUpstream(ctx context.Context, selected []*dbt.Model) ([]*dbt.Model, error) {
	if x.cfg.Select == "" || x.cfg.Command == Seed {
		return selected, nil
	}
	in := map[string]bool{}
	for _, m := range selected {
		in[m.UniqueID] = true
	}
	byID := map[string]*dbt.Model{}
	for _, m := range x.project.Models {
		byID[m.UniqueID] = m
	}
	var missing []*dbt.Model
	var visit func(id string) error
	visit = func(id string) error {
		m, ok := byID[id]
		if !ok || in[id] {
			return nil
		}
		in[id] = true
		if m.Config.Materialized != MatView && m.Config.Materialized != MatEphemeral {
			exists, err := x.lh.TableExists(ctx, x.modelIdent(m))
			if err != nil {
				return err
			}
			if exists {
				return nil
			}
		}
		for _, d := range m.DependsOn {
			if err := visit(d); err != nil {
				return err
			}
		}
		missing = append(missing, m)
		return nil
	}
	for _, m := range selected {
		deps := append([]string(nil), m.DependsOn...)
		for _, t := range x.project.Tests {
			if t.Model == m.UniqueID {
				deps = append(deps, t.DependsOn...)
			}
		}
		for _, d := range deps {
			if err := visit(d); err != nil {
				return nil, err
			}
		}
	}
	if len(missing) == 0 {
		return selected, nil
	}
	return x.project.Order(append(missing, selected...))
}
