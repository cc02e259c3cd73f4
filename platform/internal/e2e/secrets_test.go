package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/internal/testenv"
)

var (
	shippedOnce sync.Once
	shippedDir  string
	shippedErr  error
)

// shippedBinaries builds meshctl and orders as they ship (no build tags), once
// per test process, and returns their directory; TestMain removes it.
func shippedBinaries(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(root, "domains", "orders", "cmd", "orders")); err != nil {
		t.Skip("the orders domain is not in this repository")
	}
	shippedOnce.Do(func() {
		if shippedDir, shippedErr = os.MkdirTemp("", "mesh-e2e-bin-*"); shippedErr != nil {
			return
		}
		registerCleanup(func() { os.RemoveAll(shippedDir) })
		build := exec.Command("go", "build", "-o", shippedDir+string(os.PathSeparator), "./platform/cmd/meshctl", "./domains/orders/cmd/orders")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			shippedErr = fmt.Errorf("building the binaries: %w\n%s", err, out)
		}
	})
	require.NoError(t, shippedErr)
	return shippedDir
}

// TestFaultHookNotShipped checks that a domain binary built as it ships has
// no fault injection: the hook is behind the meshfault build tag, so the
// binary does not even contain the name of its variable.
func TestFaultHookNotShipped(t *testing.T) {
	bin := shippedBinaries(t)
	data, err := os.ReadFile(filepath.Join(bin, "orders"))
	require.NoError(t, err)
	assert.False(t, bytes.Contains(data, []byte(domainkit.EnvFaultKillAfterCommit)),
		"bin/orders contains %s: the fault hook was compiled in without the %s build tag", domainkit.EnvFaultKillAfterCommit, domainkit.FaultTag)
}

// secret returns a distinctive secret text that appears nowhere else.
func secret(t *testing.T, kind string) string {
	t.Helper()
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return kind + "Secret" + hex.EncodeToString(b)
}

// withPassword returns raw with the password of its userinfo set to pass.
func withPassword(t *testing.T, raw, pass string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	user := "guest"
	if u.User != nil {
		user = u.User.Username()
	}
	u.User = url.UserPassword(user, pass)
	return u.String()
}

// TestSecretsNeverPrinted runs the built meshctl and a domain binary with
// secrets in the environment (the passwords of MESH_AMQP_URL and
// MESH_CATALOG_URI, MESH_S3_SECRET_ACCESS_KEY), right ones and wrong ones,
// well-formed and malformed, with debug logging, and asserts that no secret
// text appears in any command's stdout or stderr: not in `meshctl config`,
// not in a log line, not in the error of a command that fails.
func TestSecretsNeverPrinted(t *testing.T) {
	bin := shippedBinaries(t)

	// Real services, reached with a password each: a RabbitMQ user of our
	// own on a private vhost, the PostgreSQL catalog (loopback trusts the
	// local user, so a password we choose is accepted, unless the test DSN
	// already carries one) and a private MinIO.
	vhostURL := testenv.AMQPVhost(t)
	ctl, err := exec.LookPath("rabbitmqctl")
	require.NoError(t, err)
	amqpUser, amqpPass := fmt.Sprintf("mesh_secrets_%d", time.Now().UnixNano()), secret(t, "amqp")
	vu, err := url.Parse(vhostURL)
	require.NoError(t, err)
	vhost := strings.TrimPrefix(vu.Path, "/")
	for _, args := range [][]string{
		{"add_user", amqpUser, amqpPass},
		{"set_permissions", "-p", vhost, amqpUser, ".*", ".*", ".*"},
	} {
		out, err := exec.Command(ctl, args...).CombinedOutput()
		require.NoError(t, err, "rabbitmqctl %s: %s", args[0], out)
	}
	t.Cleanup(func() { _ = exec.Command(ctl, "delete_user", amqpUser).Run() })
	vu.User = url.UserPassword(amqpUser, amqpPass)
	amqpURL := vu.String()

	pgDSN := testenv.FreshPostgresDatabase(t)
	pgPass := secret(t, "pg")
	if u, _ := url.Parse(pgDSN); u != nil && u.User != nil {
		if p, has := u.User.Password(); has {
			pgPass = p
		}
	}
	pgDSN = withPassword(t, pgDSN, pgPass)
	s3 := testenv.S3(t)
	warehouse := fmt.Sprintf("s3://secrets-%d/wh", time.Now().UnixNano())

	wrongAMQP, wrongS3, wrongPG := secret(t, "wrongAmqp"), secret(t, "wrongS3"), secret(t, "wrongPg")
	badAMQP, badPG, kvPG, sqlitePG := secret(t, "badAmqp"), secret(t, "badPg"), secret(t, "kvPg"), secret(t, "sqlitePg")

	type step struct {
		args []string
		fail bool // the command must fail (exit code != 0)
	}
	meshctlConfig := step{args: []string{"meshctl", "config"}}
	scenarios := []struct {
		name    string
		env     map[string]string
		secrets []string
		steps   []step
		mention string // what every failing command's stderr must name
	}{
		{
			name: "working services, debug logs",
			env: map[string]string{
				config.EnvAMQPURL: amqpURL, config.EnvCatalog: config.CatalogPostgres, config.EnvCatalogURI: pgDSN,
				config.EnvWarehouse: warehouse, config.EnvS3Endpoint: s3.Endpoint, config.EnvS3Region: s3.Region,
				config.EnvS3AccessKeyID: s3.AccessKey, config.EnvS3SecretKey: s3.SecretKey, config.EnvLogLevel: "debug",
			},
			secrets: []string{amqpPass, pgPass, s3.SecretKey},
			steps: []step{
				meshctlConfig,
				{args: []string{"orders", "setup"}},
				{args: []string{"orders", "produce", "--event", "orders", "--region", "eu-central", "--burst", "50", "--since", "1d", "--error-rate", "0.1"}},
				{args: []string{"orders", "ingest", "--event", "orders", "--region", "eu-central", "--until-idle", "--idle-timeout", "500ms"}},
				{args: []string{"meshctl", "tables"}},
				{args: []string{"meshctl", "sql", "SELECT count(*) FROM orders.raw_orders"}},
			},
		},
		{
			name: "wrong broker password and S3 secret key",
			env: map[string]string{
				config.EnvAMQPURL: withPassword(t, amqpURL, wrongAMQP), config.EnvCatalog: config.CatalogPostgres, config.EnvCatalogURI: pgDSN,
				config.EnvWarehouse: warehouse, config.EnvS3Endpoint: s3.Endpoint, config.EnvS3Region: s3.Region,
				config.EnvS3AccessKeyID: s3.AccessKey, config.EnvS3SecretKey: wrongS3, config.EnvLogLevel: "debug",
			},
			secrets: []string{wrongAMQP, wrongS3, pgPass},
			steps: []step{
				meshctlConfig,
				{args: []string{"orders", "produce", "--event", "orders", "--region", "eu-central", "--burst", "5"}, fail: true},
				{args: []string{"orders", "setup"}, fail: true},
				{args: []string{"meshctl", "tables"}, fail: true},
			},
		},
		{
			name: "unreachable broker and catalog",
			env: map[string]string{
				config.EnvAMQPURL:    "amqp://" + amqpUser + ":" + wrongAMQP + "@127.0.0.1:1/",
				config.EnvCatalog:    config.CatalogPostgres,
				config.EnvCatalogURI: "postgres://postgres:" + wrongPG + "@127.0.0.1:1/iceberg?sslmode=disable",
				config.EnvLogLevel:   "debug",
			},
			secrets: []string{wrongAMQP, wrongPG},
			steps: []step{
				meshctlConfig,
				{args: []string{"orders", "produce", "--event", "orders", "--region", "eu-central", "--burst", "5"}, fail: true},
				{args: []string{"meshctl", "tables"}, fail: true},
			},
		},
		{
			name: "malformed broker and catalog URLs",
			env: map[string]string{
				config.EnvAMQPURL:    "amqp://" + amqpUser + ":" + badAMQP + "%zz@127.0.0.1:5672/",
				config.EnvCatalog:    config.CatalogPostgres,
				config.EnvCatalogURI: "postgres://postgres:" + badPG + "%zz@127.0.0.1:5432/iceberg",
			},
			secrets: []string{badAMQP, badPG},
			steps: []step{
				{args: []string{"meshctl", "config"}, fail: true},
				{args: []string{"meshctl", "tables"}, fail: true},
				{args: []string{"orders", "setup"}, fail: true},
			},
			mention: config.EnvCatalogURI,
		},
		{
			name: "key/value DSN for the postgres catalog",
			env: map[string]string{
				config.EnvCatalog: config.CatalogPostgres, config.EnvCatalogURI: "host=127.0.0.1 user=postgres password=" + kvPG,
			},
			secrets: []string{kvPG},
			steps: []step{
				{args: []string{"meshctl", "config"}, fail: true},
				{args: []string{"orders", "setup"}, fail: true},
			},
			mention: config.EnvCatalogURI,
		},
		{
			name: "postgres URL given to the sqlite catalog",
			env: map[string]string{
				config.EnvCatalogURI: "postgres://postgres:" + sqlitePG + "@127.0.0.1:5432/iceberg",
			},
			secrets: []string{sqlitePG},
			steps: []step{
				{args: []string{"meshctl", "config"}, fail: true},
				{args: []string{"meshctl", "tables"}, fail: true},
			},
			mention: config.EnvCatalogURI,
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			dataDir := t.TempDir()
			for _, st := range sc.steps {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				cmd := exec.CommandContext(ctx, filepath.Join(bin, st.args[0]), st.args[1:]...)
				cmd.Env = append(os.Environ(), config.EnvDataDir+"="+dataDir, config.EnvDotEnv+"=off")
				for k, v := range sc.env {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				cancel()
				all := stdout.String() + stderr.String()
				name := strings.Join(st.args, " ")
				if st.fail {
					assert.Error(t, err, "%s must fail\n%s", name, all)
					if sc.mention != "" {
						assert.Contains(t, stderr.String(), sc.mention, "%s names what is wrong", name)
					}
				} else {
					assert.NoError(t, err, "%s\n%s", name, all)
				}
				for _, s := range sc.secrets {
					assert.NotContains(t, all, s, "%s printed a secret:\n%s", name, all)
				}
				t.Logf("%s (exit %v): %d bytes of output", name, err, len(all))
			}
		})
	}
}
