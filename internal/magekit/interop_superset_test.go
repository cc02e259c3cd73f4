package magekit

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dashboards"
)

// TestBuildDashboardBundle builds the bundle of the repository's dashboards:
// metadata, the database, one file per dataset, chart and dashboard.
func TestBuildDashboardBundle(t *testing.T) {
	out := filepath.Join(t.TempDir(), "b.zip")
	all, err := BuildDashboardBundle("../..", out, "duckdb:////srv/mesh.duckdb")
	require.NoError(t, err)
	var charts, datasets int
	for _, d := range all {
		charts += len(d.Charts)
		datasets += len(d.Datasets)
	}
	zr, err := zip.OpenReader(out)
	require.NoError(t, err)
	defer zr.Close()
	kinds := map[string]int{}
	for _, f := range zr.File {
		kinds[strings.Split(f.Name, "/")[1]]++
	}
	assert.Equal(t, map[string]int{"metadata.yaml": 1, "databases": 1, "datasets": datasets, "charts": charts, "dashboards": len(all)}, kinds)

	exp, err := newSupersetExpect(all, nil)
	require.NoError(t, err)
	require.Len(t, exp.Dashboards, len(all))
	assert.Len(t, exp.Datasets, datasets)
	for _, d := range exp.Dashboards {
		for _, c := range d.Charts {
			assert.Equal(t, -1, c.Rows, "no row count without a run")
		}
	}
}

func TestSupersetConfig(t *testing.T) {
	cfg := supersetConfig("/tmp/home", "s3cr3t")
	assert.Contains(t, cfg, "SECRET_KEY = \"s3cr3t\"")
	assert.Contains(t, cfg, "PREVENT_UNSAFE_DB_CONNECTIONS = False")
	assert.Contains(t, cfg, `SQLALCHEMY_DATABASE_URI = "sqlite:///" + "/tmp/home/superset.db"`)
}

// TestSupersetPin: the bundle is written for the Superset the check installs.
func TestSupersetPin(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("../..", InteropDir, supersetTool, "requirements.in"))
	require.NoError(t, err)
	assert.Contains(t, string(in), "\napache-superset=="+dashboards.SupersetVersion+"\n")
}
