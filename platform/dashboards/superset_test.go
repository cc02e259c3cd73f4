package dashboards

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/bundle from the builder")

var testBundleConfig = BundleConfig{DatabaseURI: "duckdb:////srv/mesh/serving/mesh.duckdb"}

// TestBundleGolden compares every file of the fixture's bundle with
// testdata/bundle/, checked by hand against Superset 6.1's import schemas and
// imported by interop:superset (go test -run TestBundleGolden -update rewrites it).
func TestBundleGolden(t *testing.T) {
	files, err := BundleFiles([]*Dashboard{loadShop(t)}, testBundleConfig)
	require.NoError(t, err)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		golden := filepath.Join("testdata", "bundle", filepath.FromSlash(f.Path))
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
			require.NoError(t, os.WriteFile(golden, f.Data, 0o644))
			continue
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(f.Data), f.Path)
	}
	assert.Equal(t, []string{
		"mesh_dashboards/metadata.yaml",
		"mesh_dashboards/databases/mesh.yaml",
		"mesh_dashboards/datasets/mesh/shop_sales__sales.yaml",
		"mesh_dashboards/charts/shop_sales__revenue.yaml",
		"mesh_dashboards/charts/shop_sales__lines_by_region.yaml",
		"mesh_dashboards/charts/shop_sales__top_regions.yaml",
		"mesh_dashboards/dashboards/shop_sales.yaml",
	}, paths)
}

func TestBundleZip(t *testing.T) {
	d := loadShop(t)
	var a, b bytes.Buffer
	require.NoError(t, Bundle(&a, []*Dashboard{d}, testBundleConfig))
	require.NoError(t, Bundle(&b, []*Dashboard{d}, testBundleConfig))
	assert.Equal(t, a.Bytes(), b.Bytes(), "the same declarations give the same bundle")

	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	require.NoError(t, err)
	require.Len(t, zr.File, 7)
	f, err := zr.File[6].Open()
	require.NoError(t, err)
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "dashboard_title: Shop\n"), string(data))
}

func TestBundleConfigValidate(t *testing.T) {
	tests := []struct {
		uri, errContains string
	}{
		{"", "BundleConfig.DatabaseURI is required"},
		{"postgresql://u:secret@db/x", "must not hold a password"},
		{"postgresql://u@db/x", ""},
		{"duckdb:////a/b.duckdb", ""},
	}
	for _, tt := range tests {
		err := BundleConfig{DatabaseURI: tt.uri}.Validate()
		if tt.errContains == "" {
			assert.NoError(t, err, tt.uri)
			continue
		}
		require.Error(t, err, tt.uri)
		assert.Contains(t, err.Error(), tt.errContains)
		assert.NotContains(t, err.Error(), "secret")
	}
}

// TestSupersetIDs pins the UUIDs: changing them would make Superset import
// every object again instead of updating it.
func TestSupersetIDs(t *testing.T) {
	dash, charts, datasets := SupersetIDs(loadShop(t))
	assert.Equal(t, "6dd41cc8-8b2b-5d8c-ba63-a460cdc2aba7", dash)
	assert.Equal(t, "930dd4d2-012e-5ca8-b1cd-763e12b07213", charts["revenue"])
	assert.Equal(t, "1a44ae46-52b0-533f-a36e-0a468a3c5abc", datasets["sales"])
}
