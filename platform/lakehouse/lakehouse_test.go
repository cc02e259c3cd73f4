package lakehouse_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/internal/testenv"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name        string
		cfg         lakehouse.Config
		errContains string
	}{
		{name: "defaults", cfg: lakehouse.Config{}},
		{name: "unknown catalog", cfg: lakehouse.Config{CatalogKind: "hive"}, errContains: "MESH_CATALOG must be"},
		{name: "postgres without uri", cfg: lakehouse.Config{CatalogKind: "postgres"}, errContains: "MESH_CATALOG_URI is required"},
		{name: "postgres bad uri", cfg: lakehouse.Config{CatalogKind: "postgres", CatalogURI: "mysql://h/db"}, errContains: "MESH_CATALOG_URI must be a postgres://"},
		{name: "sqlite given a url", cfg: lakehouse.Config{CatalogURI: "postgres://h/db"}, errContains: "MESH_CATALOG_URI must be a file path"},
		{name: "s3 without region", cfg: lakehouse.Config{Warehouse: "s3://b/p"}, errContains: "MESH_S3_REGION is required"},
		{name: "s3 bad endpoint", cfg: lakehouse.Config{Warehouse: "s3://b/p", S3: lakehouse.S3Config{Region: "r", Endpoint: "127.0.0.1:9000"}}, errContains: "MESH_S3_ENDPOINT must be"},
		{name: "s3 half credentials", cfg: lakehouse.Config{Warehouse: "s3://b/p", S3: lakehouse.S3Config{Region: "r", AccessKeyID: "a"}}, errContains: "MESH_S3_ACCESS_KEY_ID and MESH_S3_SECRET_ACCESS_KEY"},
		{name: "s3 ok", cfg: lakehouse.Config{Warehouse: "s3://b/p", S3: lakehouse.S3Config{Region: "r", Endpoint: "http://127.0.0.1:9000"}}},
		{name: "bad warehouse scheme", cfg: lakehouse.Config{Warehouse: "gs://b/p"}, errContains: "MESH_WAREHOUSE must be"},
		{name: "negative retries", cfg: lakehouse.Config{CommitRetries: -1}, errContains: "MESH_COMMIT_RETRIES"},
		{name: "sqlite given a url with a password", cfg: lakehouse.Config{CatalogURI: "postgres://u:hunter2@h/db"}, errContains: "postgres://u:xxxxx@h/db"},
		{name: "postgres unparsable uri", cfg: lakehouse.Config{CatalogKind: "postgres", CatalogURI: "postgres://u:hunter2%zz@h/db"}, errContains: "postgres://u:xxxxx@h/db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.WithDefaults().Validate()
			if tc.errContains != "" {
				require.ErrorIs(t, err, lakehouse.ErrInvalidConfig)
				assert.ErrorContains(t, err, tc.errContains)
				assert.NotContains(t, err.Error(), "hunter2")
				return
			}
			require.NoError(t, err)
		})
	}
	d := lakehouse.Config{}.WithDefaults()
	assert.Equal(t, "sqlite", d.CatalogKind)
	assert.Equal(t, "mesh", d.CatalogName)
	assert.Equal(t, filepath.Join(".mesh", "catalog.db"), d.CatalogURI)
	assert.Equal(t, filepath.Join(".mesh", "warehouse"), d.Warehouse)
	assert.Equal(t, 20, d.CommitRetries)
}

// opener returns an open function for lakehousetest.Run: every call opens a
// new handle on the same catalog and warehouse.
func opener(cfg lakehouse.Config) func(t *testing.T) *lakehouse.Lakehouse {
	return func(t *testing.T) *lakehouse.Lakehouse {
		t.Helper()
		lh, err := lakehouse.Open(context.Background(), cfg)
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, lh.Close()) })
		return lh
	}
}

// Backends returns the three configurations the suite runs against.
func backends(t *testing.T) map[string]func(t *testing.T) lakehouse.Config {
	return map[string]func(t *testing.T) lakehouse.Config{
		"sqlite+local": func(t *testing.T) lakehouse.Config {
			return lakehouse.Config{DataDir: t.TempDir()}
		},
		"postgres+local": func(t *testing.T) lakehouse.Config {
			return lakehouse.Config{CatalogKind: "postgres", CatalogURI: testenv.FreshPostgresDatabase(t), DataDir: t.TempDir()}
		},
		"sqlite+s3": func(t *testing.T) lakehouse.Config {
			s3 := testenv.S3(t)
			return lakehouse.Config{
				DataDir:   t.TempDir(),
				Warehouse: fmt.Sprintf("s3://lakehouse-%d/wh", os.Getpid()) + filepath.Base(t.TempDir()),
				S3:        lakehouse.S3Config{Endpoint: s3.Endpoint, Region: s3.Region, AccessKeyID: s3.AccessKey, SecretAccessKey: s3.SecretKey},
			}
		},
	}
}

func TestConformance(t *testing.T) {
	for _, name := range []string{"sqlite+local", "postgres+local", "sqlite+s3"} {
		t.Run(name, func(t *testing.T) {
			cfg := backends(t)[name](t)
			lakehousetest.Run(t, opener(cfg))
		})
	}
}

const (
	envHelper    = "MESH_LAKEHOUSE_TEST_HELPER"
	envHelperCfg = "MESH_LAKEHOUSE_TEST_CFG"
)

// TestConcurrentProcesses runs two OS processes appending to one table at the
// same time: the catalog's compare-and-swap plus Append's retry loop must land
// every row, whichever catalog database is shared.
func TestConcurrentProcesses(t *testing.T) {
	if os.Getenv(envHelper) != "" {
		t.Skip("helper process")
	}
	for _, name := range []string{"sqlite+local", "postgres+local"} {
		t.Run(name, func(t *testing.T) {
			cfg := backends(t)[name](t)
			lh := opener(cfg)(t)
			ctx := context.Background()
			id := lakehouse.Ident{Namespace: "procs", Name: "events"}
			_, err := lh.EnsureTable(ctx, id, lakehousetest.Schema(), nil)
			require.NoError(t, err)

			const writers, appends = 2, 20
			var wg sync.WaitGroup
			outs := make([][]byte, writers)
			errs := make([]error, writers)
			for w := range writers {
				wg.Go(func() {
					cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppender$", "-test.count=1")
					cmd.Env = append(os.Environ(),
						envHelper+"="+strconv.Itoa(w),
						envHelperCfg+"="+cfg.CatalogKind+"|"+cfg.CatalogURI+"|"+cfg.DataDir+"|"+strconv.Itoa(appends))
					outs[w], errs[w] = cmd.CombinedOutput()
				})
			}
			wg.Wait()
			for w := range writers {
				require.NoError(t, errs[w], "writer %d:\n%s", w, outs[w])
			}
			rows := lakehousetest.ReadRows(t, lh, id, nil)
			assert.Len(t, rows, writers*appends*2, "every row of both processes landed")
			tbl, err := lh.LoadTable(ctx, id)
			require.NoError(t, err)
			assert.Len(t, tbl.Metadata().Snapshots(), writers*appends, "one snapshot per append")
		})
	}
}

// TestHelperAppender is the body of a writer process of TestConcurrentProcesses.
func TestHelperAppender(t *testing.T) {
	w := os.Getenv(envHelper)
	if w == "" {
		t.Skip("only runs as a helper process")
	}
	var kind, uri, dataDir string
	var appends int
	parts := splitN(os.Getenv(envHelperCfg), '|', 4)
	kind, uri, dataDir = parts[0], parts[1], parts[2]
	appends, _ = strconv.Atoi(parts[3])
	lh, err := lakehouse.Open(context.Background(), lakehouse.Config{CatalogKind: kind, CatalogURI: uri, DataDir: dataDir})
	require.NoError(t, err)
	defer lh.Close()
	id := lakehouse.Ident{Namespace: "procs", Name: "events"}
	for a := range appends {
		rec := lakehousetest.Batch(t,
			lakehousetest.Row{ID: fmt.Sprintf("p%s-%02d-a", w, a), Date: "2026-07-01", Region: "r", Amount: int64(a)},
			lakehousetest.Row{ID: fmt.Sprintf("p%s-%02d-b", w, a), Date: "2026-07-02", Region: "r", Amount: int64(a)},
		)
		_, err := lh.Append(context.Background(), id, []arrow.RecordBatch{rec}, map[string]string{"mesh.writer": w})
		require.NoError(t, err, "append %d", a)
	}
}

func splitN(s string, sep byte, n int) []string {
	out := make([]string, 0, n)
	for range n - 1 {
		i := 0
		for i < len(s) && s[i] != sep {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			s = s[i+1:]
		} else {
			s = ""
		}
	}
	return append(out, s)
}
