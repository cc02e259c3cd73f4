package openmetadata_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/openmetadata"
)

// TestOneReleaseEverywhere: compose runs the pinned server and ingestion
// images, and interop validates with the pinned ingestion package.
func TestOneReleaseEverywhere(t *testing.T) {
	root, err := config.RepoRoot()
	require.NoError(t, err)
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(root, rel))
		require.NoError(t, err)
		return string(b)
	}
	compose := read("docker-compose.yml")
	images := regexp.MustCompile(`image: (\S*openmetadata/(?:server|ingestion):\S+)`).FindAllStringSubmatch(compose, -1)
	require.NotEmpty(t, images)
	for _, m := range images {
		assert.Contains(t, []string{openmetadata.ServerImage, openmetadata.IngestionImage}, m[1])
	}
	assert.Contains(t, compose, "image: "+openmetadata.ServerImage)
	assert.Contains(t, compose, "image: "+openmetadata.IngestionImage)
	for _, f := range []string{"internal/interop/openmetadata/requirements.in", "internal/interop/openmetadata/requirements.lock"} {
		assert.Contains(t, strings.Split(read(f), "\n"), openmetadata.IngestionPackage, f)
	}
	assert.True(t, strings.HasPrefix(strings.TrimPrefix(openmetadata.IngestionPackage, "openmetadata-ingestion=="), openmetadata.Version+"."))
}
