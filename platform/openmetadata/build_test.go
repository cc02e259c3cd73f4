package openmetadata_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/openmetadata"
)

func fixtureBodies(t *testing.T) []openmetadata.Body {
	t.Helper()
	bodies, err := openmetadata.Build(fixtureCatalog(), openmetadata.DefaultOptions())
	require.NoError(t, err)
	return bodies
}

func find(t *testing.T, bodies []openmetadata.Body, typ, fqn string) map[string]any {
	t.Helper()
	for _, b := range bodies {
		if b.Type.Name == typ && b.FQN == fqn {
			return b.Data
		}
	}
	t.Fatalf("no %s %s", typ, fqn)
	return nil
}

// TestEveryBodyValidates validates every body of the fixture against the
// pinned release's JSON Schemas and prints the count per type.
func TestEveryBodyValidates(t *testing.T) {
	bodies := fixtureBodies(t)
	v, err := openmetadata.DefaultValidator()
	require.NoError(t, err)
	require.NoError(t, openmetadata.ValidateAll(v, bodies))
	got := map[string]int{}
	for _, c := range openmetadata.CountByType(bodies) {
		got[c.Type] = c.N
		t.Logf("%-17s %3d valid against OpenMetadata %s", c.Type, c.N, openmetadata.Version)
	}
	assert.Equal(t, fixtureCounts, got)
	assert.Len(t, got, len(openmetadata.Types), "every entity type is exercised")
}

func TestBodies(t *testing.T) {
	bodies := fixtureBodies(t)

	tbl := find(t, bodies, "table", "mesh_lakehouse.mesh.shop.fact_orders")
	assert.Equal(t, "mesh_lakehouse.mesh.shop", tbl["databaseSchema"])
	assert.Equal(t, []any{"shop"}, tbl["domains"])
	assert.Equal(t, []any{"shop_data_products"}, tbl["dataProducts"])
	owner := tbl["owners"].([]any)[0].(map[string]any)
	assert.Equal(t, "team", owner["type"])
	assert.Equal(t, openmetadata.PlaceholderID("team", "shop-team"), owner["id"])
	cols := tbl["columns"].([]any)
	customer := cols[1].(map[string]any)
	assert.Equal(t, "customer_id", customer["name"])
	var ctags []string
	for _, l := range customer["tags"].([]any) {
		ctags = append(ctags, l.(map[string]any)["tagFQN"].(string)+"/"+l.(map[string]any)["source"].(string))
	}
	assert.Equal(t, []string{"PersonalData.Personal/Classification", "AccessLevel.confidential/Classification", `Warehouse.Order Line/Glossary`}, ctags)
	price := cols[4].(map[string]any)
	assert.Equal(t, "DECIMAL", price["dataType"])
	assert.Equal(t, 10, price["precision"])
	assert.Contains(t, tbl["description"], "freshness SLA: 1h0m0s")

	raw := find(t, bodies, "table", "mesh_lakehouse.mesh.shop.raw_orders")
	assert.Equal(t, map[string]any{"columns": []any{map[string]any{"columnName": "event_date", "intervalType": "COLUMN-VALUE"}}}, raw["tablePartition"])

	// A name holding a dot is quoted in FQNs.
	dlq := find(t, bodies, "topic", `mesh_rabbitmq."ingest_orders_eu.dlq"`)
	assert.Equal(t, "ingest_orders_eu.dlq", dlq["name"])
	q := find(t, bodies, "topic", "mesh_rabbitmq.ingest_orders_eu")
	assert.Equal(t, "JSON", q["messageSchema"].(map[string]any)["schemaType"])

	// Related terms are named once, on the later term.
	assert.NotContains(t, find(t, bodies, "glossaryTerm", "Warehouse.Forecast"), "relatedTerms")
	assert.Equal(t, []any{"Warehouse.Forecast"}, find(t, bodies, "glossaryTerm", "Warehouse.Order Line")["relatedTerms"])

	// The team gets the role of the same name; a role of a team edits its domain.
	assert.Equal(t, []any{openmetadata.PlaceholderID("role", "shop-team")}, find(t, bodies, "team", "shop-team")["defaultRoles"])
	rules := find(t, bodies, "policy", "analyst-policy")["rules"].([]any)
	require.Len(t, rules, 2)
	assert.Equal(t, "matchAnyTag('AccessLevel.confidential', 'AccessLevel.restricted')", rules[1].(map[string]any)["condition"])
	shopRules := find(t, bodies, "policy", "shop-team-policy")["rules"].([]any)
	require.Len(t, shopRules, 3)
	assert.Equal(t, "isOwner()", shopRules[1].(map[string]any)["condition"])

	pipe := find(t, bodies, "pipeline", "mesh_airflow.transform_shop")
	assert.Equal(t, "@hourly", pipe["scheduleInterval"])
	assert.Equal(t, []any{"build"}, pipe["tasks"].([]any)[0].(map[string]any)["downstreamTasks"])
	assert.NotContains(t, find(t, bodies, "pipeline", "mesh_airflow.ingest_orders"), "scheduleInterval", "on_update is not cron")

	edge := find(t, bodies, "lineage", openmetadata.EdgeFQN("table", "mesh_lakehouse.mesh.shop.raw_orders", "table", "mesh_lakehouse.mesh.shop.stg_orders"))
	details := edge["edge"].(map[string]any)["lineageDetails"].(map[string]any)
	assert.Equal(t, "DbtLineage", details["source"])
	assert.Equal(t, "mesh_airflow.transform_shop", details["pipeline"].(map[string]any)["fullyQualifiedName"])
	assert.Equal(t, []any{
		map[string]any{"fromColumns": []any{"mesh_lakehouse.mesh.shop.raw_orders.order_id"}, "toColumn": "mesh_lakehouse.mesh.shop.stg_orders.order_id"},
		map[string]any{"fromColumns": []any{"mesh_lakehouse.mesh.shop.raw_orders.qty", "mesh_lakehouse.mesh.shop.raw_orders.price"}, "toColumn": "mesh_lakehouse.mesh.shop.stg_orders.qty"},
	}, details["columnsLineage"])

	assert.Equal(t, "Source-aligned", find(t, bodies, "domain", "shop")["domainType"])
	assert.Equal(t, "Consumer-aligned", find(t, bodies, "domain", "forecast")["domainType"], "publishes no events")

	// Push order: an entity after everything it refers to.
	pos := map[string]int{}
	for i, b := range bodies {
		pos[b.Type.Name+":"+b.FQN] = i
	}
	assert.Less(t, pos["role:shop-team"], pos["team:shop-team"])
	assert.Less(t, pos["dataProduct:shop_data_products"], pos["table:mesh_lakehouse.mesh.shop.fact_orders"])
	assert.Less(t, pos["pipeline:mesh_airflow.transform_shop"], pos["table:mesh_lakehouse.mesh.shop.fact_orders"])
}

func TestBodyJSONIsStable(t *testing.T) {
	a, b := fixtureBodies(t), fixtureBodies(t)
	require.Equal(t, len(a), len(b))
	for i := range a {
		ja, err := a[i].JSON()
		require.NoError(t, err)
		jb, err := b[i].JSON()
		require.NoError(t, err)
		require.Equal(t, string(ja), string(jb))
		assert.True(t, strings.HasSuffix(string(ja), "}\n"))
		assert.True(t, json.Valid(ja))
	}
}

func TestBuildErrorsNameTheEntity(t *testing.T) {
	cat := fixtureCatalog()
	cat.Tables[1].Columns[1].PII = "secret"
	cat.Tables[0].Glossary = []string{"Nope"}
	_, err := openmetadata.Build(cat, openmetadata.DefaultOptions())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `table shop.fact_orders column customer_id: PII level "secret" is not in governance`)
	assert.Contains(t, err.Error(), `table forecast.fact_forecast: glossary term "Nope" is not in the glossary`)
}

func TestValidatorRejects(t *testing.T) {
	v, err := openmetadata.DefaultValidator()
	require.NoError(t, err)
	tests := []struct {
		name, typ, body, errContains string
	}{
		{"minimal table", "table", `{"name":"t","databaseSchema":"s.d.n","columns":[{"name":"id","dataType":"BIGINT"}]}`, ""},
		{"missing columns", "table", `{"name":"t","databaseSchema":"s.d.n"}`, "columns"},
		{"bad data type", "table", `{"name":"t","databaseSchema":"s.d.n","columns":[{"name":"id","dataType":"BIGNUM"}]}`, "dataType"},
		{"double colon in a name", "table", `{"name":"a::b","databaseSchema":"s.d.n","columns":[{"name":"id","dataType":"INT"}]}`, "name"},
		{"unknown field", "table", `{"name":"t","databaseSchema":"s.d.n","columns":[{"name":"id","dataType":"INT"}],"domain":"x"}`, "domain"},
		{"owner without uuid", "table", `{"name":"t","databaseSchema":"s.d.n","columns":[{"name":"id","dataType":"INT"}],"owners":[{"id":"x","type":"team"}]}`, "owners"},
		{"topic with no partitions", "topic", `{"name":"q","service":"r","partitions":0}`, "partitions"},
		{"domain without type", "domain", `{"name":"d","description":"x"}`, "domainType"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Validate(tc.typ, "x", []byte(tc.body))
			if tc.errContains == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, openmetadata.ErrInvalidBody)
			assert.Contains(t, err.Error(), tc.errContains)
		})
	}
}

// TestConsumptionBodies: the serving database, the Superset dashboard's
// chart and data model bodies, and the lineage from a fact through its
// serving copy to the dashboard, as OpenMetadata's Superset connector
// shapes them (table -> data model -> dashboard; charts are parts of the
// dashboard).
func TestConsumptionBodies(t *testing.T) {
	bodies := fixtureBodies(t)

	svc := find(t, bodies, "databaseService", "mesh_serving")
	assert.Equal(t, "CustomDatabase", svc["serviceType"], "OpenMetadata 1.13 has no DuckDB service type")
	assert.Contains(t, svc["description"], "DuckDB file serving/mesh.duckdb under the data directory, written by `meshctl publish`.")
	assert.Equal(t, "mesh_serving", find(t, bodies, "database", "mesh_serving.mesh")["service"])
	assert.Equal(t, []any{"shop"}, find(t, bodies, "databaseSchema", "mesh_serving.mesh.shop")["domains"])
	copyOf := find(t, bodies, "table", "mesh_serving.mesh.shop.fact_orders")
	assert.Equal(t, "mesh_serving.mesh.shop", copyOf["databaseSchema"])
	assert.Equal(t, "Regular", copyOf["tableType"])
	assert.Len(t, copyOf["columns"], 6)
	assert.Equal(t, "PersonalData.Personal", copyOf["columns"].([]any)[1].(map[string]any)["tags"].([]any)[0].(map[string]any)["tagFQN"],
		"the copy keeps the classification")
	assert.Contains(t, copyOf["description"], "One row per order line.\n\nThe serving copy of shop.fact_orders (mesh_lakehouse.mesh.shop.fact_orders)")
	assert.NotContains(t, copyOf, "dataProducts", "the data product is the lakehouse table")

	chart := find(t, bodies, "chart", `mesh_superset."shop_sales.units_total"`)
	assert.Equal(t, map[string]any{"name": "shop_sales.units_total", "displayName": "Units", "service": "mesh_superset", "chartType": "Text",
		"description": "Units\n\nA big_number chart of dashboard shop_sales, declared in domains/shop/dashboards/sales.yaml.",
		"owners":      []any{openmetadata.Reference("team", "shop-team")}, "domains": []any{"shop"}}, chart)
	assert.Equal(t, "Line", find(t, bodies, "chart", `mesh_superset."shop_sales.units_by_day"`)["chartType"])

	model := find(t, bodies, "dashboardDataModel", `mesh_superset.model."shop_sales.daily"`)
	assert.Equal(t, "SupersetDataModel", model["dataModelType"])
	assert.Equal(t, "Superset", model["serviceType"])
	assert.Equal(t, "daily", model["displayName"])
	assert.Contains(t, model["sql"], "FROM shop.fact_orders")
	assert.Equal(t, []any{
		map[string]any{"name": "event_date", "dataType": "DATE", "dataTypeDisplay": "date", "ordinalPosition": 1},
		map[string]any{"name": "customer_id", "dataType": "STRING", "dataTypeDisplay": "string", "ordinalPosition": 2,
			"tags": []any{map[string]any{"tagFQN": "PersonalData.Personal", "source": "Classification", "labelType": "Manual", "state": "Confirmed"}}},
		map[string]any{"name": "units", "dataType": "BIGINT", "dataTypeDisplay": "bigint", "ordinalPosition": 3},
	}, model["columns"])

	dash := find(t, bodies, "dashboard", "mesh_superset.shop_sales")
	assert.Equal(t, "Sales", dash["displayName"])
	assert.Equal(t, "http://localhost:8088/superset/dashboard/shop_sales/", dash["sourceUrl"], "the bundle's slug on the compose bi profile's Superset")
	assert.Equal(t, "http://superset:8088/superset/dashboard/demand/", find(t, bodies, "dashboard", "mesh_superset.demand_board")["sourceUrl"], "a declared URL wins")
	assert.Equal(t, []any{`mesh_superset."shop_sales.units_total"`, `mesh_superset."shop_sales.units_by_day"`}, dash["charts"])
	assert.Equal(t, []any{`mesh_superset.model."shop_sales.daily"`}, dash["dataModels"])
	assert.NotContains(t, find(t, bodies, "dashboard", "mesh_superset.demand_board"), "charts", "a declared consumer has none")

	edge := find(t, bodies, "lineage", openmetadata.EdgeFQN("table", "mesh_lakehouse.mesh.shop.fact_orders", "table", "mesh_serving.mesh.shop.fact_orders"))
	details := edge["edge"].(map[string]any)["lineageDetails"].(map[string]any)
	assert.Equal(t, "CrossDatabaseLineage", details["source"])
	assert.Equal(t, "via serving copy: `meshctl publish --tables shop.fact_orders --bundle none`", details["description"])
	assert.Equal(t, "mesh_airflow.transform_shop", details["pipeline"].(map[string]any)["fullyQualifiedName"])
	assert.Len(t, details["columnsLineage"], 2)
	edge = find(t, bodies, "lineage", openmetadata.EdgeFQN("table", "mesh_serving.mesh.shop.fact_orders", "dashboardDataModel", `mesh_superset.model."shop_sales.daily"`))
	details = edge["edge"].(map[string]any)["lineageDetails"].(map[string]any)
	assert.Equal(t, "DashboardLineage", details["source"])
	assert.Equal(t, []any{
		map[string]any{"fromColumns": []any{"mesh_serving.mesh.shop.fact_orders.event_date"}, "toColumn": `mesh_superset.model."shop_sales.daily".event_date`},
		map[string]any{"fromColumns": []any{"mesh_serving.mesh.shop.fact_orders.customer_id"}, "toColumn": `mesh_superset.model."shop_sales.daily".customer_id`},
	}, details["columnsLineage"], "as the Superset connector names a data model's columns")
	find(t, bodies, "lineage", openmetadata.EdgeFQN("dashboardDataModel", `mesh_superset.model."shop_sales.daily"`, "dashboard", "mesh_superset.shop_sales"))
	for _, b := range bodies {
		assert.NotContains(t, b.FQN, "chart:", "no lineage edge has a chart end")
	}

	// Push order: charts and data models before the dashboard naming them.
	pos := map[string]int{}
	for i, b := range bodies {
		pos[b.Type.Name+":"+b.FQN] = i
	}
	assert.Less(t, pos[`chart:mesh_superset."shop_sales.units_total"`], pos["dashboard:mesh_superset.shop_sales"])
	assert.Less(t, pos[`dashboardDataModel:mesh_superset.model."shop_sales.daily"`], pos["dashboard:mesh_superset.shop_sales"])
	assert.Less(t, pos["databaseSchema:mesh_serving.mesh.shop"], pos["table:mesh_serving.mesh.shop.fact_orders"])
}
