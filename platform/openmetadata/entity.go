package openmetadata

import (
	"strings"

	"github.com/google/uuid"
)

// Type is one kind of entity the push sends, with the endpoint that creates
// or updates it and the JSON Schema of its request body.
type Type struct {
	// Name is OpenMetadata's entity type, as entityReference.type spells it.
	Name string
	// Dir is the folder of its files in an export (the API collection name).
	Dir string
	// Path is the create-or-update endpoint under APIPrefix: PUT creates the
	// entity or updates it in place, so a second push is idempotent.
	Path string
	// Schema is the request body's schema, relative to schema/.
	Schema string
}

// The entity types, in push order: an entity comes after every entity its
// body refers to (a table after its schema, owners, domain, data product,
// tags and glossary terms; lineage last).
var (
	TypeClassification   = Type{"classification", "classifications", "/classifications", "api/classification/createClassification.json"}
	TypeTag              = Type{"tag", "tags", "/tags", "api/classification/createTag.json"}
	TypePolicy           = Type{"policy", "policies", "/policies", "api/policies/createPolicy.json"}
	TypeRole             = Type{"role", "roles", "/roles", "api/teams/createRole.json"}
	TypeTeam             = Type{"team", "teams", "/teams", "api/teams/createTeam.json"}
	TypeDomain           = Type{"domain", "domains", "/domains", "api/domains/createDomain.json"}
	TypeDataProduct      = Type{"dataProduct", "dataProducts", "/dataProducts", "api/domains/createDataProduct.json"}
	TypeGlossary         = Type{"glossary", "glossaries", "/glossaries", "api/data/createGlossary.json"}
	TypeGlossaryTerm     = Type{"glossaryTerm", "glossaryTerms", "/glossaryTerms", "api/data/createGlossaryTerm.json"}
	TypeDatabaseService  = Type{"databaseService", "databaseServices", "/services/databaseServices", "api/services/createDatabaseService.json"}
	TypeDatabase         = Type{"database", "databases", "/databases", "api/data/createDatabase.json"}
	TypeDatabaseSchema   = Type{"databaseSchema", "databaseSchemas", "/databaseSchemas", "api/data/createDatabaseSchema.json"}
	TypeTable            = Type{"table", "tables", "/tables", "api/data/createTable.json"}
	TypeMessagingService = Type{"messagingService", "messagingServices", "/services/messagingServices", "api/services/createMessagingService.json"}
	TypeTopic            = Type{"topic", "topics", "/topics", "api/data/createTopic.json"}
	TypePipelineService  = Type{"pipelineService", "pipelineServices", "/services/pipelineServices", "api/services/createPipelineService.json"}
	TypePipeline         = Type{"pipeline", "pipelines", "/pipelines", "api/data/createPipeline.json"}
	TypeDashboardService = Type{"dashboardService", "dashboardServices", "/services/dashboardServices", "api/services/createDashboardService.json"}
	TypeChart            = Type{"chart", "charts", "/charts", "api/data/createChart.json"}
	// TypeDashboardDataModel is a Superset dataset, as OpenMetadata's own
	// Superset connector registers it (dataModelType SupersetDataModel).
	TypeDashboardDataModel = Type{"dashboardDataModel", "dashboardDataModels", "/dashboard/datamodels", "api/data/createDashboardDataModel.json"}
	TypeDashboard          = Type{"dashboard", "dashboards", "/dashboards", "api/data/createDashboard.json"}
	// TypeLineage is an edge, not an entity: PUT /lineage adds or updates it
	// (there is no create-only variant), keyed by its two ends.
	TypeLineage = Type{"lineage", "lineage", "/lineage", "api/lineage/addLineage.json"}
)

// Types lists every type in push order.
var Types = []Type{
	TypeClassification, TypeTag, TypePolicy, TypeRole, TypeTeam, TypeDomain,
	TypeGlossary, TypeGlossaryTerm, TypeDataProduct,
	TypeDatabaseService, TypeDatabase, TypeDatabaseSchema,
	TypeMessagingService, TypeTopic, TypePipelineService, TypePipeline,
	TypeTable, TypeDashboardService, TypeChart, TypeDashboardDataModel, TypeDashboard, TypeLineage,
}

// TypeByName returns the type called name.
func TypeByName(name string) (Type, bool) {
	for _, t := range Types {
		if t.Name == name {
			return t, true
		}
	}
	return Type{}, false
}

// order is a type's position in Types.
func (t Type) order() int {
	for i, u := range Types {
		if u.Name == t.Name {
			return i
		}
	}
	return len(Types)
}

// QuoteName quotes one part of a fully qualified name as OpenMetadata does
// (FullyQualifiedName.quoteName): a name holding a dot is wrapped in double
// quotes, so "orders.dlx" under service rabbitmq is rabbitmq."orders.dlx".
func QuoteName(name string) string {
	if strings.Contains(name, ".") && !strings.HasPrefix(name, `"`) {
		return `"` + name + `"`
	}
	return name
}

// FQN joins name parts into a fully qualified name, quoting each part.
func FQN(parts ...string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = QuoteName(p)
	}
	return strings.Join(q, ".")
}

// SplitFQN splits a fully qualified name into its parts, unquoting them.
func SplitFQN(fqn string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for _, r := range fqn {
		switch {
		case r == '"':
			quoted = !quoted
		case r == '.' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(parts, cur.String())
}

// placeholderSpace is the UUID namespace of placeholder ids.
var placeholderSpace = uuid.MustParse("5b0c7b2e-8f2a-4c55-9a53-6d1c0f0e4d21")

// PlaceholderID is the id a body uses to refer to another entity of the push
// before the server has given it one: a name-based (v5) UUID of its type and
// fully qualified name, so bodies are valid (entityReference.id must be a
// UUID) and an export is the same on every run. Push replaces each one by the
// server's id of that entity.
func PlaceholderID(entityType, fqn string) string {
	return uuid.NewSHA1(placeholderSpace, []byte(entityType+":"+fqn)).String()
}

// Reference is an entityReference to an entity of the push, by placeholder id.
func Reference(entityType, fqn string) map[string]any {
	return map[string]any{"id": PlaceholderID(entityType, fqn), "type": entityType, "fullyQualifiedName": fqn}
}
