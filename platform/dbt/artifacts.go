package dbt

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Artifact schema versions, as dbt 1.9 writes them.
const (
	ManifestSchema   = "https://schemas.getdbt.com/dbt/manifest/v12.json"
	RunResultsSchema = "https://schemas.getdbt.com/dbt/run-results/v6.json"
	CatalogSchema    = "https://schemas.getdbt.com/dbt/catalog/v1.json"
	// DBTVersion is the dbt version the artifacts claim; its schemas are the
	// field set OpenMetadata's parser accepts.
	DBTVersion = dbtVersion
)

// NodeResult is the outcome of one node (model, seed or test) of a run.
type NodeResult struct {
	UniqueID string
	// Status is success|error|skipped for models and seeds, pass|fail|warn|error|skipped for tests.
	Status          string
	Message         string
	Failures        *int // failing rows of a test
	Rows            int64
	Started         time.Time
	Completed       time.Time
	Compiled        string
	AdapterResponse map[string]any
}

// Artifacts is what the three writers need.
type Artifacts struct {
	Project *Project
	// Database is the catalog/service name, e.g. "mesh".
	Database     string
	InvocationID string
	GeneratedAt  time.Time
	// Compiled maps unique id -> compiled SQL (models and tests).
	Compiled map[string]string
	// Relations maps unique id -> the relation the node was built as (the
	// Iceberg identifiers: schema = domain namespace, alias = table name).
	Relations map[string]Relation
	Results   []NodeResult
	Elapsed   time.Duration
	// Columns maps unique id -> actual columns, for catalog.json.
	Columns map[string][]CatalogColumn
	// Args are the invocation arguments recorded in run_results.json.
	Args map[string]any
}

// Relation is a database object.
type Relation struct {
	Database, Schema, Alias string
}

// CatalogColumn is one column as the database reports it.
type CatalogColumn struct {
	Name, Type string
	Index      int
	Comment    string
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// nullString is s, or null when s is empty.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// orEmptyMap and orEmptyList keep a field dbt writes as {} or [] from
// becoming null.
func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func orEmptyList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func relationName(r Relation) string {
	parts := []string{}
	if r.Database != "" {
		parts = append(parts, quoteIdent(r.Database))
	}
	if r.Schema != "" {
		parts = append(parts, quoteIdent(r.Schema))
	}
	parts = append(parts, quoteIdent(r.Alias))
	return strings.Join(parts, ".")
}

// relation returns the relation of a node: Relations when given, else the
// configured schema/alias under Database.
func (a *Artifacts) relation(id, schema, alias string) Relation {
	r, ok := a.Relations[id]
	if !ok {
		r = Relation{Schema: schema, Alias: alias}
	}
	if r.Database == "" {
		r.Database = a.Database
	}
	if r.Schema == "" {
		r.Schema = schema
	}
	if r.Schema == "" {
		r.Schema = "main"
	}
	if r.Alias == "" {
		r.Alias = alias
	}
	return r
}

// modelRelation is the relation a model is built as.
func (a *Artifacts) modelRelation(m *Model) Relation {
	alias := m.Name
	if m.Config.Alias != "" {
		alias = m.Config.Alias
	}
	return a.relation(m.UniqueID, m.Config.Schema, alias)
}

func (a *Artifacts) createdAt() float64 {
	t := a.GeneratedAt
	if t.IsZero() {
		t = time.Now()
	}
	return float64(t.UnixMicro()) / 1e6
}

// metadata is the metadata block of an artifact of the given schema.
func (a *Artifacts) metadata(schema string) artifactMetadata {
	return artifactMetadata{
		DBTSchemaVersion: schema, DBTVersion: dbtVersion, GeneratedAt: timestamp(a.GeneratedAt),
		InvocationID: nullString(a.InvocationID), Env: map[string]string{},
	}
}

func (p *Project) sourceByID(id string) *Source {
	for _, s := range p.Sources {
		if s.UniqueID == id {
			return s
		}
	}
	return &Source{}
}

func (p *Project) modelByID(id string) *Model {
	if !strings.HasPrefix(id, "model.") {
		return nil
	}
	m := p.Models[id[strings.LastIndex(id, ".")+1:]]
	if m != nil && m.UniqueID == id {
		return m
	}
	return nil
}

func (p *Project) seedByID(id string) *Seed {
	if !strings.HasPrefix(id, "seed.") {
		return nil
	}
	s := p.Seeds[id[strings.LastIndex(id, ".")+1:]]
	if s != nil && s.UniqueID == id {
		return s
	}
	return nil
}

func (s *Seed) alias() string {
	if s.Alias != "" {
		return s.Alias
	}
	return s.Name
}

func writeJSON(dir, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}
