package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/dags"
	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/dbtpkg"
	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// Files under the repository root that Build reads besides the domains.
const (
	GlossaryFile   = "metadata/glossary.yaml"
	GovernanceFile = "metadata/governance.yaml"
	// ConsumersFile is optional: dashboards and other readers of tables.
	ConsumersFile = "metadata/consumers.yaml"
	// dbtPackageDir is where the shared dbt packages live (package dbtpkg),
	// for error messages about their property files.
	dbtPackageDir = "platform/dbtpkg"
)

// Keys of dbt meta the catalog reads, on columns (and glossary on models).
const (
	MetaPII      = "pii"
	MetaAccess   = "access"
	MetaGlossary = "glossary"
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
	// Edges are extra lineage edges (e.g. from a dashboard tool), added as
	// they are; their ends must be entities of the catalog.
	Edges []Edge
	// Logger receives warnings; nil means slog.Default().
	Logger *slog.Logger
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Root == "" {
		return fmt.Errorf("%w: catalog Config.Root (the repository root) is required", ErrInvalid)
	}
	return nil
}

// builder holds what Build has read so far.
type builder struct {
	cfg      Config
	log      *slog.Logger
	cat      *Catalog
	tables   map[string]*Table
	domains  map[string]*domainspec.Domain
	dags     []*dags.DAG
	projects map[string]*dbt.Project // by domain
	// built maps a table to the dbt node building it.
	built    map[string]dbtNode
	glossary map[string]string // lower-case term -> term
	pii      map[string]PIILevel
	access   map[string]bool
	// derived are the column derivations of the dbt models, for PII.
	derived []derivation
	errs    []error
}

// dbtNode is a model or seed and the project and domain it belongs to.
type dbtNode struct {
	domain string
	p      *dbt.Project
	model  *dbt.Model
	seed   *dbt.Seed
}

// Build builds the catalog of the mesh under cfg.Root: every domain's
// domain.yaml, contracts, dbt project and DAGs, metadata/glossary.yaml,
// metadata/governance.yaml and metadata/consumers.yaml, and the lakehouse
// when cfg.Lakehouse is set. Errors name the file and the field at fault.
func Build(ctx context.Context, cfg Config) (*Catalog, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &builder{
		cfg: cfg, log: cfg.Logger, cat: &Catalog{BuiltAt: cfg.Now},
		tables: map[string]*Table{}, domains: map[string]*domainspec.Domain{},
		projects: map[string]*dbt.Project{}, built: map[string]dbtNode{},
		glossary: map[string]string{}, pii: map[string]PIILevel{}, access: map[string]bool{},
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.cat.BuiltAt.IsZero() {
		b.cat.BuiltAt = time.Now().UTC()
	}
	all, domains, err := dags.LoadAll(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("building the catalog: %w", err)
	}
	b.dags = all
	teams := map[string][]string{}
	for _, d := range domains {
		b.domains[d.Name] = d
		teams[d.Name] = []string{d.Owners.Team}
	}
	var appliesTo map[string][]string
	if b.cat.Glossary, appliesTo, err = loadGlossary(cfg.Root); err != nil {
		return nil, err
	}
	for _, t := range b.cat.Glossary.Terms {
		b.glossary[strings.ToLower(t.Name)] = t.Name
	}
	if b.cat.Governance, err = loadGovernance(cfg.Root, teams); err != nil {
		return nil, err
	}
	for _, l := range b.cat.Governance.PIILevels {
		b.pii[l.Name] = l
	}
	for _, a := range b.cat.Governance.AccessLevels {
		b.access[a.Name] = true
	}
	consumers, err := loadConsumers(cfg.Root)
	if err != nil {
		return nil, err
	}
	consumers = append(consumers, cfg.Consumers...)

	for _, d := range domains {
		if err := b.addDomain(d); err != nil {
			return nil, err
		}
	}
	b.addPipelines()
	for _, id := range slices.Sorted(maps.Keys(appliesTo)) {
		t, ok := b.tables[id]
		if !ok {
			b.bad("%s: applies_to: no table %q in the catalog", GlossaryFile, id)
			continue
		}
		t.Glossary = mergeSorted(t.Glossary, b.terms(GlossaryFile+": applies_to["+id+"]", anySlice(appliesTo[id])))
	}
	if err := errors.Join(b.errs...); err != nil {
		return nil, err
	}
	if cfg.Lakehouse != nil {
		if err := b.addLive(ctx); err != nil {
			return nil, err
		}
	}
	b.addLineage()
	if err := b.addConsumers(consumers); err != nil {
		return nil, err
	}
	if err := b.addDashboards(); err != nil {
		return nil, err
	}
	for _, e := range cfg.Edges {
		if !b.exists(e.From) || !b.exists(e.To) {
			return nil, fmt.Errorf("%w: Config.Edges: edge %s -> %s names an entity the catalog does not have", ErrInvalid, e.From, e.To)
		}
		b.cat.Edges = append(b.cat.Edges, e)
	}
	b.propagatePII()
	b.finish()
	if cfg.Lakehouse != nil {
		if err := b.judgeFreshness(ctx); err != nil {
			return nil, err
		}
	}
	return b.cat, nil
}

func (b *builder) bad(format string, args ...any) {
	b.errs = append(b.errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...))
}

// table returns the table id of domain, creating it.
func (b *builder) table(domain, id string) *Table {
	if t, ok := b.tables[id]; ok {
		return t
	}
	ns, name, _ := strings.Cut(id, ".")
	t := &Table{Namespace: ns, Name: name, Domain: domain, Origin: OriginDeclared}
	if d, ok := b.domains[domain]; ok {
		t.Owner = d.Owners.Team
	}
	b.tables[id] = t
	return t
}

// addDomain adds a domain, its declared tables, its events' raw tables and
// topics, and its dbt models and seeds.
func (b *builder) addDomain(d *domainspec.Domain) error {
	b.cat.Domains = append(b.cat.Domains, &Domain{
		Name: d.Name, Description: strings.TrimSpace(d.Description), Team: d.Owners.Team,
		GitHub: d.Owners.GitHub, Email: d.Owners.Email, Regions: d.Regions, DependsOn: d.DependsOn, Dir: d.Dir,
	})
	for _, dt := range d.Tables {
		t := b.table(d.Name, d.Name+"."+dt.Name)
		t.Layer = Layer(dt.Layer)
		t.Description = strings.TrimSpace(dt.Description)
		if len(dt.Columns) > 0 {
			t.Columns = b.declaredColumns(d, dt)
		}
	}
	for _, ev := range d.Events {
		rel := path.Join(d.Dir, ev.Contract)
		c, err := contract.Load(filepath.Join(b.cfg.Root, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("building the catalog: domain %s: event %s: %w", d.Name, ev.Name, err)
		}
		schema, err := os.ReadFile(filepath.Join(b.cfg.Root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		t := b.table(d.Name, d.Name+"."+ev.RawTable)
		t.Origin, t.Contract = OriginContract, c.String()
		if t.Layer == "" {
			t.Layer = LayerRaw
		}
		var fields []Column
		for _, f := range c.IcebergSchema().Fields() {
			col := Column{Name: f.Name, Type: f.Type.String(), Description: f.Doc}
			if cf, ok := c.Field(f.Name); ok && cf.PII != contract.PIINone {
				col.PII = cf.PII
				if _, ok := b.pii[cf.PII]; !ok {
					b.bad("%s: properties/%s/x-pii: PII level %q is not declared in %s", rel, f.Name, cf.PII, GovernanceFile)
				}
			}
			fields = append(fields, col)
		}
		t.Columns = fields
		b.addTopics(d, ev, c, rel, string(schema), fields[:len(c.Fields)])
	}
	if err := b.addDBT(d); err != nil {
		return err
	}
	b.checkDeclaredColumns(d)
	return nil
}

// addDBT loads the domain's dbt project, if any, and adds its models and
// seeds as tables, and what its sources say of the domain's own tables.
func (b *builder) addDBT(d *domainspec.Domain) error {
	dir := filepath.Join(b.cfg.Root, filepath.FromSlash(d.Dir), "dbt")
	if _, err := os.Stat(filepath.Join(dir, "dbt_project.yml")); err != nil {
		return nil // a domain without a dbt project
	}
	p, err := dbt.Load(os.DirFS(dir), dbt.LoadOptions{Packages: dbtpkg.Packages()})
	if err != nil {
		return fmt.Errorf("building the catalog: %s/dbt: %w", d.Dir, err)
	}
	b.projects[d.Name] = p
	file := func(pkg, rel string) string {
		if pkg == p.Name {
			return path.Join(d.Dir, "dbt", rel)
		}
		return path.Join(dbtPackageDir, pkg, rel)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		m := p.Models[name]
		if m.Config.Materialized == "ephemeral" {
			continue
		}
		id := modelIdent(p, m)
		ns, _, _ := strings.Cut(id, ".")
		t := b.table(ns, id)
		t.Origin = OriginDBTModel
		t.DBT = &DBTNode{UniqueID: m.UniqueID, Package: m.Package, Path: m.Path, PatchPath: m.PatchPath, Materialized: m.Config.Materialized}
		if t.Description == "" {
			t.Description = strings.TrimSpace(m.Description)
		}
		t.Tags = mergeSorted(t.Tags, m.Tags)
		where := fmt.Sprintf("%s: models[%s]", file(m.Package, m.PatchPath), m.Name)
		t.Glossary = b.terms(where+".meta."+MetaGlossary, m.Meta[MetaGlossary])
		t.Columns = b.columns(where, m.Columns)
		t.DBT.Tests = testsOf(p, m.UniqueID)
		columnTests(p, m.UniqueID, t.Columns)
		b.built[id] = dbtNode{domain: d.Name, p: p, model: m}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Seeds)) {
		s := p.Seeds[name]
		ns := s.Schema
		if ns == "" {
			ns = p.Name
		}
		id := ns + "." + s.Name
		t := b.table(ns, id)
		t.Origin = OriginDBTSeed
		if t.Layer == "" {
			t.Layer = LayerDim
		}
		t.DBT = &DBTNode{UniqueID: s.UniqueID, Package: s.Package, Path: s.Path, PatchPath: s.PatchPath, Materialized: "seed"}
		if t.Description == "" {
			t.Description = strings.TrimSpace(s.Description)
		}
		t.Tags = mergeSorted(t.Tags, s.Tags)
		where := fmt.Sprintf("%s: seeds[%s]", file(s.Package, s.PatchPath), s.Name)
		cols := b.columns(where, s.Columns)
		// Undocumented seed columns are known from the CSV header.
		for _, h := range s.Header {
			if !slices.ContainsFunc(cols, func(c Column) bool { return c.Name == h }) {
				cols = append(cols, Column{Name: h, Type: s.ColumnTypes[h]})
			}
		}
		t.Columns = cols
		t.DBT.Tests = testsOf(p, s.UniqueID)
		columnTests(p, s.UniqueID, t.Columns)
		b.built[id] = dbtNode{domain: d.Name, p: p, seed: s}
	}
	// The domain's own sources document its raw tables.
	for _, key := range slices.Sorted(maps.Keys(p.Sources)) {
		s := p.Sources[key]
		id := sourceIdent(s)
		ns, _, _ := strings.Cut(id, ".")
		if ns != d.Name {
			continue
		}
		t := b.table(ns, id)
		if t.Description == "" {
			t.Description = strings.TrimSpace(s.Description)
		}
		where := fmt.Sprintf("%s: sources[%s.%s]", path.Join(d.Dir, "dbt", s.Path), s.Name, s.Table)
		for _, sc := range b.columns(where, s.Columns) {
			c, ok := t.Column(sc.Name)
			if !ok {
				t.Columns = append(t.Columns, sc)
				continue
			}
			if c.Description == "" {
				c.Description = sc.Description
			}
			if sc.PII != "" {
				c.PII = sc.PII
			}
			if sc.Access != "" {
				c.Access = sc.Access
			}
			c.Glossary = mergeSorted(c.Glossary, sc.Glossary)
			c.Tags = mergeSorted(c.Tags, sc.Tags)
		}
	}
	return nil
}

// modelIdent is the table a model materializes as: <schema or project>.<alias
// or name>, as the executor (package transform) names it.
func modelIdent(p *dbt.Project, m *dbt.Model) string {
	ns := m.Config.Schema
	if ns == "" {
		ns = p.Name
	}
	name := m.Name
	if m.Config.Alias != "" {
		name = m.Config.Alias
	}
	return ns + "." + name
}

func sourceIdent(s *dbt.Source) string {
	ns := s.Schema
	if ns == "" {
		ns = s.Name
	}
	name := s.Table
	if s.Identifier != "" {
		name = s.Identifier
	}
	return ns + "." + name
}

// testsOf lists the tests on a node: "unique(order_id)", "not_null(qty)".
func testsOf(p *dbt.Project, uid string) []string {
	var out []string
	for _, t := range p.Tests {
		if t.Model != uid {
			continue
		}
		if t.Column != "" {
			out = append(out, t.Kind+"("+t.Column+")")
		} else {
			out = append(out, t.Kind)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// columnTests sets each column's tests: the kinds of the generic tests on it.
func columnTests(p *dbt.Project, uid string, cols []Column) {
	for i := range cols {
		cols[i].Tests = nil
		for _, t := range p.Tests {
			if t.Model == uid && t.Column == cols[i].Name {
				cols[i].Tests = append(cols[i].Tests, t.Kind)
			}
		}
		sort.Strings(cols[i].Tests)
		cols[i].Tests = slices.Compact(cols[i].Tests)
	}
}

// columns turns documented dbt columns into catalog columns, checking their
// meta: pii and access must be declared levels, glossary declared terms.
func (b *builder) columns(where string, cols []dbt.Column) []Column {
	out := make([]Column, 0, len(cols))
	for _, c := range cols {
		field := fmt.Sprintf("%s.columns[%s].meta", where, c.Name)
		col := Column{Name: c.Name, Type: c.DataType, Description: strings.TrimSpace(c.Description), Tags: c.Tags}
		if v, ok := c.Meta[MetaPII]; ok {
			s, _ := v.(string)
			if _, known := b.pii[s]; !known {
				b.bad("%s.%s: unknown PII level %v (declared in %s: %s)", field, MetaPII, v, GovernanceFile, strings.Join(slices.Sorted(maps.Keys(b.pii)), ", "))
			}
			col.PII = s
		}
		if v, ok := c.Meta[MetaAccess]; ok {
			s, _ := v.(string)
			if !b.access[s] {
				b.bad("%s.%s: unknown access level %v (declared in %s: %s)", field, MetaAccess, v, GovernanceFile, strings.Join(slices.Sorted(maps.Keys(b.access)), ", "))
			}
			col.Access = s
		}
		col.Glossary = b.terms(field+"."+MetaGlossary, c.Meta[MetaGlossary])
		out = append(out, col)
	}
	return out
}

// terms checks a meta glossary value (a term or a list of terms) and
// returns the terms as the glossary spells them.
func (b *builder) terms(field string, v any) []string {
	if v == nil {
		return nil
	}
	var names []string
	switch x := v.(type) {
	case string:
		names = []string{x}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				b.bad("%s: want a term or a list of terms, got %v", field, v)
				return nil
			}
			names = append(names, s)
		}
	default:
		b.bad("%s: want a term or a list of terms, got %v", field, v)
		return nil
	}
	var out []string
	for _, n := range names {
		t, ok := b.glossary[strings.ToLower(n)]
		if !ok {
			b.bad("%s: unknown glossary term %q (terms are declared in %s)", field, n, GlossaryFile)
			continue
		}
		out = append(out, t)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// addPipelines adds every DAG, and the tables DAGs write that nothing else
// declares.
func (b *builder) addPipelines() {
	for _, g := range b.dags {
		p := &Pipeline{
			ID: g.ID, Domain: g.Domain, Type: g.Type, Description: g.Description, Owner: g.Owner,
			Schedule: g.Schedule.String(), SLA: g.SLA, Tags: g.Tags, Reads: g.Reads, Writes: g.Writes, Source: g.Source,
		}
		for _, t := range g.TaskOrder() {
			p.Tasks = append(p.Tasks, Task{ID: t.ID, Command: t.CommandLine(), DependsOn: t.DependsOn})
		}
		b.cat.Pipelines = append(b.cat.Pipelines, p)
		for _, w := range g.Writes {
			b.table(g.Domain, w)
		}
	}
}

// finish fills the derived fields and sorts everything.
func (b *builder) finish() {
	gov := b.cat.Governance
	slas := dags.TableSLAs(slices.Collect(maps.Values(b.domains)), b.dags)
	for id, t := range b.tables {
		if t.Layer == "" {
			t.Layer = layerOf(t.Name)
		}
		t.DataProduct = t.Layer == LayerFact
		t.Freshness.SLA = slas[id]
		for i := range t.Columns {
			c := &t.Columns[i]
			if c.Access == "" {
				c.Access = gov.DefaultAccess
				if l, ok := b.pii[c.PII]; ok {
					c.Access = l.Access
				}
			}
		}
		b.cat.Tables = append(b.cat.Tables, t)
	}
	sort.Slice(b.cat.Tables, func(i, j int) bool { return b.cat.Tables[i].ID() < b.cat.Tables[j].ID() })
	for _, d := range b.cat.Domains {
		for _, t := range b.cat.Tables {
			if t.Domain == d.Name && t.DataProduct {
				d.DataProducts = append(d.DataProducts, t.ID())
			}
		}
	}
	// Where each glossary term is applied.
	applied := map[string][]string{}
	for _, t := range b.cat.Tables {
		for _, g := range t.Glossary {
			applied[g] = append(applied[g], t.ID())
		}
		for _, c := range t.Columns {
			for _, g := range c.Glossary {
				applied[g] = append(applied[g], t.ID()+"."+c.Name)
			}
		}
	}
	for i := range b.cat.Glossary.Terms {
		b.cat.Glossary.Terms[i].Applied = applied[b.cat.Glossary.Terms[i].Name]
	}
	sort.Slice(b.cat.Topics, func(i, j int) bool { return b.cat.Topics[i].Name < b.cat.Topics[j].Name })
	sort.Slice(b.cat.Pipelines, func(i, j int) bool { return b.cat.Pipelines[i].ID < b.cat.Pipelines[j].ID })
	sort.Slice(b.cat.Consumers, func(i, j int) bool { return b.cat.Consumers[i].Name < b.cat.Consumers[j].Name })
	sortEdges(b.cat.Edges)
}

func sortEdges(es []Edge) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].From != es[j].From {
			return es[i].From.String() < es[j].From.String()
		}
		return es[i].To.String() < es[j].To.String()
	})
}

// layerOf guesses a layer from the naming convention of the mesh.
func layerOf(name string) Layer {
	switch {
	case strings.HasPrefix(name, "raw_"):
		return LayerRaw
	case strings.HasPrefix(name, "stg_"):
		return LayerStaging
	case strings.HasPrefix(name, "fact_"):
		return LayerFact
	}
	return LayerDim
}

func mergeSorted(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	sort.Strings(out)
	return slices.Compact(out)
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
