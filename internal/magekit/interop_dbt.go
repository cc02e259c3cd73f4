package magekit

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/meshterious/warehouse/platform/domainspec"
)

func init() { registerInteropCheck(InteropCheck{Name: "dbt", Run: interopDbt}) }

// dbtTool is the environment (internal/interop/dbt) of dbt-core and dbt-duckdb.
const dbtTool = "dbt"

// dbtDatabase is the DuckDB file dbt-core builds every domain into; its name
// is the catalog name, so the relations of both manifests read
// "mesh"."<domain>"."<table>".
const dbtDatabase = "mesh.duckdb"

// dbtProfile is the profiles.yml of the check: one target of the mesh
// profile, whose schema is the domain's (the default schema of
// mesh_core.dim_date and the target.schema of our executor) and whose
// session time zone is UTC, as our executor's on the machines it runs on.
const dbtProfile = `# Written by 'go run mage.go interop:dbt'.
mesh:
  target: mesh
  outputs:
    mesh:
      type: duckdb
      path: "{{ env_var('MESH_DBT_DUCKDB') }}"
      schema: "{{ env_var('MESH_DBT_SCHEMA') }}"
      threads: 1
      settings:
        TimeZone: UTC
`

// dbtPhases are the two builds of the interop run, replayed on dbt-core: the
// history, then the late events and corrections merged incrementally.
var dbtPhases = []string{"history", "late"}

// dbtProject is one domain's dbt project, copied into the work directory so
// that dbt deps and dbt build write nothing into the repository.
type dbtProject struct {
	domain string
	dir    string // the copy dbt-core runs
	target string // dbt-core's target path
	ours   string // our executor's target directory of the interop run
}

type dbtCheck struct {
	root, work string
	w          io.Writer
	run        *InteropRun
	venv       Venv
	projects   []dbtProject
	ours       map[string]dbtManifest // by domain
	raw        []dbtRelation          // tables read by sources and built by no project
	arrival    map[dbtRelation]bool   // raw tables with ingested_at, split between the builds
	cutoffs    map[string]int64       // namespace -> first dbt snapshot of the run (ms)
	tests      map[string][]int       // domain -> tests passed per phase
	tables     int                    // tables compared
	nodes      int                    // manifest nodes and sources compared
}

// dbtRelation is a table as <schema>.<name>.
type dbtRelation struct{ Schema, Name string }

func (r dbtRelation) String() string { return r.Schema + "." + r.Name }

// interopDbt runs every domain's dbt project on dbt-core with dbt-duckdb from
// the same raw data as the embedded interop run, in the same two builds
// (history, then late events and corrections merged by the incremental
// models), and fails with the first difference from our executor: a model or
// test that does not pass on dbt-core, a model whose rows differ (count and
// an order-independent checksum of every column), or a node of the two
// manifest.json that differs in its unique id, dependencies, columns or tests.
func interopDbt(root string, w io.Writer) error {
	run, err := PrepareInteropRun(root, w, BackendEmbedded)
	if err != nil {
		return err
	}
	return checkDbtCore(root, w, run)
}

// checkDbtCore is interopDbt on a prepared run.
func checkDbtCore(root string, w io.Writer, run *InteropRun) error {
	venv, err := EnsureVenv(root, dbtTool)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "mesh-interop-dbt-")
	if err != nil {
		return err
	}
	c := &dbtCheck{root: root, work: work, w: w, run: run, venv: venv, tests: map[string][]int{}}
	if err := c.check(); err != nil {
		fmt.Fprintf(w, "dbt-core's copies of the projects, its database and logs are kept in %s\n", work)
		return err
	}
	return os.RemoveAll(work)
}

func (c *dbtCheck) check() error {
	steps := []struct {
		name string
		fn   func() error
	}{
		{"copying the dbt projects", c.copyProjects},
		{"reading our manifests", c.readOurs},
		{"exporting the raw tables", c.exportRaw},
		{"finding the history builds", c.findCutoffs},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	for i, phase := range dbtPhases {
		if err := c.loadRaw(phase); err != nil {
			return fmt.Errorf("loading the raw tables (%s): %w", phase, err)
		}
		var steps []dbtStep
		for _, p := range c.projects {
			if i == 0 {
				steps = append(steps, c.step(p, "deps", "deps"))
			}
			steps = append(steps, c.step(p, "build", "build", "--target-path", p.target))
		}
		if err := c.runDbt(phase, steps); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.w, "comparing with our executor (rows: count and checksum of every column; manifest nodes)\n")
	var diffs []string
	for _, p := range c.projects {
		d, err := c.compare(p)
		if err != nil {
			return err
		}
		diffs = append(diffs, d...)
	}
	tests := 0
	for _, p := range c.projects {
		if n := c.tests[p.domain]; len(n) > 0 {
			tests += n[len(n)-1]
		}
	}
	fmt.Fprintf(c.w, "dbt-core: %d domains, %d tables and %d manifest nodes and sources compared, %d tests passed per build, %d differences\n",
		len(c.projects), c.tables, c.nodes, tests, len(diffs))
	if len(diffs) == 0 {
		return nil
	}
	fmt.Fprintf(c.w, "\n%d differences:\n", len(diffs))
	for i, d := range diffs {
		if i == 30 {
			fmt.Fprintf(c.w, "  ... and %d more\n", len(diffs)-i)
			break
		}
		fmt.Fprintf(c.w, "  %s\n", d)
	}
	return errors.New(diffs[0])
}

// ---- projects -----------------------------------------------------------------

// copyProjects copies every domain's dbt project, in dependency order, and
// the local packages its packages.yml names, to the same paths under
// <work>/src, leaving out what dbt writes (target/, dbt_packages/, logs/).
func (c *dbtCheck) copyProjects() error {
	all, err := domainspec.LoadAll(c.root)
	if err != nil {
		return err
	}
	ds, err := domainspec.Ordered(all)
	if err != nil {
		return err
	}
	copied := map[string]bool{}
	copyOnce := func(rel string) error {
		if copied[rel] {
			return nil
		}
		copied[rel] = true
		return dbtCopyTree(filepath.Join(c.root, rel), filepath.Join(c.work, "src", rel))
	}
	for _, d := range ds {
		rel := filepath.Join(d.Dir, "dbt")
		if _, err := os.Stat(filepath.Join(c.root, rel, "dbt_project.yml")); err != nil {
			continue
		}
		if err := copyOnce(rel); err != nil {
			return err
		}
		pkgs, err := dbtLocalPackages(filepath.Join(c.root, rel, "packages.yml"))
		if err != nil {
			return err
		}
		for _, pk := range pkgs {
			prel, err := filepath.Rel(c.root, filepath.Join(c.root, rel, pk))
			if err != nil || strings.HasPrefix(prel, "..") {
				return fmt.Errorf("%s: local package %s is outside the repository", filepath.Join(rel, "packages.yml"), pk)
			}
			if err := copyOnce(prel); err != nil {
				return err
			}
		}
		c.projects = append(c.projects, dbtProject{
			domain: d.Name,
			dir:    filepath.Join(c.work, "src", rel),
			target: filepath.Join(c.work, "target", d.Name),
			ours:   filepath.Join(c.run.DataDir, "dbt", d.Name, "target"),
		})
	}
	if len(c.projects) == 0 {
		return errors.New("no domain has a dbt project (domains/<d>/dbt/dbt_project.yml)")
	}
	if err := os.MkdirAll(filepath.Join(c.work, "profiles"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.work, "profiles", "profiles.yml"), []byte(dbtProfile), 0o644)
}

// dbtLocalPackages returns the paths of the "- local: <path>" entries of a
// packages.yml; a missing file has none. Hub and git packages need a
// download, which neither our executor nor this check does.
func dbtLocalPackages(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line = strings.TrimSpace(strings.TrimPrefix(line, "-"))
		if strings.HasPrefix(line, "#") {
			continue
		}
		if v, ok := strings.CutPrefix(line, "local:"); ok {
			out = append(out, strings.Trim(strings.TrimSpace(v), `"'`))
		} else if strings.HasPrefix(line, "package:") || strings.HasPrefix(line, "git:") {
			return nil, fmt.Errorf("%s: only local packages are supported: %s", path, line)
		}
	}
	return out, sc.Err()
}

func dbtCopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "target", "dbt_packages", "logs":
				if rel != "." {
					return filepath.SkipDir
				}
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() || d.Name() == "package-lock.yml" {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), body, 0o644)
	})
}

// ---- dbt-core ---------------------------------------------------------------------

// dbtStep is one dbt command of meshdbt.py's dbt runner.
type dbtStep struct {
	Name    string            `json:"name"`
	Args    []string          `json:"args"`
	Env     map[string]string `json:"env"`
	project dbtProject
	command string
}

// step is a dbt command on a project: its database, schema and directories.
func (c *dbtCheck) step(p dbtProject, command string, args ...string) dbtStep {
	args = append(args, "--project-dir", p.dir, "--profiles-dir", filepath.Join(c.work, "profiles"),
		"--log-path", filepath.Join(c.work, "logs", p.domain), "--no-use-colors", "--no-version-check")
	return dbtStep{
		Name: p.domain + " " + command, Args: args, project: p, command: command,
		Env: map[string]string{"MESH_DBT_DUCKDB": filepath.Join(c.work, dbtDatabase), "MESH_DBT_SCHEMA": p.domain},
	}
}

// dbtStepResult is what meshdbt.py reports of a step.
type dbtStepResult struct {
	Name    string  `json:"name"`
	Success bool    `json:"success"`
	Error   string  `json:"error"`
	Seconds float64 `json:"seconds"`
}

// runDbt runs the steps of a build in one Python process (see meshdbt.py),
// dbt's output in <work>/logs/dbt-<phase>.log, and requires every model and
// seed of each build to succeed and every data test to pass.
func (c *dbtCheck) runDbt(phase string, steps []dbtStep) error {
	logDir := filepath.Join(c.work, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	stepsPath := filepath.Join(c.work, "steps-"+phase+".json")
	resultsPath := filepath.Join(c.work, "results-"+phase+".json")
	logPath := filepath.Join(logDir, "dbt-"+phase+".log")
	body, err := json.MarshalIndent(steps, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(stepsPath, body, 0o644); err != nil {
		return err
	}
	f, err := os.Create(logPath)
	if err != nil {
		return err
	}
	script := filepath.Join(c.root, InteropDir, dbtTool, "meshdbt.py")
	runErr := c.venv.Run(f, c.work, []string{"DBT_SEND_ANONYMOUS_USAGE_STATS=false", "TZ=UTC"}, "python", script, "dbt", stepsPath, resultsPath)
	f.Close()
	var results []dbtStepResult
	if body, err := os.ReadFile(resultsPath); err == nil {
		_ = json.Unmarshal(body, &results)
	}
	for i, r := range results {
		st := steps[i]
		if st.command == "build" {
			if err := c.buildResults(st.project, phase, r.Seconds); err != nil {
				return err
			}
		}
		if !r.Success {
			return fmt.Errorf("dbt-core %s (%s): %s\n%s", r.Name, phase, r.Error, dbtTail(logPath, 25))
		}
	}
	if runErr != nil || len(results) != len(steps) {
		return fmt.Errorf("dbt-core (%s) stopped after %d of %d steps: %v\n%s", phase, len(results), len(steps), runErr, dbtTail(logPath, 25))
	}
	return nil
}

// dbtRunResults is what the check reads of run_results.json.
type dbtRunResults struct {
	Metadata struct {
		DbtVersion string `json:"dbt_version"`
	} `json:"metadata"`
	Results []struct {
		UniqueID string `json:"unique_id"`
		Status   string `json:"status"`
		Message  any    `json:"message"`
	} `json:"results"`
}

// buildResults reads a build's run_results.json: every model and seed must
// have succeeded and every data test passed.
func (c *dbtCheck) buildResults(p dbtProject, phase string, seconds float64) error {
	var rr dbtRunResults
	body, err := os.ReadFile(filepath.Join(p.target, "run_results.json"))
	if err == nil {
		err = json.Unmarshal(body, &rr)
	}
	if err != nil {
		return fmt.Errorf("%s: reading dbt-core's run_results.json: %w", p.domain, err)
	}
	counts := map[string]int{}
	var bad []string
	for _, r := range rr.Results {
		kind, _, _ := strings.Cut(r.UniqueID, ".")
		switch r.Status {
		case "success", "pass":
			counts[kind]++
		default:
			bad = append(bad, fmt.Sprintf("%s %s: %v", r.UniqueID, r.Status, r.Message))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("dbt-core build of %s (%s): %d nodes did not pass: %s", p.domain, phase, len(bad), strings.Join(bad, "; "))
	}
	c.tests[p.domain] = append(c.tests[p.domain], counts["test"])
	fmt.Fprintf(c.w, "  %-9s %-7s dbt-core %s: %d models, %d seeds built, %d tests passed in %.1fs\n", p.domain, phase,
		rr.Metadata.DbtVersion, counts["model"], counts["seed"], counts["test"], seconds)
	return nil
}

// ---- data -------------------------------------------------------------------------

func (c *dbtCheck) readOurs() error {
	c.ours = map[string]dbtManifest{}
	for _, p := range c.projects {
		m, err := readDbtManifest(filepath.Join(p.ours, "manifest.json"))
		if err != nil {
			return fmt.Errorf("%s (run '%s transform build'): %w", p.domain, p.domain, err)
		}
		c.ours[p.domain] = m
	}
	return nil
}

// exportRaw writes, with meshctl, every table a source reads that no project
// builds (the raw event tables) to a Parquet file: dbt-core reads the data
// products of other domains (orders.fact_orders) as it built them itself.
func (c *dbtCheck) exportRaw() error {
	built := map[dbtRelation]bool{}
	for _, m := range c.ours {
		for _, n := range m.Nodes {
			if n.str("resource_type") != "test" {
				built[dbtRelation{n.str("schema"), n.str("alias")}] = true
			}
		}
	}
	seen := map[dbtRelation]bool{}
	for _, m := range c.ours {
		for _, s := range m.Sources {
			r := dbtRelation{s.str("schema"), s.str("identifier")}
			if !built[r] && !seen[r] {
				seen[r] = true
				c.raw = append(c.raw, r)
			}
		}
	}
	sort.Slice(c.raw, func(i, j int) bool { return c.raw[i].String() < c.raw[j].String() })
	dir := filepath.Join(c.work, "raw")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var stmts []string
	for _, r := range c.raw {
		stmts = append(stmts, fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet)", r, dbtQuote(c.rawFile(r))))
	}
	if _, err := c.run.SQL(strings.Join(stmts, ";\n")); err != nil {
		return err
	}
	files := make([]string, len(c.raw))
	for i, r := range c.raw {
		files[i] = dbtQuote(c.rawFile(r))
	}
	rows, err := c.dbtSQL("SELECT DISTINCT file_name FROM parquet_schema([" + strings.Join(files, ", ") + "]) WHERE name = 'ingested_at'")
	if err != nil {
		return err
	}
	withArrival := map[string]bool{}
	for _, row := range rows[1:] {
		withArrival[row[0]] = true
	}
	c.arrival = map[dbtRelation]bool{}
	names := make([]string, len(c.raw))
	for i, r := range c.raw {
		names[i] = r.String()
		if withArrival[c.rawFile(r)] {
			c.arrival[r] = true
		} else {
			names[i] += " (no ingested_at: whole in both builds)"
		}
	}
	fmt.Fprintf(c.w, "  raw tables exported with meshctl: %s\n", strings.Join(names, ", "))
	return nil
}

func (c *dbtCheck) rawFile(r dbtRelation) string {
	return filepath.Join(c.work, "raw", r.String()+".parquet")
}

// findCutoffs finds, per namespace, when the run's first dbt build committed
// (the earliest snapshot a transform invocation made): raw rows ingested
// before it are the history, the others arrived with the late events and
// corrections.
func (c *dbtCheck) findCutoffs() error {
	if c.run.Backend != BackendEmbedded {
		return fmt.Errorf("the %s backend: snapshots are read from the SQLite catalog of the embedded backend", c.run.Backend)
	}
	out, err := c.python("snapshots", c.run.CatalogURI)
	if err != nil {
		return err
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		return err
	}
	c.cutoffs = map[string]int64{}
	invocations := map[string]map[string]bool{}
	for _, row := range rows[1:] {
		ns, ts, inv := row[0], row[3], row[4]
		if inv == "" {
			continue
		}
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return err
		}
		if have, ok := c.cutoffs[ns]; !ok || ms < have {
			c.cutoffs[ns] = ms
		}
		if invocations[ns] == nil {
			invocations[ns] = map[string]bool{}
		}
		invocations[ns][inv] = true
	}
	for _, r := range c.raw {
		if _, ok := c.cutoffs[r.Schema]; !ok && c.arrival[r] {
			return fmt.Errorf("namespace %s has no snapshot of a dbt build", r.Schema)
		}
	}
	var parts []string
	for _, p := range c.projects {
		parts = append(parts, fmt.Sprintf("%s %d", p.domain, len(invocations[p.domain])))
	}
	fmt.Fprintf(c.w, "  our builds per domain (Iceberg snapshot summaries): %s\n", strings.Join(parts, ", "))
	return nil
}

// loadRaw (re)creates the raw tables in dbt-core's database: the history
// (rows ingested before the first build) or every row.
func (c *dbtCheck) loadRaw(phase string) error {
	stmts := []string{"SET TimeZone = 'UTC'"}
	schemas := map[string]bool{}
	for _, r := range c.raw {
		if !schemas[r.Schema] {
			schemas[r.Schema] = true
			stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS "+dbtIdent(r.Schema))
		}
		where := ""
		if phase == dbtPhases[0] && c.arrival[r] {
			where = fmt.Sprintf(" WHERE ingested_at < make_timestamptz(%d)", c.cutoffs[r.Schema]*1000)
		}
		stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE TABLE %s.%s AS SELECT * FROM read_parquet(%s)%s",
			dbtIdent(r.Schema), dbtIdent(r.Name), dbtQuote(c.rawFile(r)), where))
	}
	var counts []string
	for _, r := range c.raw {
		counts = append(counts, fmt.Sprintf("SELECT %s AS t, count(*) AS n FROM %s.%s", dbtQuote(r.String()), dbtIdent(r.Schema), dbtIdent(r.Name)))
	}
	stmts = append(stmts, strings.Join(counts, " UNION ALL ")+" ORDER BY 1")
	rows, err := c.dbtSQL(strings.Join(stmts, ";\n"))
	if err != nil {
		return err
	}
	var parts []string
	for _, row := range rows[1:] {
		parts = append(parts, row[0]+" "+row[1])
	}
	fmt.Fprintf(c.w, "  raw rows of the %s build: %s\n", phase, strings.Join(parts, ", "))
	return nil
}

// python runs meshdbt.py in the dbt environment and returns its output.
func (c *dbtCheck) python(args ...string) (string, error) {
	return c.pythonIn("", args...)
}

func (c *dbtCheck) pythonIn(stdin string, args ...string) (string, error) {
	var out, errOut strings.Builder
	script := filepath.Join(c.root, InteropDir, dbtTool, "meshdbt.py")
	cmd := exec.Command(c.venv.Bin("python"), append([]string{script}, args...)...)
	cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = c.work, strings.NewReader(stdin), &out, &errOut
	cmd.Env = append(os.Environ(), c.venv.Env()...)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("meshdbt.py %s: %w: %s", args[0], err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// dbtSQL runs SQL on dbt-core's database and returns the CSV records, header first.
func (c *dbtCheck) dbtSQL(sql string) ([][]string, error) {
	out, err := c.pythonIn(sql, "sql", filepath.Join(c.work, dbtDatabase))
	if err != nil {
		return nil, fmt.Errorf("%w\nquery: %s", err, sql)
	}
	return csv.NewReader(strings.NewReader(out)).ReadAll()
}

func dbtIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func dbtQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func dbtTail(path string, n int) string {
	body, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(body), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ---- comparison -------------------------------------------------------------------

// compare compares one domain's dbt-core build with ours: the manifests, then
// the rows of every table model and seed.
func (c *dbtCheck) compare(p dbtProject) ([]string, error) {
	core, err := readDbtManifest(filepath.Join(p.target, "manifest.json"))
	if err != nil {
		return nil, err
	}
	diffs, compared := compareDbtManifests(p.domain, c.ours[p.domain], core)
	manifestDiffs := len(diffs)
	c.nodes += compared
	var rels []dbtRelation
	for _, id := range slices.Sorted(maps.Keys(core.Nodes)) {
		n := core.Nodes[id]
		switch n.str("resource_type") {
		case "model", "seed":
			switch n.config("materialized") {
			case "ephemeral", "view":
				continue // not stored by our executor
			}
			rels = append(rels, dbtRelation{n.str("schema"), n.str("alias")})
		}
	}
	coreCols, err := c.columns(rels, c.dbtSQL)
	if err != nil {
		return nil, fmt.Errorf("%s: reading dbt-core's columns: %w", p.domain, err)
	}
	ourCols, err := c.columns(rels, c.run.SQL)
	if err != nil {
		return nil, fmt.Errorf("%s: reading our columns: %w", p.domain, err)
	}
	use := map[dbtRelation][]dbtColumn{}
	colDiffs := map[dbtRelation]int{}
	for _, r := range rels {
		d, common := compareDbtColumns(r, ourCols[r], coreCols[r])
		diffs = append(diffs, d...)
		use[r], colDiffs[r] = common, len(d)
	}
	sql := dbtChecksumSQL(rels, use)
	coreSums, err := dbtChecksums(c.dbtSQL, sql)
	if err != nil {
		return nil, fmt.Errorf("%s: dbt-core's checksums: %w", p.domain, err)
	}
	ourSums, err := dbtChecksums(c.run.SQL, sql)
	if err != nil {
		return nil, fmt.Errorf("%s: our checksums: %w", p.domain, err)
	}
	c.tables += len(rels)
	equal := 0
	var rows []string
	for _, r := range rels {
		d := compareDbtChecksums(r, use[r], ourSums[r.String()], coreSums[r.String()])
		if len(d) == 0 && colDiffs[r] == 0 {
			equal++
		}
		diffs = append(diffs, d...)
		rows = append(rows, fmt.Sprintf("%s %s", r.Name, coreSums[r.String()].n))
	}
	fmt.Fprintf(c.w, "  %-9s %d of %d tables with the same columns and rows (%s)\n", p.domain, equal, len(rels), strings.Join(rows, ", "))
	fmt.Fprintf(c.w, "  %-9s manifest: %d nodes and sources compared, %d differences; tests passed on dbt-core per build: %v\n",
		p.domain, compared, manifestDiffs, c.tests[p.domain])
	return diffs, nil
}

// dbtColumn is a column of a stored table.
type dbtColumn struct{ Name, Type string }

// columns reads the columns of rels, in order, with the same SQL on either side.
func (c *dbtCheck) columns(rels []dbtRelation, query func(string) ([][]string, error)) (map[dbtRelation][]dbtColumn, error) {
	names := make([]string, len(rels))
	for i, r := range rels {
		names[i] = dbtQuote(r.String())
	}
	rows, err := query("SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() " +
		"WHERE database_name = current_database() AND schema_name || '.' || table_name IN (" + strings.Join(names, ", ") + ") " +
		"ORDER BY schema_name, table_name, column_index")
	if err != nil {
		return nil, err
	}
	out := map[dbtRelation][]dbtColumn{}
	for _, row := range rows[1:] {
		r := dbtRelation{row[0], row[1]}
		out[r] = append(out[r], dbtColumn{row[2], row[3]})
	}
	return out, nil
}

// compareDbtColumns lists the differences of the columns of a table (names,
// order, DuckDB types) and returns the columns both have, in dbt-core's order.
func compareDbtColumns(r dbtRelation, ours, core []dbtColumn) (diffs []string, common []dbtColumn) {
	if len(core) == 0 {
		return []string{fmt.Sprintf("%s: dbt-core built no such table", r)}, nil
	}
	if len(ours) == 0 {
		return []string{fmt.Sprintf("%s: our executor built no such table", r)}, nil
	}
	ourType := map[string]string{}
	var ourNames, coreNames []string
	for _, col := range ours {
		ourType[col.Name] = col.Type
		ourNames = append(ourNames, col.Name)
	}
	for _, col := range core {
		coreNames = append(coreNames, col.Name)
		t, ok := ourType[col.Name]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: column %s (%s) only in dbt-core's table", r, col.Name, col.Type))
			continue
		case t != col.Type:
			diffs = append(diffs, fmt.Sprintf("%s: column %s is %s in ours, %s in dbt-core's", r, col.Name, t, col.Type))
		}
		common = append(common, col)
		delete(ourType, col.Name)
	}
	for _, col := range ours {
		if _, only := ourType[col.Name]; only {
			diffs = append(diffs, fmt.Sprintf("%s: column %s (%s) only in our table", r, col.Name, col.Type))
		}
	}
	if len(diffs) == 0 && !reflect.DeepEqual(ourNames, coreNames) {
		diffs = append(diffs, fmt.Sprintf("%s: columns in another order: ours %s, dbt-core's %s", r, strings.Join(ourNames, ","), strings.Join(coreNames, ",")))
	}
	return diffs, common
}

// dbtChecksumSQL is the query both sides run: per table its row count, the
// sum of a hash of every row and, per column, the sum of the hash of its
// values, each value hashed as its VARCHAR form in the UTC time zone. Sums
// make it independent of row order; the per-column sums name the column
// that differs.
func dbtChecksumSQL(rels []dbtRelation, cols map[dbtRelation][]dbtColumn) string {
	var parts []string
	for _, r := range rels {
		if len(cols[r]) == 0 {
			continue
		}
		var vals, sums []string
		for _, col := range cols[r] {
			v := "CAST(" + dbtIdent(col.Name) + " AS VARCHAR)"
			vals = append(vals, v)
			sums = append(sums, "CAST(coalesce(sum(hash("+v+")), 0) AS VARCHAR)")
		}
		parts = append(parts, fmt.Sprintf("SELECT %s AS relation, CAST(count(*) AS VARCHAR) AS n, "+
			"CAST(coalesce(sum(hash(%s)), 0) AS VARCHAR) AS row_sum, concat_ws(' ', %s) AS column_sums FROM %s.%s",
			dbtQuote(r.String()), strings.Join(vals, ", "), strings.Join(sums, ", "), dbtIdent(r.Schema), dbtIdent(r.Name)))
	}
	return "SET TimeZone = 'UTC';\n" + strings.Join(parts, "\nUNION ALL\n") + "\nORDER BY relation"
}

// dbtSums is one table's checksum row.
type dbtSums struct {
	n, rows string
	columns []string
}

func dbtChecksums(query func(string) ([][]string, error), sql string) (map[string]dbtSums, error) {
	rows, err := query(sql)
	if err != nil {
		return nil, err
	}
	out := map[string]dbtSums{}
	for _, row := range rows[1:] {
		out[row[0]] = dbtSums{n: row[1], rows: row[2], columns: strings.Fields(row[3])}
	}
	return out, nil
}

func compareDbtChecksums(r dbtRelation, cols []dbtColumn, ours, core dbtSums) []string {
	if len(cols) == 0 {
		return nil // already reported as a missing table
	}
	if ours.n != core.n {
		return []string{fmt.Sprintf("%s: %s rows in ours, %s in dbt-core's", r, ours.n, core.n)}
	}
	var diffs []string
	for i, col := range cols {
		if i < len(ours.columns) && i < len(core.columns) && ours.columns[i] != core.columns[i] {
			diffs = append(diffs, fmt.Sprintf("%s: column %s has other values (checksum %s in ours, %s in dbt-core's)", r, col.Name, ours.columns[i], core.columns[i]))
		}
	}
	if len(diffs) == 0 && ours.rows != core.rows {
		diffs = append(diffs, fmt.Sprintf("%s: the same values per column but other rows (row checksum %s in ours, %s in dbt-core's)", r, ours.rows, core.rows))
	}
	return diffs
}

// ---- manifests ----------------------------------------------------------------------

// dbtNode is a node or source of a manifest.json, as decoded JSON.
type dbtNode map[string]any

func (n dbtNode) str(key string) string {
	s, _ := n[key].(string)
	return s
}

func (n dbtNode) config(key string) string {
	cfg, _ := n["config"].(map[string]any)
	s, _ := cfg[key].(string)
	return s
}

// dbtManifest is what the check compares of a manifest.json.
type dbtManifest struct {
	Metadata map[string]any     `json:"metadata"`
	Nodes    map[string]dbtNode `json:"nodes"`
	Sources  map[string]dbtNode `json:"sources"`
}

func readDbtManifest(path string) (dbtManifest, error) {
	var m dbtManifest
	body, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// dbtCompared are the fields compared per resource type, as paths into the
// node ("config.materialized"); a path ending in [] is compared as a set.
// Everything else differs by design (see README, "dbt-core compatibility"):
// timestamps and absolute paths of the run, compiled SQL (dbt-duckdb quotes
// relations with the database), fields that only newer dbt versions write
// (our artifacts are dbt 1.9's field set), and the dbt-internal macros a test
// materialization calls at run time.
var dbtCompared = map[string][]string{
	"*": {"name", "resource_type", "package_name", "path", "original_file_path", "fqn", "database", "schema",
		"alias", "description", "tags[]", "meta", "depends_on.nodes[]", "refs[]", "sources[]", "columns", "config.enabled"},
	"model": {"checksum", "patch_path", "relation_name", "primary_key", "depends_on.macros[]", "config.materialized",
		"config.tags[]", "config.meta", "config.unique_key", "config.schema", "config.alias", "config.incremental_strategy",
		"config.on_schema_change"},
	"seed": {"checksum", "patch_path", "relation_name", "config.materialized", "config.tags[]", "config.meta",
		"config.schema", "config.column_types"},
	"test": {"test_metadata", "column_name", "attached_node", "file_key_name", "config.materialized", "config.severity",
		"config.where", "config.schema", "config.alias", "depends_on.macros[]mesh"},
	"source": {"source_name", "identifier", "loader", "source_description", "relation_name"},
}

// compareDbtManifests lists how core's nodes and sources differ from ours and
// returns how many were compared.
func compareDbtManifests(domain string, ours, core dbtManifest) ([]string, int) {
	var diffs []string
	compared := 0
	for _, kind := range []string{"nodes", "sources"} {
		o, c := ours.Nodes, core.Nodes
		if kind == "sources" {
			o, c = ours.Sources, core.Sources
		}
		for _, id := range slices.Sorted(maps.Keys(c)) {
			if _, ok := o[id]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s manifest: %s only in dbt-core's", domain, id))
			}
		}
		for _, id := range slices.Sorted(maps.Keys(o)) {
			cn, ok := c[id]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s manifest: %s only in ours", domain, id))
				continue
			}
			compared++
			on := o[id]
			fields := append(append([]string{}, dbtCompared["*"]...), dbtCompared[cn.str("resource_type")]...)
			for _, f := range fields {
				if d := compareDbtField(on, cn, f); d != "" {
					diffs = append(diffs, fmt.Sprintf("%s manifest: %s %s", domain, id, d))
				}
			}
		}
	}
	return diffs, compared
}

// compareDbtField compares one field path of two nodes; "" when equal.
func compareDbtField(ours, core dbtNode, field string) string {
	path, mode, _ := strings.Cut(field, "[]")
	set := strings.Contains(field, "[]")
	ov, oOK := dbtLookup(ours, path)
	cv, cOK := dbtLookup(core, path)
	if path == "columns" {
		return compareDbtColumnDocs(ov, cv)
	}
	if set {
		ol, cl := dbtStringSet(ov), dbtStringSet(cv)
		if mode == "mesh" { // macros of our packages only: dbt's own are version-specific
			ol, cl = dbtWithout(ol, "macro.dbt."), dbtWithout(cl, "macro.dbt.")
		}
		if reflect.DeepEqual(ol, cl) {
			return ""
		}
		return fmt.Sprintf("%s: ours %v, dbt-core's %v", path, ol, cl)
	}
	if !oOK && !cOK {
		return ""
	}
	if dbtJSONEqual(ov, cv) {
		return ""
	}
	return fmt.Sprintf("%s: ours %s, dbt-core's %s", path, dbtJSON(ov, oOK), dbtJSON(cv, cOK))
}

// compareDbtColumnDocs compares the documented columns (name, description,
// data_type, meta, tags, constraints, quote).
func compareDbtColumnDocs(ov, cv any) string {
	om, _ := ov.(map[string]any)
	cm, _ := cv.(map[string]any)
	var diffs []string
	for _, name := range slices.Sorted(maps.Keys(cm)) {
		if _, ok := om[name]; !ok {
			diffs = append(diffs, "column "+name+" only in dbt-core's")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(om)) {
		c, ok := cm[name].(map[string]any)
		if !ok {
			diffs = append(diffs, "column "+name+" only in ours")
			continue
		}
		o, _ := om[name].(map[string]any)
		for _, f := range []string{"name", "description", "data_type", "meta", "tags", "constraints", "quote"} {
			if !dbtJSONEqual(o[f], c[f]) {
				diffs = append(diffs, fmt.Sprintf("column %s %s: ours %s, dbt-core's %s", name, f, dbtJSON(o[f], true), dbtJSON(c[f], true)))
			}
		}
	}
	return strings.Join(diffs, "; ")
}

func dbtLookup(n dbtNode, path string) (any, bool) {
	var cur any = map[string]any(n)
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// dbtStringSet renders each element of a list (strings, or lists/objects as
// JSON) and returns them sorted.
func dbtStringSet(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		} else {
			out = append(out, dbtJSON(e, true))
		}
	}
	sort.Strings(out)
	return out
}

func dbtWithout(l []string, prefix string) []string {
	out := []string{}
	for _, s := range l {
		if !strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

func dbtJSONEqual(a, b any) bool { return dbtJSON(a, true) == dbtJSON(b, true) }

// dbtJSON renders a value canonically (object keys sorted), "absent" when missing.
func dbtJSON(v any, present bool) string {
	if !present {
		return "absent"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
