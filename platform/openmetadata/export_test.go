package openmetadata_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/openmetadata"
)

func TestExport(t *testing.T) {
	dir := t.TempDir()
	bodies := fixtureBodies(t)
	stale := filepath.Join(dir, "tables", "gone.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(stale), 0o755))
	require.NoError(t, os.WriteFile(stale, []byte("{}"), 0o644))
	keep := filepath.Join(dir, "README.md")
	require.NoError(t, os.WriteFile(keep, []byte("review me"), 0o644))

	require.NoError(t, openmetadata.Export(dir, bodies))
	counts := map[string]int{}
	for _, typ := range openmetadata.Types {
		files, err := filepath.Glob(filepath.Join(dir, typ.Dir, "*.json"))
		require.NoError(t, err)
		counts[typ.Name] = len(files)
	}
	assert.Equal(t, fixtureCounts, counts)
	assert.NoFileExists(t, stale)
	assert.FileExists(t, keep)

	data, err := os.ReadFile(filepath.Join(dir, "topics", "mesh_rabbitmq._ingest_orders_eu.dlq_.json"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "\n  \"name\": \"ingest_orders_eu.dlq\",\n")

	// A second export writes the same bytes.
	before := snapshot(t, dir)
	require.NoError(t, openmetadata.Export(dir, fixtureBodies(t)))
	assert.Equal(t, before, snapshot(t, dir))
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	}))
	return out
}
