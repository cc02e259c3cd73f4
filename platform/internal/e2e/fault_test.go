package e2e

// Fault tests: the orders binary against servers and disks that fail under it.
// Each fault hits a private server or file system of the test (a PostgreSQL
// cluster of its own, a MinIO of its own, a tmpfs), never the shared ones, so
// these tests run side by side with every other module's.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/internal/testenv"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/query"
)

const (
	faultEvent  = "orders"
	faultRegion = "us-east"
	faultTable  = "orders.raw_orders"
)

var (
	ordersOnce sync.Once
	ordersBin  string
	ordersErr  error
)

// buildOrders builds the orders binary once per test process.
func buildOrders(t *testing.T) string {
	t.Helper()
	ordersOnce.Do(func() {
		root, err := filepath.Abs(filepath.Join("..", "..", ".."))
		if err != nil {
			ordersErr = err
			return
		}
		dir, err := os.MkdirTemp("", "mesh-fault-bin-*")
		if err != nil {
			ordersErr = err
			return
		}
		registerCleanup(func() { os.RemoveAll(dir) })
		ordersBin = filepath.Join(dir, "orders")
		cmd := exec.Command("go", "build", "-o", ordersBin, "./domains/orders/cmd/orders")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			ordersErr = fmt.Errorf("building orders: %v: %s", err, out)
		}
	})
	require.NoError(t, ordersErr)
	return ordersBin
}

// faultRig runs the orders binary with a private vhost and data directory
// plus the given settings.
type faultRig struct {
	t   *testing.T
	bin string
	env map[string]string
}

func newFaultRig(t *testing.T, extra map[string]string) *faultRig {
	env := map[string]string{
		config.EnvAMQPURL: testenv.AMQPVhost(t), config.EnvDataDir: t.TempDir(),
		config.EnvDotEnv: "off", config.EnvLogLevel: "warn",
	}
	for k, v := range extra {
		env[k] = v
	}
	return &faultRig{t: t, bin: buildOrders(t), env: env}
}

func (r *faultRig) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Env = os.Environ()
	for k, v := range r.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

func (r *faultRig) run(args ...string) string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd, stdout, stderr := r.command(ctx, args...)
	require.NoError(r.t, cmd.Run(), "orders %v\n%s\n%s", args, stdout, stderr)
	return stdout.String()
}

// count runs a query returning one integer; it returns an error instead of
// failing while a server is down.
func (r *faultRig) count(sql string) (int64, error) {
	cfg := config.FromLookup(func(k string) (string, string, bool) { v, ok := r.env[k]; return v, "test", ok })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lh, err := mesh.New(cfg, os.Stderr).OpenLakehouse(ctx)
	if err != nil {
		return 0, err
	}
	defer lh.Close()
	eng, err := query.NewEngine(ctx, lh, query.Config{})
	if err != nil {
		return 0, err
	}
	defer eng.Close()
	res, err := eng.Query(ctx, sql)
	if err != nil {
		return 0, err
	}
	if len(res.Rows) != 1 {
		return 0, fmt.Errorf("%s: %d rows", sql, len(res.Rows))
	}
	switch v := res.Rows[0][0].(type) {
	case int64:
		return v, nil
	default:
		return 0, fmt.Errorf("%s: want an integer, got %T", sql, v)
	}
}

func (r *faultRig) mustCount(sql string) int64 {
	r.t.Helper()
	n, err := r.count(sql)
	require.NoError(r.t, err, sql)
	return n
}

// waitRows waits until the raw table holds more than n rows.
func (r *faultRig) waitRows(n int64, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if got, err := r.count("SELECT count(*) FROM " + faultTable); err == nil && got > n {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	r.t.Fatalf("%s did not exceed %d rows within %s", faultTable, n, within)
}

// streamThrough runs a live producer (500 events/s) and an ingester (batches
// of 100: five commits a second, so the fault hits one), calls fault once
// 1,000 rows are committed,
// waits for 1,000 more, stops both with SIGTERM and drains the queue. Every
// published event must be in the raw table exactly once.
func (r *faultRig) streamThrough(fault func()) {
	t := r.t
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	r.run("setup")
	prod, prodOut, prodErr := r.command(ctx, "produce", "--event", faultEvent, "--region", faultRegion, "--live", "--interval", "20ms", "--per-tick", "10")
	require.NoError(t, prod.Start())
	ing, _, ingErr := r.command(ctx, "ingest", "--event", faultEvent, "--region", faultRegion, "--batch-size", "100", "--quiet")
	require.NoError(t, ing.Start())
	r.waitRows(1000, 60*time.Second)
	fault()
	before, err := r.count("SELECT count(*) FROM " + faultTable)
	require.NoError(t, err, "the table must be readable once the server is back")
	r.waitRows(before+1000, 90*time.Second) // commits resume
	require.NoError(t, prod.Process.Signal(syscall.SIGTERM))
	require.NoError(t, prod.Wait(), "the producer exits 0 on SIGTERM\n%s", prodErr)
	published, valid := domaintest.Produced(t, prodOut.String())
	require.Equal(t, published, valid)
	require.NoError(t, ing.Process.Signal(syscall.SIGTERM))
	require.NoError(t, ing.Wait(), "the ingester survives the fault and exits 0 on SIGTERM\n%s", ingErr)
	r.run("ingest", "--event", faultEvent, "--region", faultRegion, "--until-idle", "--quiet")
	t.Logf("published %d events across the fault, %d commits retried; the test took %s",
		published, strings.Count(ingErr.String(), "commit failed, retrying"), time.Since(start).Round(time.Second))
	assert.Equal(t, int64(published), r.mustCount("SELECT count(DISTINCT event_id) FROM "+faultTable), "distinct event_ids")
	assert.Equal(t, int64(published), r.mustCount("SELECT count(*) FROM "+faultTable), "rows")
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// privatePostgres creates and starts a PostgreSQL cluster of the test's own
// (Debian's pg_createcluster, trust authentication on loopback) and returns
// its version, name and DSN; the cluster is dropped at the end of the test.
func privatePostgres(t *testing.T) (version, name, dsn string) {
	t.Helper()
	if _, err := exec.LookPath("pg_createcluster"); err != nil || os.Geteuid() != 0 {
		testenv.Unavailable(t, "a private PostgreSQL cluster", "needs root and Debian's pg_createcluster")
	}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(versions) == 0 {
		testenv.Unavailable(t, "PostgreSQL", "no /usr/lib/postgresql/<version>/bin/postgres")
	}
	version = filepath.Base(filepath.Dir(filepath.Dir(versions[len(versions)-1])))
	name = fmt.Sprintf("meshfault_%d", os.Getpid())
	port := freePort(t)
	out, err := exec.Command("pg_createcluster", version, name, "--port", strconv.Itoa(port), "--start", "--",
		"--auth-host=trust", "--auth-local=trust").CombinedOutput()
	require.NoError(t, err, "pg_createcluster: %s", out)
	t.Cleanup(func() { _ = exec.Command("pg_dropcluster", "--stop", version, name).Run() })
	return version, name, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// TestFaultPostgresRestartDuringCommits restarts the PostgreSQL catalog while
// an ingester commits a live stream: nothing is lost or duplicated and the
// same ingester commits again once the catalog is back.
func TestFaultPostgresRestartDuringCommits(t *testing.T) {
	version, name, dsn := privatePostgres(t)
	r := newFaultRig(t, map[string]string{config.EnvCatalog: config.CatalogPostgres, config.EnvCatalogURI: dsn})
	r.streamThrough(func() {
		start := time.Now()
		out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart").CombinedOutput()
		require.NoError(t, err, "pg_ctlcluster restart: %s", out)
		t.Logf("PostgreSQL restarted in %s", time.Since(start).Round(10*time.Millisecond))
	})
}

// minioServer is a MinIO of the test's own that can be stopped and started
// again on the same port and data directory.
type minioServer struct {
	t        *testing.T
	bin, dir string
	addr     string
	cmd      *exec.Cmd
}

const (
	faultS3User   = "meshfault"
	faultS3Secret = "meshfault-secret"
)

func startPrivateMinIO(t *testing.T) *minioServer {
	t.Helper()
	bin, err := testenv.MinIOBinary()
	if err != nil {
		testenv.Unavailable(t, "MinIO", err.Error())
	}
	m := &minioServer{t: t, bin: bin, dir: t.TempDir(), addr: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	m.start()
	t.Cleanup(m.stop)
	return m
}

func (m *minioServer) start() {
	m.t.Helper()
	m.cmd = exec.Command(m.bin, "server", m.dir, "--address", m.addr, "--console-address", fmt.Sprintf("127.0.0.1:%d", freePort(m.t)), "--quiet")
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+faultS3User, "MINIO_ROOT_PASSWORD="+faultS3Secret, "MINIO_BROWSER=off")
	require.NoError(m.t, m.cmd.Start())
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + m.addr + "/minio/health/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.t.Fatalf("minio on %s did not become ready in 30s", m.addr)
}

func (m *minioServer) stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Signal(syscall.SIGTERM)
		_ = m.cmd.Wait()
		m.cmd = nil
	}
}

// TestFaultMinIORestartDuringWrites restarts the object store holding the
// warehouse while an ingester writes a live stream into it: nothing is lost
// or duplicated and the same ingester writes again once MinIO is back.
func TestFaultMinIORestartDuringWrites(t *testing.T) {
	m := startPrivateMinIO(t)
	r := newFaultRig(t, map[string]string{
		config.EnvWarehouse: "s3://meshfault/warehouse", config.EnvS3Endpoint: "http://" + m.addr, config.EnvS3Region: "us-east-1",
		config.EnvS3AccessKeyID: faultS3User, config.EnvS3SecretKey: faultS3Secret,
	})
	r.streamThrough(func() {
		start := time.Now()
		m.stop()
		time.Sleep(500 * time.Millisecond) // down long enough for a commit to hit it, shorter than the ingester's retries
		m.start()
		t.Logf("MinIO restarted in %s", time.Since(start).Round(10*time.Millisecond))
	})
}

// TestFaultKillTransformMidBuild kills `orders transform build` with SIGKILL
// in the middle of the first build of a model: after its table was created
// (under its staging name) and before its rows were committed and it was
// renamed into place. No model is visible half-written or empty (each table
// holds all its rows or does not exist), and the next build removes the
// staging table and converges to the known answer.
// It runs on both catalogs: SQLite, and a database of its own on the test
// PostgreSQL (the catalog server itself suffers no fault).
func TestFaultKillTransformMidBuild(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { killTransformMidBuild(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		killTransformMidBuild(t, map[string]string{config.EnvCatalog: config.CatalogPostgres, config.EnvCatalogURI: testenv.FreshPostgresDatabase(t)})
	})
}

func killTransformMidBuild(t *testing.T, catalog map[string]string) {
	start := time.Now()
	r := newFaultRig(t, catalog)
	out := r.run("produce", "--event", faultEvent, "--region", faultRegion, "--burst", "20000", "--since", "5d", "--until", until)
	published, valid := domaintest.Produced(t, out)
	require.Equal(t, published, valid)
	r.run("ingest", "--event", faultEvent, "--region", faultRegion, "--until-idle", "--quiet")
	want := int64(published) // one order line per event, no duplicates
	require.Equal(t, want, r.mustCount("SELECT count(*) FROM "+faultTable))
	lh := r.lakehouse()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build, _, buildErr := r.command(ctx, "transform", "build")
	require.NoError(t, build.Start())
	exited := make(chan error, 1)
	go func() { exited <- build.Wait() }()
	// Once fact_orders' staging table shows, SIGSTOP freezes the build so
	// that the state checked is the state it dies in: a staging table whose
	// model does not exist yet is a first build caught between creating its
	// table and publishing its rows. Otherwise (the rename came first) the
	// build goes on. fact_orders is the model with the most rows, built
	// after stg_orders, which must then be visible and complete.
	victim := lakehouse.Ident{Namespace: "orders", Name: "fact_orders"}
	tries := 0
	for caught := false; !caught; {
		select {
		case err := <-exited:
			t.Fatalf("the build ended before the first build of %s was caught (%d tries; err %v): make the input larger\n%s", victim, tries, err, buildErr)
		case <-time.After(5 * time.Millisecond):
		}
		if staged, err := stagingTables(lh); err != nil || !slices.Contains(staged, lakehouse.StagingIdent(victim)) {
			continue
		}
		tries++
		require.NoError(t, build.Process.Signal(syscall.SIGSTOP))
		if caught = firstBuildUnderWay(lh, victim); !caught {
			require.NoError(t, build.Process.Signal(syscall.SIGCONT))
		}
	}
	require.NoError(t, build.Process.Signal(syscall.SIGKILL))
	require.Error(t, <-exited, "the build was killed")
	t.Logf("killed during the first build of %s (frozen %d time(s) to catch it)", victim, tries)

	infos, err := lh.Tables(context.Background())
	require.NoError(t, err)
	var visible []string
	for _, info := range infos {
		visible = append(visible, info.Ident.String())
		assert.NotZero(t, info.SnapshotID, "%s is visible without any data committed", info.Ident)
	}
	assert.NotContains(t, visible, victim.String(), "the model killed mid-build is not listed")
	require.Contains(t, visible, "orders.stg_orders", "built before fact_orders")
	assert.Equal(t, want, r.mustCount("SELECT count(*) FROM orders.stg_orders"), "stg_orders is complete")
	_, err = r.count("SELECT count(*) FROM " + victim.String())
	assert.Error(t, err, "the model killed mid-build cannot be queried")
	t.Logf("visible after the kill: %s", strings.Join(visible, ", "))

	out = r.run("transform", "build")
	assert.Contains(t, out, "ERROR=0 FAIL=0")
	staged, err := stagingTables(lh)
	require.NoError(t, err)
	assert.Empty(t, staged, "the next build removed the staging table")
	assert.Equal(t, want, r.mustCount("SELECT count(*) FROM orders.stg_orders"))
	assert.Equal(t, want, r.mustCount("SELECT count(*) FROM orders.fact_orders"))
	assert.Equal(t, want, r.mustCount("SELECT count(DISTINCT order_id) FROM orders.fact_orders"))
	t.Logf("killed mid-build, rebuilt to %d order lines; the test took %s", want, time.Since(start).Round(time.Second))
}

// lakehouse opens the rig's lakehouse for the rest of the test.
func (r *faultRig) lakehouse() *lakehouse.Lakehouse {
	r.t.Helper()
	cfg := config.FromLookup(func(k string) (string, string, bool) { v, ok := r.env[k]; return v, "test", ok })
	lh, err := mesh.New(cfg, os.Stderr).OpenLakehouse(context.Background())
	require.NoError(r.t, err)
	r.t.Cleanup(func() { lh.Close() })
	return lh
}

// stagingTables lists the catalog's staging tables (lakehouse.StageTable),
// which Lakehouse.Tables leaves out.
func stagingTables(lh *lakehouse.Lakehouse) ([]lakehouse.Ident, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	nss, err := lh.Catalog().ListNamespaces(ctx, nil)
	if err != nil {
		return nil, err
	}
	var out []lakehouse.Ident
	for _, ns := range nss {
		for ident, err := range lh.Catalog().ListTables(ctx, ns) {
			if err != nil {
				return nil, err
			}
			if id := (lakehouse.Ident{Namespace: ident[0], Name: ident[len(ident)-1]}); lakehouse.IsStaging(id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// firstBuildUnderWay reports whether the staging table of model exists while
// the model itself does not: its first build is under way (false also when
// the catalog cannot be read while the build is frozen: the caller lets it go
// on and looks again).
func firstBuildUnderWay(lh *lakehouse.Lakehouse, model lakehouse.Ident) bool {
	staged, err := stagingTables(lh)
	if err != nil || !slices.Contains(staged, lakehouse.StagingIdent(model)) {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	exists, err := lh.TableExists(ctx, model)
	return err == nil && !exists
}

// TestFaultDiskFull ingests into a local warehouse on a small tmpfs that
// fills up: the ingester fails with an error naming the path, nothing it
// acknowledged is missing, and once space is freed the queue drains into the
// table exactly once.
func TestFaultDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Unavailable(t, "a tmpfs mount", "needs root")
	}
	start := time.Now()
	mnt := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt).CombinedOutput()
	if err != nil {
		testenv.Unavailable(t, "a tmpfs mount", strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", mnt).Run() })
	warehouse := filepath.Join(mnt, "warehouse")
	r := newFaultRig(t, map[string]string{config.EnvWarehouse: warehouse})
	r.run("setup")
	published, valid := domaintest.Produced(t, r.run("produce", "--event", faultEvent, "--region", faultRegion, "--burst", "40000", "--since", "5d", "--until", until))
	require.Equal(t, published, valid)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A full disk does not empty itself: a short retry budget ends the ingester soon.
	ing, _, ingErr := r.command(ctx, "ingest", "--event", faultEvent, "--region", faultRegion, "--until-idle", "--batch-size", "2000", "--commit-retry-for", "2s")
	err = ing.Run()
	require.Error(t, err, "1 MB cannot hold %d events", published)
	msg := ingErr.String()
	t.Logf("the ingester's error: %s", lastLines(msg, 1))
	assert.Contains(t, msg, "no space left on device")
	assert.Contains(t, lastLines(msg, 1), warehouse, "the final error names the path")

	committed := r.mustCount("SELECT count(*) FROM " + faultTable)
	t.Logf("%d of %d events committed before the disk filled", committed, published)

	out, err = exec.Command("mount", "-o", "remount,size=512m", mnt).CombinedOutput()
	require.NoError(t, err, "remount: %s", out)
	drained := r.run("ingest", "--event", faultEvent, "--region", faultRegion, "--until-idle")
	t.Logf("after freeing space: %s", lastLines(drained, 2))
	assert.Equal(t, int64(published), r.mustCount("SELECT count(DISTINCT event_id) FROM "+faultTable), "distinct event_ids")
	assert.Equal(t, int64(published), r.mustCount("SELECT count(*) FROM "+faultTable), "rows")
	t.Logf("the test took %s", time.Since(start).Round(time.Second))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
