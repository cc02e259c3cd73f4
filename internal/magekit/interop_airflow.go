package magekit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meshterious/warehouse/platform/dags"
	"github.com/meshterious/warehouse/platform/domainspec"
)

func init() { registerInteropCheck(InteropCheck{Name: "airflow", Run: interopAirflow}) }

// airflowVersions are the Airflow releases the DAG folder must load and run
// on, each an interop tool with its own lock (internal/interop/<tool>/).
var airflowVersions = []struct {
	tool  string
	major int
}{
	{"airflow3", 3},
	{"airflow2", 2},
}

// What interop:airflow runs for real: the reference domain's ingest DAG of
// its first region, then its staging and fact DAGs, on a fixed-seed burst.
const (
	airflowDomain   = "orders"
	airflowBurst    = 2000
	airflowFactKey  = "order_id" // fact_orders holds one row per order
	airflowVhost    = "mesh-interop-airflow"
	airflowCmdLimit = 15 * time.Minute // one airflow command; dags test runs real ingests
)

// airflowAssetSummary is how `airflow dags list` summarizes a schedule on
// Assets, per major version (Datasets on 2.x).
var airflowAssetSummary = map[int]string{3: "Asset", 2: "Dataset"}

// cronPresets are the expressions Airflow 3 shows for the presets a spec may hold.
var cronPresets = map[string]string{
	"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@weekly": "0 0 * * 0",
	"@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
}

// interopAirflow loads dags/ on Airflow 3 and 2.10, each from its pinned
// environment with a throwaway AIRFLOW_HOME (SQLite): no import error, every
// DAG of the specs listed with its owner, tags and schedule, the Assets each
// DAG is scheduled on and each task announces; then it runs the orders
// ingest, staging and fact DAGs with `airflow dags test` and checks the task
// states and the rows they wrote with meshctl sql.
func interopAirflow(root string, w io.Writer) error {
	specs, err := readAirflowSpecs(root)
	if err != nil {
		return err
	}
	pyFiles, err := filepath.Glob(filepath.Join(root, dags.AirflowDir, "*_dags", "*.py"))
	if err != nil {
		return err
	}
	ndags := 0
	for _, s := range specs {
		ndags += len(s.DAGs)
		for _, g := range s.DAGs {
			if _, err := os.Stat(filepath.Join(root, dags.AirflowPath(s.Domain, g.DagID))); err != nil {
				return fmt.Errorf("DAG %s has no file of its own (run go run mage.go dags): %w", g.DagID, err)
			}
		}
	}
	fmt.Fprintf(w, "dags/: %d specs declaring %d DAGs, %d DAG files\n", len(specs), ndags, len(pyFiles))
	if len(pyFiles) != ndags {
		return fmt.Errorf("dags/ holds %d DAG files for %d declared DAGs: run go run mage.go dags", len(pyFiles), ndags)
	}
	plan, err := newAirflowRunPlan(root, specs)
	if err != nil {
		return err
	}
	if err := ensureBinaries(root, w); err != nil {
		return err
	}
	amqpURL, err := interopVhost(airflowVhost)
	if err != nil {
		return err
	}
	for _, v := range airflowVersions {
		start := time.Now()
		venv, err := EnsureVenv(root, v.tool)
		if err != nil {
			return err
		}
		a, err := newAirflowHome(root, venv, v.major, amqpURL)
		if err != nil {
			return err
		}
		err = a.check(w, specs, len(pyFiles), plan)
		a.close()
		if err != nil {
			return fmt.Errorf("%s: %w (log: %s)", v.tool, err, a.logPath)
		}
		fmt.Fprintf(w, "%s: ok in %s\n", v.tool, time.Since(start).Round(time.Second))
	}
	return nil
}

// ensureBinaries builds bin/ once per process, shared with the other checks.
func ensureBinaries(root string, w io.Writer) error {
	interopRunsMu.Lock()
	defer interopRunsMu.Unlock()
	if binBuilt {
		return nil
	}
	if err := buildBinaries(root, w); err != nil {
		return err
	}
	binBuilt = true
	return nil
}

// readAirflowSpecs reads every dags/*_dags/*_pipelines.json.
func readAirflowSpecs(root string) ([]dags.AirflowSpec, error) {
	paths, err := filepath.Glob(filepath.Join(root, dags.AirflowDir, "*_dags", "*_pipelines.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no spec in %s/*_dags/: run go run mage.go dags", dags.AirflowDir)
	}
	var specs []dags.AirflowSpec
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var s dags.AirflowSpec
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("reading %s: %w", rel(root, p), err)
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// airflowRunPlan is what the check runs with `airflow dags test`, in order,
// and the tables the DAGs write.
type airflowRunPlan struct {
	event, region string
	// published is how many events the burst publishes.
	published                int
	dags                     []dags.AirflowDAG
	rawTable, stgTable, fact string
}

func newAirflowRunPlan(root string, specs []dags.AirflowSpec) (airflowRunPlan, error) {
	ds, err := domainspec.LoadAll(root)
	if err != nil {
		return airflowRunPlan{}, err
	}
	var d *domainspec.Domain
	for _, x := range ds {
		if x.Name == airflowDomain {
			d = x
		}
	}
	if d == nil || len(d.Events) == 0 || len(d.Regions) == 0 {
		return airflowRunPlan{}, fmt.Errorf("domain %s with events and regions not found under domains/", airflowDomain)
	}
	p := airflowRunPlan{region: d.Regions[0], event: d.Events[0].Name, published: airflowBurst}
	byID := map[string]dags.AirflowDAG{}
	for _, s := range specs {
		for _, g := range s.DAGs {
			byID[g.DagID] = g
		}
	}
	for _, id := range []string{"ingest_" + p.event + "_" + p.region, "stg_" + p.event, "fact_" + p.event} {
		g, ok := byID[id]
		if !ok {
			return p, fmt.Errorf("DAG %s is not declared in dags/%s_dags/%s", id, airflowDomain, dags.AirflowSpecName(airflowDomain))
		}
		if len(g.Writes) != 1 {
			return p, fmt.Errorf("DAG %s writes %v: want one table", id, g.Writes)
		}
		p.dags = append(p.dags, g)
	}
	p.rawTable, p.stgTable, p.fact = p.dags[0].Writes[0], p.dags[1].Writes[0], p.dags[2].Writes[0]
	return p, nil
}

// airflowHome is one Airflow version with its own AIRFLOW_HOME, metadata
// database, mesh data directory and log of every command.
type airflowHome struct {
	root, dir, logPath string
	venv               Venv
	major              int
	env                []string
	log                *os.File
}

func newAirflowHome(root string, v Venv, major int, amqpURL string) (*airflowHome, error) {
	// Fresh each run, kept afterwards when a check failed, for its log.
	dir, err := interopRunDir(v.Tool)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "mesh")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	a := &airflowHome{root: root, dir: dir, venv: v, major: major, logPath: filepath.Join(dir, "airflow.log")}
	if a.log, err = os.Create(a.logPath); err != nil {
		return nil, err
	}
	a.env = []string{
		"AIRFLOW_HOME=" + dir,
		"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///" + filepath.Join(dir, "airflow.db"),
		"AIRFLOW__CORE__LOAD_EXAMPLES=False",
		"AIRFLOW__CORE__DAGS_FOLDER=" + filepath.Join(root, dags.AirflowDir),
		"AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING",
		"PYTHONDONTWRITEBYTECODE=1", // no __pycache__ in dags/
		// What the BashOperators run: our binaries on the check's broker and data.
		"MESH_BIN_DIR=" + filepath.Join(root, "bin"), "MESH_REPO_ROOT=" + root,
		"MESH_DOTENV=off", "MESH_LOG_LEVEL=warn", "MESH_DATA_DIR=" + data, "MESH_AMQP_URL=" + amqpURL,
		"MESH_CATALOG_NAME=mesh", "MESH_CATALOG=sqlite", "MESH_CATALOG_URI=" + filepath.Join(data, "catalog.db"),
		"MESH_WAREHOUSE=" + filepath.Join(data, "warehouse"),
	}
	return a, nil
}

func (a *airflowHome) close() { _ = a.log.Close() }

// run runs a program with the home's environment plus env, appending its
// output to the log; it returns its stdout. A failure carries the last lines
// of the output.
func (a *airflowHome) run(env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), airflowCmdLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = a.dir
	cmd.Env = append(append(append(os.Environ(), a.venv.Env()...), a.env...), env...)
	cmd.WaitDelay = 10 * time.Second
	var stdout, both lockedBuffer
	cmd.Stdout = io.MultiWriter(&stdout, &both, a.log)
	cmd.Stderr = io.MultiWriter(&both, a.log)
	line := filepath.Base(name) + " " + strings.Join(args, " ")
	fmt.Fprintf(a.log, "\n$ %s\n", line)
	start := time.Now()
	err := cmd.Run()
	fmt.Fprintf(a.log, "# exit: %v after %s\n", err, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return stdout.String(), fmt.Errorf("%s: %w\n%s", line, err, lastLines(both.String(), 15))
	}
	return stdout.String(), nil
}

func (a *airflowHome) airflow(env []string, args ...string) (string, error) {
	return a.run(env, a.venv.Bin("airflow"), args...)
}

func (a *airflowHome) bin(name string, args ...string) (string, error) {
	return a.run(nil, filepath.Join(a.root, "bin", name), args...)
}

// check runs every comparison on this version and returns the first difference.
func (a *airflowHome) check(w io.Writer, specs []dags.AirflowSpec, nfiles int, plan airflowRunPlan) error {
	tool := a.venv.Tool
	if _, err := a.airflow(nil, "db", "migrate"); err != nil {
		return err
	}
	if err := a.checkImportErrors(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d DAG files and mesh_airflow.py loaded, 0 import errors\n", tool, nfiles)
	// Airflow 3 lists, tests and schedules the serialized DAGs of the
	// metadata database (dags test fails on a DAG never serialized); on 2.10 it
	// also records the Datasets each DAG and task uses.
	if _, err := a.airflow(nil, "dags", "reserialize"); err != nil {
		return err
	}
	n, err := a.checkList(specs)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d DAGs listed = %d declared, owner, tags and schedule equal to the specs'\n", tool, n, n)
	meta, err := a.metadata()
	if err != nil {
		return err
	}
	nsched, nout, err := checkAssets(specs, meta)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d DAGs scheduled on the Assets of the tables they read, %d tasks announcing the tables they write\n", tool, nsched, nout)
	return a.checkRuns(w, plan)
}

// checkImportErrors fails on the first file of dags/ Airflow could not import.
func (a *airflowHome) checkImportErrors() error {
	args := []string{"dags", "list-import-errors", "-o", "json"}
	if a.major >= 3 {
		// --local parses the files now instead of reading what a dag
		// processor stored; -B makes it a bundle parse, which puts the DAG
		// folder on sys.path as the dag processor does (without it, 3.3's
		// plain DagBag fails every file on "No module named 'mesh_airflow'").
		args = append(args, "--local", "-B", "dags-folder")
	}
	out, err := a.airflow(nil, args...)
	if err != nil {
		return err
	}
	var errs []struct {
		Filepath string `json:"filepath"`
		Error    string `json:"error"`
	}
	if err := lastJSONArray(out, &errs); err != nil {
		return fmt.Errorf("airflow %s: %w", strings.Join(args, " "), err)
	}
	if len(errs) > 0 {
		file := errs[0].Filepath
		if !filepath.IsAbs(file) { // 3.x names it within the bundle, the DAG folder
			file = filepath.Join(a.root, dags.AirflowDir, file)
		}
		return fmt.Errorf("%d import errors; the first: %s: %s", len(errs), rel(a.root, file), lastLines(errs[0].Error, 3))
	}
	return nil
}

// checkList compares `airflow dags list` with the specs: the same DAG ids,
// and for each its owner, tags and schedule. It returns how many it compared.
func (a *airflowHome) checkList(specs []dags.AirflowSpec) (int, error) {
	schedCol := "timetable_summary"
	if a.major < 3 {
		schedCol = "schedule_interval"
	}
	out, err := a.airflow(nil, "dags", "list", "-o", "json", "--columns", "dag_id,owners,tags,"+schedCol)
	if err != nil {
		return 0, err
	}
	var rows []map[string]json.RawMessage
	if err := lastJSONArray(out, &rows); err != nil {
		return 0, fmt.Errorf("airflow dags list: %w", err)
	}
	type listed struct {
		owners, tags looseStrings
		schedule     string
	}
	got := map[string]listed{}
	for _, r := range rows {
		var id string
		var sched looseSchedule
		var l listed
		for _, f := range []struct {
			name string
			into any
		}{{"dag_id", &id}, {"owners", &l.owners}, {"tags", &l.tags}, {schedCol, &sched}} {
			if raw, ok := r[f.name]; ok {
				if err := json.Unmarshal(raw, f.into); err != nil {
					return 0, fmt.Errorf("airflow dags list: column %s: %w", f.name, err)
				}
			}
		}
		l.schedule = string(sched)
		got[id] = l
	}
	declared := map[string]bool{}
	n := 0
	for _, s := range specs {
		for _, g := range s.DAGs {
			declared[g.DagID] = true
			l, ok := got[g.DagID]
			if !ok {
				return n, fmt.Errorf("DAG %s (%s) is not listed by airflow dags list", g.DagID, g.Source)
			}
			if want := []string{g.Owner}; !slices.Equal([]string(l.owners), want) {
				return n, fmt.Errorf("DAG %s: owner %v, the spec says %v", g.DagID, []string(l.owners), want)
			}
			want := slices.Clone(g.Tags)
			sort.Strings(want)
			have := slices.Clone([]string(l.tags))
			sort.Strings(have)
			if !slices.Equal(have, want) {
				return n, fmt.Errorf("DAG %s: tags %v, the spec says %v", g.DagID, have, want)
			}
			if !scheduleMatches(a.major, g.Schedule, l.schedule) {
				return n, fmt.Errorf("DAG %s: schedule %q, the spec says %q", g.DagID, l.schedule, g.Schedule)
			}
			n++
		}
	}
	var extra []string
	for id := range got {
		if !declared[id] {
			extra = append(extra, id)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return n, fmt.Errorf("airflow dags list shows %d DAGs no spec declares: %s", len(extra), strings.Join(extra, ", "))
	}
	return n, nil
}

// scheduleMatches compares a spec's schedule with the summary Airflow lists:
// on_update is Asset (3) or Dataset (2.x), whose URIs checkAssets compares;
// Airflow 3 shows a preset as its cron expression.
func scheduleMatches(major int, spec, listed string) bool {
	switch {
	case spec == "on_update":
		return listed == airflowAssetSummary[major]
	case listed == spec:
		return true
	default:
		return major >= 3 && cronPresets[spec] == listed
	}
}

// airflowMetadata is what internal/interop/airflow/metadata.py prints.
type airflowMetadata struct {
	Runs []struct {
		DagID string            `json:"dag_id"`
		RunID string            `json:"run_id"`
		State string            `json:"state"`
		Tasks map[string]string `json:"tasks"`
	} `json:"runs"`
	Schedules map[string][]string `json:"schedules"`
	Outlets   map[string][]string `json:"outlets"`
}

func (a *airflowHome) metadata() (airflowMetadata, error) {
	var m airflowMetadata
	script := filepath.Join(a.root, InteropDir, "airflow", "metadata.py")
	out, err := a.run(nil, a.venv.Bin("python"), script, filepath.Join(a.dir, "airflow.db"))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		return m, fmt.Errorf("reading metadata.py's output: %w", err)
	}
	return m, nil
}

// checkAssets compares the Assets of the metadata database with the specs:
// an on_update DAG is scheduled on exactly the tables it reads, a task
// announces exactly its outlets, and nothing else uses an Asset.
func checkAssets(specs []dags.AirflowSpec, m airflowMetadata) (scheduled, outlets int, err error) {
	seenSched, seenOut := 0, 0
	for _, s := range specs {
		for _, g := range s.DAGs {
			var want []string
			if g.Schedule == "on_update" {
				want = tableURIs(g.Reads)
				scheduled++
			}
			if have := m.Schedules[g.DagID]; !slices.Equal(have, want) {
				return scheduled, outlets, fmt.Errorf("DAG %s is scheduled on the Assets %v, the spec says %v", g.DagID, have, want)
			}
			if len(m.Schedules[g.DagID]) > 0 {
				seenSched++
			}
			for _, t := range g.Tasks {
				want := tableURIs(t.Outlets)
				have := m.Outlets[g.DagID+"."+t.TaskID]
				if !slices.Equal(have, want) {
					return scheduled, outlets, fmt.Errorf("task %s.%s announces the Assets %v, the spec says %v", g.DagID, t.TaskID, have, want)
				}
				if len(want) > 0 {
					outlets++
					seenOut++
				}
			}
		}
	}
	if seenSched != len(m.Schedules) || seenOut != len(m.Outlets) {
		return scheduled, outlets, fmt.Errorf("the metadata database holds Asset references of DAGs or tasks no spec declares: %d schedules for %d, %d outlets for %d",
			len(m.Schedules), seenSched, len(m.Outlets), seenOut)
	}
	return scheduled, outlets, nil
}

// tableURIs are the Asset URIs mesh_airflow gives tables, sorted as metadata.py sorts them.
func tableURIs(tables []string) []string {
	var out []string
	for _, t := range tables {
		ns, name, _ := strings.Cut(t, ".")
		out = append(out, "iceberg://mesh/"+ns+"/"+name)
	}
	sort.Strings(out)
	return out
}

// checkRuns publishes a fixed-seed burst, runs the plan's DAGs with
// `airflow dags test`, and checks the exit codes, the states of the runs and
// of every task, and the rows written.
func (a *airflowHome) checkRuns(w io.Writer, p airflowRunPlan) error {
	tool := a.venv.Tool
	if _, err := a.bin(airflowDomain, "setup", "--purge"); err != nil {
		return err
	}
	if _, err := a.bin(airflowDomain, "produce", "--event", p.event, "--region", p.region, "--burst", strconv.Itoa(airflowBurst),
		"--since", "7d", "--until", interopUntil); err != nil {
		return err
	}
	// No logical date: both versions then make a manual run at the current
	// time, also of a DAG scheduled on Assets. MESH_AIRFLOW_DEADLINES=off:
	// Airflow 3.3's dags test crashes after a successful run of a DAG with a
	// DeadlineAlert (apache/airflow#73428) and leaves the run "running".
	for _, g := range p.dags {
		start := time.Now()
		if _, err := a.airflow([]string{"MESH_AIRFLOW_DEADLINES=off"}, "dags", "test", g.DagID); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: airflow dags test %s: exit 0 in %s\n", tool, g.DagID, time.Since(start).Round(time.Second))
	}
	m, err := a.metadata()
	if err != nil {
		return err
	}
	tasks := 0
	for _, g := range p.dags {
		var runs []int
		for i, r := range m.Runs {
			if r.DagID == g.DagID {
				runs = append(runs, i)
			}
		}
		if len(runs) != 1 {
			return fmt.Errorf("DAG %s has %d runs in the metadata database, want 1", g.DagID, len(runs))
		}
		r := m.Runs[runs[0]]
		if r.State != "success" {
			return fmt.Errorf("DAG %s run %s: state %s, want success", g.DagID, r.RunID, r.State)
		}
		if len(r.Tasks) != len(g.Tasks) {
			return fmt.Errorf("DAG %s run %s has %d task instances, the spec declares %d tasks", g.DagID, r.RunID, len(r.Tasks), len(g.Tasks))
		}
		for _, t := range g.Tasks {
			if state := r.Tasks[t.TaskID]; state != "success" {
				return fmt.Errorf("DAG %s run %s: task %s is %q, want success", g.DagID, r.RunID, t.TaskID, state)
			}
			tasks++
		}
	}
	fmt.Fprintf(w, "%s: %d DAG runs and %d tasks succeeded\n", tool, len(p.dags), tasks)
	return a.checkRows(w, p)
}

// checkRows compares the rows the DAGs wrote with what was published: every
// event in raw and staging, one fact row per distinct key of raw.
func (a *airflowHome) checkRows(w io.Writer, p airflowRunPlan) error {
	count := func(query string) (int, error) {
		out, err := a.bin("meshctl", "sql", "--format", "csv", query)
		if err != nil {
			return 0, err
		}
		rows, err := parseCSV([]byte(out))
		if err != nil {
			return 0, err
		}
		if len(rows) != 2 || len(rows[1]) != 1 {
			return 0, fmt.Errorf("meshctl sql %q: want one value, got %v", query, rows)
		}
		n, err := strconv.Atoi(rows[1][0])
		if err != nil {
			return 0, fmt.Errorf("meshctl sql %q: %w", query, err)
		}
		return n, nil
	}
	raw, err := count("SELECT count(*) FROM " + p.rawTable)
	if err != nil {
		return err
	}
	if raw != p.published {
		return fmt.Errorf("%s has %d rows, %d events were published", p.rawTable, raw, p.published)
	}
	stg, err := count("SELECT count(*) FROM " + p.stgTable)
	if err != nil {
		return err
	}
	if stg != raw {
		return fmt.Errorf("%s has %d rows, %s %d", p.stgTable, stg, p.rawTable, raw)
	}
	keys, err := count(fmt.Sprintf("SELECT count(DISTINCT %s) FROM %s", airflowFactKey, p.rawTable))
	if err != nil {
		return err
	}
	fact, err := count("SELECT count(*) FROM " + p.fact)
	if err != nil {
		return err
	}
	if fact != keys {
		return fmt.Errorf("%s has %d rows, %s %d distinct %s", p.fact, fact, p.rawTable, keys, airflowFactKey)
	}
	fmt.Fprintf(w, "%s: rows: %s %d = %d published, %s %d, %s %d = %d distinct %s\n", a.venv.Tool,
		p.rawTable, raw, p.published, p.stgTable, stg, p.fact, fact, keys, airflowFactKey)
	return nil
}

// lastJSONArray decodes the last line of out that is a JSON array: the
// airflow CLI prints warnings (and on 2.x log lines) on stdout before it.
func lastJSONArray(out string, v any) error {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "[") && json.Unmarshal([]byte(l), v) == nil {
			return nil
		}
	}
	return errors.New("no JSON array in the output")
}

// looseStrings reads a list of names however the airflow CLI prints it: a
// JSON list of strings (2.x tags, 3.x owners), of {"name": ...} objects (3.x
// tags from the database), or one string ("orders-team", or a Python set
// "{'a', 'b'}" from a local parse).
type looseStrings []string

func (s *looseStrings) UnmarshalJSON(b []byte) error {
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err == nil {
		out := []string{}
		for _, it := range items {
			var name string
			if json.Unmarshal(it, &name) != nil {
				var obj struct {
					Name string `json:"name"`
				}
				if err := json.Unmarshal(it, &obj); err != nil {
					return fmt.Errorf("want a name or {\"name\": ...}, got %s", it)
				}
				name = obj.Name
			}
			out = append(out, name)
		}
		*s = out
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("want a list or a string, got %s", b)
	}
	out := []string{}
	for _, part := range strings.Split(strings.Trim(str, "{}[]"), ",") {
		if part = strings.Trim(strings.TrimSpace(part), `'"`); part != "" {
			out = append(out, part)
		}
	}
	*s = out
	return nil
}

// looseSchedule reads a schedule as `airflow dags list` prints it: a string,
// or on 2.10 once the DAGs are in the database {"__type": ..., "value": ...}.
type looseSchedule string

func (s *looseSchedule) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = looseSchedule(str)
		return nil
	}
	var obj struct {
		Value *string `json:"value"`
	}
	if err := json.Unmarshal(b, &obj); err != nil || obj.Value == nil {
		return fmt.Errorf("want a string or {\"value\": ...}, got %s", b)
	}
	*s = looseSchedule(*obj.Value)
	return nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lockedBuffer is a bytes.Buffer that a command's stdout and stderr copiers
// may write at the same time.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
