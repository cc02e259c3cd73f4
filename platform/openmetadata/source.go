package openmetadata

import (
	"context"
	"fmt"
	"log/slog"
	"sort"

	"github.com/meshterious/warehouse/platform/catalog"
	"github.com/meshterious/warehouse/platform/dashboards"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// LoadCatalog builds the catalog of the repository at root for a push: the
// declarations (package catalog), every domain's Superset dashboards
// (package dashboards) as consumers of the tables their datasets read, and
// the lakehouse when lh is not nil (column types, partitioning, tables only
// it knows).
func LoadCatalog(ctx context.Context, root string, lh *lakehouse.Lakehouse, log *slog.Logger) (*catalog.Catalog, error) {
	ds, err := dashboards.LoadAll(root)
	if err != nil {
		return nil, fmt.Errorf("loading the dashboards: %w", err)
	}
	var consumers []catalog.Consumer
	for _, d := range ds {
		reads := map[string]bool{}
		for _, set := range d.Datasets {
			for _, t := range set.Reads {
				reads[t] = true
			}
		}
		c := catalog.Consumer{Name: d.ID, Kind: catalog.KindDashboard, Domain: d.Domain,
			Description: orText(d.Description, d.Title) + "\n\nSuperset dashboard declared in " + d.File + "."}
		for t := range reads {
			c.Reads = append(c.Reads, t)
		}
		sort.Strings(c.Reads)
		consumers = append(consumers, c)
	}
	return catalog.Build(ctx, catalog.Config{Root: root, Lakehouse: lh, Consumers: consumers, Logger: log})
}
