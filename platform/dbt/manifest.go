// The types of manifest.json (manifest v12), field for field as dbt 1.9.11
// writes them: OpenMetadata's parser forbids fields its schema does not
// name, so every type here lists exactly the fields of its dbt class, and a
// nil pointer, slice or json.RawMessage is dbt's null.

package dbt

import (
	"encoding/json"
	"fmt"
)

// manifest is manifest.json.
type manifest struct {
	Metadata manifestMetadata `json:"metadata"`
	// Nodes holds models, seeds and tests (*modelNode, *seedNode, *testNode).
	Nodes          map[string]manifestNode `json:"nodes"`
	Sources        map[string]*sourceNode  `json:"sources"`
	Macros         map[string]*macroNode   `json:"macros"`
	Docs           emptyObject             `json:"docs"`
	Exposures      emptyObject             `json:"exposures"`
	Metrics        emptyObject             `json:"metrics"`
	Groups         emptyObject             `json:"groups"`
	Selectors      emptyObject             `json:"selectors"`
	Disabled       emptyObject             `json:"disabled"`
	ParentMap      map[string][]string     `json:"parent_map"`
	ChildMap       map[string][]string     `json:"child_map"`
	GroupMap       emptyObject             `json:"group_map"`
	SavedQueries   emptyObject             `json:"saved_queries"`
	SemanticModels emptyObject             `json:"semantic_models"`
	UnitTests      emptyObject             `json:"unit_tests"`
}

// artifactMetadata is the metadata every artifact starts with.
type artifactMetadata struct {
	DBTSchemaVersion string            `json:"dbt_schema_version"`
	DBTVersion       string            `json:"dbt_version"`
	GeneratedAt      string            `json:"generated_at"`
	InvocationID     *string           `json:"invocation_id"`
	Env              map[string]string `json:"env"`
}

type manifestMetadata struct {
	artifactMetadata
	ProjectName             string  `json:"project_name"`
	ProjectID               string  `json:"project_id"`
	UserID                  *string `json:"user_id"`
	SendAnonymousUsageStats bool    `json:"send_anonymous_usage_stats"`
	AdapterType             string  `json:"adapter_type"`
}

// emptyObject is a mapping dbt writes that this executor never fills
// (exposures, metrics, grants...): always {}.
type emptyObject struct{}

// emptyList is a list dbt writes that this executor never fills
// (constraints, metrics, extra CTEs, packages): always [].
type emptyList [0]struct{}

// manifestNode is a model, seed or test under manifest.nodes.
type manifestNode interface{ isManifestNode() }

func (*modelNode) isManifestNode() {}
func (*seedNode) isManifestNode()  {}
func (*testNode) isManifestNode()  {}

// parsedNode holds the fields every model, seed and test has (dbt's
// ParsedNode).
type parsedNode struct {
	Database         string                `json:"database"`
	Schema           string                `json:"schema"`
	Name             string                `json:"name"`
	ResourceType     string                `json:"resource_type"`
	PackageName      string                `json:"package_name"`
	Path             string                `json:"path"`
	OriginalFilePath string                `json:"original_file_path"`
	UniqueID         string                `json:"unique_id"`
	FQN              []string              `json:"fqn"`
	Alias            string                `json:"alias"`
	Checksum         fileChecksum          `json:"checksum"`
	Tags             []string              `json:"tags"`
	Description      string                `json:"description"`
	Columns          map[string]columnInfo `json:"columns"`
	Meta             map[string]any        `json:"meta"`
	Group            *string               `json:"group"`
	Docs             docsConfig            `json:"docs"`
	PatchPath        *string               `json:"patch_path"`
	BuildPath        *string               `json:"build_path"`
	UnrenderedConfig map[string]any        `json:"unrendered_config"`
	CreatedAt        float64               `json:"created_at"`
	ConfigCallDict   map[string]any        `json:"config_call_dict"`
	RelationName     *string               `json:"relation_name"`
	RawCode          string                `json:"raw_code"`
}

// compiledNode holds the fields of the SQL nodes, models and tests (dbt's
// CompiledNode).
type compiledNode struct {
	Language          string       `json:"language"`
	Refs              []refArgs    `json:"refs"`
	Sources           [][]string   `json:"sources"`
	Metrics           emptyList    `json:"metrics"`
	DependsOn         dependsOn    `json:"depends_on"`
	CompiledPath      *string      `json:"compiled_path"`
	Compiled          bool         `json:"compiled"`
	CompiledCode      *string      `json:"compiled_code"`
	ExtraCTEsInjected bool         `json:"extra_ctes_injected"`
	ExtraCTEs         emptyList    `json:"extra_ctes"`
	Contract          nodeContract `json:"contract"`
}

type modelNode struct {
	parsedNode
	compiledNode
	Config     modelConfig `json:"config"`
	PrimaryKey []string    `json:"primary_key"`
	Access     string      `json:"access"`
	// Constraints are none: contracts are not enforced.
	Constraints emptyList `json:"constraints"`
	// Model versions are not supported: always null.
	Version         *string `json:"version"`
	LatestVersion   *string `json:"latest_version"`
	DeprecationDate *string `json:"deprecation_date"`
}

type seedNode struct {
	parsedNode
	Config    seedConfig     `json:"config"`
	RootPath  *string        `json:"root_path"`
	DependsOn macroDependsOn `json:"depends_on"`
}

type testNode struct {
	parsedNode
	compiledNode
	Config       testConfig   `json:"config"`
	ColumnName   *string      `json:"column_name"`
	FileKeyName  string       `json:"file_key_name"`
	AttachedNode *string      `json:"attached_node"`
	TestMetadata testMetadata `json:"test_metadata"`
}

type sourceNode struct {
	Database          string      `json:"database"`
	Schema            string      `json:"schema"`
	Name              string      `json:"name"`
	ResourceType      string      `json:"resource_type"`
	PackageName       string      `json:"package_name"`
	Path              string      `json:"path"`
	OriginalFilePath  string      `json:"original_file_path"`
	UniqueID          string      `json:"unique_id"`
	FQN               []string    `json:"fqn"`
	SourceName        string      `json:"source_name"`
	SourceDescription string      `json:"source_description"`
	Loader            string      `json:"loader"`
	Identifier        string      `json:"identifier"`
	Quoting           emptyObject `json:"quoting"`
	LoadedAtField     *string     `json:"loaded_at_field"`
	// Freshness and External are not supported: always null.
	Freshness        json.RawMessage       `json:"freshness"`
	External         json.RawMessage       `json:"external"`
	Description      string                `json:"description"`
	Columns          map[string]columnInfo `json:"columns"`
	Meta             map[string]any        `json:"meta"`
	SourceMeta       emptyObject           `json:"source_meta"`
	Tags             []string              `json:"tags"`
	Config           sourceConfig          `json:"config"`
	PatchPath        *string               `json:"patch_path"`
	UnrenderedConfig emptyObject           `json:"unrendered_config"`
	RelationName     string                `json:"relation_name"`
	CreatedAt        float64               `json:"created_at"`
}

type sourceConfig struct {
	Enabled bool `json:"enabled"`
}

type macroNode struct {
	Name               string          `json:"name"`
	ResourceType       string          `json:"resource_type"`
	PackageName        string          `json:"package_name"`
	Path               string          `json:"path"`
	OriginalFilePath   string          `json:"original_file_path"`
	UniqueID           string          `json:"unique_id"`
	MacroSQL           string          `json:"macro_sql"`
	DependsOn          macroDependsOn  `json:"depends_on"`
	Description        string          `json:"description"`
	Meta               emptyObject     `json:"meta"`
	Docs               docsConfig      `json:"docs"`
	PatchPath          *string         `json:"patch_path"`
	Arguments          []macroArgument `json:"arguments"`
	CreatedAt          float64         `json:"created_at"`
	SupportedLanguages []string        `json:"supported_languages"`
}

type macroArgument struct {
	Name        string  `json:"name"`
	Type        *string `json:"type"`
	Description string  `json:"description"`
}

// fileChecksum is how dbt identifies a file's version: sha256 of its
// contents, path for a large seed, none for a generic test.
type fileChecksum struct {
	Name     string `json:"name"`
	Checksum string `json:"checksum"`
}

// columnInfo is a documented column of a model, seed or source.
type columnInfo struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Meta        map[string]any `json:"meta"`
	DataType    *string        `json:"data_type"`
	Constraints emptyList      `json:"constraints"`
	Quote       *bool          `json:"quote"`
	Tags        []string       `json:"tags"`
}

type docsConfig struct {
	Show      bool    `json:"show"`
	NodeColor *string `json:"node_color"`
}

// refArgs is one ref() of a node; package and version are never given.
type refArgs struct {
	Name    string  `json:"name"`
	Package *string `json:"package"`
	Version *string `json:"version"`
}

type dependsOn struct {
	Macros []string `json:"macros"`
	Nodes  []string `json:"nodes"`
}

type macroDependsOn struct {
	Macros []string `json:"macros"`
}

// contractConfig is a node's config.contract; nodeContract, the node's own
// contract, adds the checksum of an enforced contract (none here).
type contractConfig struct {
	Enforced   bool `json:"enforced"`
	AliasTypes bool `json:"alias_types"`
}

type nodeContract struct {
	contractConfig
	Checksum *string `json:"checksum"`
}

// hook is one pre-hook or post-hook statement.
type hook struct {
	SQL         string `json:"sql"`
	Transaction bool   `json:"transaction"`
	Index       *int   `json:"index"`
}

// nodeConfig holds the config fields models and seeds share (dbt's
// NodeConfig).
type nodeConfig struct {
	Enabled               bool              `json:"enabled"`
	Alias                 *string           `json:"alias"`
	Schema                *string           `json:"schema"`
	Database              *string           `json:"database"`
	Tags                  []string          `json:"tags"`
	Meta                  map[string]any    `json:"meta"`
	Group                 *string           `json:"group"`
	Materialized          string            `json:"materialized"`
	IncrementalStrategy   *string           `json:"incremental_strategy"`
	PersistDocs           emptyObject       `json:"persist_docs"`
	PostHook              []hook            `json:"post-hook"`
	PreHook               []hook            `json:"pre-hook"`
	Quoting               emptyObject       `json:"quoting"`
	ColumnTypes           map[string]string `json:"column_types"`
	FullRefresh           *bool             `json:"full_refresh"`
	UniqueKey             uniqueKey         `json:"unique_key"`
	OnSchemaChange        string            `json:"on_schema_change"`
	OnConfigurationChange string            `json:"on_configuration_change"`
	Grants                emptyObject       `json:"grants"`
	Packages              emptyList         `json:"packages"`
	Docs                  docsConfig        `json:"docs"`
	Contract              contractConfig    `json:"contract"`
}

// modelConfig is a model's config. Extra are the config keys the project
// sets beyond the typed ones (dbt's NodeConfig keeps them in _extra and
// writes them alongside): each is written as given, and one named like a
// typed field replaces it.
type modelConfig struct {
	nodeConfig
	Access string         `json:"access"`
	Extra  map[string]any `json:"-"`
}

// MarshalJSON writes the typed fields, then Extra over them.
func (c modelConfig) MarshalJSON() ([]byte, error) {
	type plain modelConfig // without this method
	b, err := json.Marshal(plain(c))
	if err != nil || len(c.Extra) == 0 {
		return b, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	for k, v := range c.Extra {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", k, err)
		}
		fields[k] = raw
	}
	return json.Marshal(fields)
}

type seedConfig struct {
	nodeConfig
	Delimiter    string `json:"delimiter"`
	QuoteColumns *bool  `json:"quote_columns"`
}

type testConfig struct {
	Enabled         bool           `json:"enabled"`
	Alias           *string        `json:"alias"`
	Schema          string         `json:"schema"`
	Database        *string        `json:"database"`
	Tags            []string       `json:"tags"`
	Meta            map[string]any `json:"meta"`
	Group           *string        `json:"group"`
	Materialized    string         `json:"materialized"`
	Severity        string         `json:"severity"`
	StoreFailures   *bool          `json:"store_failures"`
	StoreFailuresAs *string        `json:"store_failures_as"`
	Where           *string        `json:"where"`
	Limit           *int           `json:"limit"`
	FailCalc        string         `json:"fail_calc"`
	WarnIf          string         `json:"warn_if"`
	ErrorIf         string         `json:"error_if"`
}

// testMetadata names a generic test and the arguments its macro gets.
type testMetadata struct {
	Name      string         `json:"name"`
	Kwargs    map[string]any `json:"kwargs"`
	Namespace *string        `json:"namespace"`
}

// uniqueKey is config.unique_key as dbt writes it: null, a column, or a
// list of columns.
type uniqueKey []string

func (k uniqueKey) MarshalJSON() ([]byte, error) {
	switch len(k) {
	case 0:
		return []byte("null"), nil
	case 1:
		return json.Marshal(k[0])
	}
	return json.Marshal([]string(k))
}
