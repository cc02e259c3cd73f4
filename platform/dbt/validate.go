package dbt

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schemas holds dbt-core's artifact JSON Schemas for the versions the platform
// checks against (see schemas/README.md).
//
//go:embed schemas/v1.9.11 schemas/v1.12.3
var Schemas embed.FS

// SchemaVersions are the dbt releases whose artifact schemas Validate knows:
// the floor the platform emits for, and the newest checked.
var SchemaVersions = []string{"v1.9.11", "v1.12.3"}

// ErrInvalidArtifact is wrapped by Validate errors.
var ErrInvalidArtifact = errors.New("artifact does not match dbt's schema")

var artifactSchemas = map[string]string{
	"manifest.json":    "manifest/v12.json",
	"run_results.json": "run-results/v6.json",
	"catalog.json":     "catalog/v1.json",
}

// Validate checks manifest.json, run_results.json and catalog.json in
// targetDir against dbt's own schemas of the given version ("v1.9.11").
func Validate(targetDir, version string) error {
	c := jsonschema.NewCompiler()
	var errs []error
	for file, schemaPath := range artifactSchemas {
		p := path.Join("schemas", version, schemaPath)
		raw, err := fs.ReadFile(Schemas, p)
		if err != nil {
			return fmt.Errorf("no dbt schema %s for %s: %w", schemaPath, version, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		if err := c.AddResource(p, doc); err != nil {
			return err
		}
		sch, err := c.Compile(p)
		if err != nil {
			return fmt.Errorf("compiling %s: %w", p, err)
		}
		data, err := os.ReadFile(filepath.Join(targetDir, file))
		if err != nil {
			return err
		}
		var inst any
		if err := json.Unmarshal(data, &inst); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %v", ErrInvalidArtifact, file, err))
			continue
		}
		if err := sch.Validate(inst); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s against dbt %s: %v", ErrInvalidArtifact, file, version, err))
		}
	}
	return errors.Join(errs...)
}
