// The parsed project and its node types: Model, Source, Seed, Test and
// Macro.

package dbt

// Project is a parsed dbt project with its local packages merged in.
type Project struct {
	Name        string
	ProfileName string
	Version     string
	// Vars are the variables var() sees: project vars overridden by LoadOptions.Vars.
	Vars    map[string]any
	Models  map[string]*Model  // by model name
	Sources map[string]*Source // by "source_name.table_name"
	Seeds   map[string]*Seed   // by seed name
	Tests   []*Test            // generic tests from property files, sorted by unique id
	// Macros are all macros by name, a root-project macro winning over a
	// package's. Templates do not see this map: they see dbt's namespaces
	// (see checkCalls).
	Macros map[string]*Macro
	// Packages are the names of the merged local packages, sorted.
	Packages []string

	rootPF    projectFile
	env       func(string) (string, bool)
	cliVars   map[string]any
	pkgVars   map[string]map[string]any    // package -> its dbt_project.yml vars
	pkgMacros map[string]map[string]*Macro // package -> macro name -> macro
}

// Model is one SQL model.
type Model struct {
	Name        string
	UniqueID    string // model.<package>.<name>
	Path        string // relative to its package root: models/marts/fact_orders.sql
	RawSQL      string
	Description string
	Config      ModelConfig
	Columns     []Column
	Refs        []string    // referenced model and seed names, sorted
	Sources     [][2]string // referenced (source, table) pairs, sorted
	DependsOn   []string    // unique ids of models, seeds and sources, sorted
	Tags        []string
	Meta        map[string]any
	// Package is the dbt project the model belongs to (the root project or a
	// local package).
	Package string
	// PatchPath is the property file that documents the model, if any.
	PatchPath string

	tpl        *template
	configCall map[string]any // what config() in the SQL set, as written
	unrendered map[string]any // merged config before defaults
}

// ModelConfig is the merged configuration of a model: dbt_project.yml, then
// the property file's config:, then config() in the SQL.
type ModelConfig struct {
	Materialized        string // table|incremental|view|ephemeral; default view
	UniqueKey           []string
	Alias               string
	Schema              string
	Tags                []string
	OnSchemaChange      string
	IncrementalStrategy string
	// Extra holds every other config key (meta, enabled, pre-hook, ...).
	Extra map[string]any
}

// Column is a documented column of a model, seed or source.
type Column struct {
	Name        string
	Description string
	DataType    string
	Meta        map[string]any
	Tags        []string
	Tests       []string // names of the generic tests declared on the column
}

// Source is one table of a source.
type Source struct {
	Name        string // source name
	Table       string
	UniqueID    string // source.<package>.<source>.<table>
	Schema      string // default: the source name
	Database    string
	Identifier  string // default: the table name
	Description string
	// SourceDescription is the description of the source (as opposed to the table).
	SourceDescription string
	Columns           []Column
	Loader            string
	Meta              map[string]any
	Tags              []string
	Package           string
	Path              string // the property file declaring it
}

// Seed is a CSV file loaded as a table.
type Seed struct {
	Name        string
	UniqueID    string // seed.<package>.<name>
	Path        string // seeds/regions.csv
	Header      []string
	Rows        [][]string
	ColumnTypes map[string]string // from the seed config column_types
	Description string
	Columns     []Column
	Schema      string
	Alias       string
	Tags        []string
	Meta        map[string]any
	Package     string
	Checksum    string
	RawCSV      string
	// PatchPath is the property file that documents the seed, if any.
	PatchPath string
}

// Test is a generic data test declared in a property file.
type Test struct {
	Name string // unique_fact_orders_order_id
	// Alias is the name dbt gives the test's relation: Name, or a 30-character
	// prefix plus an MD5 when Name is 64 characters or more.
	Alias    string
	UniqueID string // test.<package>.<name>.<hash>
	Kind     string // unique|not_null|accepted_values|relationships
	Model    string // unique id of the node the test is attached to
	Column   string
	// Args are the test's arguments as written: values (and quote, when
	// given) for accepted_values, to (e.g. "ref('dim_customers')") and field
	// for relationships.
	Args map[string]any
	// Kwargs are the keyword arguments dbt-core passes the test macro and
	// records in the manifest's test_metadata: Args, column_name, and model
	// ("{{ get_where_subquery(ref('x')) }}").
	Kwargs   map[string]any
	Severity string // ERROR or WARN
	// severityConfig is the severity as written (dbt-core records "warn" so).
	severityConfig string
	// Where filters the tested relation (config where:).
	Where string
	// DependsOn are the unique ids the test reads: the tested node and, for
	// relationships, the referenced one.
	DependsOn []string
	Package   string
	Path      string // property file
}

// Macro is a named Jinja macro from macros/.
type Macro struct {
	Name        string
	UniqueID    string // macro.<package>.<name>
	Package     string
	Path        string // macros/cents_to_dollars.sql
	SQL         string // the {% macro %}...{% endmacro %} block
	Arguments   []string
	Description string

	file *template
	// calls and defined are what scanNode found in the macro alone: the
	// calls it makes and the names it binds (its parameters, set, for...).
	calls   []callSite
	defined map[string]bool
}
