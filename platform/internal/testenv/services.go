package testenv

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Environment variables read by this package.
const (
	EnvCI             = "CI"
	EnvAMQPURL        = "MESH_TEST_AMQP_URL"
	EnvPostgresDSN    = "MESH_TEST_POSTGRES_DSN"
	EnvS3Endpoint     = "MESH_TEST_S3_ENDPOINT"
	EnvS3AccessKey    = "MESH_TEST_S3_ACCESS_KEY"
	EnvS3SecretKey    = "MESH_TEST_S3_SECRET_KEY"
	EnvS3Region       = "MESH_TEST_S3_REGION"
	EnvMinIOBinary    = "MESH_MINIO_BIN"
	defaultAMQPURL    = "amqp://guest:guest@127.0.0.1:5672/"
	defaultPostgreDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// InCI reports whether tests run under CI, where missing services fail tests.
func InCI() bool {
	v := strings.ToLower(os.Getenv(EnvCI))
	return v == "true" || v == "1" || v == "yes"
}

// Unavailable skips t outside CI and fails it under CI.
func Unavailable(t testing.TB, service, why string) {
	t.Helper()
	msg := fmt.Sprintf("%s is not available (%s)", service, why)
	if InCI() {
		t.Fatalf("%s; under CI=true every service must run: start it (see .ci/run)", msg)
	}
	t.Skipf("%s; skipping outside CI", msg)
}

func getenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func dialable(hostport string) error {
	c, err := net.DialTimeout("tcp", hostport, 2*time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// AMQPURL returns the URL of a reachable RabbitMQ.
func AMQPURL(t testing.TB) string {
	t.Helper()
	raw := getenv(EnvAMQPURL, defaultAMQPURL)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", EnvAMQPURL, err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5672")
	}
	if err := dialable(host); err != nil {
		Unavailable(t, "RabbitMQ at "+host, err.Error())
	}
	return raw
}

// PostgresDSN returns the DSN of a reachable PostgreSQL server.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := getenv(EnvPostgresDSN, defaultPostgreDSN)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgresDSN, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		Unavailable(t, "PostgreSQL", err.Error())
	}
	return dsn
}

// FreshPostgresDatabase creates an empty database for the test and returns its DSN.
// The database is dropped when the test ends.
func FreshPostgresDatabase(t testing.TB) string {
	t.Helper()
	dsn := PostgresDSN(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("mesh_test_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// S3Server describes a reachable S3-compatible endpoint.
type S3Server struct {
	Endpoint  string // http://host:port
	AccessKey string
	SecretKey string
	Region    string
}

var (
	minioOnce   sync.Once
	minioServer S3Server
	minioErr    error
)

// S3 returns a reachable S3 server: the one named by MESH_TEST_S3_ENDPOINT, or a
// private MinIO started from the minio binary for this test process.
func S3(t testing.TB) S3Server {
	t.Helper()
	if ep := os.Getenv(EnvS3Endpoint); ep != "" {
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" {
			t.Fatalf("%s=%q is not a URL like http://127.0.0.1:9000", EnvS3Endpoint, ep)
		}
		if err := dialable(u.Host); err != nil {
			Unavailable(t, "S3 at "+ep, err.Error())
		}
		return S3Server{
			Endpoint:  ep,
			AccessKey: getenv(EnvS3AccessKey, "minioadmin"),
			SecretKey: getenv(EnvS3SecretKey, "minioadmin"),
			Region:    getenv(EnvS3Region, "us-east-1"),
		}
	}
	minioOnce.Do(func() { minioServer, minioErr = startMinIO() })
	if minioErr != nil {
		Unavailable(t, "MinIO", minioErr.Error())
	}
	return minioServer
}

// MinIOBinary finds the minio server binary: $MESH_MINIO_BIN, PATH, or GOPATH/bin.
func MinIOBinary() (string, error) {
	if p := os.Getenv(EnvMinIOBinary); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", "minio")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no minio binary on PATH or in %s (build it: go run mage.go deps:minio)", filepath.Dir(p))
	}
	return p, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startMinIO starts a private MinIO on free ports. Another process may take a
// port between freePort and MinIO binding it (modules are tested side by
// side), so a server that exits while starting is retried on new ports, and
// readiness counts only while our server is alive: never another's.
func startMinIO() (S3Server, error) {
	bin, err := MinIOBinary()
	if err != nil {
		return S3Server{}, err
	}
	var lastErr error
	for range 3 {
		srv, err := startMinIOOnce(bin)
		if err == nil {
			return srv, nil
		}
		lastErr = err
	}
	return S3Server{}, lastErr
}

func startMinIOOnce(bin string) (S3Server, error) {
	port, err := freePort()
	if err != nil {
		return S3Server{}, err
	}
	cport, err := freePort()
	if err != nil {
		return S3Server{}, err
	}
	dir, err := os.MkdirTemp("", "mesh-minio-*")
	if err != nil {
		return S3Server{}, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	srv := S3Server{Endpoint: "http://" + addr, AccessKey: "meshtest", SecretKey: "meshtest-secret", Region: "us-east-1"}
	cmd := exec.Command(bin, "server", dir, "--address", addr, "--console-address", fmt.Sprintf("127.0.0.1:%d", cport), "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+srv.AccessKey, "MINIO_ROOT_PASSWORD="+srv.SecretKey, "MINIO_BROWSER=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return S3Server{}, fmt.Errorf("starting %s: %w", bin, err)
	}
	started := time.Now()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := started.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			_ = os.RemoveAll(dir)
			return S3Server{}, fmt.Errorf("minio on %s exited while starting: %v: %s", addr, err, strings.TrimSpace(stderr.String()))
		default:
		}
		resp, err := http.Get(srv.Endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			// A ready answer in the first two seconds may come from a server that
			// held the port before ours failed to bind it: MinIO takes longer to start.
			if resp.StatusCode == http.StatusOK && time.Since(started) >= 2*time.Second {
				// The server lives as long as the test binary: Cleanup (from TestMain) stops it.
				registerCleanup(func() { _ = cmd.Process.Kill(); <-exited; _ = os.RemoveAll(dir) })
				return srv, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	<-exited
	_ = os.RemoveAll(dir)
	return S3Server{}, fmt.Errorf("minio at %s did not become ready in 30s", addr)
}

var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

func registerCleanup(f func()) {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	cleanups = append(cleanups, f)
}

// Cleanup stops servers started by this package. Call it from TestMain after m.Run.
func Cleanup() {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	for _, f := range cleanups {
		f()
	}
	cleanups = nil
}

// Main is the TestMain of a package whose tests may start servers of this
// package (S3): it runs the tests, stops the servers and exits with the
// tests' code. Use it as `func TestMain(m *testing.M) { testenv.Main(m) }`.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}
