package magekit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
