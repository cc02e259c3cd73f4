package dags

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/internal/testenv"
)

const domainYAML = `name: sales
description: Sales.
owners: {team: sales-team, github: ["@s"], email: s@x}
regions: [north, south]
events:
  - {name: sales, contract: c.json, raw_table: raw_sales}
  - {name: refunds, contract: r.json, raw_table: raw_refunds}
tables:
  - {name: raw_sales, layer: raw, description: d, freshness: 1h}
  - {name: raw_refunds, layer: raw, description: d}
`

func testDomain(t *testing.T) *domainspec.Domain {
	t.Helper()
	d, err := domainspec.Parse("domains/sales/domain.yaml", []byte(domainYAML))
	require.NoError(t, err)
	return d
}

const pipelines = `defaults: {retries: 3, retry_delay: 30s, tags: [team-s]}
dags:
  - {type: ingest, events: all, regions: all, schedule: "*/5 * * * *", sla: 30m}
  - {type: staging, entity: sales, schedule: on_update}
  - {type: fact, entity: sales, schedule: on_update, sla: 2h}
  - {type: maintenance, schedule: "@daily"}
  - {type: freshness, schedule: "*/30 * * * *"}
  - type: custom
    id: report_{{.Domain}}
    schedule: "0 6 * * *"
    reads: [sales.fact_sales]
    tasks:
      - {id: extract, command: "{{.Domain}} report extract"}
      - {id: publish, command: "meshctl sql 'SELECT 1'", depends_on: [extract], retries: 0, execution_timeout: 1m}
`

func TestParseExpands(t *testing.T) {
	d := testDomain(t)
	ds, err := Parse("domains/sales/dags/p.yaml", []byte(pipelines), d)
	require.NoError(t, err)
	finishDomain(d, ds)
	require.NoError(t, Validate(ds))
	var ids []string
	for _, g := range ds {
		ids = append(ids, g.ID)
	}
	assert.Equal(t, []string{
		"ingest_sales_north", "ingest_sales_south", "ingest_refunds_north", "ingest_refunds_south",
		"stg_sales", "fact_sales", "maintenance_sales", "freshness_sales", "report_sales",
	}, ids)

	ing, _ := Find(ds, "ingest_refunds_south")
	assert.Equal(t, []string{"sales", "ingest", "--event", "refunds", "--region", "south", "--until-idle"}, ing.Tasks[0].Command)
	assert.Equal(t, []string{"sales.raw_refunds"}, ing.Writes)
	assert.Equal(t, "sales-team", ing.Owner)
	assert.Equal(t, 3, ing.Retries)
	assert.Equal(t, 30*time.Second, ing.RetryDelay)
	assert.Equal(t, 30*time.Minute, ing.SLA)
	assert.Equal(t, []string{"sales", "ingest", "team-s"}, ing.Tags)
	assert.Equal(t, "domains/sales/dags/p.yaml:3", ing.Source)
	reg, ok := ing.Task("register")
	require.True(t, ok, "an ingest registers its table")
	assert.Equal(t, "meshctl metadata push --live --table sales.raw_refunds --if-configured", reg.CommandLine())
	assert.Equal(t, []string{"ingest"}, reg.DependsOn)
	assert.Equal(t, []string{"register"}, taskIDs(ing.Sinks()))

	fact, _ := Find(ds, "fact_sales")
	assert.Equal(t, []string{"build", "publish"}, taskIDs(fact.TaskOrder()))
	pubFact, _ := fact.Task("publish")
	assert.Equal(t, "meshctl publish --tables sales.fact_sales --bundle none", pubFact.CommandLine())
	assert.Equal(t, []string{"build"}, pubFact.DependsOn)

	stg, _ := Find(ds, "stg_sales")
	assert.True(t, stg.Schedule.OnUpdate)
	assert.Equal(t, []string{"sales.raw_sales"}, stg.Reads)
	assert.Equal(t, "sales transform run --select stg_sales", stg.Tasks[0].CommandLine())

	m, _ := Find(ds, "maintenance_sales")
	assert.Equal(t, []string{"sales.fact_sales", "sales.raw_refunds", "sales.raw_sales", "sales.stg_sales"}, m.Reads)
	assert.Equal(t, TriggerAllDone, m.TriggerRule)
	assert.Equal(t, []string{"compact", "expire_snapshots", "remove_orphans"}, taskIDs(m.TaskOrder()))

	rep, _ := Find(ds, "report_sales")
	pub, _ := rep.Task("publish")
	assert.Equal(t, 0, pub.Retries)
	assert.Equal(t, time.Minute, pub.ExecutionTimeout)
	assert.Equal(t, `meshctl sql ''"'"'SELECT' '1'"'"''`, pub.CommandLine(), "commands split on white space, no shell quoting")

	order, err := Order(ds)
	require.NoError(t, err)
	pos := map[string]int{}
	for i, g := range order {
		pos[g.ID] = i
	}
	assert.Less(t, pos["ingest_sales_north"], pos["stg_sales"])
	assert.Less(t, pos["stg_sales"], pos["fact_sales"])
	assert.Less(t, pos["fact_sales"], pos["maintenance_sales"])
	assert.Less(t, pos["fact_sales"], pos["report_sales"])

	slas := TableSLAs([]*domainspec.Domain{d}, ds)
	assert.Equal(t, 30*time.Minute, slas["sales.raw_sales"], "the smaller of domain.yaml freshness and the DAG sla")
	assert.Equal(t, 2*time.Hour, slas["sales.fact_sales"])
	_, ok = slas["sales.stg_sales"]
	assert.False(t, ok)
}

func taskIDs(ts []Task) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, errContains string
	}{
		{"unknown field", "dags:\n  - type: freshness\n    schedule: '@daily'\n    colour: red\n", "p.yaml:4: dags[0].colour: unknown field"},
		{"unknown type", "dags:\n  - type: magic\n    schedule: '@daily'\n", `p.yaml:2: dags[0].type: "magic" is not one of`},
		{"bad cron", "dags:\n  - type: freshness\n    schedule: every minute\n", `p.yaml:3: dags[0].schedule: "every minute" is neither`},
		{"missing schedule", "dags:\n  - type: freshness\n", "dags[0].schedule: required"},
		{"bad duration", "dags:\n  - type: freshness\n    schedule: '@daily'\n    sla: soon\n", `p.yaml:4: dags[0].sla: duration "soon"`},
		{"unknown region", "dags:\n  - type: ingest\n    regions: [west]\n    schedule: '@daily'\n", `p.yaml:3: dags[0].regions: region "west" is not declared`},
		{"staging needs entity", "dags:\n  - type: staging\n    schedule: '@daily'\n", "dags[0].entity: required for type staging"},
		{"foreign write", "dags:\n  - type: custom\n    id: x\n    schedule: '@daily'\n    writes: [orders.raw_orders]\n    tasks: [{id: a, command: a}]\n", `p.yaml:5: dags[0].writes: "orders.raw_orders": a domain writes only its own tables`},
		{"unknown dependency", "dags:\n  - type: custom\n    id: x\n    schedule: '@daily'\n    tasks: [{id: a, command: a, depends_on: [b]}]\n", `task "a" depends on unknown task "b"`},
		{"task cycle", "dags:\n  - type: custom\n    id: x\n    schedule: '@daily'\n    tasks: [{id: a, command: a, depends_on: [b]}, {id: b, command: b, depends_on: [a]}]\n", "form a cycle"},
		{"bad template", "dags:\n  - type: custom\n    id: x_{{.Nope}}\n    schedule: '@daily'\n    tasks: [{id: a, command: a}]\n", "p.yaml:3: dags[0].id: template"},
		{"task unknown field", "dags:\n  - type: custom\n    id: x\n    schedule: '@daily'\n    tasks:\n      - {id: a, cmd: a}\n", "p.yaml:6: dags[0].tasks[0].cmd: unknown field"},
		{"bad trigger", "dags:\n  - type: freshness\n    schedule: '@daily'\n    trigger_rule: sometimes\n", `dags[0].trigger_rule: "sometimes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("domains/sales/dags/p.yaml", []byte(tt.yaml), testDomain(t))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.errContains)
		})
	}
}

func TestValidateAcrossDAGs(t *testing.T) {
	d := testDomain(t)
	parse := func(y string) []*DAG {
		ds, err := Parse("domains/sales/dags/p.yaml", []byte(y), d)
		require.NoError(t, err)
		return ds
	}
	dup := parse("dags:\n  - {type: freshness, schedule: '@daily'}\n  - {type: freshness, schedule: '@hourly'}\n")
	assert.ErrorContains(t, Validate(dup), `dag id "freshness_sales" is also declared at domains/sales/dags/p.yaml:2`)

	orphan := parse("dags:\n  - {type: fact, entity: sales, schedule: on_update}\n")
	assert.ErrorContains(t, Validate(orphan), "reads sales.stg_sales, which no DAG writes")

	cycle := parse(`dags:
  - {type: custom, id: a, schedule: '@daily', reads: [sales.b], writes: [sales.a], tasks: [{id: t, command: x}]}
  - {type: custom, id: b, schedule: '@daily', reads: [sales.a], writes: [sales.b], tasks: [{id: t, command: x}]}
`)
	assert.ErrorContains(t, Validate(cycle), "form a cycle: a, b")
}

func TestRepositoryDAGsAreValid(t *testing.T) {
	all, domains, err := LoadAll(filepath.Join("..", ".."))
	require.NoError(t, err)
	for _, d := range domains {
		n := 0
		for _, g := range all {
			if g.Domain == d.Name {
				n++
			}
		}
		assert.Positive(t, n, "domain %s declares no DAG in %s/dags/", d.Name, d.Dir)
		_, err := Find(all, "maintenance_"+d.Name)
		assert.NoError(t, err, "every domain has a maintenance DAG")
		_, err = Find(all, "freshness_"+d.Name)
		assert.NoError(t, err, "every domain has a freshness DAG")
		_, err = Find(all, "metadata_"+d.Name)
		assert.NoError(t, err, "every domain has the derived metadata DAG")
	}
}

// The Airflow files: per domain a spec (JSON) and per DAG a small file having
// dags/mesh_airflow.py, which is maintained by hand, build it from the spec. Airflow itself cannot
// be installed here: python3 reads the specs with mesh_airflow's pure-Python
// part (load_spec, dag_plans), which must not import Airflow.

var repoRoot = filepath.Join("..", "..")

// assetURI is the Asset URI mesh_airflow gives a table identifier.
func assetURI(table string) string {
	ns, name, _ := strings.Cut(table, ".")
	return "iceberg://mesh/" + ns + "/" + name
}

func TestAirflowFilesAreUpToDate(t *testing.T) {
	all, _, err := LoadAll(repoRoot)
	require.NoError(t, err)
	files, err := Airflow(all)
	require.NoError(t, err)
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
		got, err := os.ReadFile(filepath.Join(repoRoot, f.Path))
		require.NoError(t, err, "run `go run mage.go dags`")
		assert.Equal(t, string(f.Content), string(got), "%s drifted: run `go run mage.go dags`", f.Path)
	}
	withDAGs := map[string]bool{}
	for _, g := range all {
		withDAGs[g.Domain] = true
	}
	assert.Equal(t, len(withDAGs)+len(all), len(files), "one spec per domain with DAGs and one file per DAG")
	for _, f := range files {
		assert.NotEqual(t, path.Join(AirflowDir, SharedModule+".py"), f.Path, "mesh_airflow.py is maintained by hand")
	}
	// Nothing else in the domain folders: no file of an older layout.
	present, err := filepath.Glob(filepath.Join(repoRoot, AirflowDir, "*_dags", "*"))
	require.NoError(t, err)
	for _, p := range present {
		rel, err := filepath.Rel(repoRoot, p)
		require.NoError(t, err)
		assert.True(t, want[filepath.ToSlash(rel)], "%s is not generated any more: delete it", rel)
	}
}

func TestAirflowModule(t *testing.T) {
	decl := "domains/orders/dags/pipelines.yaml"
	files, err := Airflow([]*DAG{
		{ID: "freshness_orders", Domain: "orders", File: decl, Tasks: []Task{{ID: "check", Command: []string{"meshctl", "freshness"}}}},
		{ID: "ingest_orders_eu-central", Domain: "orders", File: decl, Tasks: []Task{{ID: "ingest", Command: []string{"orders", "ingest"}}}},
	})
	require.NoError(t, err)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	assert.Equal(t, []string{
		"dags/orders_dags/freshness_orders.py", "dags/orders_dags/ingest_orders_eu-central.py", "dags/orders_dags/orders_pipelines.json",
	}, paths)
	assert.Equal(t, "# Code generated by `go run mage.go check` from domains/orders/dags/pipelines.yaml; DO NOT EDIT.\n"+
		"# The Airflow DAG ingest_orders_eu-central of the orders domain: mesh_airflow.build_dag builds it from orders_pipelines.json,\n"+
		"# next to this file, into this module's globals.\n"+
		"from mesh_airflow import build_dag\n\n"+
		"build_dag(globals(), \"orders_pipelines.json\", \"ingest_orders_eu-central\")\n", string(files[1].Content))
	var spec AirflowSpec
	require.NoError(t, json.Unmarshal(files[2].Content, &spec))
	require.Len(t, spec.DAGs, 2, "both DAGs in the domain's one spec")
	assert.Equal(t, "ingest_orders_eu-central", spec.DAGs[1].DagID)

	_, err = Airflow([]*DAG{
		{ID: "stg_orders", Domain: "orders", Source: decl + ":3"},
		{ID: "STG_orders", Domain: "orders", Source: decl + ":4"},
	})
	assert.ErrorIs(t, err, ErrInvalid)
	assert.ErrorContains(t, err, decl+`:4: dag id "STG_orders" differs from "stg_orders" (`+decl+`:3) only in case`)
}

func TestAirflowSpecOfOrders(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, AirflowSpecPath("orders")))
	require.NoError(t, err)
	var spec AirflowSpec
	require.NoError(t, json.Unmarshal(data, &spec))
	assert.Equal(t, "Code generated by `go run mage.go check` from domains/orders/dags/*.yaml; DO NOT EDIT.", spec.Generated)
	assert.Equal(t, 1, spec.Format)
	assert.Equal(t, "orders", spec.Domain)
	assert.Equal(t, []string{"domains/orders/dags/pipelines.yaml", DerivedFile}, spec.Sources)
	assert.Equal(t, "2025-01-01", spec.StartDate)
	byID := map[string]AirflowDAG{}
	var ids []string
	for _, d := range spec.DAGs {
		ids = append(ids, d.DagID)
		byID[d.DagID] = d
	}
	assert.Equal(t, []string{
		"ingest_orders_us-east", "ingest_orders_us-west", "ingest_orders_eu-central", "ingest_orders_ap-southeast",
		"stg_orders", "fact_orders", "maintenance_orders", "freshness_orders", "metadata_orders",
	}, ids)
	meta := byID["metadata_orders"]
	assert.Equal(t, "@hourly", meta.Schedule)
	assert.Equal(t, "platform/dags/derived.yaml:9", meta.Source)
	assert.Equal(t, []string{"orders.fact_orders", "orders.raw_orders", "orders.stg_orders"}, meta.Reads)
	assert.Equal(t, "meshctl metadata push --live --domain orders --if-configured", meta.Tasks[0].Command)
	hours := func(h float64) *float64 { s := h * 3600; return &s }
	assert.Equal(t, AirflowDAG{
		DagID: "ingest_orders_eu-central", Type: "ingest",
		Description: "Consume the orders events of eu-central from RabbitMQ, validate them against the contract, and commit them to orders.raw_orders.",
		Owner:       "orders-team", Source: "domains/orders/dags/pipelines.yaml:12", Schedule: "*/15 * * * *",
		Reads: []string{}, Writes: []string{"orders.raw_orders"}, Tags: []string{"orders", "ingest", "sales"},
		Retries: 2, RetryDelaySeconds: 60, ExecutionTimeoutSeconds: 1200, DagrunTimeoutSeconds: 7200, DeadlineSeconds: hours(1),
		Tasks: []AirflowTask{
			{TaskID: "ingest", Command: "orders ingest --event orders --region eu-central --until-idle",
				DependsOn: []string{}, Retries: 2, ExecutionTimeoutSeconds: 1200, Outlets: []string{}},
			{TaskID: "register", Command: "meshctl metadata push --live --table orders.raw_orders --if-configured",
				DependsOn: []string{"ingest"}, Retries: 2, ExecutionTimeoutSeconds: 1200, Outlets: []string{"orders.raw_orders"}},
		},
	}, byID["ingest_orders_eu-central"])
	fact := byID["fact_orders"]
	assert.Equal(t, "on_update", fact.Schedule)
	assert.Equal(t, []string{"orders.stg_orders"}, fact.Reads)
	assert.Equal(t, hours(3), fact.DeadlineSeconds)
	assert.Equal(t, []AirflowTask{
		{TaskID: "build", Command: "orders transform build --select fact_orders",
			DependsOn: []string{}, Retries: 2, ExecutionTimeoutSeconds: 1800, Outlets: []string{}},
		{TaskID: "publish", Command: "meshctl publish --tables orders.fact_orders --bundle none",
			DependsOn: []string{"build"}, Retries: 2, ExecutionTimeoutSeconds: 1800, Outlets: []string{"orders.fact_orders"}},
	}, fact.Tasks)
	m := byID["maintenance_orders"]
	assert.Equal(t, "0 3 * * *", m.Schedule)
	assert.Nil(t, m.DeadlineSeconds)
	assert.Equal(t, []string{"orders.fact_orders", "orders.raw_orders", "orders.stg_orders"}, m.Reads)
	assert.Equal(t, []AirflowTask{
		{TaskID: "compact", Command: "orders maintain compact", DependsOn: []string{}, Retries: 2, ExecutionTimeoutSeconds: 1800, Outlets: []string{}},
		{TaskID: "expire_snapshots", Command: "orders maintain expire-snapshots", DependsOn: []string{"compact"}, Retries: 2, ExecutionTimeoutSeconds: 1800, Outlets: []string{}},
		{TaskID: "remove_orphans", Command: "orders maintain remove-orphans", DependsOn: []string{"expire_snapshots"}, Retries: 2, ExecutionTimeoutSeconds: 1800, Outlets: []string{}},
	}, m.Tasks)
	f := byID["freshness_orders"]
	assert.Equal(t, 0, f.Retries)
	assert.Equal(t, "meshctl freshness --domain orders", f.Tasks[0].Command)
	assert.Equal(t, 0, f.Tasks[0].Retries)
}

// planned is one line testdata/check_airflow.py prints: a module check, a
// rejected spec, or the plan mesh_airflow.dag_plans makes of one DAG (Plan,
// as decoded JSON).
type planned struct {
	Kind         string `json:"kind"`
	Path         string `json:"path"`
	Error        string `json:"error"`
	Spec         string `json:"spec"`
	Discoverable bool   `json:"discoverable"`
	DagID        string `json:"dag_id"`
	DocMD        string `json:"doc_md"`
	Plan         map[string]any
}

// jsonValue is v as encoding/json decodes it into an any: what a plan is made of.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// wantPlan is the plan mesh_airflow should make of g: mesh_dag's arguments
// and, per task, mesh_task's, with durations in seconds and Asset URIs.
func wantPlan(t *testing.T, g *DAG, docMD string) any {
	t.Helper()
	var schedule any = g.Schedule.Cron
	if g.Schedule.OnUpdate {
		var uris []string
		for _, r := range g.Reads {
			uris = append(uris, assetURI(r))
		}
		schedule = uris
	}
	var deadline any
	if g.SLA > 0 {
		deadline = g.SLA.Seconds()
	}
	outlets := []string{}
	for _, w := range g.Writes {
		outlets = append(outlets, assetURI(w))
	}
	sinks := taskIDs(g.Sinks())
	var tasks []map[string]any
	for _, task := range g.Tasks {
		out := []string{}
		if slices.Contains(sinks, task.ID) {
			out = outlets // the last task announces the tables written
		}
		tasks = append(tasks, map[string]any{
			"task_id": task.ID, "command": task.CommandLine(), "depends_on": orEmpty(task.DependsOn),
			"retries": task.Retries, "execution_timeout": task.ExecutionTimeout.Seconds(), "outlets": out,
		})
	}
	return jsonValue(t, map[string]any{
		"dag_id": g.ID, "description": g.Description, "doc_md": docMD, "owner": g.Owner,
		"schedule": schedule, "start_date": "2025-01-01T00:00:00+00:00", "catchup": false,
		"dagrun_timeout": g.DagrunTimeout.Seconds(), "retries": g.Retries, "retry_delay": g.RetryDelay.Seconds(),
		"execution_timeout": g.ExecutionTimeout.Seconds(), "deadline": deadline, "tags": g.Tags, "tasks": tasks,
	})
}

// runPython runs testdata/check_airflow.py with the repository's mesh_airflow.py on files.
func runPython(t *testing.T, files ...string) []planned {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		testenv.Unavailable(t, "python3", err.Error()) // skips, but fails under CI=true
	}
	args := append([]string{filepath.Join("testdata", "check_airflow.py"), filepath.Join(repoRoot, AirflowDir, SharedModule+".py")}, files...)
	cmd := exec.Command(py, args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONPYCACHEPREFIX="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python3: %s", stderr.String())
	var got []planned
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p planned
		require.NoError(t, json.Unmarshal(sc.Bytes(), &p))
		require.NoError(t, json.Unmarshal(sc.Bytes(), &p.Plan))
		delete(p.Plan, "kind")
		delete(p.Plan, "path")
		got = append(got, p)
	}
	require.NoError(t, sc.Err())
	return got
}

// writeAirflow writes the Airflow files of ds under dir and returns their paths.
func writeAirflow(t *testing.T, dir string, ds []*DAG) []string {
	t.Helper()
	files, err := Airflow(ds)
	require.NoError(t, err)
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.Path)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, f.Content, 0o644))
		paths = append(paths, p)
	}
	return paths
}

// TestAirflowPlans reads every generated spec of the repository, and those of
// a sample domain with DAG shapes the repository does not use yet, with
// mesh_airflow.py, and checks what it would hand Airflow against the
// declarations.
func TestAirflowPlans(t *testing.T) {
	all, _, err := LoadAll(repoRoot)
	require.NoError(t, err)
	files, err := Airflow(all)
	require.NoError(t, err)
	var paths []string
	for _, f := range files {
		paths = append(paths, filepath.Join(repoRoot, f.Path))
	}
	d := testDomain(t)
	sample, err := Parse("domains/sales/dags/p.yaml", []byte(pipelines), d)
	require.NoError(t, err)
	finishDomain(d, sample)
	paths = append(paths, writeAirflow(t, t.TempDir(), sample)...)

	got := runPython(t, paths...)
	plans := map[string]planned{}
	modules := map[string]bool{}
	for _, p := range got {
		switch p.Kind {
		case "module":
			modules[p.DagID] = true
			assert.True(t, p.Discoverable, "%s: Airflow's safe mode skips a file without \"airflow\" and \"dag\"", p.Path)
			assert.Equal(t, filepath.Base(p.Path), p.DagID+".py")
			assert.Equal(t, filepath.Base(filepath.Dir(p.Path)), strings.TrimSuffix(p.Spec, "_pipelines.json")+"_dags")
			assert.Empty(t, p.Error, p.Path)
		case "dag":
			plans[p.DagID] = p
		default:
			t.Errorf("%s: %s %s", p.Path, p.Kind, p.Error)
		}
	}
	require.Len(t, plans, len(all)+len(sample))
	assert.Len(t, modules, len(plans), "one file per DAG")

	for _, g := range append(slices.Clone(all), sample...) {
		p := plans[g.ID]
		assert.Contains(t, p.DocMD, g.Source, g.ID)
		assert.Equal(t, wantPlan(t, g, p.DocMD), any(p.Plan), g.ID)
	}

	// Known answers, through Go, JSON and Python.
	stg := plans["stg_orders"].Plan
	assert.Equal(t, []any{"iceberg://mesh/orders/raw_orders"}, stg["schedule"])
	assert.Equal(t, 7200.0, stg["deadline"])
	assert.Equal(t, []any{map[string]any{"task_id": "run", "command": "orders transform run --select stg_orders",
		"depends_on": []any{}, "retries": 2.0, "execution_timeout": 1800.0,
		"outlets": []any{"iceberg://mesh/orders/stg_orders"}}}, stg["tasks"])
	ing := plans["ingest_orders_ap-southeast"].Plan
	assert.Equal(t, "*/15 * * * *", ing["schedule"])
	assert.Equal(t, 1200.0, ing["execution_timeout"])
	assert.Equal(t, []any{"orders", "ingest", "sales"}, ing["tags"])
	assert.Equal(t, "orders-team", ing["owner"])
	assert.Nil(t, plans["maintenance_orders"].Plan["deadline"])
	assert.Equal(t, []any{"iceberg://mesh/orders/stg_orders"}, plans["fact_orders"].Plan["schedule"])
	assert.Equal(t, []any{
		map[string]any{"task_id": "extract", "command": "sales report extract", "depends_on": []any{},
			"retries": 3.0, "execution_timeout": 1800.0, "outlets": []any{}},
		map[string]any{"task_id": "publish", "command": `meshctl sql ''"'"'SELECT' '1'"'"''`, "depends_on": []any{"extract"},
			"retries": 0.0, "execution_timeout": 60.0, "outlets": []any{}},
	}, plans["report_sales"].Plan["tasks"])
	assert.Equal(t, "0 6 * * *", plans["report_sales"].Plan["schedule"])
}

// TestAirflowBrokenDAGStaysAlone checks that a DAG whose part of the spec is
// broken fails to load in its own file only: the other files of the domain
// still read their DAGs.
func TestAirflowBrokenDAGStaysAlone(t *testing.T) {
	d := testDomain(t)
	sample, err := Parse("domains/sales/dags/p.yaml", []byte(pipelines), d)
	require.NoError(t, err)
	finishDomain(d, sample)
	dir := t.TempDir()
	paths := writeAirflow(t, dir, sample)
	spec := NewAirflowSpec("sales", sample)
	spec.DAGs[4].Tasks[0].DependsOn = []string{"nope"} // stg_sales
	data, err := json.Marshal(spec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, AirflowSpecPath("sales")), data, 0o644))

	var modules []string
	for _, p := range runPython(t, slices.DeleteFunc(paths, func(p string) bool { return strings.HasSuffix(p, ".json") })...) {
		require.Equal(t, "module", p.Kind, p.Path)
		modules = append(modules, p.DagID)
		if p.DagID == "stg_sales" {
			assert.Equal(t, "sales_pipelines.json.dags[4].tasks[0].depends_on: unknown task 'nope'", p.Error)
			continue
		}
		assert.Empty(t, p.Error, p.DagID)
	}
	assert.Len(t, modules, len(sample))
}

// TestAirflowSpecRejected checks that mesh_airflow.load_spec rejects a
// broken spec, naming the field, before Airflow builds anything.
func TestAirflowSpecRejected(t *testing.T) {
	d := testDomain(t)
	sample, err := Parse("domains/sales/dags/p.yaml", []byte(pipelines), d)
	require.NoError(t, err)
	finishDomain(d, sample)
	tests := []struct {
		name        string
		edit        func(s *AirflowSpec)
		raw         func(s string) string
		errContains string
	}{
		{name: "valid", errContains: ""},
		{name: "other format", edit: func(s *AirflowSpec) { s.Format = 2 }, errContains: "sales_pipelines.json.format: 2, but this mesh_airflow.py reads format 1"},
		{name: "no dags", edit: func(s *AirflowSpec) { s.DAGs = []AirflowDAG{} }, errContains: "dags: at least one DAG is required"},
		{name: "unknown dependency", edit: func(s *AirflowSpec) { s.DAGs[0].Tasks[0].DependsOn = []string{"nope"} }, errContains: "dags[0].tasks[0].depends_on: unknown task 'nope'"},
		{name: "task cycle", edit: func(s *AirflowSpec) { s.DAGs[6].Tasks[0].DependsOn = []string{"remove_orphans"} }, errContains: "dags[6].tasks: the task dependencies form a cycle"},
		{name: "empty command", edit: func(s *AirflowSpec) { s.DAGs[1].Tasks[0].Command = " " }, errContains: "dags[1].tasks[0].command: required"},
		{name: "duplicate task", edit: func(s *AirflowSpec) { s.DAGs[6].Tasks[1].TaskID = "compact" }, errContains: "dags[6].tasks[1].task_id: duplicate task id 'compact'"},
		{name: "on_update without reads", edit: func(s *AirflowSpec) { s.DAGs[4].Reads = []string{} }, errContains: "dags[4].schedule: on_update needs reads"},
		{name: "bad table", edit: func(s *AirflowSpec) { s.DAGs[0].Writes = []string{"raw_sales"} }, errContains: "dags[0].writes: 'raw_sales' is not a table identifier"},
		{name: "zero timeout", edit: func(s *AirflowSpec) { s.DAGs[0].ExecutionTimeoutSeconds = 0 }, errContains: "dags[0].execution_timeout_seconds: must be > 0"},
		{name: "clashing ids", edit: func(s *AirflowSpec) { s.DAGs[1].DagID = "ingest_sales.north" }, errContains: "dags[1].dag_id: 'ingest_sales.north' clashes with 'ingest_sales_north'"},
		{name: "unknown field", raw: func(s string) string { return strings.Replace(s, `"format": 1,`, `"format": 1, "colour": "red",`, 1) }, errContains: "sales_pipelines.json: unknown field colour"},
		{name: "missing field", raw: func(s string) string { return strings.Replace(s, `"retries": 3,`, ``, 1) }, errContains: "dags[0].retries: required"},
		{name: "negative retries", raw: func(s string) string { return strings.Replace(s, `"retries": 3,`, `"retries": -1,`, 1) }, errContains: "dags[0].retries: want a whole number >= 0, got -1"},
		{name: "not json", raw: func(string) string { return "{" }, errContains: "sales_pipelines.json: Expecting property name"},
	}
	dir := t.TempDir()
	var paths []string
	for i, tt := range tests {
		spec := NewAirflowSpec("sales", sample)
		if tt.edit != nil {
			tt.edit(&spec)
		}
		data, err := json.MarshalIndent(spec, "", "  ")
		require.NoError(t, err)
		if tt.raw != nil {
			data = []byte(tt.raw(string(data)))
		}
		p := filepath.Join(dir, strconv.Itoa(i), AirflowSpecName("sales"))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
		paths = append(paths, p)
	}
	results := map[string][]planned{}
	for _, p := range runPython(t, paths...) {
		results[p.Path] = append(results[p.Path], p)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := results[paths[i]]
			require.NotEmpty(t, got)
			if tt.errContains == "" {
				assert.Len(t, got, len(sample))
				assert.Equal(t, "dag", got[0].Kind)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, "error", got[0].Kind)
			assert.Contains(t, got[0].Error, tt.errContains)
		})
	}
}

// TestDerivedDAGs: every domain gets the DAGs of derived.yaml unless it
// declares a DAG of that type itself.
func TestDerivedDAGs(t *testing.T) {
	root := t.TempDir()
	d := testDomain(t)
	write := func(body string) {
		dir := filepath.Join(root, d.Dir, Dir)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(body), 0o644))
	}
	write("dags:\n  - {type: freshness, schedule: \"@daily\"}\n")
	ds, err := LoadDomain(root, d)
	require.NoError(t, err)
	m, err := Find(ds, "metadata_sales")
	require.NoError(t, err)
	assert.Equal(t, "@hourly", m.Schedule.String())
	assert.Equal(t, DerivedFile+":9", m.Source)

	write("dags:\n  - {type: metadata, schedule: \"@daily\"}\n")
	ds, err = LoadDomain(root, d)
	require.NoError(t, err)
	require.Len(t, ds, 1, "the declared metadata DAG replaces the derived one")
	assert.Equal(t, "@daily", ds[0].Schedule.String())
}
