package magekit

import (
	"fmt"
	"io"
	"path/filepath"
	"time"
)

func init() { registerInteropCheck(InteropCheck{Name: "openmetadata", Run: interopOpenMetadata}) }

const (
	openMetadataTool = "openmetadata"
	// openMetadataScript validates an export with the ingestion package's models.
	openMetadataScript = "internal/interop/openmetadata/validate.py"
	// OpenMetadataBootstrapDir holds the ingestion workflows of the compose
	// metadata profile, validated with the same package.
	OpenMetadataBootstrapDir = "metadata/openmetadata_bootstrap"
)

// interopOpenMetadata exports the catalog of the embedded interop run (its
// lakehouse read, so column types are the tables' own) with
// bin/meshctl metadata export --live, then validates every body with the
// pydantic models of the pinned openmetadata-ingestion
// (metadata.generated.schema.api...: CreateTableRequest, AddLineageRequest,
// ...), printing the count per entity type, and the ingestion workflows of
// OpenMetadataBootstrapDir with its workflow model. It fails naming each
// file a model rejects, or when an entity type has no file.
func interopOpenMetadata(root string, w io.Writer) error {
	venv, err := EnsureVenv(root, openMetadataTool)
	if err != nil {
		return err
	}
	run, err := PrepareInteropRun(root, w, BackendEmbedded)
	if err != nil {
		return err
	}
	dir, err := interopRunDir(openMetadataTool)
	if err != nil {
		return err
	}
	export := filepath.Join(dir, "export")
	start := time.Now()
	if err := run.Run(w, "meshctl", "metadata", "export", "--live", export); err != nil {
		return err
	}
	fmt.Fprintf(w, "exported in %s; validating with %s's models\n", time.Since(start).Round(time.Millisecond), venv.Tool)
	workflows, err := filepath.Glob(filepath.Join(root, OpenMetadataBootstrapDir, "*.yaml"))
	if err != nil || len(workflows) == 0 {
		return fmt.Errorf("no ingestion workflow in %s", OpenMetadataBootstrapDir)
	}
	args := append([]string{filepath.Join(root, openMetadataScript), export}, workflows...)
	return venv.Run(w, root, []string{"PYTHONDONTWRITEBYTECODE=1"}, "python", args...)
}
