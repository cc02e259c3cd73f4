// catalog.json (catalog v1): its types and writer.

package dbt

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// catalogDoc is catalog.json.
type catalogDoc struct {
	Metadata artifactMetadata        `json:"metadata"`
	Nodes    map[string]catalogTable `json:"nodes"`
	Sources  map[string]catalogTable `json:"sources"`
	// Errors are the errors of catalog queries; a written catalog has none: null.
	Errors []string `json:"errors"`
}

// catalogTable is one relation as the database reports it.
type catalogTable struct {
	Metadata tableMetadata                `json:"metadata"`
	Columns  map[string]catalogColumnInfo `json:"columns"`
	Stats    map[string]statsItem         `json:"stats"`
	UniqueID string                       `json:"unique_id"`
}

type tableMetadata struct {
	Type     string  `json:"type"`
	Schema   string  `json:"schema"`
	Name     string  `json:"name"`
	Database *string `json:"database"`
	Comment  *string `json:"comment"`
	Owner    *string `json:"owner"`
}

type catalogColumnInfo struct {
	Type    string  `json:"type"`
	Index   int     `json:"index"`
	Name    string  `json:"name"`
	Comment *string `json:"comment"`
}

// statsItem is one table statistic; only has_stats (false) is written.
type statsItem struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Value       bool   `json:"value"`
	Include     bool   `json:"include"`
	Description string `json:"description"`
}

// catalogTableOf is the catalog entry of a relation with the given columns;
// a column's index defaults to its 1-based position.
func catalogTableOf(id string, rel Relation, typ string, cols []CatalogColumn) catalogTable {
	cj := map[string]catalogColumnInfo{}
	for i, c := range cols {
		idx := c.Index
		if idx == 0 {
			idx = i + 1
		}
		cj[c.Name] = catalogColumnInfo{Type: c.Type, Index: idx, Name: c.Name, Comment: nullString(c.Comment)}
	}
	return catalogTable{
		Metadata: tableMetadata{Type: typ, Schema: rel.Schema, Name: rel.Alias, Database: nullString(rel.Database)},
		Columns:  cj,
		Stats: map[string]statsItem{"has_stats": {
			ID: "has_stats", Label: "Has Stats?", Value: false, Include: false,
			Description: "Indicates whether there are statistics for this table",
		}},
		UniqueID: id,
	}
}

// WriteCatalog writes <dir>/catalog.json (catalog v1) from Artifacts.Columns:
// models and seeds under nodes, sources under sources.
func WriteCatalog(dir string, a Artifacts) error {
	if a.Project == nil {
		return fmt.Errorf("writing catalog: %w: Artifacts.Project is nil", ErrProject)
	}
	p := a.Project
	doc := catalogDoc{Metadata: a.metadata(CatalogSchema), Nodes: map[string]catalogTable{}, Sources: map[string]catalogTable{}}
	for _, id := range slices.Sorted(maps.Keys(a.Columns)) {
		cols := a.Columns[id]
		if m := p.modelByID(id); m != nil {
			typ := "BASE TABLE"
			if m.Config.Materialized == "view" {
				typ = "VIEW"
			}
			doc.Nodes[id] = catalogTableOf(id, a.modelRelation(m), typ, cols)
			continue
		}
		if s := p.seedByID(id); s != nil {
			doc.Nodes[id] = catalogTableOf(id, a.relation(id, s.Schema, s.alias()), "BASE TABLE", cols)
			continue
		}
		if !strings.HasPrefix(id, "source.") {
			return fmt.Errorf("writing catalog: %w: unknown node %s", ErrProject, id)
		}
		s := p.sourceByID(id)
		if s.UniqueID == "" {
			return fmt.Errorf("writing catalog: %w: unknown source %s", ErrProject, id)
		}
		doc.Sources[id] = catalogTableOf(id, a.relation(id, s.Schema, s.Identifier), "BASE TABLE", cols)
	}
	return writeJSON(dir, "catalog.json", doc)
}
