package domaintest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/internal/testenv"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/query"
)

// Backend selects the catalog and warehouse a harness uses.
type Backend string

// Backends a harness can run on.
const (
	Embedded      Backend = "sqlite+local"
	PostgresMinIO Backend = "postgres+minio"
)

// Harness runs one domain binary against private broker and lakehouse state.
type Harness struct {
	T       testing.TB
	Domain  *domainkit.Domain
	Bin     string
	Env     map[string]string
	Runtime *mesh.Runtime
}

var (
	buildMu  sync.Mutex
	built    = map[string]string{}
	buildDir string // holds every binary Build made; Cleanup removes it
)

// Build compiles the domain command once per test process and returns its
// path. It builds with the fault-injection tag (domainkit.FaultTag), so the
// guarantees can crash an ingester with domainkit.EnvFaultKillAfterCommit;
// shipped binaries are built without it. The binaries (about 180 MB each)
// live in one temporary directory that Cleanup, called by Main, removes.
func Build(t testing.TB, cmdPkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	abs, err := filepath.Abs(cmdPkg)
	require.NoError(t, err)
	if p, ok := built[abs]; ok {
		return p
	}
	if buildDir == "" {
		buildDir, err = os.MkdirTemp("", "mesh-bin-*")
		require.NoError(t, err)
	}
	dir, err := os.MkdirTemp(buildDir, filepath.Base(abs)+"-*")
	require.NoError(t, err)
	bin := filepath.Join(dir, filepath.Base(abs))
	start := time.Now()
	out, err := exec.Command("go", "build", "-tags", domainkit.FaultTag, "-o", bin, abs).CombinedOutput()
	require.NoError(t, err, "building %s: %s", cmdPkg, out)
	t.Logf("built %s in %s", filepath.Base(abs), time.Since(start).Round(100*time.Millisecond))
	built[abs] = bin
	return bin
}

// New returns a harness on the given backend with a fresh vhost and data directory.
func New(t testing.TB, d *domainkit.Domain, cmdPkg string, backend Backend) *Harness {
	t.Helper()
	h := open(t, d, backend)
	h.Bin = Build(t, cmdPkg)
	return h
}

// open is New without the domain binary: the broker and lakehouse state only.
func open(t testing.TB, d *domainkit.Domain, backend Backend) *Harness {
	t.Helper()
	env := map[string]string{
		config.EnvAMQPURL:  testenv.AMQPVhost(t),
		config.EnvDataDir:  t.TempDir(),
		config.EnvDotEnv:   "off",
		config.EnvLogLevel: "warn",
	}
	if backend == PostgresMinIO {
		s3 := testenv.S3(t)
		env[config.EnvCatalog] = config.CatalogPostgres
		env[config.EnvCatalogURI] = testenv.FreshPostgresDatabase(t)
		env[config.EnvWarehouse] = fmt.Sprintf("s3://mesh-%d/warehouse", time.Now().UnixNano())
		env[config.EnvS3Endpoint] = s3.Endpoint
		env[config.EnvS3Region] = s3.Region
		env[config.EnvS3AccessKeyID] = s3.AccessKey
		env[config.EnvS3SecretKey] = s3.SecretKey
	}
	cfg := config.FromLookup(func(k string) (string, string, bool) {
		v, ok := env[k]
		return v, "test", ok
	})
	require.NoError(t, cfg.Validate())
	return &Harness{T: t, Domain: d, Env: env, Runtime: mesh.New(cfg, os.Stderr)}
}

func (h *Harness) environ() []string {
	env := os.Environ()
	for k, v := range h.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// Command prepares the domain binary with args and the harness environment.
func (h *Harness) Command(ctx context.Context, extraEnv []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, h.Bin, args...)
	cmd.Env = append(h.environ(), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &prefixWriter{t: h.T, prefix: filepath.Base(h.Bin) + " " + args[0] + ": "}
	return cmd, &out
}

// Run runs the binary to completion and returns its standard output; it fails the test on error.
func (h *Harness) Run(args ...string) string {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(h.T.Context(), 5*time.Minute)
	defer cancel()
	cmd, out := h.Command(ctx, nil, args...)
	require.NoError(h.T, cmd.Run(), "%s %s\n%s", filepath.Base(h.Bin), strings.Join(args, " "), out)
	return out.String()
}

// Broker returns the broker configuration of the harness.
func (h *Harness) Broker() broker.Config { return h.Runtime.Broker() }

// Lakehouse opens the harness's lakehouse.
func (h *Harness) Lakehouse() *lakehouse.Lakehouse {
	h.T.Helper()
	lh, err := h.Runtime.OpenLakehouse(h.T.Context())
	require.NoError(h.T, err)
	h.T.Cleanup(func() { _ = lh.Close() })
	return lh
}

// Query runs SQL over the harness's lakehouse and returns the rows.
func (h *Harness) Query(sql string) [][]any {
	h.T.Helper()
	ctx := h.T.Context()
	eng, err := query.NewEngine(ctx, h.Lakehouse(), query.Config{})
	require.NoError(h.T, err)
	defer eng.Close()
	res, err := eng.Query(ctx, sql)
	require.NoError(h.T, err, sql)
	return res.Rows
}

// Int runs a query returning one integer.
func (h *Harness) Int(sql string) int64 {
	h.T.Helper()
	rows := h.Query(sql)
	require.Len(h.T, rows, 1, sql)
	switch v := rows[0][0].(type) {
	case int64:
		return v
	case int32:
		return int64(v)
	case uint64:
		return int64(v)
	default:
		h.T.Fatalf("%s: want an integer, got %T %v", sql, v, v)
		return 0
	}
}

// DrainDLQ removes and returns every message of a dead-letter queue.
func (h *Harness) DrainDLQ(event, region string) []broker.Delivery {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(h.T.Context(), time.Minute)
	defer cancel()
	c, err := broker.NewConsumer(ctx, h.Broker(), broker.DLQName(event, region))
	require.NoError(h.T, err)
	defer c.Close()
	var out []broker.Delivery
	for {
		select {
		case d := <-c.Deliveries():
			out = append(out, d)
			require.NoError(h.T, c.Ack(d, false))
		case <-time.After(2 * time.Second):
			return out
		}
	}
}

// Publish publishes raw bodies to the domain exchange for event.region.
func (h *Harness) Publish(event, region string, bodies ...[]byte) {
	h.T.Helper()
	ctx := h.T.Context()
	require.NoError(h.T, broker.Declare(ctx, h.Broker(), broker.Binding{Domain: h.Domain.Name(), Event: event, Region: region}))
	p, err := broker.NewPublisher(ctx, h.Broker())
	require.NoError(h.T, err)
	defer p.Close()
	for i, b := range bodies {
		require.NoError(h.T, p.Publish(ctx, broker.Message{
			Exchange: broker.ExchangeName(h.Domain.Name()), RoutingKey: broker.RoutingKey(event, region),
			Body: b, MessageID: fmt.Sprintf("raw-%d", i),
		}))
	}
	require.NoError(h.T, p.Flush(ctx))
}

// prefixWriter forwards a subprocess's stderr to the test log, line by line.
type prefixWriter struct {
	mu     sync.Mutex
	t      testing.TB
	prefix string
	buf    []byte
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.t.Log(w.prefix + string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// Cleanup stops servers the harness started (MinIO) and removes the binaries
// Build made; call it from TestMain after m.Run (Main does).
func Cleanup() {
	testenv.Cleanup()
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
		buildDir, built = "", map[string]string{}
	}
}
