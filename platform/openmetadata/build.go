package openmetadata

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/meshterious/warehouse/platform/catalog"
)

// Options names the services the catalog is registered under.
type Options struct {
	// DatabaseService is the lakehouse's database service (CustomDatabase:
	// OpenMetadata's Iceberg connector cannot read a SQL catalog, so we push).
	DatabaseService string
	// Database is the Iceberg catalog's name (config MESH_CATALOG_NAME);
	// each domain namespace is a schema of it.
	Database string
	// MessagingService is RabbitMQ (CustomMessaging).
	MessagingService string
	// PipelineService is Airflow, which runs the generated DAGs.
	PipelineService string
	// AirflowURL is Airflow's UI, the pipeline service's hostPort.
	AirflowURL string
	// DashboardService is Superset; SupersetURL its UI, where a declared
	// dashboard is /superset/dashboard/<id>/ (the bundle's slug).
	DashboardService string
	SupersetURL      string
	// ServingService is the serving database (the DuckDB file meshctl
	// publish writes, which Superset reads): CustomDatabase, since
	// OpenMetadata 1.13 has no DuckDB service type. ServingDatabase is its
	// database, named as DuckDB names a file's catalog (the file's stem);
	// each namespace is a schema of it, as in the lakehouse.
	ServingService  string
	ServingDatabase string
	// MeshClassification holds the mesh's own tags: data products and
	// layers; AccessClassification the access levels.
	MeshClassification   string
	AccessClassification string
}

// DefaultOptions are the names the compose metadata profile's bootstrap
// and the README use.
func DefaultOptions() Options {
	return Options{
		DatabaseService:      "mesh_lakehouse",
		Database:             "mesh",
		MessagingService:     "mesh_rabbitmq",
		PipelineService:      "mesh_airflow",
		AirflowURL:           "http://airflow:8080",
		DashboardService:     "mesh_superset",
		SupersetURL:          "http://localhost:8088",
		ServingService:       "mesh_serving",
		ServingDatabase:      "mesh",
		MeshClassification:   "DataMesh",
		AccessClassification: "AccessLevel",
	}
}

// BuiltinTags are the classification tags every OpenMetadata server has
// from its start (provider system): the push refers to them and never
// creates or edits them.
var BuiltinTags = []string{
	"PII.None", "PII.NonSensitive", "PII.Sensitive",
	"PersonalData.Personal", "PersonalData.SpecialCategory",
}

// Tags of the mesh classification.
const (
	TagDataProduct = "DataProduct"
)

// layerTags are the mesh classification's tags of the table layers.
var layerTags = map[catalog.Layer]string{
	catalog.LayerRaw: "Raw", catalog.LayerStaging: "Staging",
	catalog.LayerFact: "Fact", catalog.LayerDim: "Dimension",
}

// builder turns a catalog into bodies.
type builder struct {
	cat    *catalog.Catalog
	o      Options
	bodies []Body
	// termFQN maps a glossary term name (lower case) to its FQN.
	termFQN map[string]string
	// piiTag maps a PII level name to its tag FQN; access names map to
	// tags of the access classification.
	piiTag map[string]string
	roles  map[string]bool
	errs   []string
}

// Build turns the catalog into every request body of a push, sorted in
// push order. An inconsistency of the catalog (a column's PII level that
// governance does not define, an edge to an unknown entity) is an error
// naming the entity.
func Build(cat *catalog.Catalog, o Options) ([]Body, error) {
	if cat == nil {
		return nil, fmt.Errorf("openmetadata.Build: no catalog")
	}
	def := DefaultOptions()
	for _, p := range []struct {
		dst *string
		def string
	}{
		{&o.DatabaseService, def.DatabaseService}, {&o.Database, def.Database},
		{&o.MessagingService, def.MessagingService}, {&o.PipelineService, def.PipelineService},
		{&o.AirflowURL, def.AirflowURL}, {&o.DashboardService, def.DashboardService},
		{&o.ServingService, def.ServingService}, {&o.ServingDatabase, def.ServingDatabase},
		{&o.SupersetURL, def.SupersetURL},
		{&o.MeshClassification, def.MeshClassification}, {&o.AccessClassification, def.AccessClassification},
	} {
		if *p.dst == "" {
			*p.dst = p.def
		}
	}
	b := &builder{cat: cat, o: o, termFQN: map[string]string{}, piiTag: map[string]string{}, roles: map[string]bool{}}
	b.classification()
	b.governance()
	b.domains()
	b.glossary()
	b.services()
	b.topics()
	b.pipelines()
	b.tables()
	b.servingTables()
	b.dashboards()
	b.lineage()
	if len(b.errs) > 0 {
		return nil, fmt.Errorf("building OpenMetadata bodies:\n  %s", strings.Join(b.errs, "\n  "))
	}
	SortBodies(b.bodies)
	return b.bodies, nil
}

func (b *builder) add(t Type, fqn string, data map[string]any) {
	b.bodies = append(b.bodies, Body{Type: t, FQN: fqn, Data: data})
}

func (b *builder) bad(format string, args ...any) {
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
}

// setText sets key to s when s is not empty (OpenMetadata treats an empty
// description as a change).
func setText(m map[string]any, key, s string) {
	if s = strings.TrimSpace(s); s != "" {
		m[key] = s
	}
}

func isBuiltin(tag string) bool {
	for _, t := range BuiltinTags {
		if t == tag {
			return true
		}
	}
	return false
}

// tagLabel is a classification tag or a glossary term applied to an asset.
func tagLabel(fqn string, glossary bool) map[string]any {
	src := "Classification"
	if glossary {
		src = "Glossary"
	}
	return map[string]any{"tagFQN": fqn, "source": src, "labelType": "Manual", "state": "Confirmed"}
}

// classification declares the mesh's tags: data products and layers, the
// access levels, and the PII tags governance names that are not built in.
func (b *builder) classification() {
	mesh := b.o.MeshClassification
	b.add(TypeClassification, FQN(mesh), map[string]any{
		"name": mesh, "description": "The data mesh's own labels: data products and the layer of each table.",
		"mutuallyExclusive": false,
	})
	b.add(TypeTag, FQN(mesh, TagDataProduct), map[string]any{
		"name": TagDataProduct, "classification": FQN(mesh),
		"description": "A table a domain serves to the rest of the mesh: its fact_ tables and forecasts.",
	})
	for _, layer := range []catalog.Layer{catalog.LayerRaw, catalog.LayerStaging, catalog.LayerFact, catalog.LayerDim} {
		b.add(TypeTag, FQN(mesh, layerTags[layer]), map[string]any{
			"name": layerTags[layer], "classification": FQN(mesh),
			"description": fmt.Sprintf("A table of the %s layer.", layer),
		})
	}
	gov := b.cat.Governance
	acc := b.o.AccessClassification
	if len(gov.AccessLevels) > 0 {
		b.add(TypeClassification, FQN(acc), map[string]any{
			"name": acc, "mutuallyExclusive": true,
			"description": "Who may read a column unmasked, least restricted first: " + levelNames(gov.AccessLevels) + ".",
		})
	}
	for _, l := range gov.AccessLevels {
		d := map[string]any{"name": l.Name, "classification": FQN(acc)}
		setText(d, "description", l.Description)
		if _, ok := d["description"]; !ok {
			d["description"] = "Access level " + l.Name + "."
		}
		b.add(TypeTag, FQN(acc, l.Name), d)
	}
	made := map[string]bool{}
	for _, p := range gov.PIILevels {
		b.piiTag[p.Name] = p.Tag
		parts := SplitFQN(p.Tag)
		if len(parts) != 2 {
			b.bad("PII level %s: tag %q is not Classification.Tag", p.Name, p.Tag)
			continue
		}
		if isBuiltin(p.Tag) {
			continue
		}
		if !made[parts[0]] {
			made[parts[0]] = true
			b.add(TypeClassification, FQN(parts[0]), map[string]any{
				"name": parts[0], "description": "Personal data sensitivity.", "mutuallyExclusive": true,
			})
		}
		d := map[string]any{"name": parts[1], "classification": FQN(parts[0])}
		setText(d, "description", p.Description)
		b.add(TypeTag, p.Tag, d)
	}
}

func levelNames(ls []catalog.AccessLevel) string {
	n := make([]string, len(ls))
	for i, l := range ls {
		n[i] = l.Name
	}
	return strings.Join(n, ", ")
}

// policyName is the policy that a role carries.
func policyName(role string) string { return role + "-policy" }

// governance: a policy and a role per governance role (a domain's team is
// one). A role that edits domains may edit the assets its team owns (every
// asset of a domain is owned by the domain's team); a role is denied the
// sample data, queries and profile of tables holding columns of access
// levels it does not read. Roles and teams name no domains: they are pushed
// before the domains, whose owners they are.
func (b *builder) governance() {
	gov := b.cat.Governance
	acc := b.o.AccessClassification
	for _, r := range gov.Roles {
		b.roles[r.Name] = true
		rules := []any{map[string]any{
			"name": "view-basic", "effect": "allow", "operations": []any{"ViewBasic"}, "resources": []any{"All"},
			"description": "Everyone sees what exists.",
		}}
		if len(r.Edits) > 0 {
			rules = append(rules, map[string]any{
				"name": "edit-own-domain", "effect": "allow", "operations": []any{"EditAll", "ViewAll"}, "resources": []any{"All"},
				"condition":   "isOwner()",
				"description": "Edits the assets of its domains (" + strings.Join(r.Edits, ", ") + ").",
			})
		}
		reads := map[string]bool{}
		for _, l := range r.Reads {
			reads[l] = true
		}
		var hidden []string
		for _, l := range gov.AccessLevels {
			if !reads[l.Name] {
				hidden = append(hidden, "'"+FQN(acc, l.Name)+"'")
			}
		}
		if len(hidden) > 0 {
			rules = append(rules, map[string]any{
				"name": "restrict-personal-data", "effect": "deny",
				"operations":  []any{"ViewSampleData", "ViewQueries", "ViewDataProfile", "ViewTestCaseFailedRowsSample"},
				"resources":   []any{"table"},
				"condition":   "matchAnyTag(" + strings.Join(hidden, ", ") + ")",
				"description": "Personal data of access levels the role does not read stays masked.",
			})
		}
		p := map[string]any{"name": policyName(r.Name), "rules": rules}
		setText(p, "description", "Policy of role "+r.Name+". "+r.Description)
		role := map[string]any{"name": r.Name, "policies": []any{policyName(r.Name)}}
		setText(role, "description", r.Description)
		b.add(TypePolicy, FQN(policyName(r.Name)), p)
		b.add(TypeRole, FQN(r.Name), role)
	}
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// owners is the owners list of an asset of a domain: its team.
func (b *builder) owners(team string) []any {
	if team == "" {
		return nil
	}
	return []any{Reference("team", FQN(team))}
}

// setOwnership sets owners and domains of an asset.
func (b *builder) setOwnership(d map[string]any, team, domain string) {
	if o := b.owners(team); o != nil {
		d["owners"] = o
	}
	if domain != "" {
		d["domains"] = []any{FQN(domain)}
	}
}

// domains: per mesh domain its team, the domain and its data product.
func (b *builder) domains() {
	teams := map[string]bool{}
	for _, d := range b.cat.Domains {
		if d.Team != "" && !teams[d.Team] {
			teams[d.Team] = true
			t := map[string]any{"name": d.Team, "teamType": "Group",
				"description": "Owns the " + d.Name + " domain of the mesh."}
			setText(t, "email", d.Email)
			if b.roles[d.Team] {
				t["defaultRoles"] = []any{PlaceholderID("role", FQN(d.Team))}
			}
			b.add(TypeTeam, FQN(d.Team), t)
		}
		dom := map[string]any{"name": d.Name, "domainType": b.domainType(d), "description": orText(d.Description, "The "+d.Name+" domain.")}
		if o := b.owners(d.Team); o != nil {
			dom["owners"] = o
		}
		b.add(TypeDomain, FQN(d.Name), dom)
		if len(d.DataProducts) > 0 {
			dp := map[string]any{
				"name": dataProductName(d.Name), "displayName": d.Name + " data products",
				"domains":     []any{FQN(d.Name)},
				"description": "The data products the " + d.Name + " domain serves: " + strings.Join(d.DataProducts, ", ") + ".",
			}
			if o := b.owners(d.Team); o != nil {
				dp["owners"] = o
			}
			b.add(TypeDataProduct, FQN(dataProductName(d.Name)), dp)
		}
	}
}

// dataProductName is a domain's data product.
func dataProductName(domain string) string { return domain + "_data_products" }

// domainType: a domain publishing events (it has topics) is source-aligned;
// one that only reads other domains' products (forecasting) is
// consumer-aligned.
func (b *builder) domainType(d *catalog.Domain) string {
	for _, t := range b.cat.Topics {
		if t.Domain == d.Name {
			return "Source-aligned"
		}
	}
	return "Consumer-aligned"
}

func orText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return strings.TrimSpace(s)
}

// glossary: the glossary and its terms. A related term is named on the
// later of the two terms only: OpenMetadata relates terms both ways and
// refuses a related term that does not exist yet.
func (b *builder) glossary() {
	g := b.cat.Glossary
	if g.Name == "" {
		return
	}
	b.add(TypeGlossary, FQN(g.Name), map[string]any{"name": g.Name, "description": orText(g.Description, "The mesh's business glossary.")})
	for _, t := range g.Terms {
		b.termFQN[strings.ToLower(t.Name)] = FQN(g.Name, t.Name)
	}
	related := map[string]map[string]bool{}
	for _, t := range g.Terms {
		a := b.termFQN[strings.ToLower(t.Name)]
		for _, r := range t.Related {
			c, ok := b.termFQN[strings.ToLower(r)]
			if !ok {
				b.bad("glossary term %s: related term %q is not in glossary %s", t.Name, r, g.Name)
				continue
			}
			later, earlier := a, c
			if c > a {
				later, earlier = c, a
			}
			if later == earlier {
				continue
			}
			if related[later] == nil {
				related[later] = map[string]bool{}
			}
			related[later][earlier] = true
		}
	}
	for _, t := range g.Terms {
		fqn := b.termFQN[strings.ToLower(t.Name)]
		d := map[string]any{"name": t.Name, "glossary": FQN(g.Name), "description": orText(t.Definition, t.Name+".")}
		if len(t.Synonyms) > 0 {
			d["synonyms"] = anyStrings(t.Synonyms)
		}
		if r := slices.Sorted(maps.Keys(related[fqn])); len(r) > 0 {
			d["relatedTerms"] = anyStrings(r)
		}
		b.add(TypeGlossaryTerm, fqn, d)
	}
}

// services: the lakehouse, RabbitMQ, Airflow and Superset.
func (b *builder) services() {
	o := b.o
	b.add(TypeDatabaseService, FQN(o.DatabaseService), map[string]any{
		"name": o.DatabaseService, "serviceType": "CustomDatabase",
		"description": "The mesh's Iceberg lakehouse (SQL catalog, Parquet data files), queried with DuckDB.",
		"connection":  map[string]any{"config": map[string]any{"type": "CustomDatabase"}},
	})
	b.add(TypeDatabase, FQN(o.DatabaseService, o.Database), map[string]any{
		"name": o.Database, "service": FQN(o.DatabaseService),
		"description": "The Iceberg catalog " + o.Database + ": one schema (namespace) per domain.",
	})
	for _, d := range b.cat.Domains {
		s := map[string]any{"name": d.Name, "database": FQN(o.DatabaseService, o.Database),
			"description": "The tables of the " + d.Name + " domain."}
		b.setOwnership(s, d.Team, d.Name)
		b.add(TypeDatabaseSchema, FQN(o.DatabaseService, o.Database, d.Name), s)
	}
	if len(b.cat.Serving.Tables) > 0 {
		sv := b.cat.Serving
		b.add(TypeDatabaseService, FQN(o.ServingService), map[string]any{
			"name": o.ServingService, "serviceType": "CustomDatabase",
			"description": orText(sv.Description, "The serving database.") + fmt.Sprintf("\n\n%s file %s under the data directory, written by `%s`.", sv.Engine, sv.Path, sv.Command),
			"connection":  map[string]any{"config": map[string]any{"type": "CustomDatabase"}},
		})
		b.add(TypeDatabase, FQN(o.ServingService, o.ServingDatabase), map[string]any{
			"name": o.ServingDatabase, "service": FQN(o.ServingService),
			"description": "The serving file's database: one schema per domain namespace, a copy of each served table.",
		})
		for _, ns := range b.servingNamespaces() {
			s := map[string]any{"name": ns, "database": FQN(o.ServingService, o.ServingDatabase),
				"description": "The serving copies of the " + ns + " tables."}
			if d := b.domain(ns); d != nil {
				b.setOwnership(s, d.Team, d.Name)
			}
			b.add(TypeDatabaseSchema, FQN(o.ServingService, o.ServingDatabase, ns), s)
		}
	}
	b.add(TypeMessagingService, FQN(o.MessagingService), map[string]any{
		"name": o.MessagingService, "serviceType": "CustomMessaging",
		"description": "RabbitMQ: a topic exchange per domain, an ingest quorum queue per event and region, dead-letter exchanges and queues.",
		"connection":  map[string]any{"config": map[string]any{"type": "CustomMessaging"}},
	})
	b.add(TypePipelineService, FQN(o.PipelineService), map[string]any{
		"name": o.PipelineService, "serviceType": "Airflow",
		"description": "Airflow, running the DAGs that package dags generates from each domain's dags/*.yaml.",
	})
	b.add(TypeDashboardService, FQN(o.DashboardService), map[string]any{
		"name": o.DashboardService, "serviceType": "Superset",
		"description": "Superset, showing the data products.",
	})
}

// tableFQN is a table's FQN from its identifier <namespace>.<name>.
func (b *builder) tableFQN(id string) string {
	ns, name, _ := strings.Cut(id, ".")
	return FQN(b.o.DatabaseService, b.o.Database, ns, name)
}

func (b *builder) refFQN(r catalog.Ref) (string, string, bool) {
	switch r.Kind {
	case catalog.KindTable:
		return "table", b.tableFQN(r.Name), true
	case catalog.KindTopic:
		return "topic", FQN(b.o.MessagingService, r.Name), true
	case catalog.KindServing:
		return "table", b.servingFQN(r.Name), true
	case catalog.KindDataset:
		return "dashboardDataModel", b.dataModelFQN(r.Name), true
	case catalog.KindChart:
		return "chart", FQN(b.o.DashboardService, r.Name), true
	case catalog.KindDashboard:
		return "dashboard", FQN(b.o.DashboardService, r.Name), true
	}
	return "", "", false
}

// servingFQN is the FQN of a table's serving copy.
func (b *builder) servingFQN(id string) string {
	ns, name, _ := strings.Cut(id, ".")
	return FQN(b.o.ServingService, b.o.ServingDatabase, ns, name)
}

// dataModelFQN is a dataset's FQN: OpenMetadata puts data models under
// <service>.model.<name>.
func (b *builder) dataModelFQN(id string) string { return FQN(b.o.DashboardService, "model", id) }

// servingNamespaces are the namespaces of the served tables, sorted.
func (b *builder) servingNamespaces() []string {
	var out []string
	for _, id := range b.cat.Serving.Tables {
		ns, _, _ := strings.Cut(id, ".")
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out
}

func (b *builder) domain(name string) *catalog.Domain {
	for _, d := range b.cat.Domains {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// topics: a topic per exchange, queue, dead-letter exchange and DLQ, the
// event's contract as its schema.
func (b *builder) topics() {
	for _, t := range b.cat.Topics {
		desc := orText(t.Description, fmt.Sprintf("RabbitMQ %s %s.", t.Kind, t.Name))
		desc += fmt.Sprintf("\n\nRabbitMQ %s", t.Kind)
		if t.Exchange != "" {
			desc += fmt.Sprintf(", bound to exchange %s with routing key %s", t.Exchange, t.RoutingKey)
		}
		if t.Contract != "" {
			desc += ", contract " + t.Contract
		}
		d := map[string]any{"name": t.Name, "service": FQN(b.o.MessagingService), "partitions": 1, "description": desc + "."}
		b.setOwnership(d, t.Owner, t.Domain)
		if t.Schema != "" {
			ms := map[string]any{"schemaText": t.Schema, "schemaType": "JSON"}
			if len(t.SchemaFields) > 0 {
				var fields []any
				for _, c := range t.SchemaFields {
					f := map[string]any{"name": c.Name, "dataType": fieldType(c.Type), "dataTypeDisplay": orText(c.Type, "unknown")}
					setText(f, "description", c.Description)
					fields = append(fields, f)
				}
				ms["schemaFields"] = fields
			}
			d["messageSchema"] = ms
		}
		b.add(TypeTopic, FQN(b.o.MessagingService, t.Name), d)
	}
}

// pipelines: a pipeline per DAG, with its tasks.
func (b *builder) pipelines() {
	for _, p := range b.cat.Pipelines {
		downstream := map[string][]string{}
		for _, t := range p.Tasks {
			for _, up := range t.DependsOn {
				downstream[up] = append(downstream[up], t.ID)
			}
		}
		var tasks []any
		for _, t := range p.Tasks {
			task := map[string]any{"name": t.ID, "taskType": "BashOperator"}
			setText(task, "description", "`"+t.Command+"`")
			if ds := downstream[t.ID]; len(ds) > 0 {
				sort.Strings(ds)
				task["downstreamTasks"] = anyStrings(ds)
			}
			tasks = append(tasks, task)
		}
		desc := orText(p.Description, "DAG "+p.ID+".")
		desc += fmt.Sprintf("\n\nA %s pipeline of the %s domain", p.Type, p.Domain)
		if p.SLA > 0 {
			desc += ", SLA " + p.SLA.String()
		}
		if p.Source != "" {
			desc += ", declared in " + p.Source
		}
		d := map[string]any{"name": p.ID, "service": FQN(b.o.PipelineService), "description": desc + "."}
		if tasks != nil {
			d["tasks"] = tasks
		}
		if isCron(p.Schedule) {
			d["scheduleInterval"] = p.Schedule
		}
		b.setOwnership(d, p.Owner, p.Domain)
		b.add(TypePipeline, FQN(b.o.PipelineService, p.ID), d)
	}
}

var cronRE = regexp.MustCompile(`^(@\w+|(\S+\s+){4}\S+)$`)

func isCron(s string) bool { return cronRE.MatchString(strings.TrimSpace(s)) }

// tables: every table with its columns, owner, domain, data product, tags
// and glossary terms.
func (b *builder) tables() {
	products := map[string]string{}
	for _, d := range b.cat.Domains {
		for _, id := range d.DataProducts {
			products[id] = d.Name
		}
	}
	for _, t := range b.cat.Tables {
		d := b.tableBody(t, FQN(b.o.DatabaseService, b.o.Database, t.Namespace), b.tableDescription(t))
		if dom, ok := products[t.ID()]; ok || t.DataProduct {
			if dom == "" {
				dom = t.Domain
			}
			d["dataProducts"] = []any{FQN(dataProductName(dom))}
		}
		if parts := partitionColumns(t.Partitioning); len(parts) > 0 {
			d["tablePartition"] = map[string]any{"columns": parts}
		}
		b.add(TypeTable, b.tableFQN(t.ID()), d)
	}
}

// servingTables: the serving copy of each served table, with the source's
// columns, classification and ownership (BI reads them; PII columns hold
// the values masked for the role meshctl publish ran as).
func (b *builder) servingTables() {
	for _, id := range b.cat.Serving.Tables {
		t, err := b.cat.Table(id)
		if err != nil {
			b.bad("serving table %s: %v", id, err)
			continue
		}
		desc := fmt.Sprintf("The serving copy of %s (%s), which BI tools read: the table at its last published snapshot, written by `%s`.",
			id, b.tableFQN(id), b.cat.Serving.Command)
		if t.Description != "" {
			desc = strings.TrimSpace(t.Description) + "\n\n" + desc
		}
		d := b.tableBody(t, FQN(b.o.ServingService, b.o.ServingDatabase, t.Namespace), desc)
		d["tableType"] = "Regular"
		b.add(TypeTable, b.servingFQN(id), d)
	}
}

// tableBody is the body of a table with t's columns, tags, owner and
// domain, in the schema schemaFQN.
func (b *builder) tableBody(t *catalog.Table, schemaFQN, desc string) map[string]any {
	mesh := b.o.MeshClassification
	where := "table " + t.ID()
	var tags []any
	if lt, ok := layerTags[t.Layer]; ok {
		tags = append(tags, tagLabel(FQN(mesh, lt), false))
	}
	if t.DataProduct {
		tags = append(tags, tagLabel(FQN(mesh, TagDataProduct), false))
	}
	tags = append(tags, b.terms(where, t.Glossary)...)
	var cols []any
	for i, c := range t.Columns {
		col := columnBody(c, i+1)
		var ctags []any
		if c.PII != "" {
			tag, ok := b.piiTag[c.PII]
			if !ok {
				b.bad("%s column %s: PII level %q is not in governance", where, c.Name, c.PII)
			} else {
				ctags = append(ctags, tagLabel(tag, false))
			}
		}
		if c.Access != "" && c.Access != b.cat.Governance.DefaultAccess {
			ctags = append(ctags, tagLabel(FQN(b.o.AccessClassification, c.Access), false))
		}
		ctags = append(ctags, b.terms(where+" column "+c.Name, c.Glossary)...)
		if len(ctags) > 0 {
			col["tags"] = ctags
		}
		cols = append(cols, col)
	}
	if len(cols) == 0 {
		// A table that only a Go step writes declares no columns: the
		// lakehouse has them (push with the lakehouse read).
		cols = []any{}
		desc += "\n\nIts columns are not declared; they come from the lakehouse when the catalog reads it."
	}
	d := map[string]any{
		"name": t.Name, "databaseSchema": schemaFQN,
		"columns": cols, "tableType": "Iceberg", "description": desc,
	}
	b.setOwnership(d, t.Owner, t.Domain)
	if len(tags) > 0 {
		d["tags"] = tags
	}
	return d
}

// tableDescription is the table's description with where it comes from and
// its SLA, which OpenMetadata has no field for.
func (b *builder) tableDescription(t *catalog.Table) string {
	desc := orText(t.Description, fmt.Sprintf("The %s table %s.", t.Layer, t.ID()))
	var notes []string
	if t.Origin != "" {
		notes = append(notes, "origin: "+t.Origin)
	}
	if t.DBT != nil && t.DBT.Path != "" {
		notes = append(notes, "dbt: "+t.DBT.Path)
	}
	if t.Contract != "" {
		notes = append(notes, "contract: "+t.Contract)
	}
	if t.Freshness.SLA > 0 {
		notes = append(notes, "freshness SLA: "+t.Freshness.SLA.String())
	}
	if len(notes) > 0 {
		desc += "\n\n" + strings.Join(notes, "; ") + "."
	}
	return desc
}

// terms are glossary tag labels for the given term names.
func (b *builder) terms(where string, names []string) []any {
	var out []any
	for _, n := range names {
		fqn, ok := b.termFQN[strings.ToLower(n)]
		if !ok {
			b.bad("%s: glossary term %q is not in the glossary", where, n)
			continue
		}
		out = append(out, tagLabel(fqn, true))
	}
	return out
}

// partitionColumns maps the lakehouse's partition fields: "event_date"
// (identity) and "day(event_ts)" (a daily time partition).
func partitionColumns(fields []string) []any {
	var out []any
	for _, f := range fields {
		if tr, col, ok := strings.Cut(strings.TrimSuffix(f, ")"), "("); ok {
			iv := map[string]string{"year": "YEAR", "month": "MONTH", "day": "DAY", "hour": "HOUR"}[tr]
			if iv == "" {
				out = append(out, map[string]any{"columnName": col, "intervalType": "COLUMN-VALUE", "interval": tr})
				continue
			}
			out = append(out, map[string]any{"columnName": col, "intervalType": "TIME-UNIT", "interval": iv})
			continue
		}
		out = append(out, map[string]any{"columnName": f, "intervalType": "COLUMN-VALUE"})
	}
	return out
}

// columnBody is a column with its type mapped to OpenMetadata's.
func columnBody(c catalog.Column, pos int) map[string]any {
	dt, extra := dataType(c.Type)
	col := map[string]any{"name": c.Name, "dataType": dt, "dataTypeDisplay": orText(c.Type, "unknown"), "ordinalPosition": pos}
	for k, v := range extra {
		col[k] = v
	}
	setText(col, "description", c.Description)
	return col
}

var decimalRE = regexp.MustCompile(`^(?:decimal|numeric)\((\d+),\s*(\d+)\)$`)

// dataType maps a lakehouse, dbt or contract type to a table.json dataType.
func dataType(t string) (string, map[string]any) {
	s := strings.ToLower(strings.TrimSpace(t))
	if m := decimalRE.FindStringSubmatch(s); m != nil {
		p, _ := strconv.Atoi(m[1])
		sc, _ := strconv.Atoi(m[2])
		return "DECIMAL", map[string]any{"precision": p, "scale": sc}
	}
	switch {
	case strings.HasPrefix(s, "list<"), strings.HasPrefix(s, "array"), strings.HasSuffix(s, "[]"):
		return "ARRAY", map[string]any{"arrayDataType": "UNKNOWN"}
	case strings.HasPrefix(s, "struct"):
		return "STRUCT", nil
	case strings.HasPrefix(s, "map"):
		return "MAP", nil
	case strings.HasPrefix(s, "timestamp") && (strings.Contains(s, "tz") || strings.Contains(s, "time zone") || strings.Contains(s, "utc")):
		return "TIMESTAMPZ", nil
	}
	switch s {
	case "string", "utf8", "large_utf8", "text":
		return "STRING", nil
	case "varchar", "character varying":
		return "VARCHAR", map[string]any{"dataLength": 65535}
	case "int64", "bigint", "long", "int8":
		return "BIGINT", nil
	case "int32", "int", "integer", "int4":
		return "INT", nil
	case "int16", "smallint":
		return "SMALLINT", nil
	case "int8_", "tinyint":
		return "TINYINT", nil
	case "float64", "double", "double precision", "float8", "number":
		return "DOUBLE", nil
	case "float32", "float", "real", "float4":
		return "FLOAT", nil
	case "bool", "boolean":
		return "BOOLEAN", nil
	case "date", "date32", "date32[day]":
		return "DATE", nil
	case "timestamp", "timestamp_ntz", "timestamp[us]", "datetime":
		return "TIMESTAMP", nil
	case "time", "time64[us]":
		return "TIME", nil
	case "uuid":
		return "UUID", nil
	case "binary", "bytes", "blob":
		return "BINARY", map[string]any{"dataLength": 0}
	case "json":
		return "JSON", nil
	case "decimal", "numeric":
		return "DECIMAL", nil
	}
	return "UNKNOWN", nil
}

// fieldType maps a contract field type to a topic schema's field type.
func fieldType(t string) string {
	switch dt, _ := dataType(t); dt {
	case "STRING", "VARCHAR", "UUID":
		return "STRING"
	case "BIGINT", "SMALLINT", "TINYINT":
		return "LONG"
	case "INT":
		return "INT"
	case "DOUBLE", "DECIMAL":
		return "DOUBLE"
	case "FLOAT":
		return "FLOAT"
	case "BOOLEAN":
		return "BOOLEAN"
	case "DATE":
		return "DATE"
	case "TIMESTAMP":
		return "TIMESTAMP"
	case "TIMESTAMPZ":
		return "TIMESTAMPZ"
	case "ARRAY":
		return "ARRAY"
	case "STRUCT":
		return "RECORD"
	case "MAP":
		return "MAP"
	}
	return "UNKNOWN"
}

// dashboards: the charts and datasets (as data models) of the domains'
// Superset dashboards, then every consumer of kind dashboard, a declared
// dashboard naming its charts and data models as OpenMetadata's Superset
// connector does.
func (b *builder) dashboards() {
	teams := map[string]string{}
	for _, d := range b.cat.Domains {
		teams[d.Name] = d.Team
	}
	svc := FQN(b.o.DashboardService)
	for _, c := range b.cat.Charts {
		d := map[string]any{"name": c.ID, "displayName": orText(c.Title, c.Name), "service": svc,
			"chartType": chartType(c.Type), "description": orText(c.Description, c.Title) + fmt.Sprintf("\n\nA %s chart of dashboard %s, declared in %s.", c.Type, c.Dashboard, c.File)}
		b.setOwnership(d, orText(c.Owner, teams[c.Domain]), c.Domain)
		b.add(TypeChart, FQN(b.o.DashboardService, c.ID), d)
	}
	for _, ds := range b.cat.Datasets {
		var cols []any
		for i, c := range ds.Columns {
			col := columnBody(catalog.Column{Name: c.Name, Type: logicalType(c.Type)}, i+1)
			if c.PII != "" {
				tag, ok := b.piiTag[c.PII]
				if !ok {
					b.bad("dataset %s column %s: PII level %q is not in governance", ds.ID, c.Name, c.PII)
				} else {
					col["tags"] = []any{tagLabel(tag, false)}
				}
			}
			cols = append(cols, col)
		}
		if cols == nil {
			cols = []any{}
		}
		d := map[string]any{"name": ds.ID, "displayName": ds.Name, "service": svc, "serviceType": "Superset",
			"dataModelType": "SupersetDataModel", "columns": cols,
			"description": orText(ds.Description, "Dataset "+ds.Name+".") + fmt.Sprintf("\n\nA dataset of dashboard %s, declared in %s; it reads %s from the serving database.", ds.Dashboard, ds.File, strings.Join(ds.Reads, ", "))}
		setText(d, "sql", ds.SQL)
		b.setOwnership(d, orText(ds.Owner, teams[ds.Domain]), ds.Domain)
		b.add(TypeDashboardDataModel, b.dataModelFQN(ds.ID), d)
	}
	for _, c := range b.cat.Consumers {
		if c.Kind != "" && c.Kind != catalog.KindDashboard {
			continue
		}
		desc := orText(c.Description, orText(c.Title, "Dashboard "+c.Name+"."))
		if c.File != "" {
			desc += fmt.Sprintf("\n\n%s dashboard declared in %s.", orText(c.Tool, "A"), c.File)
		}
		d := map[string]any{"name": c.Name, "service": svc, "description": desc}
		setText(d, "displayName", c.Title)
		setText(d, "sourceUrl", c.URL)
		if c.URL == "" && c.Tool == "Superset" {
			d["sourceUrl"] = strings.TrimSuffix(b.o.SupersetURL, "/") + "/superset/dashboard/" + c.Name + "/"
		}
		if len(c.Charts) > 0 {
			var charts []any
			for _, id := range c.Charts {
				charts = append(charts, FQN(b.o.DashboardService, id))
			}
			d["charts"] = charts
		}
		if len(c.Datasets) > 0 {
			var models []any
			for _, id := range c.Datasets {
				models = append(models, b.dataModelFQN(id))
			}
			d["dataModels"] = models
		}
		b.setOwnership(d, orText(c.Owner, teams[c.Domain]), c.Domain)
		b.add(TypeDashboard, FQN(b.o.DashboardService, c.Name), d)
	}
}

// chartType maps a declared chart type (package dashboards) to
// OpenMetadata's chartType.
func chartType(t string) string {
	switch t {
	case "line":
		return "Line"
	case "bar":
		return "Bar"
	case "area":
		return "Area"
	case "pie":
		return "Pie"
	case "table":
		return "Table"
	case "big_number":
		return "Text"
	}
	return "Other"
}

// logicalType maps a dataset column's logical type (package dashboards) to
// a type dataType knows.
func logicalType(t string) string {
	switch t {
	case "text":
		return "string"
	case "integer":
		return "bigint"
	case "number":
		return "double"
	}
	return t // date, timestamp, boolean
}

// lineageSource is the addLineage source of an edge.
func lineageSource(via string) string {
	switch via {
	case catalog.ViaDBT:
		return "DbtLineage"
	case catalog.ViaIngest, catalog.ViaDAG:
		return "PipelineLineage"
	case catalog.ViaDeclared, catalog.ViaDashboard:
		return "DashboardLineage"
	case catalog.ViaServing:
		return "CrossDatabaseLineage"
	}
	return "Manual"
}

// EdgeFQN names a lineage body.
func EdgeFQN(fromType, fromFQN, toType, toFQN string) string {
	return fromType + ":" + fromFQN + " -> " + toType + ":" + toFQN
}

// lineage: every edge, with its pipeline and column lineage. Charts are
// parts of their dashboard, not lineage nodes, as OpenMetadata's Superset
// connector has them: dataset -> chart -> dashboard becomes data model ->
// dashboard.
func (b *builder) lineage() {
	known := map[string]bool{}
	for _, x := range b.bodies {
		known[x.Type.Name+":"+x.FQN] = true
	}
	datasetOf := map[string]string{}
	for _, c := range b.cat.Charts {
		datasetOf[c.ID] = c.Dataset
	}
	done := map[string]bool{}
	for _, e := range b.cat.Edges {
		switch {
		case e.To.Kind == catalog.KindChart:
			continue
		case e.From.Kind == catalog.KindChart:
			if datasetOf[e.From.Name] == "" {
				continue // a chart without a dataset adds no lineage
			}
			e.From = catalog.Ref{Kind: catalog.KindDataset, Name: datasetOf[e.From.Name]}
		}
		ft, ff, ok1 := b.refFQN(e.From)
		tt, tf, ok2 := b.refFQN(e.To)
		if !ok1 || !ok2 || !known[ft+":"+ff] || !known[tt+":"+tf] {
			b.bad("lineage edge %s -> %s: an end is not in the catalog", e.From, e.To)
			continue
		}
		key := EdgeFQN(ft, ff, tt, tf)
		if done[key] {
			continue
		}
		done[key] = true
		details := map[string]any{"source": lineageSource(e.Via), "description": "via " + e.Via}
		if e.Command != "" {
			details["description"] = fmt.Sprintf("via %s: `%s`", e.Via, e.Command)
		}
		if e.Pipeline != "" {
			pf := FQN(b.o.PipelineService, e.Pipeline)
			if !known["pipeline:"+pf] {
				b.bad("lineage edge %s -> %s: pipeline %s is not in the catalog", e.From, e.To, e.Pipeline)
				continue
			}
			details["pipeline"] = Reference("pipeline", pf)
		}
		if ft == "table" && (tt == "table" || tt == "dashboardDataModel") && len(e.Columns) > 0 {
			var cl []any
			for _, c := range e.Columns {
				from := make([]any, len(c.From))
				for i, f := range c.From {
					from[i] = ff + "." + QuoteName(f)
				}
				cl = append(cl, map[string]any{"fromColumns": from, "toColumn": tf + "." + QuoteName(c.To)})
			}
			details["columnsLineage"] = cl
		}
		b.add(TypeLineage, key, map[string]any{"edge": map[string]any{
			"fromEntity": Reference(ft, ff), "toEntity": Reference(tt, tf), "lineageDetails": details,
		}})
	}
}
