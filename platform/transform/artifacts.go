package transform

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// writeArtifacts writes manifest.json, run_results.json and catalog.json with
// the relations named exactly as the Iceberg tables (database = catalog name,
// schema = namespace, alias = table), which is how OpenMetadata matches them.
func (x *Executor) writeArtifacts(ctx context.Context, rep *Report, compiled map[string]string) error {
	if err := os.MkdirAll(x.cfg.TargetDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", x.cfg.TargetDir, err)
	}
	rel := func(id lakehouse.Ident) dbt.Relation {
		return dbt.Relation{Database: x.cfg.Database, Schema: id.Namespace, Alias: id.Name}
	}
	a := dbt.Artifacts{
		Project:      x.project,
		Database:     x.cfg.Database,
		InvocationID: rep.InvocationID,
		GeneratedAt:  time.Now().UTC(),
		Compiled:     compiled,
		Relations:    map[string]dbt.Relation{},
		Columns:      map[string][]dbt.CatalogColumn{},
		Elapsed:      rep.Took,
		Args:         map[string]any{"which": x.cfg.Command, "select": x.cfg.Select, "full_refresh": x.cfg.FullRefresh},
	}
	ids := map[string]lakehouse.Ident{}
	for _, m := range x.project.Models {
		ids[m.UniqueID] = x.modelIdent(m)
	}
	for _, s := range x.project.Seeds {
		ids[s.UniqueID] = x.seedIdent(s)
	}
	for _, s := range x.project.Sources {
		ids[s.UniqueID] = x.sourceIdent(s)
	}
	for uid, id := range ids {
		a.Relations[uid] = rel(id)
		tbl, err := x.lh.LoadTable(ctx, id)
		if err != nil {
			continue // not materialized (view, ephemeral, or not built yet)
		}
		for i, f := range tbl.Schema().Fields() {
			a.Columns[uid] = append(a.Columns[uid], dbt.CatalogColumn{Name: f.Name, Type: f.Type.String(), Index: i + 1, Comment: f.Doc})
		}
	}
	for _, r := range rep.Results {
		nr := dbt.NodeResult{
			UniqueID: r.UniqueID, Status: r.Status, Message: r.Message, Rows: r.Rows,
			Started: r.Started, Completed: r.Started.Add(r.Took), Compiled: r.Compiled,
			AdapterResponse: map[string]any{"rows_affected": r.Rows},
		}
		if r.Kind == "test" {
			f := r.Failures
			nr.Failures = &f
		}
		a.Results = append(a.Results, nr)
	}
	for _, write := range []func(string, dbt.Artifacts) error{dbt.WriteManifest, dbt.WriteRunResults, dbt.WriteCatalog} {
		if err := write(x.cfg.TargetDir, a); err != nil {
			return err
		}
	}
	return nil
}
