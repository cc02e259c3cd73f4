package openmetadata_test

import (
	"time"

	"github.com/meshterious/warehouse/platform/catalog"
)

// fixtureCatalog is a small mesh with known answers: two domains (shop
// publishes orders in two regions; forecast reads shop's fact table and
// writes a forecast), a declared dashboard reading the forecast, a Superset
// dashboard of shop (one dataset over the serving copy of shop.fact_orders,
// two charts), two glossary terms related both ways, and a personal-data
// column.
func fixtureCatalog() *catalog.Catalog {
	col := func(name, typ string) catalog.Column {
		return catalog.Column{Name: name, Type: typ, Access: "internal"}
	}
	customer := catalog.Column{Name: "customer_id", Type: "string", PII: "personal", Access: "confidential", Glossary: []string{"Order Line"}}
	email := catalog.Column{Name: "email", Type: "varchar", PII: "sensitive", Access: "restricted"}
	shopCols := []catalog.Column{col("order_id", "string"), customer, email, col("qty", "int64"), col("price", "decimal(10,2)"), col("event_date", "date")}
	topic := func(name string, kind catalog.TopicKind, region string) *catalog.Topic {
		t := &catalog.Topic{Name: name, Kind: kind, Domain: "shop", Owner: "shop-team", Region: region, Event: "orders"}
		if kind == catalog.TopicQueue || kind == catalog.TopicExchange {
			t.Contract, t.Schema = "shop/orders.v1", `{"type":"object","properties":{"order_id":{"type":"string"}}}`
			t.SchemaFields = []catalog.Column{{Name: "order_id", Type: "string"}, {Name: "qty", Type: "integer"}}
		}
		if kind == catalog.TopicQueue {
			t.Exchange, t.RoutingKey = "shop", "orders."+region
		}
		return t
	}
	return &catalog.Catalog{
		Domains: []*catalog.Domain{
			{Name: "forecast", Description: "Forecasts demand.", Team: "forecast-team", Email: "forecast@example.com",
				DependsOn: []string{"shop"}, DataProducts: []string{"forecast.fact_forecast"}},
			{Name: "shop", Description: "Takes orders.", Team: "shop-team", Email: "shop@example.com",
				DataProducts: []string{"shop.fact_orders"}},
		},
		Tables: []*catalog.Table{
			{Namespace: "forecast", Name: "fact_forecast", Domain: "forecast", Layer: catalog.LayerFact, DataProduct: true,
				Owner: "forecast-team", Glossary: []string{"forecast"},
				Columns: []catalog.Column{col("product_id", "string"), col("forecast_qty", "double"), col("run_id", "string")}},
			{Namespace: "shop", Name: "fact_orders", Domain: "shop", Layer: catalog.LayerFact, DataProduct: true, Owner: "shop-team",
				Description: "One row per order line.", Columns: shopCols, Freshness: catalog.Freshness{SLA: time.Hour}},
			{Namespace: "shop", Name: "raw_orders", Domain: "shop", Layer: catalog.LayerRaw, Owner: "shop-team", Columns: shopCols,
				Origin: catalog.OriginContract, Contract: "shop/orders.v1", Partitioning: []string{"event_date"}},
			{Namespace: "shop", Name: "stg_orders", Domain: "shop", Layer: catalog.LayerStaging, Owner: "shop-team", Columns: shopCols,
				Partitioning: []string{"day(event_ts)"}},
		},
		Topics: []*catalog.Topic{
			topic("shop", catalog.TopicExchange, ""),
			topic("shop.dlx", catalog.TopicDeadLetterExchange, ""),
			topic("ingest_orders_eu", catalog.TopicQueue, "eu"),
			topic("ingest_orders_eu.dlq", catalog.TopicDLQ, "eu"),
			topic("ingest_orders_us", catalog.TopicQueue, "us"),
			topic("ingest_orders_us.dlq", catalog.TopicDLQ, "us"),
		},
		Pipelines: []*catalog.Pipeline{
			{ID: "forecast_demand", Domain: "forecast", Type: "forecast", Owner: "forecast-team", Schedule: "0 3 * * *",
				Reads: []string{"shop.fact_orders"}, Writes: []string{"forecast.fact_forecast"},
				Tasks: []catalog.Task{{ID: "forecast", Command: "forecasting forecast demand"}}},
			{ID: "ingest_orders", Domain: "shop", Type: "ingest", Owner: "shop-team", Schedule: "on_update",
				Tasks: []catalog.Task{{ID: "ingest", Command: "shop ingest"}}},
			{ID: "transform_shop", Domain: "shop", Type: "fact", Owner: "shop-team", Schedule: "@hourly", SLA: time.Hour,
				Tasks: []catalog.Task{{ID: "deps", Command: "dbt deps"}, {ID: "build", Command: "dbt build", DependsOn: []string{"deps"}}}},
		},
		Consumers: []*catalog.Consumer{
			{Name: "demand_board", Kind: catalog.KindDashboard, Domain: "forecast",
				URL: "http://superset:8088/superset/dashboard/demand/", Reads: []string{"forecast.fact_forecast"}},
			{Name: "shop_sales", Kind: catalog.KindDashboard, Title: "Sales", Domain: "shop", Owner: "shop-team", Tool: "Superset",
				File: "domains/shop/dashboards/sales.yaml", Reads: []string{"shop.fact_orders"},
				Datasets: []string{"shop_sales.daily"}, Charts: []string{"shop_sales.units_total", "shop_sales.units_by_day"}},
		},
		Serving: catalog.Serving{Name: "serving", Engine: "DuckDB", Path: catalog.ServingFile, Command: catalog.ServingCommand,
			Description: "The data products for BI.", Tables: []string{"shop.fact_orders"}},
		Datasets: []*catalog.Dataset{{ID: "shop_sales.daily", Name: "daily", Dashboard: "shop_sales", Domain: "shop", Owner: "shop-team",
			Description: "Units per day and customer.", SQL: "SELECT event_date, customer_id, CAST(sum(qty) AS BIGINT) AS units FROM shop.fact_orders GROUP BY 1, 2",
			Columns: []catalog.Column{{Name: "event_date", Type: "date"}, {Name: "customer_id", Type: "text", PII: "personal"}, {Name: "units", Type: "integer"}},
			Reads:   []string{"shop.fact_orders"}, File: "domains/shop/dashboards/sales.yaml"}},
		Charts: []*catalog.Chart{
			{ID: "shop_sales.units_by_day", Name: "units_by_day", Title: "Units per day", Type: "line", Dashboard: "shop_sales",
				Dataset: "shop_sales.daily", Domain: "shop", Owner: "shop-team", File: "domains/shop/dashboards/sales.yaml"},
			{ID: "shop_sales.units_total", Name: "units_total", Title: "Units", Type: "big_number", Dashboard: "shop_sales",
				Dataset: "shop_sales.daily", Domain: "shop", Owner: "shop-team", File: "domains/shop/dashboards/sales.yaml"},
		},
		Edges: []catalog.Edge{
			{From: catalog.TopicRef("ingest_orders_eu"), To: catalog.TopicRef("ingest_orders_eu.dlq"), Via: catalog.ViaDeadLetter},
			{From: catalog.TopicRef("ingest_orders_eu"), To: catalog.TableRef("shop.raw_orders"), Via: catalog.ViaIngest, Pipeline: "ingest_orders"},
			{From: catalog.TopicRef("ingest_orders_us"), To: catalog.TopicRef("ingest_orders_us.dlq"), Via: catalog.ViaDeadLetter},
			{From: catalog.TopicRef("ingest_orders_us"), To: catalog.TableRef("shop.raw_orders"), Via: catalog.ViaIngest, Pipeline: "ingest_orders"},
			{From: catalog.TopicRef("shop"), To: catalog.TopicRef("ingest_orders_eu"), Via: catalog.ViaBinding},
			{From: catalog.TopicRef("shop"), To: catalog.TopicRef("ingest_orders_us"), Via: catalog.ViaBinding},
			{From: catalog.TableRef("forecast.fact_forecast"), To: catalog.Ref{Kind: catalog.KindDashboard, Name: "demand_board"}, Via: catalog.ViaDeclared},
			{From: catalog.TableRef("shop.fact_orders"), To: catalog.TableRef("forecast.fact_forecast"), Via: catalog.ViaDAG, Pipeline: "forecast_demand"},
			{From: catalog.TableRef("shop.raw_orders"), To: catalog.TableRef("shop.stg_orders"), Via: catalog.ViaDBT, Pipeline: "transform_shop",
				Columns: []catalog.ColumnLineage{{From: []string{"order_id"}, To: "order_id"}, {From: []string{"qty", "price"}, To: "qty"}}},
			{From: catalog.TableRef("shop.stg_orders"), To: catalog.TableRef("shop.fact_orders"), Via: catalog.ViaDBT, Pipeline: "transform_shop",
				Columns: []catalog.ColumnLineage{{From: []string{"order_id"}, To: "order_id"}}},
			{From: catalog.TableRef("shop.fact_orders"), To: catalog.ServingRef("shop.fact_orders"), Via: catalog.ViaServing, Pipeline: "transform_shop",
				Command: "meshctl publish --tables shop.fact_orders --bundle none",
				Columns: []catalog.ColumnLineage{{From: []string{"order_id"}, To: "order_id"}, {From: []string{"qty"}, To: "qty"}}},
			{From: catalog.ServingRef("shop.fact_orders"), To: catalog.Ref{Kind: catalog.KindDataset, Name: "shop_sales.daily"}, Via: catalog.ViaDashboard,
				Columns: []catalog.ColumnLineage{{From: []string{"event_date"}, To: "event_date"}, {From: []string{"customer_id"}, To: "customer_id"}}},
			{From: catalog.Ref{Kind: catalog.KindDataset, Name: "shop_sales.daily"}, To: catalog.Ref{Kind: catalog.KindChart, Name: "shop_sales.units_by_day"}, Via: catalog.ViaDashboard},
			{From: catalog.Ref{Kind: catalog.KindDataset, Name: "shop_sales.daily"}, To: catalog.Ref{Kind: catalog.KindChart, Name: "shop_sales.units_total"}, Via: catalog.ViaDashboard},
			{From: catalog.Ref{Kind: catalog.KindChart, Name: "shop_sales.units_by_day"}, To: catalog.Ref{Kind: catalog.KindDashboard, Name: "shop_sales"}, Via: catalog.ViaDashboard},
			{From: catalog.Ref{Kind: catalog.KindChart, Name: "shop_sales.units_total"}, To: catalog.Ref{Kind: catalog.KindDashboard, Name: "shop_sales"}, Via: catalog.ViaDashboard},
		},
		Glossary: catalog.Glossary{Name: "Warehouse", Description: "Terms.", Terms: []catalog.Term{
			{Name: "Forecast", Definition: "Expected demand.", Related: []string{"Order Line"}},
			{Name: "Order Line", Definition: "One product in an order.", Synonyms: []string{"Order"}, Related: []string{"Forecast"}},
		}},
		Governance: catalog.Governance{
			PIILevels: []catalog.PIILevel{
				{Name: "personal", Tag: "PersonalData.Personal", Access: "confidential"},
				{Name: "sensitive", Tag: "PII.Sensitive", Access: "restricted"},
			},
			AccessLevels: []catalog.AccessLevel{{Name: "public"}, {Name: "internal", Description: "Employees."},
				{Name: "confidential"}, {Name: "restricted"}},
			DefaultAccess: "internal", DefaultRole: "analyst",
			Roles: []catalog.Role{
				{Name: "analyst", Description: "Reads products.", Reads: []string{"public", "internal"}},
				{Name: "forecast-team", Reads: []string{"public", "internal"}, Edits: []string{"forecast"}},
				{Name: "shop-team", Reads: []string{"public", "internal", "confidential"}, Edits: []string{"shop"}},
			},
		},
	}
}

// fixtureCounts are the bodies the fixture gives, per type.
var fixtureCounts = map[string]int{
	"classification": 2, // DataMesh, AccessLevel (PII and PersonalData are built in)
	"tag":            9, // DataProduct + 4 layers + 4 access levels
	"policy":         3, "role": 3, "team": 2, "domain": 2,
	"glossary": 1, "glossaryTerm": 2, "dataProduct": 2,
	"databaseService": 2, "database": 2, "databaseSchema": 3, "table": 5, // the lakehouse's, and the serving database with shop's schema and fact_orders
	"messagingService": 1, "topic": 6, "pipelineService": 1, "pipeline": 3,
	"dashboardService": 1, "chart": 2, "dashboardDataModel": 1, "dashboard": 2,
	// 10 up to the facts, fact -> serving copy -> data model -> dashboard
	// (the two charts are parts of the dashboard, not lineage nodes)
	"lineage": 13,
}
