// Expansion of a declaration into DAGs: type defaults, templates, ingest over
// events x regions, settings precedence and per-DAG validation.

package dags

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/internal/yamlpos"
)

// finishDomain fills the default reads of maintenance, freshness and metadata DAGs: every
// table of the domain (declared in domain.yaml or written by one of its DAGs).
func finishDomain(d *domainspec.Domain, ds []*DAG) {
	var tables []string
	for _, t := range d.Tables {
		tables = append(tables, d.Name+"."+t.Name)
	}
	for _, g := range ds {
		if readsAll(g.Type) {
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
		if readsAll(g.Type) && g.Reads == nil {
			g.Reads = slices.Clone(tables)
		}
	}
}

// readsAll reports whether a DAG type reads every table of its domain.
func readsAll(typ string) bool {
	return typ == TypeMaintenance || typ == TypeFreshness || typ == TypeMetadata
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

var typeDefaults = map[string]typeDefault{
	TypeIngest: {
		id: "ingest_{{.Event}}_{{.Region}}",
		tasks: []taskDecl{
			{ID: "ingest", Command: "{{.Domain}} ingest --event {{.Event}} --region {{.Region}} --until-idle"},
			// The design: an ingest registers its own table in OpenMetadata
			// (a no-op while no server is configured).
			{ID: "register", Command: "meshctl metadata push --live --table {{.Domain}}.{{.RawTable}} --if-configured", DependsOn: []string{"ingest"}},
		},
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
		id: "fact_{{.Entity}}",
		tasks: []taskDecl{
			{ID: "build", Command: "{{.Domain}} transform build --select fact_{{.Entity}}"},
			// BI tools read the serving copy: refresh it after every fact update.
			{ID: "publish", Command: "meshctl publish --tables {{.Domain}}.fact_{{.Entity}} --bundle none", DependsOn: []string{"build"}},
		},
		reads:   []string{"{{.Domain}}.stg_{{.Entity}}"},
		writes:  []string{"{{.Domain}}.fact_{{.Entity}}"},
		retries: 1,
	},
	TypeForecast: {
		id: "forecast_{{.Target}}",
		tasks: []taskDecl{
			{ID: "forecast", Command: "{{.Domain}} forecast run --target {{.Target}}"},
			{ID: "publish", Command: "meshctl publish --tables {{.Domain}}.forecast_{{.Target}} --bundle none", DependsOn: []string{"forecast"}},
		},
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
	TypeMetadata: {
		id:      "metadata_{{.Domain}}",
		tasks:   []taskDecl{{ID: "register", Command: "meshctl metadata push --live --domain {{.Domain}} --if-configured"}},
		retries: DefaultRetries,
		trigger: TriggerAllDone,
		timeout: 15 * time.Minute,
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

// expand turns one entry into its DAGs (several for ingest over events x regions).
func expand(el *yamlpos.Errors, n *yaml.Node, p string, e, defs decl, defsNode *yaml.Node, d *domainspec.Domain) []*DAG {
	td, ok := typeDefaults[e.Type]
	if !ok {
		el.Add(yamlpos.ValueLine(n, "type"), p+".type", "%q is not one of %s", e.Type, strings.Join(types, ", "))
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
			el.Add(yamlpos.ValueLine(n, "events"), p+".events", "%v", err)
			return nil
		}
		regions, err := e.Regions.expand(d.Regions, "region")
		if err != nil {
			el.Add(yamlpos.ValueLine(n, "regions"), p+".regions", "%v", err)
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
			el.Add(yamlpos.ValueLine(n, "entity"), p+".entity", "required for type %s, a lower_snake name (got %q)", e.Type, e.Entity)
			return nil
		}
		vars = []templateVars{base}
	case TypeForecast:
		if !nameOK(e.Target) {
			el.Add(yamlpos.ValueLine(n, "target"), p+".target", "required for type forecast, a lower_snake name (got %q)", e.Target)
			return nil
		}
		vars = []templateVars{base}
	default:
		vars = []templateVars{base}
	}
	if e.Type != TypeIngest && (e.Events.set() || e.Regions.set()) {
		el.Add(n.Line, p, "events and regions apply to type ingest only")
	}
	if e.Type == TypeCustom && (e.ID == "" || len(e.Tasks) == 0) {
		el.Add(n.Line, p, "type custom needs an id and tasks")
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
		el.Add(yamlpos.ValueLine(n, "retries"), p+".retries", "must be >= 0")
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
		el.Add(yamlpos.ValueLine(n, "execution_timeout"), p+".execution_timeout", "must be > 0")
	}
	trigger := cmp.Or(e.TriggerRule, defs.TriggerRule, td.trigger, TriggerAllSuccess)
	if trigger != TriggerAllSuccess && trigger != TriggerAllDone {
		el.Add(yamlpos.ValueLine(n, "trigger_rule"), p+".trigger_rule", "%q: want %s or %s", trigger, TriggerAllSuccess, TriggerAllDone)
	}
	var sched Schedule
	switch {
	case e.Schedule == "":
		el.Add(n.Line, p+".schedule", "required: a cron expression, a preset like @daily, or %s", ScheduleOnUpdate)
	case e.Schedule == ScheduleOnUpdate:
		sched.OnUpdate = true
	case ValidCron(e.Schedule):
		sched.Cron = e.Schedule
	default:
		el.Add(yamlpos.ValueLine(n, "schedule"), p+".schedule", "%q is neither a five-field cron expression, a preset (%s) nor %s", e.Schedule, strings.Join(presets, ", "), ScheduleOnUpdate)
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
				el.Add(tn.Line, tp, "%v", err)
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
				el.Add(line, p+"."+field, "template %q: %v", s, err)
			}
			return res
		}
		g := &DAG{
			ID: r("id", yamlpos.ValueLine(n, "id"), idT), Domain: d.Name, Type: e.Type, Owner: d.Owners.Team,
			Source: fmt.Sprintf("%s:%d", el.File, line), File: el.File, Schedule: sched, Tags: tags,
			Retries: retries, RetryDelay: retryDelay, ExecutionTimeout: execTimeout, DagrunTimeout: dagrun,
			SLA: sla, TriggerRule: trigger,
		}
		g.Description = strings.TrimSpace(r("description", yamlpos.ValueLine(n, "description"), cmp.Or(e.Description, defaultDescription(e.Type))))
		if !idRE.MatchString(g.ID) {
			el.Add(yamlpos.ValueLine(n, "id"), p+".id", "%q: want letters, digits, _ . -", g.ID)
		}
		for _, s := range reads {
			g.Reads = append(g.Reads, r("reads", yamlpos.ValueLine(n, "reads"), s))
		}
		for _, s := range writes {
			g.Writes = append(g.Writes, r("writes", yamlpos.ValueLine(n, "writes"), s))
		}
		for _, ident := range append(slices.Clone(g.Reads), g.Writes...) {
			if !tableRE.MatchString(ident) {
				el.Add(yamlpos.ValueLine(n, "reads"), p+".reads/writes", "%q is not a table identifier <namespace>.<table>", ident)
			}
		}
		for _, w := range g.Writes {
			if ns, _, _ := strings.Cut(w, "."); ns != d.Name {
				el.Add(yamlpos.ValueLine(n, "writes"), p+".writes", "%q: a domain writes only its own tables (%s.*)", w, d.Name)
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
				el.Add(tline, tp+".command", "template %q: %v", t.Command, err)
			}
			task.Command = strings.Fields(cmdLine)
			if !idRE.MatchString(task.ID) {
				el.Add(tline, tp+".id", "%q: want letters, digits, _ . -", task.ID)
			}
			if len(task.Command) == 0 {
				el.Add(tline, tp+".command", "required")
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
	case TypeMetadata:
		return "Refresh the {{.Domain}} entities in OpenMetadata: tables and columns, topics, pipelines, dashboards and their lineage."
	}
	return ""
}

// validateTasks checks task ids, dependencies and cycles within one DAG.
func validateTasks(el *yamlpos.Errors, g *DAG, p string, line int) {
	if len(g.Tasks) == 0 {
		el.Add(line, p+".tasks", "%s: at least one task is required", g.ID)
	}
	seen := map[string]bool{}
	for _, t := range g.Tasks {
		if seen[t.ID] {
			el.Add(line, p+".tasks", "%s: duplicate task id %q", g.ID, t.ID)
		}
		seen[t.ID] = true
	}
	for _, t := range g.Tasks {
		for _, dep := range t.DependsOn {
			if !seen[dep] {
				el.Add(line, p+".tasks", "%s: task %q depends on unknown task %q", g.ID, t.ID, dep)
			}
		}
	}
	if len(g.TaskOrder()) != len(g.Tasks) {
		el.Add(line, p+".tasks", "%s: the task dependencies form a cycle", g.ID)
	}
}
