package magekit

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// Backends of an interop run.
const (
	BackendEmbedded      = "embedded"       // SQLite catalog, local warehouse directory
	BackendPostgresMinIO = "postgres-minio" // PostgreSQL catalog, MinIO warehouse
)

// interopUntil pins the end of every burst, so the same seeds give the same
// history whenever the checks run.
const interopUntil = "2026-11-20T00:00:00Z"

// interopCorrections is how many events of each event type and region are
// published again with a newer event_ts, so that the incremental facts merge
// rows whose key they already hold.
const interopCorrections = 40

// InteropRun is a fixed-seed run of every domain on one backend, with late
// events and corrections merged into the incremental models: the data the
// interop checks read with the real tools.
type InteropRun struct {
	Backend string
	// Env holds the MESH_* variables that point bin/* and bin/meshctl at this run.
	Env     []string
	DataDir string
	Bin     string
	// CatalogURI is the SQLite file or the postgres:// DSN of the Iceberg catalog.
	CatalogURI string
	// Warehouse is a local directory or s3://bucket/prefix.
	Warehouse                                      string
	S3Endpoint, S3Region, S3AccessKey, S3SecretKey string

	closers []func()
}

// Close stops the servers the run started (MinIO).
func (r *InteropRun) Close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

// Run runs a binary of bin/ against this run, output to w.
func (r *InteropRun) Run(w io.Writer, name string, args ...string) error {
	cmd := exec.Command(filepath.Join(r.Bin, name), args...)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.Env = append(os.Environ(), r.Env...)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s (%s run): %w", name, strings.Join(args, " "), r.Backend, err)
	}
	return nil
}

// SQL runs a query with bin/meshctl against this run and returns its rows
// as CSV records, the header first.
func (r *InteropRun) SQL(query string) ([][]string, error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(filepath.Join(r.Bin, "meshctl"), "sql", "--format", "csv", query)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = append(os.Environ(), r.Env...)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("meshctl sql (%s run): %w: %s\nquery: %s", r.Backend, err, strings.TrimSpace(errOut.String()), query)
	}
	return parseCSV(out.Bytes())
}

var (
	interopRunsMu sync.Mutex
	interopRuns   = map[string]*InteropRun{}
	binBuilt      bool
)

// PrepareInteropRun returns the fixed-seed run of every domain on backend,
// making it the first time it is asked for in this process: it builds bin/,
// then for every domain in dependency order publishes a burst of each event
// type, ingests it and runs dbt build; then publishes late events (a second
// run over the same window) and corrections (events re-published with a
// newer event_ts), ingests and builds again, so every incremental model has
// merged rows by key. CloseInteropRuns stops what the runs started.
func PrepareInteropRun(root string, w io.Writer, backend string) (*InteropRun, error) {
	interopRunsMu.Lock()
	defer interopRunsMu.Unlock()
	if r, ok := interopRuns[backend]; ok {
		return r, nil
	}
	start := time.Now()
	if !binBuilt {
		if err := buildBinaries(root, w); err != nil {
			return nil, err
		}
		binBuilt = true
	}
	r, err := newInteropRun(root, backend)
	if err != nil {
		return nil, err
	}
	if err := r.populate(root, w); err != nil {
		r.Close()
		return nil, err
	}
	interopRuns[backend] = r
	fmt.Fprintf(w, "interop data (%s) ready in %s: %s\n", backend, time.Since(start).Round(time.Second), r.DataDir)
	return r, nil
}

// CloseInteropRuns stops the servers of every prepared run, then removes
// what this process's checks made (cleanupInteropRun): their virtual hosts
// and databases, and their run directories unless keep.
func CloseInteropRuns(w io.Writer, keep bool) {
	interopRunsMu.Lock()
	defer interopRunsMu.Unlock()
	for k, r := range interopRuns {
		r.Close()
		delete(interopRuns, k)
	}
	cleanupInteropRun(w, keep)
}

// buildBinaries builds every domain binary and meshctl into <root>/bin.
func buildBinaries(root string, w io.Writer) error {
	ds, err := domainspec.LoadAll(root)
	if err != nil {
		return err
	}
	pkgs := []string{"./platform/cmd/meshctl"}
	for _, d := range ds {
		pkgs = append(pkgs, "./"+d.Dir+"/cmd/"+d.Name)
	}
	fmt.Fprintf(w, "building %d binaries into bin/\n", len(pkgs))
	cmd := exec.Command("go", append([]string{"build", "-o", filepath.Join(root, "bin") + string(os.PathSeparator)}, pkgs...)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, w, w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building bin/: %w", err)
	}
	return nil
}

func newInteropRun(root, backend string) (*InteropRun, error) {
	// A fresh directory each time: the figures compared are those of this run.
	dir, err := interopRunDir(backend)
	if err != nil {
		return nil, err
	}
	r := &InteropRun{Backend: backend, Bin: filepath.Join(root, "bin"), DataDir: dir}
	amqpURL, err := interopVhost("mesh-interop-" + backend)
	if err != nil {
		return nil, err
	}
	r.Env = []string{
		"MESH_DOTENV=off", "MESH_LOG_LEVEL=warn", "MESH_DATA_DIR=" + r.DataDir, "MESH_AMQP_URL=" + amqpURL,
		"MESH_CATALOG_NAME=mesh",
		// The checks compare every column, PII included, with what other
		// readers see, and replay corrections of real customer ids.
		"MESH_ROLE=pii-reader",
		// meshctl reads the PII declarations wherever a reader runs it from.
		"MESH_REPO_ROOT=" + root,
	}
	switch backend {
	case BackendEmbedded:
		r.CatalogURI = filepath.Join(r.DataDir, "catalog.db")
		r.Warehouse = filepath.Join(r.DataDir, "warehouse")
		r.Env = append(r.Env, "MESH_CATALOG=sqlite", "MESH_CATALOG_URI="+r.CatalogURI, "MESH_WAREHOUSE="+r.Warehouse)
	case BackendPostgresMinIO:
		dsn, err := freshPostgresDatabase("mesh_interop")
		if err != nil {
			return nil, err
		}
		r.CatalogURI = dsn
		if err := r.startMinIO(); err != nil {
			return nil, err
		}
		r.Warehouse = "s3://interop/mesh"
		r.Env = append(r.Env, "MESH_CATALOG=postgres", "MESH_CATALOG_URI="+r.CatalogURI, "MESH_WAREHOUSE="+r.Warehouse,
			"MESH_S3_ENDPOINT="+r.S3Endpoint, "MESH_S3_REGION="+r.S3Region,
			"MESH_S3_ACCESS_KEY_ID="+r.S3AccessKey, "MESH_S3_SECRET_ACCESS_KEY="+r.S3SecretKey)
	default:
		return nil, fmt.Errorf("interop backend %q: want %s or %s", backend, BackendEmbedded, BackendPostgresMinIO)
	}
	return r, nil
}

// interopVhost returns the URL of a RabbitMQ virtual host of this run's own
// (name and the run id), so the run's queues never mix with a demo's,
// another check's or another run's; it is created empty and deleted when the
// run ends. Without a local rabbitmqctl it uses MESH_AMQP_URL or the default.
func interopVhost(name string) (string, error) {
	base := os.Getenv("MESH_AMQP_URL")
	if base == "" {
		base = "amqp://guest:guest@127.0.0.1:5672/"
	}
	ctl, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		return base, nil
	}
	vhost := interopVhostName(name)
	_ = exec.Command(ctl, "delete_vhost", vhost).Run()
	interopMade.Lock()
	if !slices.Contains(interopMade.vhosts, vhost) {
		interopMade.vhosts = append(interopMade.vhosts, vhost)
	}
	interopMade.Unlock()
	for _, args := range [][]string{{"add_vhost", vhost}, {"set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"}} {
		if out, err := exec.Command(ctl, args...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("rabbitmqctl %s: %w: %s", strings.Join(args, " "), err, out)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("MESH_AMQP_URL: %w", err)
	}
	u.Path = "/" + url.PathEscape(vhost)
	return u.String(), nil
}

// freshPostgresDatabase creates a database of this run's own (prefix and the
// run id) on the test PostgreSQL (MESH_TEST_POSTGRES_DSN, else the local
// server as postgres), dropped when the run ends, and returns its DSN.
func freshPostgresDatabase(prefix string) (string, error) {
	base := os.Getenv("MESH_TEST_POSTGRES_DSN")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	name := interopDatabaseName(prefix)
	interopMade.Lock()
	interopMade.databases = append(interopMade.databases, base+"\x00"+name)
	interopMade.Unlock()
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if out, err := exec.Command("psql", base, "-v", "ON_ERROR_STOP=1", "-q", "-c", stmt).CombinedOutput(); err != nil {
			return "", fmt.Errorf("psql %q on the test PostgreSQL: %w: %s", stmt, err, out)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("MESH_TEST_POSTGRES_DSN: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// startMinIO starts a private MinIO server for the run with random
// credentials, and waits until it answers.
func (r *InteropRun) startMinIO() error {
	bin, err := EnsureMinIO()
	if err != nil {
		return err
	}
	ports := make([]int, 2)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	secret := make([]byte, 12)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	r.S3AccessKey, r.S3SecretKey, r.S3Region = "interop", hex.EncodeToString(secret), "us-east-1"
	r.S3Endpoint = "http://127.0.0.1:" + strconv.Itoa(ports[0])
	dir := filepath.Join(r.DataDir, "minio")
	cmd := exec.Command(bin, "server", dir, "--address", "127.0.0.1:"+strconv.Itoa(ports[0]), "--console-address", "127.0.0.1:"+strconv.Itoa(ports[1]), "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+r.S3AccessKey, "MINIO_ROOT_PASSWORD="+r.S3SecretKey, "MINIO_BROWSER=off")
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting MinIO: %w", err)
	}
	r.closers = append(r.closers, func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if !waitFor("127.0.0.1:"+strconv.Itoa(ports[0]), 60*time.Second) {
		return fmt.Errorf("MinIO did not listen on %s within 60s", r.S3Endpoint)
	}
	return nil
}

// populate runs every domain twice: a history, then late events and corrections.
func (r *InteropRun) populate(root string, w io.Writer) error {
	all, err := domainspec.LoadAll(root)
	if err != nil {
		return err
	}
	ds, err := domainspec.Ordered(all)
	if err != nil {
		return err
	}
	for _, d := range ds {
		fmt.Fprintf(w, "  %s (%s): history\n", d.Name, r.Backend)
		if err := r.Run(io.Discard, d.Name, "setup", "--purge"); err != nil {
			return err
		}
		for _, ev := range d.Events {
			if err := r.Run(io.Discard, d.Name, "produce", "--event", ev.Name, "--region", "all", "--burst", strconv.Itoa(interopBurst(ev)),
				"--since", "7d", "--until", interopUntil); err != nil {
				return err
			}
			if err := r.Run(io.Discard, d.Name, "ingest", "--event", ev.Name, "--region", "all", "--until-idle", "--quiet"); err != nil {
				return err
			}
		}
		if err := r.Run(io.Discard, d.Name, "transform", "build"); err != nil {
			return err
		}
	}
	for _, d := range ds {
		fmt.Fprintf(w, "  %s (%s): late events and corrections, merged\n", d.Name, r.Backend)
		for _, ev := range d.Events {
			if err := r.Run(io.Discard, d.Name, "produce", "--event", ev.Name, "--region", "all", "--burst", strconv.Itoa(interopBurst(ev)/4),
				"--since", "7d", "--until", interopUntil, "--run", "1"); err != nil {
				return err
			}
			if err := r.replayCorrections(root, d, ev); err != nil {
				return err
			}
			if err := r.Run(io.Discard, d.Name, "ingest", "--event", ev.Name, "--region", "all", "--until-idle", "--quiet"); err != nil {
				return err
			}
		}
		if err := r.Run(io.Discard, d.Name, "transform", "build"); err != nil {
			return err
		}
	}
	return nil
}

// interopBurst is a quarter of the demo's events per region: enough for
// several files and partitions per table, quick to make.
func interopBurst(ev domainspec.Event) int {
	n := 2500
	if ev.DemoBurst > 0 {
		n = ev.DemoBurst
	}
	return max(n/4, 40)
}

// replayCorrections publishes again, per region, interopCorrections events of
// the raw table with a new event_id and an event_ts one minute later: a
// correction of the same entity that the facts must merge by key.
func (r *InteropRun) replayCorrections(root string, d *domainspec.Domain, ev domainspec.Event) error {
	fields, err := contractFields(filepath.Join(root, d.Dir, ev.Contract))
	if err != nil {
		return err
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	cols := make([]string, len(names))
	for i, name := range names {
		switch {
		case name == "event_id":
			cols[i] = "CAST(uuid() AS VARCHAR) AS event_id"
		case name == "event_ts":
			cols[i] = "strftime(event_ts + INTERVAL 1 MINUTE, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_ts"
		case fields[name] == "date-time":
			cols[i] = fmt.Sprintf("strftime(%s, '%%Y-%%m-%%dT%%H:%%M:%%S.%%fZ') AS %s", name, name)
		default:
			cols[i] = fmt.Sprintf("CAST(%s AS VARCHAR) AS %s", name, name)
		}
	}
	for _, region := range d.Regions {
		rows, err := r.SQL(fmt.Sprintf("SELECT %s FROM %s.%s WHERE region = '%s' ORDER BY event_id LIMIT %d",
			strings.Join(cols, ", "), d.Name, ev.RawTable, region, interopCorrections))
		if err != nil {
			return err
		}
		path := filepath.Join(r.DataDir, fmt.Sprintf("corrections-%s-%s.csv", ev.Name, region))
		if err := writeCSV(path, rows); err != nil {
			return err
		}
		if err := r.Run(io.Discard, d.Name, "produce", "--event", ev.Name, "--region", region, "--replay", path); err != nil {
			return err
		}
	}
	return nil
}

// contractFields reads the property names of a contract (JSON Schema) with
// their "format" ("date-time", "uuid", or "").
func contractFields(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var schema struct {
		Properties map[string]struct {
			Format string `json:"format"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(map[string]string, len(schema.Properties))
	for name, p := range schema.Properties {
		out[name] = p.Format
	}
	return out, nil
}

func parseCSV(data []byte) ([][]string, error) {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading meshctl's CSV: %w", err)
	}
	return rows, nil
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}
