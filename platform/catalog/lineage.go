// Lineage: edges from the broker topology, the ingest DAGs, dbt, the other
// DAG steps, the producers' upstream queries, the serving database, the
// domains' dashboards and the declared consumers.

package catalog

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/dags"
	"github.com/meshterious/warehouse/platform/dashboards"
	"github.com/meshterious/warehouse/platform/dbt"
)

func (b *builder) addLineage() {
	for _, name := range slices.Sorted(maps.Keys(b.domains)) {
		d := b.domains[name]
		ex := broker.ExchangeName(d.Name)
		for _, ev := range d.Events {
			raw := d.Name + "." + ev.RawTable
			for _, r := range d.Regions {
				bd := broker.Binding{Domain: d.Name, Event: ev.Name, Region: r}
				ingest := b.ingestDAG(d.Name, ev.Name, r)
				b.edge(Edge{From: TopicRef(ex), To: TopicRef(bd.Queue()), Via: ViaBinding})
				b.edge(Edge{From: TopicRef(bd.Queue()), To: TopicRef(bd.DLQ()), Via: ViaDeadLetter, Pipeline: ingest})
				var cols []ColumnLineage
				for _, c := range b.tables[raw].Columns {
					if slices.ContainsFunc(b.topic(bd.Queue()).SchemaFields, func(f Column) bool { return f.Name == c.Name }) {
						cols = append(cols, ColumnLineage{From: []string{c.Name}, To: c.Name})
					}
				}
				b.edge(Edge{From: TopicRef(bd.Queue()), To: TableRef(raw), Via: ViaIngest, Pipeline: ingest, Columns: cols})
			}
			// A producer that reacts to other data products reads them.
			for _, t := range b.mentionedTables(ev.Upstream) {
				b.edge(Edge{From: TableRef(t), To: TopicRef(ex), Via: ViaProducer})
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(b.built)) {
		n := b.built[id]
		if n.model == nil {
			continue
		}
		cols := b.columnLineage(id, n)
		for _, in := range b.dbtInputs(n.p, n.model) {
			b.table(domainOf(in), in)
			b.edge(Edge{From: TableRef(in), To: TableRef(id), Via: ViaDBT, Pipeline: b.writer(id), Columns: cols[in]})
		}
	}
	b.addDAGEdges()
}

func domainOf(id string) string { ns, _, _ := strings.Cut(id, "."); return ns }

func (b *builder) edge(e Edge) { b.cat.Edges = append(b.cat.Edges, e) }

func (b *builder) topic(name string) *Topic {
	for _, t := range b.cat.Topics {
		if t.Name == name {
			return t
		}
	}
	return &Topic{}
}

func (b *builder) exists(r Ref) bool {
	switch r.Kind {
	case KindTable:
		_, ok := b.tables[r.Name]
		return ok
	case KindTopic:
		return b.topic(r.Name).Name != ""
	case KindServing:
		return slices.Contains(b.cat.Serving.Tables, r.Name)
	case KindDataset:
		return slices.ContainsFunc(b.cat.Datasets, func(d *Dataset) bool { return d.ID == r.Name })
	case KindChart:
		return slices.ContainsFunc(b.cat.Charts, func(c *Chart) bool { return c.ID == r.Name })
	}
	return slices.ContainsFunc(b.cat.Consumers, func(c *Consumer) bool { return c.Name == r.Name && c.Kind == r.Kind })
}

// ingestDAG is the DAG whose task ingests event from region: a DAG of type
// ingest whose command names --event E --region R.
func (b *builder) ingestDAG(domain, event, region string) string {
	for _, g := range b.dags {
		if g.Domain != domain || g.Type != dags.TypeIngest {
			continue
		}
		for _, t := range g.Tasks {
			if flagValue(t.Command, "--event") == event && flagValue(t.Command, "--region") == region {
				return g.ID
			}
		}
	}
	return ""
}

func flagValue(words []string, flag string) string {
	for i, w := range words {
		if w == flag && i+1 < len(words) {
			return words[i+1]
		}
		if v, ok := strings.CutPrefix(w, flag+"="); ok {
			return v
		}
	}
	return ""
}

// writer is the first (by id) DAG writing table, other than maintenance
// and freshness; "" when none.
func (b *builder) writer(table string) string {
	var ids []string
	for _, g := range b.dags {
		if g.Type != dags.TypeMaintenance && g.Type != dags.TypeFreshness && slices.Contains(g.Writes, table) {
			ids = append(ids, g.ID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return slices.Min(ids)
}

var dottedRE = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\b`)

// mentionedTables returns the catalog tables a SQL text names as ns.table.
func (b *builder) mentionedTables(sql string) []string {
	var out []string
	for _, m := range dottedRE.FindAllStringSubmatch(sql, -1) {
		id := m[1] + "." + m[2]
		if _, ok := b.tables[id]; ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// dbtInputs are the tables a model reads: its refs, sources and seeds,
// looking through ephemeral models.
func (b *builder) dbtInputs(p *dbt.Project, m *dbt.Model) []string {
	byUID := map[string]string{}
	ephemeral := map[string]*dbt.Model{}
	for _, x := range p.Models {
		if x.Config.Materialized == "ephemeral" {
			ephemeral[x.UniqueID] = x
		} else {
			byUID[x.UniqueID] = modelIdent(p, x)
		}
	}
	for _, s := range p.Seeds {
		ns := s.Schema
		if ns == "" {
			ns = p.Name
		}
		byUID[s.UniqueID] = ns + "." + s.Name
	}
	for _, s := range p.Sources {
		byUID[s.UniqueID] = sourceIdent(s)
	}
	var out []string
	var walk func(m *dbt.Model, seen map[string]bool)
	walk = func(m *dbt.Model, seen map[string]bool) {
		for _, dep := range m.DependsOn {
			if seen[dep] {
				continue
			}
			seen[dep] = true
			if e, ok := ephemeral[dep]; ok {
				walk(e, seen)
			} else if id, ok := byUID[dep]; ok {
				out = append(out, id)
			}
		}
	}
	walk(m, map[string]bool{m.UniqueID: true})
	sort.Strings(out)
	return slices.Compact(out)
}

// addDAGEdges adds the lineage of DAG steps that are not dbt (the
// forecasts): each table such a DAG writes is made from the tables dbt
// builds in the same DAG and from the DAG's reads that those do not
// already read.
func (b *builder) addDAGEdges() {
	upstream := map[string][]string{} // dbt lineage so far
	for _, e := range b.cat.Edges {
		if e.Via == ViaDBT {
			upstream[e.To.Name] = append(upstream[e.To.Name], e.From.Name)
		}
	}
	var closure func(t string, seen map[string]bool)
	closure = func(t string, seen map[string]bool) {
		for _, u := range upstream[t] {
			if !seen[u] {
				seen[u] = true
				closure(u, seen)
			}
		}
	}
	for _, g := range b.dags {
		switch g.Type {
		case dags.TypeIngest, dags.TypeMaintenance, dags.TypeFreshness:
			continue
		}
		var made []string
		covered := map[string]bool{}
		for _, w := range g.Writes {
			if _, ok := b.built[w]; ok {
				made = append(made, w)
				closure(w, covered)
			}
		}
		for _, w := range g.Writes {
			if _, ok := b.built[w]; ok {
				continue
			}
			ins := slices.Clone(made)
			for _, r := range g.Reads {
				if !covered[r] && r != w {
					ins = append(ins, r)
				}
			}
			sort.Strings(ins)
			for _, in := range slices.Compact(ins) {
				b.table(domainOf(in), in)
				b.edge(Edge{From: TableRef(in), To: TableRef(w), Via: ViaDAG, Pipeline: g.ID})
			}
		}
	}
}

// addConsumers checks the declared consumers and links them to the tables
// they read.
func (b *builder) addConsumers(cs []Consumer) error {
	var errs []string
	for i, c := range cs {
		field := fmt.Sprintf("%s: consumers[%d]", ConsumersFile, i)
		if c.Name == "" {
			errs = append(errs, field+".name is required")
			continue
		}
		if c.Kind == "" {
			c.Kind = KindDashboard
		}
		if c.Domain != "" {
			if _, ok := b.domains[c.Domain]; !ok {
				errs = append(errs, fmt.Sprintf("%s (%s).domain: no domain %q", field, c.Name, c.Domain))
			}
		}
		for _, r := range c.Reads {
			if _, ok := b.tables[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s (%s).reads: no table %q", field, c.Name, r))
			}
		}
		cc := c
		b.cat.Consumers = append(b.cat.Consumers, &cc)
		for _, r := range c.Reads {
			b.edge(Edge{From: TableRef(r), To: Ref{Kind: c.Kind, Name: c.Name}, Via: ViaDeclared})
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return nil
}

// propagatePII carries the PII level of a column down to the columns made from it that declare none: along column
// lineage, and to every output of a dbt model whose expression mentions it
// (lower(email) as email) or that passes it through a star. So a PII column
// copied or transformed into a new table stays classified, and masked; an
// aggregate over it is classified too, which errs on the safe side.
func (b *builder) propagatePII() {
	type link struct{ from, col, to, out string }
	var links []link
	for _, e := range b.cat.Edges {
		if e.From.Kind != KindTable || e.To.Kind != KindTable {
			continue
		}
		for _, cl := range e.Columns {
			for _, f := range cl.From {
				links = append(links, link{e.From.Name, f, e.To.Name, cl.To})
			}
		}
	}
	for _, d := range b.derived {
		links = append(links, link(d))
	}
	for changed := true; changed; {
		changed = false
		for _, l := range links {
			src, dst := b.tables[l.from], b.tables[l.to]
			if src == nil || dst == nil {
				continue
			}
			from, ok := src.Column(l.col)
			if !ok {
				continue
			}
			to, ok := dst.Column(l.out)
			if !ok {
				continue
			}
			if from.PII != "" && to.PII == "" {
				to.PII, changed = from.PII, true
			}
		}
	}
	// A dataset column selected from a PII column is classified too: the
	// serving copy holds it masked for the publishing role, but the
	// dataset's readers should know what it is.
	for _, e := range b.cat.Edges {
		if e.From.Kind != KindServing || e.To.Kind != KindDataset || b.tables[e.From.Name] == nil {
			continue
		}
		i := slices.IndexFunc(b.cat.Datasets, func(d *Dataset) bool { return d.ID == e.To.Name })
		if i < 0 {
			continue
		}
		ds := b.cat.Datasets[i]
		for _, cl := range e.Columns {
			j := slices.IndexFunc(ds.Columns, func(c Column) bool { return c.Name == cl.To })
			for _, f := range cl.From {
				if from, ok := b.tables[e.From.Name].Column(f); ok && from.PII != "" && j >= 0 && ds.Columns[j].PII == "" {
					ds.Columns[j].PII = from.PII
				}
			}
		}
	}
}

// The serving database, as package serving and meshctl publish name it.
const (
	ServingName = "serving"
	// ServingFile is serving.DefaultFile (package serving needs DuckDB,
	// which the catalog does not).
	ServingFile    = "serving/mesh.duckdb"
	ServingCommand = "meshctl publish"
)

// addDashboards adds the serving database and every domain's declared
// dashboards (package dashboards): a serving copy of each data product and
// of each table a dashboard reads, and the edges table -> serving table ->
// dataset -> chart -> dashboard. Errors name the declaration file.
func (b *builder) addDashboards() error {
	names := slices.Sorted(maps.Keys(b.domains))
	var all []*dashboards.Dashboard
	for _, name := range names {
		ds, err := dashboards.LoadDomain(b.cfg.Root, b.domains[name], names)
		if err != nil {
			return fmt.Errorf("building the catalog: %w", err)
		}
		all = append(all, ds...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })

	served := map[string]bool{}
	for id, t := range b.tables {
		if l := t.Layer; l == LayerFact || (l == "" && layerOf(t.Name) == LayerFact) {
			served[id] = true
		}
	}
	var errs []string
	datasetCols := map[string]map[string][]ColumnLineage{} // dataset ID -> table -> columns
	for _, d := range all {
		if slices.ContainsFunc(b.cat.Consumers, func(c *Consumer) bool { return c.Name == d.ID }) {
			errs = append(errs, fmt.Sprintf("%s: dashboard %s: a consumer of that name is declared too (%s or Config.Consumers)", d.File, d.ID, ConsumersFile))
			continue
		}
		c := &Consumer{Name: d.ID, Kind: KindDashboard, Title: d.Title, Description: d.Description, Domain: d.Domain,
			Owner: d.Owner, Tool: "Superset", File: d.File}
		for i, ds := range d.Datasets {
			n := d.DatasetNode(ds)
			set := &Dataset{ID: n.ID, Name: ds.Name, Dashboard: d.ID, Domain: d.Domain, Owner: d.Owner,
				Description: ds.Description, SQL: strings.TrimSpace(ds.SQL), Reads: ds.Reads, File: d.File}
			for _, col := range ds.Columns {
				set.Columns = append(set.Columns, Column{Name: col.Name, Type: col.Type})
			}
			for _, r := range ds.Reads {
				if _, ok := b.tables[r]; !ok {
					errs = append(errs, fmt.Sprintf("%s: datasets[%d] (%s).reads: no table %q in the catalog", d.File, i, ds.Name, r))
					continue
				}
				served[r] = true
				c.Reads = append(c.Reads, r)
			}
			datasetCols[set.ID] = b.datasetColumnLineage(set)
			b.cat.Datasets = append(b.cat.Datasets, set)
			c.Datasets = append(c.Datasets, set.ID)
		}
		for _, ch := range d.Charts {
			n := d.ChartNode(ch)
			chart := &Chart{ID: n.ID, Name: ch.ID, Title: ch.Title, Description: ch.Description, Type: ch.Type,
				Dashboard: d.ID, Domain: d.Domain, Owner: d.Owner, File: d.File}
			if ds := d.Dataset(ch.Dataset); ds != nil {
				chart.Dataset = d.DatasetNode(ds).ID
			}
			b.cat.Charts = append(b.cat.Charts, chart)
			c.Charts = append(c.Charts, chart.ID)
		}
		sort.Strings(c.Reads)
		c.Reads = slices.Compact(c.Reads)
		b.cat.Consumers = append(b.cat.Consumers, c)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	sort.Slice(b.cat.Datasets, func(i, j int) bool { return b.cat.Datasets[i].ID < b.cat.Datasets[j].ID })
	sort.Slice(b.cat.Charts, func(i, j int) bool { return b.cat.Charts[i].ID < b.cat.Charts[j].ID })

	b.cat.Serving = Serving{Name: ServingName, Engine: "DuckDB", Path: ServingFile, Command: ServingCommand,
		Description: "The data products copied into one DuckDB file by " + ServingCommand + ", read only by BI tools (Superset through duckdb-engine) under the lakehouse's <namespace>.<table> names.",
		Tables:      slices.Sorted(maps.Keys(served))}
	for _, id := range b.cat.Serving.Tables {
		pipeline, cmd := b.publisher(id)
		var cols []ColumnLineage // a copy: every column from itself
		for _, c := range b.tables[id].Columns {
			cols = append(cols, ColumnLineage{From: []string{c.Name}, To: c.Name})
		}
		b.edge(Edge{From: TableRef(id), To: ServingRef(id), Via: ViaServing, Pipeline: pipeline, Command: cmd, Columns: cols})
	}
	kinds := map[string]Kind{dashboards.NodeDataset: KindDataset, dashboards.NodeChart: KindChart, dashboards.NodeDashboard: KindDashboard}
	for _, e := range dashboards.Lineage(all) {
		if e.From.Kind == dashboards.NodeTable && !served[e.From.ID] {
			continue // reported above
		}
		from := Ref{Kind: kinds[e.From.Kind], Name: e.From.ID}
		var cols []ColumnLineage
		if e.From.Kind == dashboards.NodeTable {
			from = ServingRef(e.From.ID) // Superset reads the serving copy
			cols = datasetCols[e.To.ID][e.From.ID]
		}
		b.edge(Edge{From: from, To: Ref{Kind: kinds[e.To.Kind], Name: e.To.ID}, Via: ViaDashboard, Columns: cols})
	}
	return nil
}

// datasetColumnLineage is, per table a dataset reads, the dataset columns
// that are simply one of its columns (SimpleColumns: plain, qualified, cast
// or aliased), as for a dbt model; an unqualified column counts only when
// one table read has it.
func (b *builder) datasetColumnLineage(ds *Dataset) map[string][]ColumnLineage {
	has := func(table, col string) bool {
		t, ok := b.tables[table]
		if !ok {
			return false
		}
		_, ok = t.Column(col)
		return ok
	}
	out := map[string][]ColumnLineage{}
	for _, ref := range SimpleColumns(ds.SQL) {
		if !slices.ContainsFunc(ds.Columns, func(c Column) bool { return c.Name == ref.Out }) {
			continue
		}
		var from []string
		for _, r := range ds.Reads {
			if (ref.Table == "" || ref.Table == r) && has(r, ref.Column) {
				from = append(from, r)
			}
		}
		if len(from) == 1 {
			out[from[0]] = append(out[from[0]], ColumnLineage{From: []string{ref.Column}, To: ref.Out})
		}
	}
	return out
}

// publisher is the DAG (first by id) with a task running meshctl publish for
// table (its --tables name it, or it has none: every table), and that
// task's command; "" and ServingCommand when no DAG publishes it.
func (b *builder) publisher(table string) (string, string) {
	for _, g := range slices.SortedFunc(slices.Values(b.dags), func(x, y *dags.DAG) int { return strings.Compare(x.ID, y.ID) }) {
		for _, t := range g.Tasks {
			i := slices.Index(t.Command, "publish")
			if i < 1 || path.Base(t.Command[i-1]) != "meshctl" {
				continue
			}
			tables := flagValue(t.Command[i:], "--tables")
			if tables == "" || slices.Contains(strings.Split(tables, ","), table) {
				return g.ID, t.CommandLine()
			}
		}
	}
	return "", ServingCommand
}
