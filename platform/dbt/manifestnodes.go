// WriteManifest and the values dbt-core computes for manifest nodes.

package dbt

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
)

// WriteManifest writes <dir>/manifest.json (manifest v12 as dbt 1.9.11
// writes it, with only the fields its schema allows).
func WriteManifest(dir string, a Artifacts) error {
	p := a.Project
	if p == nil {
		return fmt.Errorf("writing manifest: %w: Artifacts.Project is nil", ErrProject)
	}
	sum := md5.Sum([]byte(p.Name))
	doc := manifest{
		Metadata: manifestMetadata{
			artifactMetadata: a.metadata(ManifestSchema), ProjectName: p.Name,
			ProjectID: hex.EncodeToString(sum[:]), AdapterType: "duckdb",
		},
		Nodes: map[string]manifestNode{}, Sources: map[string]*sourceNode{}, Macros: map[string]*macroNode{},
		ParentMap: map[string][]string{},
	}
	for _, m := range p.sortedModels() {
		doc.Nodes[m.UniqueID] = a.modelNode(m)
		doc.ParentMap[m.UniqueID] = orEmptyList(m.DependsOn)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Seeds)) {
		s := p.Seeds[name]
		doc.Nodes[s.UniqueID] = a.seedNode(s)
		doc.ParentMap[s.UniqueID] = []string{}
	}
	for _, key := range slices.Sorted(maps.Keys(p.Sources)) {
		s := p.Sources[key]
		doc.Sources[s.UniqueID] = a.sourceNode(s)
		doc.ParentMap[s.UniqueID] = []string{}
	}
	for _, t := range p.Tests {
		doc.Nodes[t.UniqueID] = a.testNode(t)
		doc.ParentMap[t.UniqueID] = orEmptyList(t.DependsOn)
	}
	for _, pk := range append(slices.Clone(p.Packages), p.Name) {
		for _, name := range slices.Sorted(maps.Keys(p.pkgMacros[pk])) {
			m := p.pkgMacros[pk][name]
			doc.Macros[m.UniqueID] = a.macroNode(m)
		}
	}
	doc.ChildMap = childMap(doc.ParentMap)
	return writeJSON(dir, "manifest.json", doc)
}

// childMap inverts parents, sorted; a parent outside the project (which
// should not happen) gets an empty entry in parents too.
func childMap(parents map[string][]string) map[string][]string {
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
			parents[id] = []string{}
		}
	}
	return children
}

// compiledCode is a node's compiled SQL, if it was compiled.
func (a *Artifacts) compiledCode(id string) *string {
	if sql, ok := a.Compiled[id]; ok {
		return &sql
	}
	return nil
}

func (a *Artifacts) modelNode(m *Model) *modelNode {
	p := a.Project
	rel := a.modelRelation(m)
	relName := nullString(relationName(rel))
	if m.Config.Materialized == "ephemeral" {
		relName = nil
	}
	refs := []refArgs{}
	for _, r := range m.Refs {
		refs = append(refs, refArgs{Name: r})
	}
	srcs := [][]string{}
	for _, s := range m.Sources {
		srcs = append(srcs, []string{s[0], s[1]})
	}
	code := a.compiledCode(m.UniqueID)
	within := pathWithin(m.Path, p.modelPaths(m.Package))
	unrendered := map[string]any{}
	mergeConfig(unrendered, m.unrendered)
	mergeConfig(unrendered, m.configCall)
	compiledPath := path.Join("target/compiled", m.Package, m.Path)
	return &modelNode{
		parsedNode: parsedNode{
			Database: rel.Database, Schema: rel.Schema, Name: m.Name, ResourceType: "model",
			PackageName: m.Package, Path: within, OriginalFilePath: m.Path, UniqueID: m.UniqueID,
			FQN: fqnOf(m.Package, within), Alias: rel.Alias, Checksum: fileHash(m.RawSQL),
			Tags: orEmptyList(m.Tags), Description: m.Description, Columns: columnsOf(m.Columns),
			Meta: orEmptyMap(m.Meta), Docs: docsShown(), PatchPath: patchPath(m.Package, m.PatchPath),
			UnrenderedConfig: unrendered, CreatedAt: a.createdAt(), ConfigCallDict: maps.Clone(orEmptyMap(m.configCall)),
			RelationName: relName, RawCode: strings.TrimSpace(m.RawSQL),
		},
		compiledNode: compiledNode{
			Language: "sql", Refs: refs, Sources: srcs,
			DependsOn:    dependsOn{Macros: p.macroDeps(m.Package, m.tpl.calls, m.tpl.defined), Nodes: orEmptyList(m.DependsOn)},
			CompiledPath: &compiledPath, Compiled: code != nil, CompiledCode: code, ExtraCTEsInjected: code != nil,
			Contract: nodeContract{contractConfig: contractConfig{AliasTypes: true}},
		},
		Config: m.config(), PrimaryKey: p.primaryKey(m), Access: "protected",
	}
}

// config is the model's config: the typed fields with dbt's defaults, and
// every other key the project sets in Extra.
func (m *Model) config() modelConfig {
	extra := map[string]any{}
	for k, v := range m.Config.Extra {
		switch k {
		case "meta", "enabled", "pre-hook", "post-hook", "pre_hook", "post_hook":
		default:
			extra[k] = v
		}
	}
	return modelConfig{
		nodeConfig: nodeConfig{
			Enabled: true, Alias: nullString(m.Config.Alias), Schema: nullString(m.Config.Schema),
			Tags: orEmptyList(m.Config.Tags), Meta: orEmptyMap(m.Meta), Materialized: m.Config.Materialized,
			IncrementalStrategy: nullString(m.Config.IncrementalStrategy),
			PostHook:            hooks(m.Config.Extra["post-hook"]), PreHook: hooks(m.Config.Extra["pre-hook"]),
			ColumnTypes: map[string]string{}, UniqueKey: m.Config.UniqueKey,
			OnSchemaChange: m.Config.OnSchemaChange, OnConfigurationChange: "apply",
			Docs: docsShown(), Contract: contractConfig{AliasTypes: true},
		},
		Access: "protected", Extra: extra,
	}
}

func (a *Artifacts) seedNode(s *Seed) *seedNode {
	rel := a.relation(s.UniqueID, s.Schema, s.alias())
	within := pathWithin(s.Path, []string{"seeds", "data"})
	return &seedNode{
		parsedNode: parsedNode{
			Database: rel.Database, Schema: rel.Schema, Name: s.Name, ResourceType: "seed",
			PackageName: s.Package, Path: within, OriginalFilePath: s.Path, UniqueID: s.UniqueID,
			FQN: fqnOf(s.Package, within), Alias: rel.Alias, Checksum: seedHash(s),
			Tags: orEmptyList(s.Tags), Description: s.Description, Columns: columnsOf(s.Columns),
			Meta: orEmptyMap(s.Meta), Docs: docsShown(), PatchPath: patchPath(s.Package, s.PatchPath),
			UnrenderedConfig: map[string]any{}, CreatedAt: a.createdAt(), ConfigCallDict: map[string]any{},
			RelationName: nullString(relationName(rel)),
		},
		Config: seedConfig{
			nodeConfig: nodeConfig{
				Enabled: true, Alias: nullString(s.Alias), Schema: nullString(s.Schema),
				Tags: orEmptyList(s.Tags), Meta: orEmptyMap(s.Meta), Materialized: "seed",
				PostHook: []hook{}, PreHook: []hook{}, ColumnTypes: maps.Clone(orEmptyStrings(s.ColumnTypes)),
				OnSchemaChange: "ignore", OnConfigurationChange: "apply",
				Docs: docsShown(), Contract: contractConfig{AliasTypes: true},
			},
			Delimiter: ",",
		},
		DependsOn: macroDependsOn{Macros: []string{}},
	}
}

func orEmptyStrings(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (a *Artifacts) sourceNode(s *Source) *sourceNode {
	p := a.Project
	rel := a.relation(s.UniqueID, s.Schema, s.Identifier)
	fqn := append(fqnOf(s.Package, pathWithin(s.Path, p.modelPaths(s.Package))), s.Name, s.Table)
	fqn = append(fqn[:len(fqn)-3], fqn[len(fqn)-2:]...) // drop the property file name
	return &sourceNode{
		Database: rel.Database, Schema: rel.Schema, Name: s.Table, ResourceType: "source",
		PackageName: s.Package, Path: s.Path, OriginalFilePath: s.Path, UniqueID: s.UniqueID,
		FQN: fqn, SourceName: s.Name, SourceDescription: s.SourceDescription, Loader: s.Loader,
		Identifier: rel.Alias, Description: s.Description, Columns: columnsOf(s.Columns),
		Meta: orEmptyMap(s.Meta), Tags: orEmptyList(s.Tags), Config: sourceConfig{Enabled: true},
		RelationName: relationName(rel), CreatedAt: a.createdAt(),
	}
}

func (a *Artifacts) testNode(t *Test) *testNode {
	p := a.Project
	// dbt-core's default test schema: generate_schema_name of the custom
	// schema dbt_test__audit, which every domain routes to mesh_core's
	// (the custom schema as it is), as our executor does for models.
	const schema = "dbt_test__audit"
	rawCode := "{{ test_" + t.Kind + "(**_dbt_generic_test_kwargs) }}"
	var alias *string
	unrendered := map[string]any{}
	if t.Alias != t.Name {
		alias = &t.Alias
		unrendered["alias"] = t.Alias
		rawCode += `{{ config(alias="` + t.Alias + `") }}`
	}
	refs := []refArgs{}
	srcs := [][]string{}
	for _, dep := range t.DependsOn {
		if strings.HasPrefix(dep, "source.") {
			s := p.sourceByID(dep)
			srcs = append(srcs, []string{s.Name, s.Table})
		} else {
			refs = append(refs, refArgs{Name: dep[strings.LastIndex(dep, ".")+1:]})
		}
	}
	var attached *string
	fileKey := "models." + t.Model[strings.LastIndex(t.Model, ".")+1:]
	if strings.HasPrefix(t.Model, "source.") {
		fileKey = "sources." + p.sourceByID(t.Model).Name
	} else {
		attached = &t.Model
		if strings.HasPrefix(t.Model, "seed.") {
			fileKey = "seeds." + t.Model[strings.LastIndex(t.Model, ".")+1:]
		}
	}
	within := pathWithin(t.Path, p.modelPaths(t.Package))
	fqn := append(fqnOf(t.Package, within), t.Name)
	fqn = append(fqn[:len(fqn)-2], fqn[len(fqn)-1]) // drop the property file name
	code := a.compiledCode(t.UniqueID)
	return &testNode{
		parsedNode: parsedNode{
			Database: a.Database, Schema: schema, Name: t.Name, ResourceType: "test",
			PackageName: t.Package, Path: t.Alias + ".sql", OriginalFilePath: t.Path,
			UniqueID: t.UniqueID, FQN: fqn, Alias: t.Alias, Checksum: fileChecksum{Name: "none"},
			Tags: []string{}, Columns: map[string]columnInfo{}, Meta: map[string]any{}, Docs: docsShown(),
			UnrenderedConfig: unrendered, CreatedAt: a.createdAt(), ConfigCallDict: map[string]any{},
			RawCode: rawCode,
		},
		compiledNode: compiledNode{
			Language: "sql", Refs: refs, Sources: srcs,
			DependsOn: dependsOn{
				Macros: []string{"macro.dbt.test_" + t.Kind, "macro.dbt.get_where_subquery"},
				Nodes:  orEmptyList(t.DependsOn),
			},
			Compiled: code != nil, CompiledCode: code, ExtraCTEsInjected: code != nil,
			Contract: nodeContract{contractConfig: contractConfig{AliasTypes: true}},
		},
		Config: testConfig{
			Enabled: true, Alias: alias, Schema: schema, Tags: []string{}, Meta: map[string]any{},
			Materialized: "test", Severity: t.severityAsWritten(), Where: nullString(t.Where),
			FailCalc: "count(*)", WarnIf: "!= 0", ErrorIf: "!= 0",
		},
		ColumnName: nullString(t.Column), FileKeyName: fileKey, AttachedNode: attached,
		TestMetadata: testMetadata{Name: t.Kind, Kwargs: t.Kwargs},
	}
}

func (a *Artifacts) macroNode(m *Macro) *macroNode {
	args := []macroArgument{}
	for _, arg := range m.Arguments {
		args = append(args, macroArgument{Name: arg})
	}
	return &macroNode{
		Name: m.Name, ResourceType: "macro", PackageName: m.Package, Path: m.Path,
		OriginalFilePath: m.Path, UniqueID: m.UniqueID, MacroSQL: m.SQL,
		DependsOn:   macroDependsOn{Macros: a.Project.macroDeps(m.Package, m.calls, m.defined)},
		Description: m.Description, Docs: docsShown(), Arguments: args, CreatedAt: a.createdAt(),
	}
}

func columnsOf(cols []Column) map[string]columnInfo {
	out := map[string]columnInfo{}
	for _, c := range cols {
		out[c.Name] = columnInfo{
			Name: c.Name, Description: c.Description, Meta: orEmptyMap(c.Meta),
			DataType: nullString(c.DataType), Tags: orEmptyList(c.Tags),
		}
	}
	return out
}

func docsShown() docsConfig { return docsConfig{Show: true} }

func hooks(v any) []hook {
	out := []hook{}
	for _, s := range toStrings(v) {
		out = append(out, hook{SQL: s, Transaction: true})
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
func patchPath(pkg, file string) *string {
	if file == "" {
		return nil
	}
	return nullString(pkg + "://" + file)
}

// fileHash is dbt-core's checksum of a file it parsed: the SHA-256 of its
// contents without leading and trailing blanks (parser/read_files.py strips
// them before hashing).
func fileHash(s string) fileChecksum {
	return fileChecksum{Name: "sha256", Checksum: checksum([]byte(strings.TrimSpace(s)))}
}

// maxSeedSize is dbt-core's MAXIMUM_SEED_SIZE: a larger seed file is
// checksummed by its path, not its contents.
const maxSeedSize = 1 << 20

func seedHash(s *Seed) fileChecksum {
	if len(s.RawCSV) > maxSeedSize {
		return fileChecksum{Name: "path", Checksum: s.Path}
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
