package dags

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainspec"
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
	_, ok := slas["sales.stg_sales"]
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
	}
}

// inspected is what testdata/check_airflow.py reads back from a generated file.
type inspected struct {
	Path      string              `json:"path"`
	DagID     string              `json:"dag_id"`
	Schedule  any                 `json:"schedule"`
	Owner     string              `json:"owner"`
	Retries   int                 `json:"retries"`
	Tags      []string            `json:"tags"`
	Catchup   bool                `json:"catchup"`
	StartDate string              `json:"start_date"`
	Tasks     map[string]string   `json:"tasks"`
	Edges     [][2]string         `json:"edges"`
	Outlets   map[string][]string `json:"outlets"`
	Deadline  string              `json:"deadline"`
}

// TestAirflowFiles compiles every generated file of the repository with
// python3 and checks its structure, read with Python's ast, against the
// declarations. Airflow itself cannot be installed here.
func TestAirflowFiles(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	root := filepath.Join("..", "..")
	all, _, err := LoadAll(root)
	require.NoError(t, err)
	files, err := Airflow(all)
	require.NoError(t, err)
	// The committed files are the generated ones (mage check enforces it too).
	var paths []string
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(root, f.Path))
		require.NoError(t, err, "run `go run mage.go dags`")
		assert.Equal(t, string(f.Content), string(got), "%s drifted: run `go run mage.go dags`", f.Path)
		paths = append(paths, filepath.Join(root, f.Path))
	}
	// The test also covers DAG shapes the repository does not use yet.
	extra := t.TempDir()
	d := testDomain(t)
	sample, err := Parse("domains/sales/dags/p.yaml", []byte(pipelines), d)
	require.NoError(t, err)
	finishDomain(d, sample)
	sampleFiles, err := Airflow(sample)
	require.NoError(t, err)
	for _, f := range sampleFiles {
		p := filepath.Join(extra, f.Path)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, f.Content, 0o644))
		paths = append(paths, p)
	}
	byPath := map[string]*DAG{}
	for _, g := range all {
		byPath[filepath.Join(root, AirflowPath(g))] = g
	}
	for _, g := range sample {
		byPath[filepath.Join(extra, AirflowPath(g))] = g
	}

	cmd := exec.Command(py, append([]string{filepath.Join("testdata", "check_airflow.py")}, paths...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONPYCACHEPREFIX="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python3: %s", stderr.String())
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	checked := 0
	for sc.Scan() {
		var got inspected
		require.NoError(t, json.Unmarshal(sc.Bytes(), &got))
		g, ok := byPath[got.Path]
		if !ok {
			assert.True(t, strings.HasSuffix(got.Path, SharedModule+".py"), "unexpected file %s", got.Path)
			continue
		}
		checked++
		t.Run(g.ID, func(t *testing.T) {
			assert.Equal(t, g.ID, got.DagID)
			assert.Equal(t, g.Owner, got.Owner)
			assert.Equal(t, g.Retries, got.Retries)
			assert.Equal(t, g.Tags, got.Tags)
			assert.False(t, got.Catchup)
			assert.Equal(t, "datetime(2025, 1, 1, tzinfo=timezone.utc)", got.StartDate)
			if g.Schedule.OnUpdate {
				var want []any
				for _, r := range g.Reads {
					want = append(want, AssetURI(r))
				}
				assert.Equal(t, want, got.Schedule)
			} else {
				assert.Equal(t, g.Schedule.Cron, got.Schedule)
			}
			wantTasks := map[string]string{}
			var wantEdges [][2]string
			for _, task := range g.Tasks {
				wantTasks[task.ID] = task.CommandLine()
				for _, dep := range task.DependsOn {
					wantEdges = append(wantEdges, [2]string{dep, task.ID})
				}
			}
			assert.Equal(t, wantTasks, got.Tasks)
			assert.ElementsMatch(t, wantEdges, got.Edges)
			if len(g.Writes) > 0 {
				for _, s := range g.Sinks() {
					var want []string
					for _, w := range g.Writes {
						want = append(want, AssetURI(w))
					}
					assert.Equal(t, want, got.Outlets[s.ID], "the last task announces the tables written")
				}
			}
			if g.SLA > 0 {
				assert.Equal(t, pyDelta(g.SLA), got.Deadline)
			} else {
				assert.Equal(t, "None", got.Deadline)
			}
		})
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, len(all)+len(sample), checked)
}
