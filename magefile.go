//go:build mage

// The Mesh-terious Warehouse build: 'go run mage.go -l' lists the targets.
package main

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/meshterious/warehouse/internal/magekit"
	"github.com/meshterious/warehouse/platform/domainspec"
)

// Default runs when mage gets no target.
var Default = Demo

// Domain targets act on one domain: 'go run mage.go domain:test orders'.
type Domain mg.Namespace

// Bench targets print performance figures; they never fail on time.
type Bench mg.Namespace

// Deps targets install what the tests need.
type Deps mg.Namespace

// Interop targets run the real tools (PyIceberg, Spark, dbt-core, Airflow, Jupyter) against our
// tables, dbt projects, DAGs and notebooks, each from a pinned environment: 'go run mage.go interop'.
type Interop mg.Namespace

// Aliases: 'go run mage.go interop' runs every interop check, 'go run mage.go bench' every benchmark.
var Aliases = map[string]any{"interop": Interop.All, "bench": Bench.All}

func root() string {
	wd, _ := os.Getwd()
	return wd
}

func domains() ([]*domainspec.Domain, error) { return domainspec.LoadAll(root()) }

func domainNamed(name string) (*domainspec.Domain, error) {
	ds, err := domains()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range ds {
		if d.Name == name {
			return d, nil
		}
		names = append(names, d.Name)
	}
	return nil, fmt.Errorf("no domain %q; domains: %s", name, strings.Join(names, ", "))
}

// run runs a command in dir with the given extra environment, streaming output.
func run(dir string, env []string, name string, args ...string) error {
	return runTo(os.Stdout, dir, env, name, args...)
}

// runTo is run writing stdout and stderr to w.
func runTo(w io.Writer, dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = w, w
	if w == os.Stdout {
		cmd.Stderr, cmd.Stdin = os.Stderr, os.Stdin
	}
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s (in %s): %w", name, strings.Join(args, " "), dir, err)
	}
	return nil
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

// Build compiles every domain binary and meshctl into bin/.
func Build() error {
	ds, err := domains()
	if err != nil {
		return err
	}
	bin := filepath.Join(root(), "bin")
	step("building %d domain binaries and meshctl into bin/", len(ds))
	start := time.Now()
	pkgs := []string{"./platform/cmd/meshctl"}
	for _, d := range ds {
		pkgs = append(pkgs, "./"+d.Dir+"/cmd/"+d.Name)
	}
	if err := run(root(), nil, "go", append([]string{"build", "-o", bin + string(os.PathSeparator)}, pkgs...)...); err != nil {
		return err
	}
	fmt.Printf("    built in %.0fs\n", time.Since(start).Seconds())
	return nil
}

// Check regenerates CODEOWNERS, go.work, the Airflow DAGs and the compose blocks; fails on drift.
func Check() error {
	if err := regenerate(); err != nil {
		return err
	}
	var diff bytes.Buffer
	cmd := exec.Command("git", append([]string{"diff", "--exit-code", "--stat", "--"}, magekit.GeneratedPaths...)...)
	cmd.Stdout, cmd.Stderr = &diff, &diff
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("generated files differ from the committed ones; commit them:\n%s", diff.String())
	}
	// New generated files that were never committed: drift in CI, a reminder elsewhere.
	out, err := exec.Command("git", append([]string{"ls-files", "--others", "--exclude-standard", "--"}, magekit.GeneratedPaths...)...).Output()
	if err != nil {
		return err
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		if os.Getenv("CI") == "true" {
			return fmt.Errorf("generated files are not committed:\n%s", s)
		}
		fmt.Printf("new generated files, not committed yet (CI=true fails on them):\n%s\n", s)
	}
	fmt.Println("generated files are up to date")
	ds, err := domains()
	if err != nil {
		return err
	}
	if err := magekit.CheckImports(root(), ds); err != nil {
		return err
	}
	fmt.Println("imports: domains import only the platform, the platform imports no domain")
	return nil
}

// regenerate writes every generated file and removes generated Airflow files of DAGs that no longer exist.
func regenerate() error {
	files, err := magekit.Generate(root())
	if err != nil {
		return err
	}
	changed, err := magekit.WriteGenerated(root(), files)
	if err != nil {
		return err
	}
	for _, c := range changed {
		fmt.Printf("regenerated %s\n", c)
	}
	stale, err := magekit.StaleAirflowFiles(root(), files)
	if err != nil {
		return err
	}
	for _, s := range stale {
		if err := os.Remove(filepath.Join(root(), s)); err != nil {
			return err
		}
		fmt.Printf("removed %s (its DAG is no longer declared)\n", s)
	}
	return nil
}

// Dags validates domains/*/dags/*.yaml and regenerates the Airflow files in dags/<domain>_dags/.
func Dags() error {
	if err := regenerate(); err != nil {
		return err
	}
	return run(root(), nil, "go", "run", "./platform/cmd/meshctl", "dag", "list")
}

// Dashboards validates domains/*/dashboards/*.yaml and writes Superset's import bundle into build/dashboards/.
func Dashboards() error {
	return magekit.WriteDashboardBundle(root(), os.Stdout)
}

// Compose regenerates docker-compose.yml's domain blocks and checks every profile with compose-go.
func Compose() error {
	if err := regenerate(); err != nil {
		return err
	}
	return run(root(), nil, "go", "test", "-count=1", "-run", "Compose", "./internal/magekit/")
}

// Lint runs gofmt and go vet on every module.
func Lint() error {
	ds, err := domains()
	if err != nil {
		return err
	}
	out, err := exec.Command("gofmt", "-l", ".").Output()
	if err != nil {
		return err
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		return fmt.Errorf("gofmt wants to reformat:\n%s", s)
	}
	for _, m := range magekit.Modules(ds) {
		step("go vet %s", m)
		if err := run(filepath.Join(root(), m), nil, "go", "vet", "./..."); err != nil {
			return err
		}
	}
	return nil
}

func amqpAddr() string {
	raw := os.Getenv("MESH_AMQP_URL")
	if raw == "" {
		return "127.0.0.1:5672"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "127.0.0.1:5672"
	}
	if u.Port() == "" {
		return u.Host + ":5672"
	}
	return u.Host
}

// Services starts (or checks) RabbitMQ and PostgreSQL, and builds MinIO once.
func Services() error {
	if err := magekit.EnsureRabbitMQ(amqpAddr()); err != nil {
		return err
	}
	if err := magekit.EnsurePostgres("127.0.0.1:5432"); err != nil && os.Getenv("MESH_TEST_POSTGRES_DSN") == "" {
		return err
	}
	_, err := magekit.EnsureMinIO()
	return err
}

// Chromium finds (or, as root on Debian, installs) the headless browser of the meshctl serve browser test.
func (Deps) Chromium() error { return testTool("chromium", magekit.EnsureChromium) }

// Graphviz finds (or, as root on Debian, installs) Graphviz's dot, which draws lineage as SVG or PNG.
func (Deps) Graphviz() error { return testTool("dot", magekit.EnsureGraphviz) }

// testTool reports where a tool the tests need is; without it, the tests
// that need it skip, except under CI=true where this fails.
func testTool(name string, ensure func() (string, error)) error {
	p, err := ensure()
	if err != nil && os.Getenv("CI") != "true" {
		fmt.Printf("%v\n(the tests that need %s skip outside CI)\n", err, name)
		return nil
	}
	if err == nil {
		fmt.Printf("%s: %s\n", name, p)
	}
	return err
}

// Web rebuilds meshctl serve's vendored browser libraries from platform/serve/web's npm lock; fails when the committed files differ.
func Web() error { return magekit.BuildWebAssets(root()) }

// MinIO builds the MinIO server (used by the S3 tests) into GOPATH/bin once.
func (Deps) MinIO() error {
	p, err := magekit.EnsureMinIO()
	if err == nil {
		fmt.Println("minio:", p)
	}
	return err
}

// testModule compiles a module's tests in parallel, then runs them one package
// at a time, writing the output to w: packages of a module share
// per-process servers (MinIO) and CPU-heavy subprocesses.
func testModule(w io.Writer, dir string, extra []string) error {
	if err := runTo(w, dir, nil, "go", "test", "-race", "-count=1", "-run", "^$", "./..."); err != nil {
		return err
	}
	args := append([]string{"test", "-race", "-count=1", "-p", "1", "-timeout", "20m"}, extra...)
	return runTo(w, dir, nil, "go", append(args, "./...")...)
}

// referenceDomain is the domain whose suite runs the ingestion guarantees at
// full scale (domaintest.Suite.Reference), broker restart included.
const referenceDomain = "orders"

// brokerRestartTest matches the guarantee that restarts the shared RabbitMQ
// (domaintest.BrokerRestartTest): it disturbs every other client of the
// broker, so Test skips it while modules run side by side and runs it alone
// afterwards.
const brokerRestartTest = "Conformance/IngestGuarantees/BrokerRestartLosesNothing"

// testWorkers is how many modules Test runs side by side: most tests wait on
// subprocesses and servers, so two keep a 2-core machine busy.
const testWorkers = 2

// Test runs the tests of every module against the real services (CI=true: a missing service fails).
func Test() error {
	mg.Deps(Services, Deps.Chromium, Deps.Graphviz)
	ds, err := domains()
	if err != nil {
		return err
	}
	start := time.Now()
	// platform first: it holds the longest package (the cross-domain e2e run).
	mods := magekit.Modules(ds)
	sort.SliceStable(mods, func(i, j int) bool { return mods[i] == "platform" && mods[j] != "platform" })
	var jobs []magekit.Job
	for _, m := range mods {
		jobs = append(jobs, magekit.Job{Name: "testing module " + m, Run: func(w io.Writer) error {
			return testModule(w, filepath.Join(root(), m), []string{"-skip", brokerRestartTest})
		}})
	}
	fmt.Printf("testing %d modules, %d at a time\n", len(mods), testWorkers)
	var failed []string
	for i, r := range magekit.RunPool(jobs, testWorkers, time.Minute, os.Stdout) {
		if r.Err != nil {
			failed = append(failed, mods[i])
		}
	}
	ref, err := domainNamed(referenceDomain)
	if err != nil {
		return err
	}
	step("%s: the broker restart guarantee, alone", ref.Dir)
	if err := testModule(os.Stdout, filepath.Join(root(), ref.Dir), []string{"-run", brokerRestartTest}); err != nil {
		failed = append(failed, ref.Dir+" (broker restart)")
		fmt.Println(err)
	}
	step("fuzzing every fuzz target for %s", ciFuzzTime)
	if err := fuzz(ciFuzzTime); err != nil {
		failed = append(failed, "fuzz")
		fmt.Println(err)
	}
	step("checking generated files")
	if err := Check(); err != nil {
		failed = append(failed, "check")
		fmt.Println(err)
	}
	fmt.Printf("\ntested %d modules in %s\n", len(mods), time.Since(start).Round(time.Second))
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// ciFuzzTime is how long Test fuzzes each target: enough to catch a
// regression near the seed corpus, short enough for CI.
const ciFuzzTime = 2 * time.Second

// Fuzz runs every fuzz target of the tree (found by scanning for func Fuzz) for a while: 'fuzz --time 30s'.
func Fuzz() error {
	each, err := magekit.FuzzTime(20 * time.Second)
	if err != nil {
		return err
	}
	return fuzz(each)
}

func fuzz(each time.Duration) error {
	targets, err := magekit.FuzzTargets(root())
	if err != nil {
		return err
	}
	_, err = magekit.RunFuzz(root(), targets, each, os.Stdout)
	return err
}

// Test runs the tests of one domain module: 'go run mage.go domain:test orders'.
func (Domain) Test(name string) error {
	d, err := domainNamed(name)
	if err != nil {
		return err
	}
	if err := magekit.EnsureRabbitMQ(amqpAddr()); err != nil {
		return err
	}
	return testModule(os.Stdout, filepath.Join(root(), d.Dir), nil)
}

// Build compiles one domain binary into bin/: 'go run mage.go domain:build orders'.
func (Domain) Build(name string) error {
	d, err := domainNamed(name)
	if err != nil {
		return err
	}
	return run(root(), nil, "go", "build", "-o", filepath.Join(root(), "bin")+string(os.PathSeparator), "./"+d.Dir+"/cmd/"+d.Name)
}

// Dags runs one domain's DAGs locally in dependency order: 'go run mage.go domain:dags orders'.
func (Domain) Dags(name string) error {
	if _, err := domainNamed(name); err != nil {
		return err
	}
	if err := magekit.EnsureRabbitMQ(amqpAddr()); err != nil {
		return err
	}
	if err := Build(); err != nil {
		return err
	}
	return run(root(), nil, filepath.Join(root(), "bin", "meshctl"), "dag", "run", "--domain", name)
}

func demoScale() (int, error) {
	s := os.Getenv("MESH_DEMO_SCALE")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("--scale (MESH_DEMO_SCALE) = %q: want a whole number >= 1", s)
	}
	return n, nil
}

// Demo runs the main job on the embedded default: produce every domain's events for every
// region, ingest them into Iceberg, and show the tables and a query (demo --scale N for N times more).
func Demo() error {
	scale, err := demoScale()
	if err != nil {
		return err
	}
	if err := magekit.EnsureRabbitMQ(amqpAddr()); err != nil {
		return err
	}
	if err := Build(); err != nil {
		return err
	}
	all, err := domains()
	if err != nil {
		return err
	}
	// Upstream domains first: a return refers to an order that must exist.
	ds, err := domainspec.Ordered(all)
	if err != nil {
		return err
	}
	bin := func(name string) string { return filepath.Join(root(), "bin", name) }
	// The demo starts from scratch so that the figures it prints are those of this
	// run: it empties the default data directory (MESH_DEMO_KEEP=1 keeps it; a
	// MESH_DATA_DIR set by the user is never wiped).
	if os.Getenv("MESH_DATA_DIR") == "" && os.Getenv("MESH_DEMO_KEEP") != "1" {
		dataDir := filepath.Join(root(), ".mesh")
		if err := os.RemoveAll(dataDir); err != nil {
			return err
		}
		fmt.Printf("demo: starting from an empty %s (MESH_DEMO_KEEP=1 to keep it)\n", dataDir)
	}
	start := time.Now()
	for _, d := range ds {
		step("%s: topology, raw tables, and a fresh start (queues purged)", d.Name)
		if err := run(root(), nil, bin(d.Name), "setup", "--purge"); err != nil {
			return err
		}
		for _, ev := range d.Events {
			n := demoEvents(ev) * scale
			step("%s: producing %d %s events per region over the last %d days (1%% invalid on purpose)", d.Name, n, ev.Name, demoDays)
			if err := run(root(), nil, bin(d.Name), "produce", "--event", ev.Name, "--region", "all",
				"--burst", strconv.Itoa(n), "--since", strconv.Itoa(demoDays)+"d", "--error-rate", "0.01", "--run", strconv.FormatInt(time.Now().Unix(), 10)); err != nil {
				return err
			}
			step("%s: ingesting every region until the queues are idle", d.Name)
			if err := run(root(), nil, bin(d.Name), "ingest", "--event", ev.Name, "--region", "all", "--until-idle"); err != nil {
				return err
			}
		}
		step("%s: dbt build (seeds, staging, facts and their data tests) into Iceberg", d.Name)
		if err := run(root(), nil, bin(d.Name), "transform", "build"); err != nil {
			return err
		}
		for _, args := range demoDerived[d.Name] {
			step("%s: %s", d.Name, strings.Join(args, " "))
			if err := run(root(), nil, bin(d.Name), args...); err != nil {
				return err
			}
		}
	}
	step("serving: the data products into one DuckDB file for Superset, and the dashboards' import bundle (meshctl publish)")
	if err := run(root(), nil, bin("meshctl"), "publish"); err != nil {
		return err
	}
	step("tables in the lakehouse")
	if err := run(root(), nil, bin("meshctl"), "tables"); err != nil {
		return err
	}
	step("fact_orders: rows per region and day")
	if err := run(root(), nil, bin("meshctl"), "sql", demoFactCounts); err != nil {
		return err
	}
	step("fact_orders: order lines per region every 4 hours (the daily cycle, in each region's own time zone)")
	if err := run(root(), nil, bin("meshctl"), "sql", "--format", "spark", demoTrend); err != nil {
		return err
	}
	step("a query over fact_orders: order lines and revenue by region and channel")
	if err := run(root(), nil, bin("meshctl"), "sql", "--timing", demoQuery); err != nil {
		return err
	}
	step("data tests per table and referential integrity shares (relationships tests of every domain)")
	if err := magekit.PrintDemoReport(os.Stdout, root(), ds); err != nil {
		return err
	}
	fmt.Printf("\ndemo finished in %s. Try: bin/meshctl sql \"SELECT * FROM orders.raw_orders LIMIT 5\"\n", time.Since(start).Round(time.Second))
	return nil
}

// demoDays is the history the demo makes: 13 weeks, enough for weekly
// seasonality, a trend and several promotions to be learnt and backtested.
const demoDays = 91

// demoDerived are the steps, after its dbt build, of a domain that publishes
// no events but derives its data products from other domains' (forecasting).
var demoDerived = map[string][][]string{
	"forecasting": {{"forecast", "demand"}, {"forecast", "stockout"}, {"backtest"}},
}

// demoEvents is how many events of ev the demo publishes per region at scale
// 1: about 100 order lines per region and day, and for the other events
// their declared share of the orders (domain.yaml demo_burst, per 2,500 orders).
func demoEvents(ev domainspec.Event) int {
	const ordersPerRegion, perDemoBurst = demoDays * 100, 2500
	if ev.DemoBurst > 0 {
		return ev.DemoBurst * ordersPerRegion / perDemoBurst
	}
	return ordersPerRegion
}

const demoFactCounts = `SELECT region, count(*) AS order_lines, count(DISTINCT event_date) AS days,
  min(event_date) AS first_day, max(event_date) AS last_day
FROM orders.fact_orders GROUP BY region ORDER BY region`

// demoTrend counts order lines per region and 4-hour period, with a zero for
// a period in which a region had none, so that the sparkline keeps time.
const demoTrend = `WITH counts AS (
  SELECT region, time_bucket(INTERVAL 4 HOUR, CAST(order_ts AS TIMESTAMP)) AS period, count(*) AS order_lines
  FROM orders.fact_orders GROUP BY ALL)
SELECT region, period, coalesce(c.order_lines, 0) AS order_lines
FROM (SELECT DISTINCT region FROM counts) CROSS JOIN (SELECT DISTINCT period FROM counts)
LEFT JOIN counts c USING (region, period) ORDER BY region, period`

const demoQuery = `SELECT region, channel, count(*) AS order_lines, CAST(sum(qty) AS BIGINT) AS units,
  round(sum(line_amount), 2) AS revenue, any_value(currency) AS currency
FROM orders.fact_orders GROUP BY region, channel ORDER BY region, order_lines DESC`

// Ingest prints our publisher against a bare amqp091 one, full ingest against a bare consumer (5 rounds), and live freshness p50/p95.
func (Bench) Ingest() error {
	if err := magekit.EnsureRabbitMQ(amqpAddr()); err != nil {
		return err
	}
	return run(filepath.Join(root(), "platform"), nil, "go", "run", "./cmd/meshbench", "ingest")
}

// All runs every benchmark (ingest, transform vs DuckDB alone, every Go benchmark) and prints one summary table.
func (Bench) All() error {
	mg.Deps(Services)
	benches, err := magekit.Benches(root(), referenceDomain)
	if err != nil {
		return err
	}
	_, err = magekit.RunBenches(root(), benches, os.Stdout)
	return err
}

// Modules lists the Go modules mage iterates (generated from domain.yaml).
func Modules() error {
	ds, err := domains()
	if err != nil {
		return err
	}
	mods := magekit.Modules(ds)
	sort.Strings(mods)
	fmt.Println(strings.Join(mods, "\n"))
	return nil
}

// All runs every interop check and prints how long each took.
func (Interop) All() error {
	mg.Deps(Services)
	return magekit.RunInterop(root(), os.Stdout, magekit.InteropChecks()...)
}

// Readers checks that PyIceberg (embedded and PostgreSQL+MinIO) and Spark read every table as meshctl sql does.
func (Interop) Readers() error {
	mg.Deps(Services)
	return magekit.RunInterop(root(), os.Stdout, magekit.InteropCheckNamed("readers"))
}

// Dbt runs every domain's dbt project on dbt-core + dbt-duckdb and compares rows and manifests with ours.
func (Interop) Dbt() error {
	mg.Deps(Services)
	return magekit.RunInterop(root(), os.Stdout, magekit.InteropCheckNamed("dbt"))
}

// Airflow loads every DAG file on Airflow 3 and 2.10 and runs the orders ingest -> stg -> fact DAGs.
func (Interop) Airflow() error {
	mg.Deps(Services)
	return magekit.RunInterop(root(), os.Stdout, magekit.InteropCheckNamed("airflow"))
}

// Notebooks runs the demo into a data directory of its own and executes notebooks/forecasting/ top to bottom.
func (Interop) Notebooks() error {
	mg.Deps(Services)
	return magekit.RunInterop(root(), os.Stdout, magekit.InteropCheckNamed("notebooks"))
}

// Superset imports the dashboards' bundle into the pinned Superset, runs every chart's query through its API and screenshots every dashboard.
func (Interop) Superset() error {
	mg.Deps(Services)
	return magekit.RunInterop(root(), os.Stdout, magekit.InteropCheckNamed("superset"))
}

// Openmetadata exports the interop run's catalog (meshctl metadata export --live) and validates every body with openmetadata-ingestion's pydantic models.
func (Interop) Openmetadata() error {
	mg.Deps(Services)
	return magekit.RunInterop(root(), os.Stdout, magekit.InteropCheckNamed("openmetadata"))
}

// Lock regenerates a tool's pinned lock from its requirements.in: 'go run mage.go interop:lock dbt'.
func (Interop) Lock(tool string) error {
	return magekit.LockVenv(root(), tool)
}
