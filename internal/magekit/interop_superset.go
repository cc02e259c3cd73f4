package magekit

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/dashboards"
)

func init() { registerInteropCheck(InteropCheck{Name: "superset", Run: interopSuperset}) }

// What interop:superset runs and where.
const (
	supersetTool = "superset"
	// DashboardsBuildDir is where 'go run mage.go dashboards' writes the
	// bundle, relative to the repository root (ignored by git).
	DashboardsBuildDir = "build/dashboards"
	// DashboardsBundle is the bundle's file name.
	DashboardsBundle = "superset-bundle.zip"
	// EnvChromium is the Chromium (or Chrome) binary the screenshots are taken
	// with (default: chromium on PATH).
	EnvChromium = "MESH_CHROMIUM"

	supersetVhost      = "mesh-interop-superset"
	supersetDemoTime   = 30 * time.Minute // the demo, cold Go caches included
	supersetStartLimit = 3 * time.Minute
	supersetStepLimit  = 10 * time.Minute
)

// BuildDashboardBundle loads every domain's dashboards and writes Superset's
// import bundle for the serving database at databaseURI to out.
func BuildDashboardBundle(root, out, databaseURI string) ([]*dashboards.Dashboard, error) {
	all, err := dashboards.LoadAll(root)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := dashboards.Bundle(&buf, all, dashboards.BundleConfig{DatabaseURI: databaseURI}); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	return all, os.WriteFile(out, buf.Bytes(), 0o644)
}

// EnvSupersetDatabaseURI overrides the SQLAlchemy URI of the serving
// database in the bundle of 'go run mage.go dashboards' (default: the serving
// file of the data directory, duckdb:///<MESH_DATA_DIR>/serving/mesh.duckdb).
const EnvSupersetDatabaseURI = "MESH_SUPERSET_DATABASE_URI"

// WriteDashboardBundle writes the bundle of every domain's dashboards into
// DashboardsBuildDir and prints what it holds.
func WriteDashboardBundle(root string, w io.Writer) error {
	uri := os.Getenv(EnvSupersetDatabaseURI)
	if uri == "" {
		data := os.Getenv("MESH_DATA_DIR")
		if data == "" {
			data = filepath.Join(root, ".mesh")
		}
		abs, err := filepath.Abs(data)
		if err != nil {
			return err
		}
		uri = "duckdb:///" + filepath.ToSlash(filepath.Join(abs, "serving", "mesh.duckdb"))
	}
	out := filepath.Join(root, DashboardsBuildDir, DashboardsBundle)
	all, err := BuildDashboardBundle(root, out, uri)
	if err != nil {
		return err
	}
	var charts, datasets int
	fmt.Fprintf(w, "%-24s %-18s %6s %8s  %s\n", "dashboard", "owner", "charts", "datasets", "reads")
	for _, d := range all {
		var reads []string
		for _, ds := range d.Datasets {
			reads = append(reads, ds.Reads...)
		}
		slices.Sort(reads)
		fmt.Fprintf(w, "%-24s %-18s %6d %8d  %s\n", d.ID, d.Owner, len(d.Charts), len(d.Datasets), strings.Join(slices.Compact(reads), ", "))
		charts += len(d.Charts)
		datasets += len(d.Datasets)
	}
	fmt.Fprintf(w, "wrote %s: %d dashboards, %d charts, %d datasets for Superset %s, reading %s\n",
		rel(root, out), len(all), charts, datasets, dashboards.SupersetVersion, uri)
	fmt.Fprintf(w, "import it: superset import-dashboards -p %s -u admin (publish the serving file first: bin/meshctl publish)\n", rel(root, out))
	return nil
}

// supersetExpect is what the Python check and the screenshot script verify,
// written by the Go side from the declarations.
type supersetExpect struct {
	Dashboards []expectDashboard `json:"dashboards"`
	Datasets   []expectDataset   `json:"datasets"`
}

type expectDashboard struct {
	Slug   string        `json:"slug"`
	Title  string        `json:"title"`
	UUID   string        `json:"uuid"`
	Charts []expectChart `json:"charts"`
}

type expectChart struct {
	UUID  string `json:"uuid"`
	Title string `json:"title"`
	ID    string `json:"id"`
	// Rows is how many rows Chart.Query returns through meshctl sql: the
	// known answer for Superset's chart data.
	Rows int `json:"rows"`
}

type expectDataset struct {
	Table   string              `json:"table"`
	SQL     string              `json:"sql"`
	Columns []dashboards.Column `json:"columns"`
}

// newSupersetExpect lists what Superset must hold; rows gives each chart's
// row count (nil: not checked).
func newSupersetExpect(all []*dashboards.Dashboard, rows func(d *dashboards.Dashboard, c *dashboards.Chart) (int, error)) (supersetExpect, error) {
	var e supersetExpect
	for _, d := range all {
		dash, charts, _ := dashboards.SupersetIDs(d)
		ed := expectDashboard{Slug: d.ID, Title: d.Title, UUID: dash}
		for _, c := range d.Charts {
			ec := expectChart{UUID: charts[c.ID], Title: c.Title, ID: d.ID + "." + c.ID, Rows: -1}
			if rows != nil {
				n, err := rows(d, c)
				if err != nil {
					return e, fmt.Errorf("chart %s of %s: %w", c.ID, d.File, err)
				}
				ec.Rows = n
			}
			ed.Charts = append(ed.Charts, ec)
		}
		e.Dashboards = append(e.Dashboards, ed)
		for _, ds := range d.Datasets {
			e.Datasets = append(e.Datasets, expectDataset{Table: dashboards.DatasetTable(d, ds), SQL: ds.SQL, Columns: ds.Columns})
		}
	}
	return e, nil
}

// interopSuperset runs the demo into a data directory of its own (the
// forecasting dashboards need the demo's 13 weeks: a forecast wants two weeks
// of history and the backtest four before its first origin, and the shared
// interop run has one), which ends with meshctl publish writing the serving
// DuckDB file and the bundle reading it. Then, on the pinned Superset in its
// own environment, it creates the metadata database and an admin, imports the
// bundle with `superset import-dashboards`, checks every dataset's declared
// columns against what its SQL returns, runs every chart's saved query
// through /api/v1/chart/<id>/data and compares its row count with Chart.Query
// through meshctl sql, and takes a screenshot of every dashboard in headless
// Chromium once its charts have rendered, failing on an error panel.
func interopSuperset(root string, w io.Writer) error {
	start := time.Now()
	venv, err := EnsureVenv(root, supersetTool)
	if err != nil {
		return err
	}
	chromium, err := findChromium()
	if err != nil {
		return err
	}
	node, err := ensureNodePackages(root, w, supersetTool)
	if err != nil {
		return err
	}
	// Fresh each run, kept afterwards when a check failed, for its logs.
	dir, err := interopRunDir(supersetTool)
	if err != nil {
		return err
	}
	shots, err := interopOutputDir(root, "superset-screenshots")
	if err != nil {
		return err
	}
	home, data := filepath.Join(dir, "home"), filepath.Join(dir, "mesh")
	for _, d := range []string{home, data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	amqpURL, err := interopVhost(supersetVhost)
	if err != nil {
		return err
	}
	// bin/ of the repository against the demo's own data directory.
	run := &InteropRun{Backend: "superset demo", DataDir: data, Bin: filepath.Join(root, "bin"), Env: []string{
		"MESH_DOTENV=off", "MESH_LOG_LEVEL=warn", "MESH_DEMO_SCALE=1",
		"MESH_DATA_DIR=" + data, "MESH_AMQP_URL=" + amqpURL,
		"MESH_CATALOG_NAME=mesh", "MESH_CATALOG=sqlite", "MESH_CATALOG_URI=" + filepath.Join(data, "catalog.db"),
		"MESH_WAREHOUSE=" + filepath.Join(data, "warehouse"),
		"MESH_BIN_DIR=" + filepath.Join(root, "bin"), "MESH_REPO_ROOT=" + root,
	}}
	t := time.Now()
	demoLog := filepath.Join(dir, "demo.log")
	if err := runLogged(root, demoLog, run.Env, supersetDemoTime, "go", "run", "mage.go", "demo"); err != nil {
		return fmt.Errorf("making the demo's data: %w", err)
	}
	// The demo's last step, meshctl publish, wrote the serving file and,
	// next to it, the bundle reading it: what a user runs.
	serving := filepath.Join(data, "serving", "mesh.duckdb")
	bundle := filepath.Join(data, "serving", DashboardsBundle)
	if _, err := os.Stat(bundle); err != nil {
		return fmt.Errorf("the demo's meshctl publish wrote no bundle: %w (log %s)", err, demoLog)
	}
	all, err := dashboards.LoadAll(root)
	if err != nil {
		return err
	}
	nCharts := 0
	for _, d := range all {
		nCharts += len(d.Charts)
	}
	fmt.Fprintf(w, "demo data in %s, its serving file and the bundle of %d dashboards (%d charts) ready in %s (log %s)\n",
		data, len(all), nCharts, time.Since(t).Round(time.Second), demoLog)
	t = time.Now()
	exp, err := newSupersetExpect(all, func(d *dashboards.Dashboard, c *dashboards.Chart) (int, error) {
		res, err := run.SQL("SELECT count(*) FROM (" + c.Query(d.Dataset(c.Dataset)) + ")")
		if err != nil {
			return 0, err
		}
		if len(res) != 2 || len(res[1]) != 1 {
			return 0, fmt.Errorf("counting its rows: unexpected result %v", res)
		}
		return strconv.Atoi(res[1][0])
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "every chart's rows counted with meshctl sql (Chart.Query) in %s\n", time.Since(t).Round(time.Second))
	expect := filepath.Join(dir, "expect.json")
	body, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(expect, body, 0o644); err != nil {
		return err
	}

	// A throwaway instance: its own metadata database, secret key and admin
	// password, none of which leave the run directory or reach the output.
	secret, password := randomToken(32), randomToken(16)
	config := filepath.Join(home, "superset_config.py")
	if err := os.WriteFile(config, []byte(supersetConfig(home, secret)), 0o600); err != nil {
		return err
	}
	env := append(venv.Env(),
		"SUPERSET_CONFIG_PATH="+config, "SUPERSET_HOME="+home, "FLASK_APP=superset",
		"PYTHONDONTWRITEBYTECODE=1", "MESH_SUPERSET_PASSWORD="+password,
	)
	t = time.Now()
	for _, step := range [][]string{
		{"db", "upgrade"},
		{"fab", "create-admin", "--username", "admin", "--firstname", "Mesh", "--lastname", "Admin", "--email", "admin@localhost", "--password", password},
		{"init"},
		{"import-dashboards", "-p", bundle, "-u", "admin"},
	} {
		log := filepath.Join(dir, "superset-"+step[0]+".log")
		if err := runLogged(dir, log, env, supersetStepLimit, venv.Bin("superset"), step...); err != nil {
			return fmt.Errorf("superset %s: %s", step[0], strings.ReplaceAll(err.Error(), password, "***"))
		}
	}
	fmt.Fprintf(w, "Superset %s: metadata database, admin and bundle imported in %s\n", dashboards.SupersetVersion, time.Since(t).Round(time.Second))

	t = time.Now()
	url, stop, err := startSuperset(dir, env, venv)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(w, "Superset serving on %s after %s\n", url, time.Since(t).Round(time.Second))

	t = time.Now()
	checkEnv := append(env, "MESH_SUPERSET_URL="+url)
	script := filepath.Join(root, InteropDir, supersetTool, "superset_check.py")
	if err := venv.Run(w, dir, checkEnv, "python", script, "--expect", expect, "--serving", serving); err != nil {
		return err
	}
	fmt.Fprintf(w, "datasets and chart data checked in %s\n", time.Since(t).Round(time.Second))

	t = time.Now()
	shot := exec.Command(node, filepath.Join(root, InteropDir, supersetTool, "screenshot.mjs"), "--expect", expect, "--out", shots)
	cache, err := InteropCache()
	if err != nil {
		return err
	}
	shot.Dir = filepath.Join(cache, "npm", supersetTool)
	shot.Env = append(os.Environ(), "MESH_SUPERSET_URL="+url, "MESH_SUPERSET_PASSWORD="+password, "MESH_CHROMIUM="+chromium,
		"NODE_PATH="+filepath.Join(shot.Dir, "node_modules"))
	shot.Stdout, shot.Stderr = w, w
	if err := shot.Run(); err != nil {
		return fmt.Errorf("screenshots of the dashboards: %w (Superset's log: %s)", err, filepath.Join(dir, "superset-server.log"))
	}
	fmt.Fprintf(w, "screenshots in %s (%s); interop:superset took %s\n", shots, time.Since(t).Round(time.Second), time.Since(start).Round(time.Second))
	return nil
}

// supersetConfig is superset_config.py of the throwaway instance: DuckDB is
// on Superset's unsafe-dialect list (it can read files), which this instance
// allows for its read-only serving file; CSRF is off since the check drives
// the API with a bearer token.
func supersetConfig(home, secret string) string {
	return fmt.Sprintf(`# Generated by interop:superset for a throwaway instance.
SECRET_KEY = %q
SQLALCHEMY_DATABASE_URI = "sqlite:///" + %q
PREVENT_UNSAFE_DB_CONNECTIONS = False
WTF_CSRF_ENABLED = False
FEATURE_FLAGS = {"TAGGING_SYSTEM": False}
`, secret, filepath.Join(home, "superset.db"))
}

// startSuperset starts Superset's web server on a free localhost port and
// waits for its health endpoint; stop ends it.
func startSuperset(dir string, env []string, venv Venv) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	log, err := os.Create(filepath.Join(dir, "superset-server.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(venv.Bin("superset"), "run", "-h", "127.0.0.1", "-p", fmt.Sprint(port), "--with-threads")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		log.Close()
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(context.Background(), supersetStartLimit)
	defer cancel()
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, stop, nil
			}
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(time.Second)
	}
	stop()
	out, _ := os.ReadFile(log.Name())
	return "", nil, fmt.Errorf("superset run did not answer %s/health within %s:\n%s", url, supersetStartLimit, lastLines(string(out), 15))
}

// findChromium returns the Chromium binary of the screenshots.
func findChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium not found: install it (Debian: apt-get install -y chromium) or set %s", EnvChromium)
}

// ensureNodePackages installs internal/interop/<tool>/package-lock.json with
// npm ci into <interop cache>/npm/<tool> once per lock, and returns node.
func ensureNodePackages(root string, w io.Writer, tool string) (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("node not found: install Node.js 18 or newer (Debian: apt-get install -y nodejs npm)")
	}
	src := filepath.Join(root, InteropDir, tool)
	lock, err := os.ReadFile(filepath.Join(src, "package-lock.json"))
	if err != nil {
		return "", err
	}
	pkg, err := os.ReadFile(filepath.Join(src, "package.json"))
	if err != nil {
		return "", err
	}
	cache, err := InteropCache()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "npm", tool)
	sum := sha256.Sum256(append(pkg, lock...))
	marker := filepath.Join(dir, ".mesh-complete-"+hex.EncodeToString(sum[:6]))
	if _, err := os.Stat(marker); err == nil {
		return node, nil
	}
	unlock, err := lockCache(dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(marker); err == nil {
		return node, nil // another run installed them meanwhile
	}
	fmt.Fprintf(w, "installing %s's npm packages from its package-lock.json into %s...\n", tool, dir)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for name, data := range map[string][]byte{"package.json": pkg, "package-lock.json": lock} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %w", dir, err)
	}
	return node, os.WriteFile(marker, nil, 0o644)
}

// randomToken is a random hex string of n bytes.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
