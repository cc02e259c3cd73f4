package magekit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainspec"
)

func TestGeneratedFilesAreUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := Generate(root)
	require.NoError(t, err)
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(root, f.Path))
		require.NoError(t, err)
		assert.Equal(t, string(f.Content), string(got), "%s drifted from domain.yaml: run `go run mage.go check`", f.Path)
	}
}

func TestCodeOwnersNamesEveryDomain(t *testing.T) {
	files, err := Generate(filepath.Join("..", ".."))
	require.NoError(t, err)
	owners := string(files[0].Content)
	assert.True(t, strings.HasPrefix(owners, "# Code generated"))
	assert.Contains(t, owners, "/domains/orders/")
	assert.Contains(t, owners, "@meshterious/orders-team")
	work := string(files[1].Content)
	assert.Contains(t, work, "\t./domains/orders\n")
	assert.Contains(t, work, "\t./platform\n")
}

// TestPinnedMasterData: a consumer's pinned copies are refreshed from the
// owner's seed, and a pin of a table no owner publishes fails naming it.
func TestPinnedMasterData(t *testing.T) {
	root := filepath.Join("..", "..")
	ds, err := domainspec.LoadAll(root)
	require.NoError(t, err)
	files, err := PinnedMasterData(root, ds)
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range files {
		got[f.Path] = string(f.Content)
	}
	seed, err := os.ReadFile(filepath.Join(root, "domains", "inventory", "dbt", "seeds", "products.csv"))
	require.NoError(t, err)
	assert.Equal(t, string(seed), got["domains/orders/masterdata/inventory.products.csv"])
	assert.Contains(t, got, "domains/dispatch/masterdata/fleet.vehicles.csv")
	assert.Contains(t, got, "domains/fleet/masterdata/inventory.warehouses.csv")

	// A fake repository: orders pins a table inventory does not publish.
	fake := t.TempDir()
	for _, d := range []string{"orders", "inventory"} {
		require.NoError(t, os.MkdirAll(filepath.Join(fake, "domains", d, "masterdata"), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(fake, "domains", "orders", "masterdata", "inventory.unicorns.csv"), nil, 0o644))
	fakeDomains := []*domainspec.Domain{
		{Name: "inventory", Dir: "domains/inventory", MasterData: []string{"products"}},
		{Name: "orders", Dir: "domains/orders"},
	}
	_, err = PinnedMasterData(fake, fakeDomains)
	assert.ErrorContains(t, err, `domains/orders/masterdata/inventory.unicorns.csv: unknown master-data table: inventory.unicorns: domains/inventory/domain.yaml publishes no "unicorns"`)

	// An owner pinning its own table.
	require.NoError(t, os.Remove(filepath.Join(fake, "domains", "orders", "masterdata", "inventory.unicorns.csv")))
	require.NoError(t, os.WriteFile(filepath.Join(fake, "domains", "inventory", "masterdata", "inventory.products.csv"), nil, 0o644))
	_, err = PinnedMasterData(fake, fakeDomains)
	assert.ErrorContains(t, err, "inventory owns inventory.products")
}

// TestGeneratedPathsMatchEveryGeneratedFile: mage check compares the
// generated files with git through GeneratedPaths, so each committed
// generated file must fall under one of them for git (a pathspec
// "domains/*/masterdata" matches nothing below the folder, and drift there
// went unnoticed).
func TestGeneratedPathsMatchEveryGeneratedFile(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := Generate(root)
	require.NoError(t, err)
	out, err := exec.Command("git", append([]string{"-C", root, "ls-files", "--"}, GeneratedPaths...)...).Output()
	require.NoError(t, err)
	listed := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		listed[l] = true
	}
	pins := 0
	for _, f := range files {
		if strings.Contains(f.Path, "/masterdata/") {
			pins++
		}
		if _, err := os.Stat(filepath.Join(root, f.Path)); err != nil {
			continue // not committed yet: check reports it as new
		}
		assert.True(t, listed[f.Path], "%s is generated but no pathspec of GeneratedPaths matches it", f.Path)
	}
	assert.Equal(t, 5, pins, "orders (2), returns, fleet and dispatch pin published master data")
}
