// What the lakehouse adds: columns and types, partitioning, snapshots, rows,
// last commit and freshness.

package catalog

import (
	"context"
	"fmt"
	"sort"

	"github.com/apache/iceberg-go"

	"github.com/meshterious/warehouse/platform/freshness"
)

// addLive reads every table of the lakehouse. A table of a namespace that
// is no domain is kept with no domain and no owner.
func (b *builder) addLive(ctx context.Context) error {
	lh := b.cfg.Lakehouse
	infos, err := lh.Tables(ctx)
	if err != nil {
		return fmt.Errorf("building the catalog: %w", err)
	}
	b.cat.Live = true
	seen := map[string]bool{}
	for _, info := range infos {
		id := info.Ident.String()
		seen[id] = true
		t, known := b.tables[id]
		if !known {
			t = b.table(info.Ident.Namespace, id)
			t.Origin = OriginLakehouse
			if _, ok := b.domains[t.Namespace]; !ok {
				t.Domain = ""
			}
		}
		tbl, err := lh.LoadTable(ctx, info.Ident)
		if err != nil {
			return fmt.Errorf("building the catalog: %w", err)
		}
		t.Live = &LiveState{
			Exists: true, Rows: info.Rows, Files: info.Files, SnapshotID: info.SnapshotID,
			LastCommit: info.LastCommit, Snapshots: len(tbl.Metadata().Snapshots()),
		}
		sc := tbl.Schema()
		spec := tbl.Spec()
		t.Partitioning = nil
		for _, f := range spec.Fields() {
			src, _ := sc.FindColumnName(f.SourceID())
			if f.Transform == (iceberg.IdentityTransform{}) {
				t.Partitioning = append(t.Partitioning, src)
			} else {
				t.Partitioning = append(t.Partitioning, f.Transform.String()+"("+src+")")
			}
		}
		// The lakehouse's column order and types; declared columns it does
		// not have (yet) stay at the end.
		cols := make([]Column, 0, len(t.Columns))
		used := map[string]bool{}
		for _, f := range sc.Fields() {
			c := Column{Name: f.Name}
			if have, ok := t.Column(f.Name); ok {
				c = *have
				used[f.Name] = true
			}
			c.Type = f.Type.String()
			if c.Description == "" {
				c.Description = f.Doc
			}
			cols = append(cols, c)
		}
		for _, c := range t.Columns {
			if !used[c.Name] {
				cols = append(cols, c)
			}
		}
		t.Columns = cols
	}
	for id, t := range b.tables {
		if !seen[id] {
			t.Live = &LiveState{}
		}
	}
	return nil
}

// judgeFreshness runs package freshness on every table with an SLA, its
// inputs being its upstream tables in the lineage.
func (b *builder) judgeFreshness(ctx context.Context) error {
	inputs := map[string][]string{}
	for _, e := range b.cat.Edges {
		if e.From.Kind == KindTable && e.To.Kind == KindTable {
			inputs[e.To.Name] = append(inputs[e.To.Name], e.From.Name)
		}
	}
	var checks []freshness.Check
	for _, t := range b.cat.Tables {
		if t.Freshness.SLA > 0 {
			checks = append(checks, freshness.Check{Table: t.ID(), SLA: t.Freshness.SLA, Inputs: inputs[t.ID()]})
		}
	}
	sort.Slice(checks, func(i, j int) bool { return checks[i].Table < checks[j].Table })
	results, err := freshness.Run(ctx, b.cfg.Lakehouse, checks, b.cfg.Now)
	if err != nil {
		return fmt.Errorf("building the catalog: %w", err)
	}
	for _, r := range results {
		t := b.tables[r.Table]
		t.Freshness.Status, t.Freshness.Detail = string(r.Status), r.String()
		t.Freshness.LastData, t.Freshness.Age = r.LastData, r.Age
	}
	return nil
}
