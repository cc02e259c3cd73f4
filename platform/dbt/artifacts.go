package dbt

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
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

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

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

func (a *Artifacts) createdAt() float64 {
	t := a.GeneratedAt
	if t.IsZero() {
		t = time.Now()
	}
	return float64(t.UnixMicro()) / 1e6
}

func columnsJSON(cols []Column, fallback []CatalogColumn) map[string]any {
	out := map[string]any{}
	for _, c := range cols {
		dt := any(nil)
		if c.DataType != "" {
			dt = c.DataType
		}
		out[c.Name] = map[string]any{
			"name": c.Name, "description": c.Description, "meta": orEmptyMap(c.Meta), "data_type": dt,
			"constraints": []any{}, "quote": nil, "tags": orEmptyList(c.Tags),
		}
	}
	return out
}

// severityAsWritten is config.severity as dbt-core records it: as the
// property file gives it, ERROR by default.
func (t *Test) severityAsWritten() string {
	if t.severityConfig != "" {
		return t.severityConfig
	}
	return t.Severity
}

// patchPath is a node's patch_path: <package>://<property file>, or null.
func patchPath(pkg, file string) any {
	if file == "" {
		return nil
	}
	return pkg + "://" + file
}

func docsJSON() map[string]any { return map[string]any{"show": true, "node_color": nil} }

// fileHash is dbt-core's checksum of a file it parsed: the SHA-256 of its
// contents without leading and trailing blanks (parser/read_files.py strips
// them before hashing).
func fileHash(s string) map[string]any {
	return map[string]any{"name": "sha256", "checksum": checksum([]byte(strings.TrimSpace(s)))}
}

// maxSeedSize is dbt-core's MAXIMUM_SEED_SIZE: a larger seed file is
// checksummed by its path, not its contents.
const maxSeedSize = 1 << 20

func seedHash(s *Seed) map[string]any {
	if len(s.RawCSV) > maxSeedSize {
		return map[string]any{"name": "path", "checksum": s.Path}
	}
	return fileHash(s.RawCSV)
}

// primaryKey is the primary key dbt-core infers for a model without
// constraints (ModelNode.infer_primary_key): the columns with both a unique
// and a not_null test, else those with a unique test, sorted.
func (p *Project) primaryKey(m *Model) []string {
	unique, notNull := map[string]bool{}, map[string]bool{}
	for _, t := range p.Tests {
		col, ok := t.Kwargs["column_name"].(string)
		if t.Model != m.UniqueID || !ok {
			continue
		}
		switch t.Kind {
		case "unique":
			unique[col] = true
		case "not_null":
			notNull[col] = true
		}
	}
	both := []string{}
	for col := range notNull {
		if unique[col] {
			both = append(both, col)
		}
	}
	if len(both) == 0 {
		for col := range unique {
			both = append(both, col)
		}
	}
	sort.Strings(both)
	return both
}

// pathWithin strips the resource directory: models/marts/x.sql -> marts/x.sql.
func pathWithin(p string, dirs []string) string {
	for _, d := range dirs {
		if strings.HasPrefix(p, d+"/") {
			return strings.TrimPrefix(p, d+"/")
		}
	}
	return p
}

func fqnOf(pkgName, rel string) []string {
	parts := strings.Split(strings.TrimSuffix(rel, path.Ext(rel)), "/")
	return append([]string{pkgName}, parts...)
}

func (p *Project) modelPaths(pkgName string) []string {
	if pkgName == p.Name {
		return p.rootPF.ModelPaths
	}
	return []string{"models"}
}

func uniqueKeyJSON(k []string) any {
	switch len(k) {
	case 0:
		return nil
	case 1:
		return k[0]
	}
	return k
}

func hooksJSON(v any) []any {
	out := []any{}
	for _, s := range toStrings(v) {
		out = append(out, map[string]any{"sql": s, "transaction": true, "index": nil})
	}
	return out
}

func (m *Model) configJSON() map[string]any {
	cfg := map[string]any{}
	for k, v := range m.Config.Extra {
		switch k {
		case "meta", "enabled", "pre-hook", "post-hook", "pre_hook", "post_hook":
		default:
			cfg[k] = v
		}
	}
	for k, v := range map[string]any{
		"enabled": true, "alias": nullable(m.Config.Alias), "schema": nullable(m.Config.Schema), "database": nil,
		"tags": orEmptyList(m.Config.Tags), "meta": orEmptyMap(m.Meta), "group": nil,
		"materialized": m.Config.Materialized, "incremental_strategy": nullable(m.Config.IncrementalStrategy),
		"persist_docs": map[string]any{}, "post-hook": hooksJSON(m.Config.Extra["post-hook"]),
		"pre-hook": hooksJSON(m.Config.Extra["pre-hook"]), "quoting": map[string]any{},
		"column_types": map[string]any{}, "full_refresh": nil, "unique_key": uniqueKeyJSON(m.Config.UniqueKey),
		"on_schema_change": m.Config.OnSchemaChange, "on_configuration_change": "apply",
		"grants": map[string]any{}, "packages": []any{}, "docs": docsJSON(),
		"contract": map[string]any{"enforced": false, "alias_types": true}, "access": "protected",
	} {
		if _, set := cfg[k]; !set || k == "tags" || k == "meta" || k == "pre-hook" || k == "post-hook" {
			cfg[k] = v
		}
	}
	return cfg
}

// WriteManifest writes <dir>/manifest.json (manifest v12 as dbt 1.9.11
// writes it, with only the fields its schema allows).
func WriteManifest(dir string, a Artifacts) error {
	p := a.Project
	if p == nil {
		return fmt.Errorf("writing manifest: %w: Artifacts.Project is nil", ErrProject)
	}
	created := a.createdAt()
	nodes := map[string]any{}
	sources := map[string]any{}
	parents := map[string][]string{}

	for _, m := range p.sortedModels() {
		alias := m.Name
		if m.Config.Alias != "" {
			alias = m.Config.Alias
		}
		rel := a.relation(m.UniqueID, m.Config.Schema, alias)
		var relName any = relationName(rel)
		if m.Config.Materialized == "ephemeral" {
			relName = nil
		}
		refs := []any{}
		for _, r := range m.Refs {
			refs = append(refs, map[string]any{"name": r, "package": nil, "version": nil})
		}
		srcs := [][]string{}
		for _, s := range m.Sources {
			srcs = append(srcs, []string{s[0], s[1]})
		}
		compiled, hasCompiled := a.Compiled[m.UniqueID]
		var compiledCode any
		if hasCompiled {
			compiledCode = compiled
		}
		within := pathWithin(m.Path, p.modelPaths(m.Package))
		patch := patchPath(m.Package, m.PatchPath)
		callDict := map[string]any{}
		for k, v := range m.configCall {
			callDict[k] = v
		}
		unrendered := map[string]any{}
		mergeConfig(unrendered, m.unrendered)
		mergeConfig(unrendered, m.configCall)
		nodes[m.UniqueID] = map[string]any{
			"database": rel.Database, "schema": rel.Schema, "name": m.Name, "resource_type": "model",
			"package_name": m.Package, "path": within, "original_file_path": m.Path, "unique_id": m.UniqueID,
			"fqn": fqnOf(m.Package, within), "alias": rel.Alias, "checksum": fileHash(m.RawSQL), "primary_key": p.primaryKey(m),
			"config": m.configJSON(), "tags": orEmptyList(m.Tags), "description": m.Description,
			"columns": columnsJSON(m.Columns, nil), "meta": orEmptyMap(m.Meta), "group": nil, "docs": docsJSON(),
			"patch_path": patch, "build_path": nil, "unrendered_config": unrendered, "created_at": created,
			"config_call_dict": callDict, "relation_name": relName, "raw_code": strings.TrimSpace(m.RawSQL), "language": "sql",
			"refs": refs, "sources": srcs, "metrics": []any{},
			"depends_on":    map[string]any{"macros": p.macroDeps(m.Package, m.tpl.calls, m.tpl.defined), "nodes": orEmptyList(m.DependsOn)},
			"compiled_path": path.Join("target/compiled", m.Package, m.Path),
			"compiled":      hasCompiled, "compiled_code": compiledCode,
			"extra_ctes_injected": hasCompiled, "extra_ctes": []any{},
			"contract": map[string]any{"enforced": false, "alias_types": true, "checksum": nil},
			"access":   "protected", "constraints": []any{}, "version": nil, "latest_version": nil, "deprecation_date": nil,
		}
		parents[m.UniqueID] = orEmptyList(m.DependsOn)
	}

	for _, name := range slices.Sorted(maps.Keys(p.Seeds)) {
		s := p.Seeds[name]
		rel := a.relation(s.UniqueID, s.Schema, s.alias())
		colTypes := map[string]any{}
		for k, v := range s.ColumnTypes {
			colTypes[k] = v
		}
		cfg := map[string]any{
			"enabled": true, "alias": nullable(s.Alias), "schema": nullable(s.Schema), "database": nil,
			"tags": orEmptyList(s.Tags), "meta": orEmptyMap(s.Meta), "group": nil, "materialized": "seed",
			"incremental_strategy": nil, "persist_docs": map[string]any{}, "post-hook": []any{}, "pre-hook": []any{},
			"quoting": map[string]any{}, "column_types": colTypes, "full_refresh": nil, "unique_key": nil,
			"on_schema_change": "ignore", "on_configuration_change": "apply", "grants": map[string]any{},
			"packages": []any{}, "docs": docsJSON(), "contract": map[string]any{"enforced": false, "alias_types": true},
			"delimiter": ",", "quote_columns": nil,
		}
		within := pathWithin(s.Path, []string{"seeds", "data"})
		nodes[s.UniqueID] = map[string]any{
			"database": rel.Database, "schema": rel.Schema, "name": s.Name, "resource_type": "seed",
			"package_name": s.Package, "path": within, "original_file_path": s.Path, "unique_id": s.UniqueID,
			"fqn": fqnOf(s.Package, within), "alias": rel.Alias,
			"checksum": seedHash(s), "config": cfg,
			"tags": orEmptyList(s.Tags), "description": s.Description, "columns": columnsJSON(s.Columns, nil),
			"meta": orEmptyMap(s.Meta), "group": nil, "docs": docsJSON(), "patch_path": patchPath(s.Package, s.PatchPath), "build_path": nil,
			"unrendered_config": map[string]any{}, "created_at": created, "config_call_dict": map[string]any{},
			"relation_name": relationName(rel), "raw_code": "", "root_path": nil,
			"depends_on": map[string]any{"macros": []string{}},
		}
		parents[s.UniqueID] = []string{}
	}

	for _, key := range slices.Sorted(maps.Keys(p.Sources)) {
		s := p.Sources[key]
		rel := a.relation(s.UniqueID, s.Schema, s.Identifier)
		fqn := append(fqnOf(s.Package, pathWithin(s.Path, p.modelPaths(s.Package))), s.Name, s.Table)
		fqn = append(fqn[:len(fqn)-3], fqn[len(fqn)-2:]...) // drop the property file name
		sources[s.UniqueID] = map[string]any{
			"database": rel.Database, "schema": rel.Schema, "name": s.Table, "resource_type": "source",
			"package_name": s.Package, "path": s.Path, "original_file_path": s.Path, "unique_id": s.UniqueID,
			"fqn": fqn, "source_name": s.Name, "source_description": s.SourceDescription, "loader": s.Loader,
			"identifier": rel.Alias, "quoting": map[string]any{}, "loaded_at_field": nil, "freshness": nil,
			"external": nil, "description": s.Description, "columns": columnsJSON(s.Columns, nil),
			"meta": orEmptyMap(s.Meta), "source_meta": map[string]any{}, "tags": orEmptyList(s.Tags),
			"config": map[string]any{"enabled": true}, "patch_path": nil, "unrendered_config": map[string]any{},
			"relation_name": relationName(rel), "created_at": created,
		}
		parents[s.UniqueID] = []string{}
	}

	for _, t := range p.Tests {
		compiled, hasCompiled := a.Compiled[t.UniqueID]
		var compiledCode any
		if hasCompiled {
			compiledCode = compiled
		}
		// dbt-core's default test schema: generate_schema_name of the custom
		// schema dbt_test__audit, which every domain routes to mesh_core's
		// (the custom schema as it is), as our executor does for models.
		schema := "dbt_test__audit"
		rawCode := "{{ test_" + t.Kind + "(**_dbt_generic_test_kwargs) }}"
		var alias any
		unrendered := map[string]any{}
		if t.Alias != t.Name {
			alias = t.Alias
			unrendered["alias"] = t.Alias
			rawCode += `{{ config(alias="` + t.Alias + `") }}`
		}
		refs := []any{}
		srcs := [][]string{}
		for _, dep := range t.DependsOn {
			if strings.HasPrefix(dep, "source.") {
				s := p.sourceByID(dep)
				srcs = append(srcs, []string{s.Name, s.Table})
			} else {
				refs = append(refs, map[string]any{"name": dep[strings.LastIndex(dep, ".")+1:], "package": nil, "version": nil})
			}
		}
		var attached any
		fileKey := "models." + t.Model[strings.LastIndex(t.Model, ".")+1:]
		if strings.HasPrefix(t.Model, "source.") {
			s := p.sourceByID(t.Model)
			fileKey = "sources." + s.Name
		} else {
			attached = t.Model
			if strings.HasPrefix(t.Model, "seed.") {
				fileKey = "seeds." + t.Model[strings.LastIndex(t.Model, ".")+1:]
			}
		}
		within := pathWithin(t.Path, p.modelPaths(t.Package))
		fqn := append(fqnOf(t.Package, within), t.Name)
		fqn = append(fqn[:len(fqn)-2], fqn[len(fqn)-1]) // drop the property file name
		nodes[t.UniqueID] = map[string]any{
			"database": a.Database, "schema": schema, "name": t.Name, "resource_type": "test",
			"package_name": t.Package, "path": t.Alias + ".sql", "original_file_path": t.Path,
			"unique_id": t.UniqueID, "fqn": fqn, "alias": t.Alias,
			"checksum": map[string]any{"name": "none", "checksum": ""},
			"config": map[string]any{
				"enabled": true, "alias": alias, "schema": "dbt_test__audit", "database": nil, "tags": []string{},
				"meta": map[string]any{}, "group": nil, "materialized": "test", "severity": t.severityAsWritten(),
				"store_failures": nil, "store_failures_as": nil, "where": nullable(t.Where), "limit": nil,
				"fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0",
			},
			"tags": []string{}, "description": "", "columns": map[string]any{}, "meta": map[string]any{},
			"group": nil, "docs": docsJSON(), "patch_path": nil, "build_path": nil,
			"unrendered_config": unrendered, "created_at": created, "config_call_dict": map[string]any{},
			"relation_name": nil, "raw_code": rawCode,
			"language": "sql", "refs": refs, "sources": srcs, "metrics": []any{},
			"depends_on": map[string]any{
				"macros": []string{"macro.dbt.test_" + t.Kind, "macro.dbt.get_where_subquery"},
				"nodes":  orEmptyList(t.DependsOn),
			},
			"compiled_path": nil, "compiled": hasCompiled, "compiled_code": compiledCode,
			"extra_ctes_injected": hasCompiled, "extra_ctes": []any{},
			"contract":    map[string]any{"enforced": false, "alias_types": true, "checksum": nil},
			"column_name": nullable(t.Column), "file_key_name": fileKey, "attached_node": attached,
			"test_metadata": map[string]any{"name": t.Kind, "kwargs": t.Kwargs, "namespace": nil},
		}
		parents[t.UniqueID] = orEmptyList(t.DependsOn)
	}

	macros := map[string]any{}
	for _, pk := range append(append([]string{}, p.Packages...), p.Name) {
		for _, name := range slices.Sorted(maps.Keys(p.pkgMacros[pk])) {
			m := p.pkgMacros[pk][name]
			args := []any{}
			for _, arg := range m.Arguments {
				args = append(args, map[string]any{"name": arg, "type": nil, "description": ""})
			}
			macros[m.UniqueID] = map[string]any{
				"name": m.Name, "resource_type": "macro", "package_name": m.Package, "path": m.Path,
				"original_file_path": m.Path, "unique_id": m.UniqueID, "macro_sql": m.SQL,
				"depends_on": map[string]any{"macros": p.macroDeps(m.Package, m.calls, m.defined)}, "description": m.Description,
				"meta": map[string]any{}, "docs": docsJSON(), "patch_path": nil, "arguments": args,
				"created_at": created, "supported_languages": nil,
			}
		}
	}

	children := map[string][]string{}
	for id := range parents {
		children[id] = []string{}
	}
	for id, ps := range parents {
		for _, par := range ps {
			children[par] = append(children[par], id)
		}
	}
	for id := range children {
		sort.Strings(children[id])
		if _, ok := parents[id]; !ok {
			parents[id] = []string{} // a parent outside the project (should not happen)
		}
	}

	sum := md5.Sum([]byte(p.Name))
	manifest := map[string]any{
		"metadata": map[string]any{
			"dbt_schema_version": ManifestSchema, "dbt_version": dbtVersion, "generated_at": timestamp(a.GeneratedAt),
			"invocation_id": nullable(a.InvocationID), "env": map[string]string{}, "project_name": p.Name,
			"project_id": hex.EncodeToString(sum[:]), "user_id": nil, "send_anonymous_usage_stats": false,
			"adapter_type": "duckdb",
		},
		"nodes": nodes, "sources": sources, "macros": macros, "docs": map[string]any{},
		"exposures": map[string]any{}, "metrics": map[string]any{}, "groups": map[string]any{},
		"selectors": map[string]any{}, "disabled": map[string]any{}, "parent_map": parents,
		"child_map": children, "group_map": map[string]any{}, "saved_queries": map[string]any{},
		"semantic_models": map[string]any{}, "unit_tests": map[string]any{},
	}
	return writeJSON(dir, "manifest.json", manifest)
}

func (p *Project) sourceByID(id string) *Source {
	for _, s := range p.Sources {
		if s.UniqueID == id {
			return s
		}
	}
	return &Source{}
}

// nodeRefExpr is "ref('x')" or "source('a', 'b')" for a unique id.
func (p *Project) nodeRefExpr(id string) string {
	if strings.HasPrefix(id, "source.") {
		s := p.sourceByID(id)
		return fmt.Sprintf("source('%s', '%s')", s.Name, s.Table)
	}
	return fmt.Sprintf("ref('%s')", id[strings.LastIndex(id, ".")+1:])
}

// macroDeps lists the project and package macros that calls (made in a
// template of package pkg, binding the names in defined) reach directly,
// resolved in pkg's namespace.
func (p *Project) macroDeps(pkg string, calls []callSite, defined map[string]bool) []string {
	out := []string{}
	for _, c := range calls {
		if c.name == "" || defined[rootName(c.name)] {
			continue
		}
		if m := p.resolveMacro(pkg, c.name); m != nil {
			out = appendUnique(out, m.UniqueID)
		}
	}
	sort.Strings(out)
	return out
}

// WriteRunResults writes <dir>/run_results.json (run_results v6).
func WriteRunResults(dir string, a Artifacts) error {
	results := []any{}
	for _, r := range a.Results {
		compiled := r.Compiled
		if compiled == "" {
			compiled = a.Compiled[r.UniqueID]
		}
		var compiledCode any
		if compiled != "" {
			compiledCode = compiled
		}
		var failures any
		if r.Failures != nil {
			failures = *r.Failures
		}
		var msg any
		if r.Message != "" {
			msg = r.Message
		}
		resp := map[string]any{}
		for k, v := range r.AdapterResponse {
			resp[k] = v
		}
		if _, ok := resp["_message"]; !ok && r.Status == "success" {
			resp["_message"] = "OK"
		}
		if _, ok := resp["rows_affected"]; !ok && r.Rows > 0 {
			resp["rows_affected"] = r.Rows
		}
		var relName any
		if a.Project != nil {
			if m := a.Project.modelByID(r.UniqueID); m != nil && m.Config.Materialized != "ephemeral" {
				alias := m.Name
				if m.Config.Alias != "" {
					alias = m.Config.Alias
				}
				relName = relationName(a.relation(m.UniqueID, m.Config.Schema, alias))
			} else if s := a.Project.seedByID(r.UniqueID); s != nil {
				relName = relationName(a.relation(s.UniqueID, s.Schema, s.alias()))
			}
		}
		timing := []any{}
		if !r.Started.IsZero() {
			timing = append(timing,
				map[string]any{"name": "compile", "started_at": timestamp(r.Started), "completed_at": timestamp(r.Started)},
				map[string]any{"name": "execute", "started_at": timestamp(r.Started), "completed_at": timestamp(r.Completed)},
			)
		}
		exec := 0.0
		if !r.Started.IsZero() && !r.Completed.IsZero() {
			exec = r.Completed.Sub(r.Started).Seconds()
		}
		status := r.Status
		if status == "" {
			status = "success"
		}
		results = append(results, map[string]any{
			"status": status, "timing": timing, "thread_id": "Thread-1", "execution_time": exec,
			"adapter_response": resp, "message": msg, "failures": failures, "unique_id": r.UniqueID,
			"compiled": compiledCode != nil, "compiled_code": compiledCode, "relation_name": relName,
			"batch_results": nil,
		})
	}
	args := map[string]any{}
	for k, v := range a.Args {
		args[k] = v
	}
	doc := map[string]any{
		"metadata": map[string]any{
			"dbt_schema_version": RunResultsSchema, "dbt_version": dbtVersion,
			"generated_at": timestamp(a.GeneratedAt), "invocation_id": nullable(a.InvocationID), "env": map[string]string{},
		},
		"results": results, "elapsed_time": a.Elapsed.Seconds(), "args": args,
	}
	return writeJSON(dir, "run_results.json", doc)
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

// WriteCatalog writes <dir>/catalog.json (catalog v1) from Artifacts.Columns:
// models and seeds under nodes, sources under sources.
func WriteCatalog(dir string, a Artifacts) error {
	if a.Project == nil {
		return fmt.Errorf("writing catalog: %w: Artifacts.Project is nil", ErrProject)
	}
	p := a.Project
	nodes := map[string]any{}
	sources := map[string]any{}
	table := func(id string, rel Relation, typ string, cols []CatalogColumn) map[string]any {
		cj := map[string]any{}
		for i, c := range cols {
			idx := c.Index
			if idx == 0 {
				idx = i + 1
			}
			cj[c.Name] = map[string]any{"type": c.Type, "index": idx, "name": c.Name, "comment": nullable(c.Comment)}
		}
		return map[string]any{
			"metadata": map[string]any{"type": typ, "schema": rel.Schema, "name": rel.Alias, "database": nullable(rel.Database), "comment": nil, "owner": nil},
			"columns":  cj,
			"stats": map[string]any{"has_stats": map[string]any{
				"id": "has_stats", "label": "Has Stats?", "value": false, "include": false,
				"description": "Indicates whether there are statistics for this table",
			}},
			"unique_id": id,
		}
	}
	for _, id := range slices.Sorted(maps.Keys(a.Columns)) {
		cols := a.Columns[id]
		switch {
		case p.modelByID(id) != nil:
			m := p.modelByID(id)
			alias := m.Name
			if m.Config.Alias != "" {
				alias = m.Config.Alias
			}
			typ := "BASE TABLE"
			if m.Config.Materialized == "view" {
				typ = "VIEW"
			}
			nodes[id] = table(id, a.relation(id, m.Config.Schema, alias), typ, cols)
		case p.seedByID(id) != nil:
			s := p.seedByID(id)
			nodes[id] = table(id, a.relation(id, s.Schema, s.alias()), "BASE TABLE", cols)
		case strings.HasPrefix(id, "source."):
			s := p.sourceByID(id)
			if s.UniqueID == "" {
				return fmt.Errorf("writing catalog: %w: unknown source %s", ErrProject, id)
			}
			sources[id] = table(id, a.relation(id, s.Schema, s.Identifier), "BASE TABLE", cols)
		default:
			return fmt.Errorf("writing catalog: %w: unknown node %s", ErrProject, id)
		}
	}
	doc := map[string]any{
		"metadata": map[string]any{
			"dbt_schema_version": CatalogSchema, "dbt_version": dbtVersion,
			"generated_at": timestamp(a.GeneratedAt), "invocation_id": nullable(a.InvocationID), "env": map[string]string{},
		},
		"nodes": nodes, "sources": sources, "errors": nil,
	}
	return writeJSON(dir, "catalog.json", doc)
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

func (s *Seed) alias() string {
	if s.Alias != "" {
		return s.Alias
	}
	return s.Name
}
