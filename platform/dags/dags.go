package dags

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/domainspec"
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

// file is the YAML shape of a declaration file.
type file struct {
	Defaults yaml.Node   `yaml:"defaults"`
	DAGs     []yaml.Node `yaml:"dags"`
}

// decl is the YAML shape of one DAG entry (and, without type-specific fields, of defaults).
type decl struct {
	Type             string      `yaml:"type"`
	ID               string      `yaml:"id"`
	Description      string      `yaml:"description"`
	Events           selector    `yaml:"events"`
	Regions          selector    `yaml:"regions"`
	Entity           string      `yaml:"entity"`
	Target           string      `yaml:"target"`
	Schedule         string      `yaml:"schedule"`
	SLA              string      `yaml:"sla"`
	Retries          *int        `yaml:"retries"`
	RetryDelay       string      `yaml:"retry_delay"`
	ExecutionTimeout string      `yaml:"execution_timeout"`
	DagrunTimeout    string      `yaml:"dagrun_timeout"`
	Tags             []string    `yaml:"tags"`
	Reads            []string    `yaml:"reads"`
	Writes           []string    `yaml:"writes"`
	TriggerRule      string      `yaml:"trigger_rule"`
	Tasks            []yaml.Node `yaml:"tasks"`
}

type taskDecl struct {
	ID               string   `yaml:"id"`
	Command          string   `yaml:"command"`
	DependsOn        []string `yaml:"depends_on"`
	Retries          *int     `yaml:"retries"`
	ExecutionTimeout string   `yaml:"execution_timeout"`
}

var (
	dagKeys      = []string{"type", "id", "description", "events", "regions", "entity", "target", "schedule", "sla", "retries", "retry_delay", "execution_timeout", "dagrun_timeout", "tags", "reads", "writes", "trigger_rule", "tasks"}
	defaultsKeys = []string{"retries", "retry_delay", "execution_timeout", "dagrun_timeout", "tags", "trigger_rule"}
	taskKeys     = []string{"id", "command", "depends_on", "retries", "execution_timeout"}
	types        = []string{TypeIngest, TypeStaging, TypeFact, TypeForecast, TypeMaintenance, TypeFreshness, TypeCustom}
)

// selector is "all" or a list of names.
type selector struct {
	All   bool
	Names []string
}

func (s *selector) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value == "all" {
			s.All = true
			return nil
		}
		s.Names = []string{n.Value}
		return nil
	}
	return n.Decode(&s.Names)
}

func (s selector) set() bool { return s.All || len(s.Names) > 0 }

// expand resolves the selector against the declared names.
func (s selector) expand(declared []string, what string) ([]string, error) {
	if !s.set() || s.All {
		return declared, nil
	}
	for _, n := range s.Names {
		if !slices.Contains(declared, n) {
			return nil, fmt.Errorf("%s %q is not declared in domain.yaml (declared: %s)", what, n, strings.Join(declared, ", "))
		}
	}
	return s.Names, nil
}

// errorList collects validation errors naming file, line and field.
type errorList struct {
	file string
	errs []error
}

func (e *errorList) add(line int, field, format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf("%w: %s:%d: %s: %s", ErrInvalid, e.file, line, field, fmt.Sprintf(format, args...)))
}

func (e *errorList) err() error { return errors.Join(e.errs...) }

// valueLine returns the line of key's value in mapping n (n's line when absent).
func valueLine(n *yaml.Node, key string) int {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1].Line
			}
		}
	}
	return n.Line
}

// checkKeys reports keys of mapping n that are not allowed.
func checkKeys(el *errorList, n *yaml.Node, path string, allowed []string) bool {
	if n.Kind != yaml.MappingNode {
		el.add(n.Line, path, "want a mapping")
		return false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			el.add(k.Line, path+"."+k.Value, "unknown field (allowed: %s)", strings.Join(allowed, ", "))
			ok = false
		}
	}
	return ok
}

// LoadAll loads the DAGs of every domain under root (domains/*/dags/*.yaml)
// and validates them together.
func LoadAll(root string) ([]*DAG, []*domainspec.Domain, error) {
	domains, err := domainspec.LoadAll(root)
	if err != nil {
		return nil, nil, err
	}
	var all []*DAG
	for _, d := range domains {
		ds, err := LoadDomain(root, d)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, ds...)
	}
	if err := Validate(all); err != nil {
		return nil, nil, err
	}
	return all, domains, nil
}

// LoadDomain loads the declaration files of one domain (d.Dir relative to root).
func LoadDomain(root string, d *domainspec.Domain) ([]*DAG, error) {
	paths, err := filepath.Glob(filepath.Join(root, d.Dir, Dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []*DAG
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = p
		}
		ds, err := Parse(filepath.ToSlash(rel), data, d)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	finishDomain(d, out)
	return out, nil
}

// finishDomain fills the default reads of maintenance and freshness DAGs: every
// table of the domain (declared in domain.yaml or written by one of its DAGs).
func finishDomain(d *domainspec.Domain, ds []*DAG) {
	var tables []string
	for _, t := range d.Tables {
		tables = append(tables, d.Name+"."+t.Name)
	}
	for _, g := range ds {
		if g.Type == TypeMaintenance || g.Type == TypeFreshness {
			continue
		}
		for _, w := range g.Writes {
			if !slices.Contains(tables, w) {
				tables = append(tables, w)
			}
		}
	}
	sort.Strings(tables)
	for _, g := range ds {
		if (g.Type == TypeMaintenance || g.Type == TypeFreshness) && g.Reads == nil {
			g.Reads = slices.Clone(tables)
		}
	}
}

// templateVars are the values a declaration's templates see.
type templateVars struct {
	Domain, Event, Region, RawTable, Entity, Target string
}

func render(text string, v templateVars) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// typeDefault is what a type contributes when the entry does not say otherwise.
type typeDefault struct {
	id      string
	tasks   []taskDecl
	reads   []string
	writes  []string
	retries int
	trigger string
	timeout time.Duration
}

func intp(n int) *int { return &n }

var typeDefaults = map[string]typeDefault{
	TypeIngest: {
		id:      "ingest_{{.Event}}_{{.Region}}",
		tasks:   []taskDecl{{ID: "ingest", Command: "{{.Domain}} ingest --event {{.Event}} --region {{.Region}} --until-idle"}},
		writes:  []string{"{{.Domain}}.{{.RawTable}}"},
		retries: DefaultRetries,
	},
	TypeStaging: {
		id:      "stg_{{.Entity}}",
		tasks:   []taskDecl{{ID: "run", Command: "{{.Domain}} transform run --select stg_{{.Entity}}"}},
		reads:   []string{"{{.Domain}}.raw_{{.Entity}}"},
		writes:  []string{"{{.Domain}}.stg_{{.Entity}}"},
		retries: 1,
	},
	TypeFact: {
		id:      "fact_{{.Entity}}",
		tasks:   []taskDecl{{ID: "build", Command: "{{.Domain}} transform build --select fact_{{.Entity}}"}},
		reads:   []string{"{{.Domain}}.stg_{{.Entity}}"},
		writes:  []string{"{{.Domain}}.fact_{{.Entity}}"},
		retries: 1,
	},
	TypeForecast: {
		id:      "forecast_{{.Target}}",
		tasks:   []taskDecl{{ID: "forecast", Command: "{{.Domain}} forecast run --target {{.Target}}"}},
		writes:  []string{"{{.Domain}}.forecast_{{.Target}}"},
		retries: 1,
	},
	TypeMaintenance: {
		id: "maintenance_{{.Domain}}",
		tasks: []taskDecl{
			{ID: "compact", Command: "{{.Domain}} maintain compact"},
			{ID: "expire_snapshots", Command: "{{.Domain}} maintain expire-snapshots", DependsOn: []string{"compact"}},
			{ID: "remove_orphans", Command: "{{.Domain}} maintain remove-orphans", DependsOn: []string{"expire_snapshots"}},
		},
		retries: 1,
		trigger: TriggerAllDone,
		timeout: time.Hour,
	},
	TypeFreshness: {
		id:      "freshness_{{.Domain}}",
		tasks:   []taskDecl{{ID: "check", Command: "meshctl freshness --domain {{.Domain}}"}},
		retries: 0,
		trigger: TriggerAllDone,
		timeout: 5 * time.Minute,
	},
	TypeCustom: {retries: DefaultRetries},
}

var (
	idRE    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	tableRE = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)
	cronRE  = regexp.MustCompile(`^[0-9A-Za-z*/,?-]+$`)
	presets = []string{"@hourly", "@daily", "@weekly", "@monthly", "@yearly"}
)

// ValidCron reports whether s is a five-field cron expression or a preset.
func ValidCron(s string) bool {
	if slices.Contains(presets, s) {
		return true
	}
	f := strings.Fields(s)
	if len(f) != 5 {
		return false
	}
	for _, x := range f {
		if !cronRE.MatchString(x) {
			return false
		}
	}
	return true
}

func parseDuration(el *errorList, n *yaml.Node, key, path, s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, err := domainspec.ParseDuration(s)
	if err != nil || d < 0 {
		el.add(valueLine(n, key), path+"."+key, "duration %q: want e.g. 90s, 15m, 1h or 2d", s)
		return def
	}
	return d
}

// Parse reads one declaration file of domain d; path names it in errors.
func Parse(path string, data []byte, d *domainspec.Domain) ([]*DAG, error) {
	el := &errorList{file: path}
	var f file
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%w: %s: empty file", ErrInvalid, path)
	}
	if !checkKeys(el, root.Content[0], "(file)", []string{"defaults", "dags"}) {
		return nil, el.err()
	}
	if err := root.Content[0].Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	var defs decl
	if f.Defaults.Kind != 0 {
		if checkKeys(el, &f.Defaults, "defaults", defaultsKeys) {
			if err := f.Defaults.Decode(&defs); err != nil {
				el.add(f.Defaults.Line, "defaults", "%v", err)
			}
		}
	}
	if len(f.DAGs) == 0 {
		el.add(root.Content[0].Line, "dags", "at least one DAG is required")
	}
	var out []*DAG
	for i := range f.DAGs {
		n := &f.DAGs[i]
		p := fmt.Sprintf("dags[%d]", i)
		if !checkKeys(el, n, p, dagKeys) {
			continue
		}
		var e decl
		if err := n.Decode(&e); err != nil {
			el.add(n.Line, p, "%v", err)
			continue
		}
		out = append(out, expand(el, n, p, e, defs, &f.Defaults, d)...)
	}
	if err := el.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// expand turns one entry into its DAGs (several for ingest over events x regions).
func expand(el *errorList, n *yaml.Node, p string, e, defs decl, defsNode *yaml.Node, d *domainspec.Domain) []*DAG {
	td, ok := typeDefaults[e.Type]
	if !ok {
		el.add(valueLine(n, "type"), p+".type", "%q is not one of %s", e.Type, strings.Join(types, ", "))
		return nil
	}
	line := n.Line
	var vars []templateVars
	base := templateVars{Domain: d.Name, Entity: e.Entity, Target: e.Target}
	switch e.Type {
	case TypeIngest:
		var evNames []string
		for _, ev := range d.Events {
			evNames = append(evNames, ev.Name)
		}
		evs, err := e.Events.expand(evNames, "event")
		if err != nil {
			el.add(valueLine(n, "events"), p+".events", "%v", err)
			return nil
		}
		regions, err := e.Regions.expand(d.Regions, "region")
		if err != nil {
			el.add(valueLine(n, "regions"), p+".regions", "%v", err)
			return nil
		}
		for _, ev := range evs {
			decl, _ := d.Event(ev)
			for _, r := range regions {
				v := base
				v.Event, v.Region, v.RawTable = ev, r, decl.RawTable
				vars = append(vars, v)
			}
		}
	case TypeStaging, TypeFact:
		if !nameOK(e.Entity) {
			el.add(valueLine(n, "entity"), p+".entity", "required for type %s, a lower_snake name (got %q)", e.Type, e.Entity)
			return nil
		}
		vars = []templateVars{base}
	case TypeForecast:
		if !nameOK(e.Target) {
			el.add(valueLine(n, "target"), p+".target", "required for type forecast, a lower_snake name (got %q)", e.Target)
			return nil
		}
		vars = []templateVars{base}
	default:
		vars = []templateVars{base}
	}
	if e.Type != TypeIngest && (e.Events.set() || e.Regions.set()) {
		el.add(n.Line, p, "events and regions apply to type ingest only")
	}
	if e.Type == TypeCustom && (e.ID == "" || len(e.Tasks) == 0) {
		el.add(n.Line, p, "type custom needs an id and tasks")
		return nil
	}

	// Settings: entry, then file defaults, then type, then global defaults.
	retries := td.retries
	if defs.Retries != nil {
		retries = *defs.Retries
	}
	if e.Retries != nil {
		retries = *e.Retries
	}
	if retries < 0 {
		el.add(valueLine(n, "retries"), p+".retries", "must be >= 0")
	}
	execDef := cmp.Or(td.timeout, DefaultExecutionTimeout)
	execDef = parseDuration(el, defsNode, "execution_timeout", "defaults", defs.ExecutionTimeout, execDef)
	execTimeout := parseDuration(el, n, "execution_timeout", p, e.ExecutionTimeout, execDef)
	retryDelay := parseDuration(el, defsNode, "retry_delay", "defaults", defs.RetryDelay, DefaultRetryDelay)
	retryDelay = parseDuration(el, n, "retry_delay", p, e.RetryDelay, retryDelay)
	dagrun := parseDuration(el, defsNode, "dagrun_timeout", "defaults", defs.DagrunTimeout, DefaultDagrunTimeout)
	dagrun = parseDuration(el, n, "dagrun_timeout", p, e.DagrunTimeout, dagrun)
	sla := parseDuration(el, n, "sla", p, e.SLA, 0)
	if execTimeout == 0 {
		el.add(valueLine(n, "execution_timeout"), p+".execution_timeout", "must be > 0")
	}
	trigger := cmp.Or(e.TriggerRule, defs.TriggerRule, td.trigger, TriggerAllSuccess)
	if trigger != TriggerAllSuccess && trigger != TriggerAllDone {
		el.add(valueLine(n, "trigger_rule"), p+".trigger_rule", "%q: want %s or %s", trigger, TriggerAllSuccess, TriggerAllDone)
	}
	var sched Schedule
	switch {
	case e.Schedule == "":
		el.add(n.Line, p+".schedule", "required: a cron expression, a preset like @daily, or %s", ScheduleOnUpdate)
	case e.Schedule == ScheduleOnUpdate:
		sched.OnUpdate = true
	case ValidCron(e.Schedule):
		sched.Cron = e.Schedule
	default:
		el.add(valueLine(n, "schedule"), p+".schedule", "%q is neither a five-field cron expression, a preset (%s) nor %s", e.Schedule, strings.Join(presets, ", "), ScheduleOnUpdate)
	}

	idT := cmp.Or(e.ID, td.id)
	tasks := td.tasks
	var taskNodes []*yaml.Node
	if len(e.Tasks) > 0 {
		tasks = nil
		for j := range e.Tasks {
			tn := &e.Tasks[j]
			tp := fmt.Sprintf("%s.tasks[%d]", p, j)
			if !checkKeys(el, tn, tp, taskKeys) {
				continue
			}
			var t taskDecl
			if err := tn.Decode(&t); err != nil {
				el.add(tn.Line, tp, "%v", err)
				continue
			}
			tasks = append(tasks, t)
			taskNodes = append(taskNodes, tn)
		}
	}
	reads := td.reads
	if e.Reads != nil {
		reads = e.Reads
	}
	writes := td.writes
	if e.Writes != nil {
		writes = e.Writes
	}
	tags := []string{d.Name, e.Type}
	for _, t := range append(slices.Clone(defs.Tags), e.Tags...) {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}

	var out []*DAG
	for _, v := range vars {
		r := func(field string, line int, s string) string {
			res, err := render(s, v)
			if err != nil {
				el.add(line, p+"."+field, "template %q: %v", s, err)
			}
			return res
		}
		g := &DAG{
			ID: r("id", valueLine(n, "id"), idT), Domain: d.Name, Type: e.Type, Owner: d.Owners.Team,
			Source: fmt.Sprintf("%s:%d", el.file, line), File: el.file, Schedule: sched, Tags: tags,
			Retries: retries, RetryDelay: retryDelay, ExecutionTimeout: execTimeout, DagrunTimeout: dagrun,
			SLA: sla, TriggerRule: trigger,
		}
		g.Description = strings.TrimSpace(r("description", valueLine(n, "description"), cmp.Or(e.Description, defaultDescription(e.Type))))
		if !idRE.MatchString(g.ID) {
			el.add(valueLine(n, "id"), p+".id", "%q: want letters, digits, _ . -", g.ID)
		}
		for _, s := range reads {
			g.Reads = append(g.Reads, r("reads", valueLine(n, "reads"), s))
		}
		for _, s := range writes {
			g.Writes = append(g.Writes, r("writes", valueLine(n, "writes"), s))
		}
		for _, ident := range append(slices.Clone(g.Reads), g.Writes...) {
			if !tableRE.MatchString(ident) {
				el.add(valueLine(n, "reads"), p+".reads/writes", "%q is not a table identifier <namespace>.<table>", ident)
			}
		}
		for _, w := range g.Writes {
			if ns, _, _ := strings.Cut(w, "."); ns != d.Name {
				el.add(valueLine(n, "writes"), p+".writes", "%q: a domain writes only its own tables (%s.*)", w, d.Name)
			}
		}
		for j, t := range tasks {
			tline := n.Line
			if j < len(taskNodes) {
				tline = taskNodes[j].Line
			}
			tp := fmt.Sprintf("%s.tasks[%d]", p, j)
			task := Task{ID: t.ID, DependsOn: t.DependsOn, Retries: retries, ExecutionTimeout: execTimeout}
			if t.Retries != nil {
				task.Retries = *t.Retries
			}
			if j < len(taskNodes) {
				task.ExecutionTimeout = parseDuration(el, taskNodes[j], "execution_timeout", tp, t.ExecutionTimeout, execTimeout)
			}
			cmdLine, err := render(t.Command, v)
			if err != nil {
				el.add(tline, tp+".command", "template %q: %v", t.Command, err)
			}
			task.Command = strings.Fields(cmdLine)
			if !idRE.MatchString(task.ID) {
				el.add(tline, tp+".id", "%q: want letters, digits, _ . -", task.ID)
			}
			if len(task.Command) == 0 {
				el.add(tline, tp+".command", "required")
			}
			g.Tasks = append(g.Tasks, task)
		}
		validateTasks(el, g, p, n.Line)
		out = append(out, g)
	}
	return out
}

func nameOK(s string) bool { return regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(s) }

func defaultDescription(typ string) string {
	switch typ {
	case TypeIngest:
		return "Consume the {{.Event}} events of {{.Region}} from RabbitMQ, validate them against the contract, and commit them to {{.Domain}}.{{.RawTable}}."
	case TypeStaging:
		return "Build the dbt staging model stg_{{.Entity}} of the {{.Domain}} domain."
	case TypeFact:
		return "Build the incremental fact fact_{{.Entity}} of the {{.Domain}} domain and run its tests."
	case TypeForecast:
		return "Forecast {{.Target}} for the {{.Domain}} domain."
	case TypeMaintenance:
		return "Iceberg maintenance of the {{.Domain}} tables: compact small files, expire old snapshots, remove orphan files."
	case TypeFreshness:
		return "Check that every {{.Domain}} table was updated within its freshness SLA."
	}
	return ""
}

// validateTasks checks task ids, dependencies and cycles within one DAG.
func validateTasks(el *errorList, g *DAG, p string, line int) {
	if len(g.Tasks) == 0 {
		el.add(line, p+".tasks", "%s: at least one task is required", g.ID)
	}
	seen := map[string]bool{}
	for _, t := range g.Tasks {
		if seen[t.ID] {
			el.add(line, p+".tasks", "%s: duplicate task id %q", g.ID, t.ID)
		}
		seen[t.ID] = true
	}
	for _, t := range g.Tasks {
		for _, dep := range t.DependsOn {
			if !seen[dep] {
				el.add(line, p+".tasks", "%s: task %q depends on unknown task %q", g.ID, t.ID, dep)
			}
		}
	}
	if len(g.TaskOrder()) != len(g.Tasks) {
		el.add(line, p+".tasks", "%s: the task dependencies form a cycle", g.ID)
	}
}

// Validate checks the DAGs of all domains together: unique ids, every table an
// on_update DAG reads is written by some DAG, and no cycle between DAGs.
func Validate(all []*DAG) error {
	var errs []error
	bad := func(g *DAG, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, g.Source, fmt.Sprintf(format, args...)))
	}
	ids := map[string]*DAG{}
	writers := map[string][]*DAG{}
	for _, g := range all {
		if o, ok := ids[g.ID]; ok {
			bad(g, "dag id %q is also declared at %s", g.ID, o.Source)
		}
		ids[g.ID] = g
		for _, w := range g.Writes {
			writers[w] = append(writers[w], g)
		}
	}
	for _, g := range all {
		if g.Schedule.OnUpdate {
			if len(g.Reads) == 0 {
				bad(g, "%s: schedule on_update needs reads", g.ID)
			}
			for _, r := range g.Reads {
				if len(writers[r]) == 0 {
					bad(g, "%s: schedule on_update reads %s, which no DAG writes: it would never run", g.ID, r)
				}
			}
		}
	}
	if _, err := Order(all); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Upstream returns the DAGs among all that write a table g reads (not g itself), sorted by id.
func Upstream(all []*DAG, g *DAG) []*DAG {
	var out []*DAG
	for _, o := range all {
		if o == g {
			continue
		}
		for _, w := range o.Writes {
			if slices.Contains(g.Reads, w) {
				out = append(out, o)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Order sorts dags so that every DAG comes after the DAGs writing what it
// reads (ties by domain and id); a cycle is an error.
func Order(dags []*DAG) ([]*DAG, error) {
	sorted := slices.Clone(dags)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Domain != sorted[j].Domain {
			return sorted[i].Domain < sorted[j].Domain
		}
		return sorted[i].ID < sorted[j].ID
	})
	done := map[*DAG]bool{}
	var out []*DAG
	for len(out) < len(sorted) {
		progressed := false
		for _, g := range sorted {
			if done[g] {
				continue
			}
			ready := true
			for _, u := range Upstream(sorted, g) {
				if !done[u] {
					ready = false
					break
				}
			}
			if ready {
				done[g] = true
				out = append(out, g)
				progressed = true
				break // restart: keep the order stable and domain-grouped
			}
		}
		if !progressed {
			var cyc []string
			for _, g := range sorted {
				if !done[g] {
					cyc = append(cyc, g.ID)
				}
			}
			return nil, fmt.Errorf("%w: the reads and writes of these DAGs form a cycle: %s", ErrInvalid, strings.Join(cyc, ", "))
		}
	}
	return out, nil
}

// Find returns the DAG called id.
func Find(all []*DAG, id string) (*DAG, error) {
	for _, g := range all {
		if g.ID == id {
			return g, nil
		}
	}
	return nil, fmt.Errorf("no DAG %q (meshctl dag list shows them)", id)
}

// TableSLAs returns, for every table with a declared freshness, the allowed
// age of its last snapshot: the smaller of domain.yaml's tables[].freshness
// and the sla of the DAGs writing it.
func TableSLAs(domains []*domainspec.Domain, all []*DAG) map[string]time.Duration {
	out := map[string]time.Duration{}
	set := func(table string, d time.Duration) {
		if d <= 0 {
			return
		}
		if cur, ok := out[table]; !ok || d < cur {
			out[table] = d
		}
	}
	for _, d := range domains {
		for _, t := range d.Tables {
			set(d.Name+"."+t.Name, time.Duration(t.Freshness))
		}
	}
	for _, g := range all {
		for _, w := range g.Writes {
			set(w, g.SLA)
		}
	}
	return out
}

// Root returns the directory holding domains/: config.RepoRoot
// ($MESH_REPO_ROOT, else the nearest directory upwards with go.work).
func Root() (string, error) { return config.RepoRoot() }
