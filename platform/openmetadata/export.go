package openmetadata

import (
	"fmt"
	"os"
	"path/filepath"
)

// Export writes every body to dir, one JSON file per entity in a folder per
// entity type (Type.Dir), named after its FQN (Body.FileName), with sorted
// keys and two-space indentation, so that the catalog can be reviewed and
// kept in git. The *.json files already in those folders are replaced, so an
// entity that left the catalog leaves the export too; nothing else in dir is
// touched.
func Export(dir string, bodies []Body) error {
	seen := map[string]string{}
	for _, b := range bodies {
		rel := filepath.Join(b.Type.Dir, b.FileName())
		if other, dup := seen[rel]; dup {
			return fmt.Errorf("exporting: %s %s and %s both map to %s", b.Type.Name, b.FQN, other, rel)
		}
		seen[rel] = b.FQN
	}
	for _, t := range Types {
		old, err := filepath.Glob(filepath.Join(dir, t.Dir, "*.json"))
		if err != nil {
			return err
		}
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return fmt.Errorf("exporting: removing %s: %w", f, err)
			}
		}
	}
	for _, b := range bodies {
		data, err := b.JSON()
		if err != nil {
			return err
		}
		path := filepath.Join(dir, b.Type.Dir, b.FileName())
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("exporting: %w", err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("exporting %s %s: %w", b.Type.Name, b.FQN, err)
		}
	}
	return nil
}
