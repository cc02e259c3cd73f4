// The catalog model: the exported types every consumer (meshctl catalog,
// the OpenMetadata export) reads.

package catalog

import (
	"time"
)

// Layer is where a table sits on the way from events to data products.
type Layer string

// Layers, as domain.yaml's tables[].layer names them.
const (
	LayerRaw     Layer = "raw"     // events as received from the broker
	LayerStaging Layer = "staging" // cleaned and typed (stg_)
	LayerFact    Layer = "fact"    // data products: facts and forecasts (fact_)
	LayerDim     Layer = "dim"     // dimensions and reference data (dim_, seeds)
)

// Kind is the kind of an entity a lineage edge connects.
type Kind string

// Entity kinds.
const (
	KindTopic   Kind = "topic"   // a RabbitMQ exchange or queue
	KindTable   Kind = "table"   // an Iceberg table
	KindServing Kind = "serving" // a table of the serving database (see Serving)
	KindDataset Kind = "dataset" // a dashboard's dataset: SQL over serving tables
	KindChart   Kind = "chart"   // a chart drawing one dataset
	// KindDashboard is a dashboard: a domain's declared Superset dashboard
	// or a consumer of metadata/consumers.yaml (see Consumer).
	KindDashboard Kind = "dashboard"
)

// Catalog is the whole mesh as one model: domains, tables, topics,
// pipelines, lineage, glossary and governance. Build makes it; every slice
// is sorted (by name, edges by From then To) so two builds of the same
// inputs compare equal.
type Catalog struct {
	Domains   []*Domain
	Tables    []*Table
	Topics    []*Topic
	Pipelines []*Pipeline
	// Consumers are the readers outside the lakehouse: every domain's
	// declared dashboards (domains/*/dashboards/*.yaml) and those of
	// metadata/consumers.yaml and Config.Consumers.
	Consumers []*Consumer
	// Serving is the DuckDB database BI tools read the data products from.
	Serving Serving
	// Datasets and Charts are those of the declared dashboards, by ID.
	Datasets []*Dataset
	Charts   []*Chart
	// Edges are the lineage, see Edge.
	Edges      []Edge
	Glossary   Glossary
	Governance Governance
	// Live is true when the lakehouse was read: Table.Live and
	// Table.Freshness hold measured values.
	Live bool
	// BuiltAt is the time freshness was judged at.
	BuiltAt time.Time
}

// Domain is one mesh domain, from its domain.yaml.
type Domain struct {
	Name        string
	Description string
	// Team is owners.team; it is also the domain's role (see Role).
	Team    string
	GitHub  []string // owners.github handles
	Email   string
	Regions []string
	// DependsOn are the domains whose data products it reads.
	DependsOn []string
	// DataProducts are the identifiers (<domain>.<table>) of its fact_
	// tables and forecasts, sorted.
	DataProducts []string
	// Dir is the domain folder relative to the repository root.
	Dir string
}

// Table is one Iceberg table of a domain: declared in domain.yaml, built by
// dbt (model or seed), landed from a contract (raw), or only found in the
// lakehouse.
type Table struct {
	Namespace string // the domain's namespace, e.g. orders
	Name      string // e.g. fact_orders
	Domain    string
	Layer     Layer
	// DataProduct marks a domain's fact_ tables and forecasts.
	DataProduct bool
	Description string
	// Owner is the owning domain's team.
	Owner string
	Tags  []string // dbt tags of the model or seed
	// Glossary are the terms of the table's meta glossary (columns carry
	// their own).
	Glossary []string
	Columns  []Column
	// Origin says where the table is declared: OriginDBTModel,
	// OriginDBTSeed, OriginContract (a raw table), OriginDeclared (domain.yaml
	// or a DAG only) or OriginLakehouse (found only in the lakehouse).
	Origin string
	// DBT is set for dbt models and seeds.
	DBT *DBTNode
	// Contract is the contract of a raw table, "<domain>/<event>.v<N>".
	Contract string
	// Partitioning lists the partition fields, "event_date" or
	// "day(event_ts)", from the lakehouse (empty without it).
	Partitioning []string
	// Freshness is the SLA and, when the lakehouse was read, the verdict.
	Freshness Freshness
	// Live is what the lakehouse says (nil when it was not read).
	Live *LiveState
}

// Origins of a table, see Table.Origin.
const (
	OriginDBTModel  = "dbt model"
	OriginDBTSeed   = "dbt seed"
	OriginContract  = "contract"
	OriginDeclared  = "declared"
	OriginLakehouse = "lakehouse"
)

// ID is the table's identifier, <namespace>.<name>.
func (t *Table) ID() string { return t.Namespace + "." + t.Name }

// Column returns the column called name.
func (t *Table) Column(name string) (*Column, bool) {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i], true
		}
	}
	return nil, false
}

// DBTNode is the dbt side of a table.
type DBTNode struct {
	UniqueID     string // model.orders.fact_orders
	Package      string
	Path         string // the SQL or CSV file, relative to the package root
	PatchPath    string // the property file documenting it
	Materialized string // table, incremental, view, ephemeral; seed for seeds
	// Tests are the generic tests on the table, "unique(order_id)",
	// "relationships(channel)".
	Tests []string
}

// Column is one column of a table.
type Column struct {
	Name string
	// Type is the lakehouse's type when it was read, else the dbt
	// data_type, else the contract's field type.
	Type        string
	Description string
	Tags        []string
	// Glossary are the glossary terms applied to the column (meta glossary).
	Glossary []string
	// PII is the sensitivity: "" (none), or a Governance PII level name
	// ("personal", "sensitive"), from meta pii or the contract's x-pii.
	PII string
	// Access is the access level (a Governance access level name): meta
	// access, else the PII level's, else the default access level.
	Access string
	// Tests are the generic tests declared on the column.
	Tests []string
}

// LiveState is what the lakehouse holds for a table.
type LiveState struct {
	Exists     bool
	Rows       int64 // total-records of the current snapshot
	Files      int
	Snapshots  int   // retained snapshots
	SnapshotID int64 // current snapshot, 0 without commits
	LastCommit time.Time
}

// Freshness is a table's freshness SLA and its state.
type Freshness struct {
	// SLA is the largest age its data may have (0: none declared): the
	// smaller of domain.yaml's freshness and the sla of the DAGs writing it.
	SLA time.Duration
	// Status is fresh, unchanged or STALE (package freshness), "" when not
	// judged (no SLA or no lakehouse).
	Status string
	// Detail is the status as meshctl freshness prints it.
	Detail   string
	LastData time.Time
	Age      time.Duration
}

// TopicKind tells exchanges and queues apart.
type TopicKind string

// Topic kinds.
const (
	TopicExchange           TopicKind = "exchange"             // a domain's topic exchange
	TopicDeadLetterExchange TopicKind = "dead-letter exchange" // its .dlx
	TopicQueue              TopicKind = "queue"                // ingest_<event>_<region>
	TopicDLQ                TopicKind = "dead-letter queue"    // its .dlq
)

// Topic is one RabbitMQ exchange or queue, named as package broker names
// them.
type Topic struct {
	Name   string // the broker's name: orders, orders.dlx, ingest_orders_us-east(.dlq)
	Kind   TopicKind
	Domain string
	Owner  string
	// Event is the event type it carries ("" for a dead-letter exchange,
	// which carries all of the domain's).
	Event  string
	Region string // queues only
	// Exchange is the exchange a queue is bound to, RoutingKey the binding's key.
	Exchange    string
	RoutingKey  string
	Description string
	// Contract is the event's contract, "<domain>/<event>.v<N>", and
	// ContractPath its file relative to the repository root.
	Contract     string
	ContractPath string
	// Schema is the contract's JSON Schema text, SchemaFields its fields.
	Schema       string
	SchemaFields []Column
}

// Pipeline is one declared DAG (package dags).
type Pipeline struct {
	ID          string
	Domain      string
	Type        string // ingest, staging, fact, forecast, maintenance, freshness, custom
	Description string
	Owner       string
	Schedule    string // cron or on_update
	SLA         time.Duration
	Tags        []string
	Reads       []string // table identifiers
	Writes      []string
	Tasks       []Task
	// Source is the declaration, "file:line".
	Source string
}

// Task is one step of a pipeline.
type Task struct {
	ID        string
	Command   string
	DependsOn []string
}

// Ref names an entity of the catalog: a topic, a table, a serving table, a
// dataset, a chart or a consumer.
type Ref struct {
	Kind Kind
	// Name is the topic's name, the table's identifier (also of its serving
	// copy), the dataset's or chart's ID or the consumer's name.
	Name string
}

// String is "kind:name".
func (r Ref) String() string { return string(r.Kind) + ":" + r.Name }

// TableRef, TopicRef and ServingRef are shorthands.
func TableRef(id string) Ref   { return Ref{Kind: KindTable, Name: id} }
func TopicRef(name string) Ref { return Ref{Kind: KindTopic, Name: name} }
func ServingRef(id string) Ref { return Ref{Kind: KindServing, Name: id} }

// Edge is one lineage edge: data of From flows into To.
type Edge struct {
	From, To Ref
	// Pipeline is the id of the pipeline (DAG) that makes the edge; "" when
	// no DAG does (a broker binding, a producer, a declared consumer).
	Pipeline string
	// Command is the command that makes the edge when it is not a DAG's
	// own step: meshctl publish for a serving copy.
	Command string
	// Via says how the edge is known: ViaBinding, ViaDeadLetter, ViaIngest,
	// ViaDBT, ViaDAG, ViaProducer, ViaDeclared.
	Via string
	// Columns are the column-level pairs, where the dbt SQL gives them.
	Columns []ColumnLineage
}

// How an edge is known, see Edge.Via.
const (
	ViaBinding    = "broker binding"    // exchange -> queue
	ViaDeadLetter = "dead-lettering"    // queue -> its DLQ
	ViaIngest     = "ingest"            // queue -> raw table
	ViaDBT        = "dbt"               // ref, source or seed of a model
	ViaDAG        = "dag"               // reads and writes of a non-dbt step
	ViaProducer   = "producer upstream" // domain.yaml events[].upstream -> exchange
	ViaDeclared   = "declared consumer" // metadata/consumers.yaml
	ViaServing    = "serving copy"      // table -> its copy in the serving database
	ViaDashboard  = "dashboard"         // serving table -> dataset -> chart -> dashboard
)

// ColumnLineage says that column To of the edge's target is made from the
// columns From of its source.
type ColumnLineage struct {
	From []string
	To   string
}

// Consumer is a reader outside the lakehouse, such as a dashboard: the
// extension point through which lineage reaches consumption. A domain's
// Superset dashboards (package dashboards) are consumers whose lineage runs
// through the serving database, their datasets and charts; others are
// declared in metadata/consumers.yaml or passed in Config.Consumers and read
// tables directly.
type Consumer struct {
	Name        string `yaml:"name"`
	Kind        Kind   `yaml:"kind"` // dashboard (the default)
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	Domain      string `yaml:"domain"`
	URL         string `yaml:"url"`
	// Reads are the table identifiers it shows (directly, or through its
	// datasets and the serving database).
	Reads []string `yaml:"reads"`
	// Tool is the tool showing it: "Superset" for a domain's dashboards.
	Tool string `yaml:"tool"`
	// File is the declaration, relative to the repository root.
	File string `yaml:"-"`
	// Owner is the owning domain's team.
	Owner string `yaml:"-"`
	// Datasets and Charts are the IDs of a declared dashboard's datasets
	// and charts, in declaration order.
	Datasets []string `yaml:"-"`
	Charts   []string `yaml:"-"`
}

// Serving is the serving database: one DuckDB file (package serving) that
// `meshctl publish` fills with copies of the lakehouse's tables, which BI
// tools (Superset through duckdb-engine) read under the same
// <namespace>.<table> names.
type Serving struct {
	Name string // "serving"
	// Engine is the database engine, DuckDB.
	Engine string
	// Path is the file under the data directory (serving.DefaultFile).
	Path        string
	Description string
	// Command publishes it (ServingCommand); the DAGs that run it after
	// building a table are the Pipeline of that table's serving edge.
	Command string
	// Tables are the identifiers of the tables it serves that the catalog
	// tracks: every data product and every table a dashboard reads, sorted.
	// Publish copies the staging and dimension tables too, but nothing
	// downstream of the file reads them.
	Tables []string
}

// Dataset is a dashboard's dataset: named SQL over serving tables.
type Dataset struct {
	// ID is <dashboard id>.<name>.
	ID          string
	Name        string
	Dashboard   string
	Domain      string
	Owner       string
	Description string
	SQL         string
	// Columns are its result columns, Type the logical type (date, text,
	// integer, number, ...).
	Columns []Column
	// Reads are the tables the SQL reads, served by the serving database.
	Reads []string
	File  string
}

// Chart is one chart of a dashboard, drawing one dataset.
type Chart struct {
	// ID is <dashboard id>.<chart id>.
	ID          string
	Name        string // the chart's id in its file
	Title       string
	Description string
	Type        string // line, bar, big_number, ...
	Dashboard   string
	// Dataset is the ID of the dataset it draws.
	Dataset string
	Domain  string
	Owner   string
	File    string
}

// Glossary is the business vocabulary, from metadata/glossary.yaml.
type Glossary struct {
	Name        string
	Description string
	Terms       []Term
}

// Term is one business term.
type Term struct {
	Name       string
	Definition string
	Synonyms   []string
	// Related are the names of related terms of the glossary.
	Related []string
	// Applied lists where the term is used: "<table>" or "<table>.<column>",
	// sorted (filled by Build).
	Applied []string
}

// Governance is the classification and the roles, from
// metadata/governance.yaml and the domains' teams.
type Governance struct {
	PIILevels    []PIILevel
	AccessLevels []AccessLevel
	// DefaultAccess is the access level of a column without PII or meta access.
	DefaultAccess string
	// DefaultRole is the role of a caller who names none (config MESH_ROLE).
	DefaultRole string
	Roles       []Role
}

// PIILevel is one sensitivity of personal data.
type PIILevel struct {
	Name        string // personal, sensitive
	Description string
	// Tag is the classification tag OpenMetadata knows it by, e.g.
	// PersonalData.Personal or PII.Sensitive.
	Tag string
	// Access is the access level its columns get.
	Access string
}

// AccessLevel is one level of the access classification, least restricted first.
type AccessLevel struct {
	Name        string
	Description string
}

// Role is who may do what: read columns of some access levels, and edit
// the assets of some domains.
type Role struct {
	Name        string
	Description string
	// Reads are the access levels whose columns the role sees unmasked.
	Reads []string
	// Edits are the domains whose assets the role edits (a domain's team
	// edits its own).
	Edits []string
}
