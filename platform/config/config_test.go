package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lookupFrom(m map[string]string) func(string) (string, string, bool) {
	return func(k string) (string, string, bool) {
		v, ok := m[k]
		return v, "test", ok
	}
}

func TestEmbeddedDefaults(t *testing.T) {
	cfg := FromLookup(lookupFrom(map[string]string{EnvDataDir: "/tmp/meshdata"}))
	require.NoError(t, cfg.Validate())
	assert.Equal(t, CatalogSQLite, cfg.Catalog)
	assert.Equal(t, "/tmp/meshdata/catalog.db", cfg.CatalogURI)
	assert.Equal(t, "/tmp/meshdata/warehouse", cfg.Warehouse)
	assert.Equal(t, DefaultAMQPURL, cfg.AMQPURL)
	assert.Equal(t, "test", cfg.Source[EnvDataDir])
	assert.Equal(t, "default", cfg.Source[EnvWarehouse])
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		errContains []string
	}{
		{name: "postgres catalog", env: map[string]string{EnvCatalog: "postgres", EnvCatalogURI: "postgres://u@h:5432/db"}},
		{name: "s3 warehouse", env: map[string]string{EnvWarehouse: "s3://b/p", EnvS3Region: "us-east-1", EnvS3Endpoint: "http://127.0.0.1:9000", EnvS3AccessKeyID: "a", EnvS3SecretKey: "b"}},
		{name: "unknown catalog", env: map[string]string{EnvCatalog: "hive"}, errContains: []string{"MESH_CATALOG must be", `"hive"`}},
		{name: "postgres without uri", env: map[string]string{EnvCatalog: "postgres"}, errContains: []string{"MESH_CATALOG_URI is required"}},
		{name: "postgres bad uri", env: map[string]string{EnvCatalog: "postgres", EnvCatalogURI: "mysql://x:secret@h/db"}, errContains: []string{"MESH_CATALOG_URI must be a postgres://", "xxxxx"}},
		{name: "s3 without region", env: map[string]string{EnvWarehouse: "s3://b/p"}, errContains: []string{"MESH_S3_REGION is required"}},
		{name: "s3 half credentials", env: map[string]string{EnvWarehouse: "s3://b/p", EnvS3Region: "r", EnvS3AccessKeyID: "a"}, errContains: []string{"MESH_S3_ACCESS_KEY_ID and MESH_S3_SECRET_ACCESS_KEY"}},
		{name: "bad amqp", env: map[string]string{EnvAMQPURL: "http://guest:hunter2@h/"}, errContains: []string{"MESH_AMQP_URL must be", "xxxxx"}},
		{name: "bad log level", env: map[string]string{EnvLogLevel: "loud"}, errContains: []string{"MESH_LOG_LEVEL"}},
		{name: "bad warehouse scheme", env: map[string]string{EnvWarehouse: "gs://b/p"}, errContains: []string{"MESH_WAREHOUSE must be"}},
		{name: "bad commit retries", env: map[string]string{EnvCommitRetries: "many"}, errContains: []string{"MESH_COMMIT_RETRIES must be a whole number"}},
		{name: "negative commit retries", env: map[string]string{EnvCommitRetries: "-2"}, errContains: []string{"MESH_COMMIT_RETRIES"}},
		{name: "sqlite given a url", env: map[string]string{EnvCatalogURI: "postgres://cat:hunter2@h/db"}, errContains: []string{"MESH_CATALOG_URI must be a file path", "xxxxx"}},
		{name: "postgres unparsable uri", env: map[string]string{EnvCatalog: "postgres", EnvCatalogURI: "postgres://cat:hunter2%zz@h/db"}, errContains: []string{"MESH_CATALOG_URI must be a postgres://", "xxxxx"}},
		{name: "postgres key/value dsn", env: map[string]string{EnvCatalog: "postgres", EnvCatalogURI: "host=h user=cat password=hunter2"}, errContains: []string{"MESH_CATALOG_URI must be a postgres://", "password=xxxxx"}},
		{name: "unparsable amqp", env: map[string]string{EnvAMQPURL: "amqp://guest:hunter2%zz@h/"}, errContains: []string{"MESH_AMQP_URL must be", "xxxxx"}},
		{name: "s3 bad endpoint", env: map[string]string{EnvWarehouse: "s3://b/p", EnvS3Region: "r", EnvS3Endpoint: "127.0.0.1:9000"}, errContains: []string{"MESH_S3_ENDPOINT must be"}},
		{name: "s3 every problem", env: map[string]string{EnvWarehouse: "s3://b/p", EnvS3Endpoint: "ftp://h", EnvS3SecretKey: "hunter2"},
			errContains: []string{"MESH_S3_REGION is required", "MESH_S3_ENDPOINT must be", "must be set together"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := FromLookup(lookupFrom(tt.env)).Validate()
			if len(tt.errContains) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			for _, s := range tt.errContains {
				assert.Contains(t, err.Error(), s)
			}
			assert.NotContains(t, err.Error(), "hunter2")
			assert.NotContains(t, err.Error(), "secret@")
		})
	}
}

func TestRedaction(t *testing.T) {
	cfg := FromLookup(lookupFrom(map[string]string{
		EnvAMQPURL: "amqp://svc:topsecret@broker:5672/", EnvS3SecretKey: "s3cr3t", EnvCatalog: "postgres",
		EnvCatalogURI: "postgres://cat:pgpass@db:5432/iceberg",
	}))
	s := cfg.String()
	for _, secret := range []string{"topsecret", "s3cr3t", "pgpass"} {
		assert.NotContains(t, s, secret)
	}
	assert.Contains(t, s, "amqp://svc:xxxxx@broker:5672/")
}

func TestRedactURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "password", in: "amqp://guest:s3cret@host:5672/vh", want: "amqp://guest:xxxxx@host:5672/vh"},
		{name: "no password", in: "amqp://host:5672/", want: "amqp://host:5672/"},
		{name: "user only", in: "amqp://guest@host/", want: "amqp://guest@host/"},
		{name: "unparsable", in: "amqp://u:p%zz@host/", want: "amqp://u:xxxxx@host/"},
		{name: "unparsable, @ in password", in: "postgres://u:p@ss%zz@host/db", want: "postgres://u:xxxxx@host/db"},
		{name: "password in query", in: "postgres://u@h:5432/db?sslmode=disable&password=s3cret", want: "postgres://u@h:5432/db?password=xxxxx&sslmode=disable"},
		{name: "key/value dsn", in: "host=h user=u password=s3cret dbname=db", want: "host=h user=u password=xxxxx dbname=db"},
		{name: "file path", in: "/tmp/mesh/catalog.db", want: "/tmp/mesh/catalog.db"},
		{name: "s3 location", in: "s3://bucket/prefix", want: "s3://bucket/prefix"},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RedactURL(tt.in)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, "s3cret")
		})
	}
}

func TestSecretsAndRedactText(t *testing.T) {
	cfg := FromLookup(lookupFrom(map[string]string{
		EnvAMQPURL: "amqp://svc:topsecret@broker:5672/", EnvS3SecretKey: "s3cr3t", EnvCatalog: "postgres",
		EnvCatalogURI: "postgres://cat:pg%zzpass@db:5432/iceberg",
	}))
	assert.ElementsMatch(t, []string{"topsecret", "pg%zzpass", "s3cr3t"}, cfg.Secrets())
	msg := RedactText("dial amqp://svc:topsecret@broker: refused; key s3cr3t; dsn host=db password=other", cfg.Secrets()...)
	for _, secret := range []string{"topsecret", "s3cr3t", "other"} {
		assert.NotContains(t, msg, secret)
	}
}

func TestParseDotEnv(t *testing.T) {
	m, err := ParseDotEnv(".env", []byte("# local defaults\nA=1\nexport B = \"two words\"\nC=x # trailing\n\nD='q'\n"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"A": "1", "B": "two words", "C": "x", "D": "q"}, m)

	_, err = ParseDotEnv("/repo/.env", []byte("A=1\nnot a pair\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/repo/.env:2")
}

func TestLoadEnvBeatsDotEnv(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(p, []byte("MESH_CATALOG_NAME=fromfile\nMESH_LOG_LEVEL=debug\n"), 0o600))
	t.Setenv(EnvDotEnv, p)
	t.Setenv(EnvDataDir, dir)
	t.Setenv(EnvCatalogName, "fromenv")
	cfg, err := Load()
	require.NoError(t, err)
	assert.Equal(t, "fromenv", cfg.CatalogName)
	assert.Equal(t, "debug", cfg.LogLevel)
	assert.Equal(t, p, cfg.Source[EnvLogLevel])
	assert.Equal(t, "env", cfg.Source[EnvCatalogName])
}

func TestRepoRoot(t *testing.T) {
	t.Run("MESH_REPO_ROOT wins", func(t *testing.T) {
		t.Setenv(EnvRepoRoot, "/opt/mesh/repo")
		root, err := RepoRoot()
		require.NoError(t, err)
		assert.Equal(t, "/opt/mesh/repo", root)
	})
	t.Run("nearest go.work upwards", func(t *testing.T) {
		t.Setenv(EnvRepoRoot, "")
		root, err := RepoRoot()
		require.NoError(t, err)
		want, err := filepath.Abs(filepath.Join("..", ".."))
		require.NoError(t, err)
		assert.Equal(t, want, root)
	})
	t.Run("none", func(t *testing.T) {
		t.Setenv(EnvRepoRoot, "")
		t.Chdir(t.TempDir())
		_, err := RepoRoot()
		assert.ErrorContains(t, err, EnvRepoRoot)
	})
}
