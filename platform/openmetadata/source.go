package openmetadata

import (
	"context"
	"log/slog"

	"github.com/meshterious/warehouse/platform/catalog"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// LoadCatalog builds the catalog of the repository at root for a push: the
// declarations (package catalog, which reads every domain's Superset
// dashboards with their datasets and charts, and the serving database they
// read), and the lakehouse when lh is not nil (column types, partitioning,
// tables only it knows).
func LoadCatalog(ctx context.Context, root string, lh *lakehouse.Lakehouse, log *slog.Logger) (*catalog.Catalog, error) {
	return catalog.Build(ctx, catalog.Config{Root: root, Lakehouse: lh, Logger: log})
}
