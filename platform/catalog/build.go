package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/meshterious/warehouse/platform/lakehouse"
)

// Files under the repository root that Build reads besides the domains.
const (
	MetadataDir    = "metadata"
	GlossaryFile   = "metadata/glossary.yaml"
	GovernanceFile = "metadata/governance.yaml"
	// ConsumersFile is optional: dashboards and other readers of tables.
	ConsumersFile = "metadata/consumers.yaml"
)

// Config is what Build reads.
type Config struct {
	// Root is the repository root: domains/*/ and metadata/ (config.RepoRoot).
	Root string
	// Lakehouse, when set, adds what the lakehouse holds: column types,
	// partitioning, snapshots, rows, last commit and freshness, and the
	// tables only it knows. Without it the catalog is built from the
	// declarations alone.
	Lakehouse *lakehouse.Lakehouse
	// Now is when freshness is judged; zero means time.Now().
	Now time.Time
	// Consumers are added to those of metadata/consumers.yaml: the extension
	// point for dashboards and other readers downstream of the tables.
	Consumers []Consumer
	// Edges are extra lineage edges (e.g. from a dashboard tool), added
	// as they are; their ends must be entities of the catalog.
	Edges []Edge
	// SkipColumnLineage skips compiling the dbt models for column lineage
	// (what masking needs is the declarations, not the lineage SQL).
	SkipColumnLineage bool
	// Logger receives warnings (a model whose SQL gives no column lineage is
	// not one); nil means slog.Default().
	Logger *slog.Logger
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Root == "" {
		return fmt.Errorf("%w: catalog Config.Root (the repository root) is required", ErrInvalid)
	}
	return nil
}

// Build builds the catalog of the mesh under cfg.Root: every domain's
// domain.yaml, contracts, dbt project and DAGs, metadata/glossary.yaml and
// metadata/governance.yaml, and the lakehouse when cfg.Lakehouse is set.
// Errors name the file and the field at fault.
func Build(ctx context.Context, cfg Config) (*Catalog, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return nil, errors.New("catalog.Build: not implemented yet")
}
