package catalog_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/catalog"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

const fixture = "testdata/mesh"

func build(t *testing.T, root string) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Build(context.Background(), catalog.Config{Root: root})
	require.NoError(t, err)
	return c
}

func ids(ts []*catalog.Table) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID())
	}
	return out
}

func edgeNames(es []catalog.Edge) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.From.String()+" -> "+e.To.String()+" ("+e.Via+", "+e.Pipeline+")")
	}
	return out
}

func TestBuildFixtureTables(t *testing.T) {
	c := build(t, fixture)
	assert.Equal(t, []string{"planning.fact_forecast", "planning.stg_demand", "shop.channels",
		"shop.fact_sales", "shop.raw_sales", "shop.stg_sales"}, ids(c.Tables))
	assert.False(t, c.Live)

	type want struct {
		domain, owner string
		layer         catalog.Layer
		origin        string
		product       bool
		sla           time.Duration
		glossary      []string
	}
	for id, w := range map[string]want{
		"shop.raw_sales":         {"shop", "shop-team", catalog.LayerRaw, catalog.OriginContract, false, time.Hour, nil},
		"shop.stg_sales":         {"shop", "shop-team", catalog.LayerStaging, catalog.OriginDBTModel, false, 2 * time.Hour, nil},
		"shop.fact_sales":        {"shop", "shop-team", catalog.LayerFact, catalog.OriginDBTModel, true, 3 * time.Hour, []string{"Sale"}},
		"shop.channels":          {"shop", "shop-team", catalog.LayerDim, catalog.OriginDBTSeed, false, 0, nil},
		"planning.stg_demand":    {"planning", "planning-team", catalog.LayerStaging, catalog.OriginDBTModel, false, 26 * time.Hour, nil},
		"planning.fact_forecast": {"planning", "planning-team", catalog.LayerFact, catalog.OriginDeclared, true, 26 * time.Hour, []string{"Forecast"}},
	} {
		tb, err := c.Table(id)
		require.NoError(t, err)
		assert.Equal(t, w.domain, tb.Domain, id)
		assert.Equal(t, w.owner, tb.Owner, id)
		assert.Equal(t, w.layer, tb.Layer, id)
		assert.Equal(t, w.origin, tb.Origin, id)
		assert.Equal(t, w.product, tb.DataProduct, id)
		assert.Equal(t, w.sla, tb.Freshness.SLA, id)
		assert.Equal(t, w.glossary, tb.Glossary, id)
	}

	raw, _ := c.Table("shop.raw_sales")
	assert.Equal(t, "shop/sales.v1", raw.Contract)
	var cols []string
	for _, col := range raw.Columns {
		cols = append(cols, col.Name+":"+col.Type)
	}
	assert.Equal(t, []string{"event_id:string", "event_ts:timestamptz", "event_type:string", "sale_id:string",
		"customer_email:string", "qty:long", "event_date:date", "ingested_at:timestamptz"}, cols)
	qty, _ := raw.Column("qty")
	assert.Equal(t, []string{"Units"}, qty.Glossary, "the domain's source documents its raw table")

	stg, _ := c.Table("shop.stg_sales")
	assert.Equal(t, []string{"not_null(sale_id)", "unique(sale_id)"}, stg.DBT.Tests)
	id, _ := stg.Column("sale_id")
	assert.Equal(t, []string{"not_null", "unique"}, id.Tests)

	_, err := c.Table("shop.sales")
	assert.ErrorIs(t, err, catalog.ErrNotFound)

	assert.Equal(t, []string{"planning.fact_forecast"}, c.Domain("planning").DataProducts)
	assert.Equal(t, []string{"shop.fact_sales"}, c.Domain("shop").DataProducts)
	assert.Equal(t, "shop-team", c.Domain("shop").Team)
}

func TestBuildFixtureClassification(t *testing.T) {
	c := build(t, fixture)
	type want struct{ pii, access string }
	for col, w := range map[string]want{
		"shop.raw_sales.customer_email": {"sensitive", "restricted"}, // contract x-pii
		"shop.stg_sales.customer_email": {"sensitive", "restricted"}, // lower(customer_email): carried down
		"shop.fact_sales.buyer":         {"sensitive", "restricted"}, // an alias: carried down
		"shop.fact_sales.units":         {"", "public"},              // meta access
		"shop.fact_sales.doubled":       {"", "internal"},            // the default
		"planning.stg_demand.units":     {"", "internal"},            // access is not carried
	} {
		i := strings.LastIndex(col, ".")
		tb, err := c.Table(col[:i])
		require.NoError(t, err)
		cc, ok := tb.Column(col[i+1:])
		require.True(t, ok, col)
		assert.Equal(t, w.pii, cc.PII, col)
		assert.Equal(t, w.access, cc.Access, col)
	}

	masks, err := c.Masks("")
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{
		"shop.raw_sales":  {"customer_email"},
		"shop.stg_sales":  {"customer_email"},
		"shop.fact_sales": {"buyer"},
	}, masks, "the default role (analyst) sees no PII")
	masks, err = c.Masks("pii-reader")
	require.NoError(t, err)
	assert.Empty(t, masks)
	_, err = c.Masks("nobody")
	assert.ErrorIs(t, err, catalog.ErrNotFound)

	shop, err := c.Role("shop-team")
	require.NoError(t, err)
	assert.Equal(t, []string{"shop"}, shop.Edits)
	assert.Equal(t, []string{"public", "internal"}, shop.Reads)
	buyer, _ := c.Tables[3].Column("buyer")
	assert.Equal(t, []string{"pii-reader"}, c.RolesSeeing(*buyer))

	var applied []string
	for _, term := range c.Glossary.Terms {
		applied = append(applied, term.Name+"="+strings.Join(term.Applied, ","))
	}
	assert.Equal(t, []string{
		"Forecast=planning.fact_forecast",
		"Sale=shop.fact_sales,shop.fact_sales.sale_id",
		"Units=shop.fact_sales.units,shop.raw_sales.qty,shop.stg_sales.qty",
	}, applied)
}

func TestBuildFixtureLineage(t *testing.T) {
	c := build(t, fixture)
	var names []string
	for _, n := range edgeNames(c.Edges) {
		// Whether a fact DAG publishes is the platform's default (package
		// dags), asserted in TestBuildFixtureDashboards.
		if !strings.HasPrefix(n, "table:shop.fact_sales -> serving:") {
			names = append(names, n)
		}
	}
	assert.Equal(t, []string{
		"chart:planning_demand.forecast_line -> dashboard:planning_demand (dashboard, )",
		"chart:planning_demand.units_by_label -> dashboard:planning_demand (dashboard, )",
		"chart:planning_demand.units_total -> dashboard:planning_demand (dashboard, )",
		"dataset:planning_demand.forecast -> chart:planning_demand.forecast_line (dashboard, )",
		"dataset:planning_demand.sales -> chart:planning_demand.units_by_label (dashboard, )",
		"dataset:planning_demand.sales -> chart:planning_demand.units_total (dashboard, )",
		"serving:planning.fact_forecast -> dataset:planning_demand.forecast (dashboard, )",
		"serving:shop.fact_sales -> dataset:planning_demand.sales (dashboard, )",
		"table:planning.fact_forecast -> dashboard:sales_dashboard (declared consumer, )",
		"table:planning.fact_forecast -> serving:planning.fact_forecast (serving copy, forecast)",
		"table:planning.stg_demand -> table:planning.fact_forecast (dag, forecast)",
		"table:shop.channels -> table:shop.fact_sales (dbt, fact_sales)",
		"table:shop.fact_sales -> dashboard:sales_dashboard (declared consumer, )",
		"table:shop.fact_sales -> table:planning.stg_demand (dbt, forecast)",
		"table:shop.raw_sales -> table:shop.stg_sales (dbt, stg_sales)",
		"table:shop.stg_sales -> table:shop.fact_sales (dbt, fact_sales)",
		"topic:ingest_sales_north -> table:shop.raw_sales (ingest, ingest_sales_north)",
		"topic:ingest_sales_north -> topic:ingest_sales_north.dlq (dead-lettering, ingest_sales_north)",
		"topic:ingest_sales_south -> table:shop.raw_sales (ingest, ingest_sales_south)",
		"topic:ingest_sales_south -> topic:ingest_sales_south.dlq (dead-lettering, ingest_sales_south)",
		"topic:shop -> topic:ingest_sales_north (broker binding, )",
		"topic:shop -> topic:ingest_sales_south (broker binding, )",
	}, names)

	cols := map[string][]catalog.ColumnLineage{}
	for _, e := range c.Edges {
		cols[e.From.Name+">"+e.To.Name] = e.Columns
	}
	assert.Equal(t, []catalog.ColumnLineage{
		{From: []string{"sale_id"}, To: "sale_id"}, {From: []string{"qty"}, To: "qty"},
		{From: []string{"event_ts"}, To: "event_date"}, // CAST(event_ts AS DATE) as event_date
	}, cols["shop.raw_sales>shop.stg_sales"])
	assert.Equal(t, []catalog.ColumnLineage{
		{From: []string{"sale_id"}, To: "sale_id"}, {From: []string{"customer_email"}, To: "buyer"},
		{From: []string{"qty"}, To: "units"},
	}, cols["shop.stg_sales>shop.fact_sales"])
	assert.Equal(t, []catalog.ColumnLineage{{From: []string{"units"}, To: "units"}}, cols["shop.fact_sales>planning.stg_demand"])

	var topics []string
	for _, tp := range c.Topics {
		topics = append(topics, tp.Name+" "+string(tp.Kind)+" "+tp.Exchange+" "+tp.RoutingKey+" "+tp.Contract)
	}
	assert.Equal(t, []string{
		"ingest_sales_north queue shop sales.north shop/sales.v1",
		"ingest_sales_north.dlq dead-letter queue shop.dlx ingest_sales_north.dlq shop/sales.v1",
		"ingest_sales_south queue shop sales.south shop/sales.v1",
		"ingest_sales_south.dlq dead-letter queue shop.dlx ingest_sales_south.dlq shop/sales.v1",
		"shop exchange   shop/sales.v1",
		"shop.dlx dead-letter exchange   ",
	}, topics)
	assert.Contains(t, c.Topic("ingest_sales_north").Schema, `"x-pii": "sensitive"`)

	// From the fact back to the queues, and forward to the dashboard.
	var up, down []string
	for _, e := range c.Upstream(catalog.TableRef("shop.fact_sales")) {
		up = append(up, e.From.String())
	}
	assert.Equal(t, []string{"table:shop.channels", "table:shop.stg_sales", "table:shop.raw_sales",
		"topic:ingest_sales_north", "topic:ingest_sales_south", "topic:shop", "topic:shop"}, up)
	for _, e := range c.Downstream(catalog.TableRef("shop.fact_sales")) {
		down = append(down, e.To.String())
	}
	assert.Equal(t, []string{"dashboard:sales_dashboard", "serving:shop.fact_sales", "table:planning.stg_demand",
		"dataset:planning_demand.sales", "table:planning.fact_forecast", "chart:planning_demand.units_by_label",
		"chart:planning_demand.units_total", "dashboard:sales_dashboard", "serving:planning.fact_forecast",
		"dashboard:planning_demand", "dashboard:planning_demand", "dataset:planning_demand.forecast",
		"chart:planning_demand.forecast_line", "dashboard:planning_demand"}, down)

	p := c.Pipeline("forecast")
	require.NotNil(t, p)
	assert.Equal(t, "on_update", p.Schedule)
	assert.Equal(t, 26*time.Hour, p.SLA)
	assert.Equal(t, "planning-team", p.Owner)
	assert.Equal(t, []catalog.Task{
		{ID: "stage", Command: "planning transform build --select stg_demand"},
		{ID: "forecast", Command: "planning forecast demand", DependsOn: []string{"stage"}},
		{ID: "publish", Command: "meshctl publish --tables planning.fact_forecast --bundle none", DependsOn: []string{"forecast"}},
	}, p.Tasks)
}

// TestBuildFixtureDashboards: the fixture's planning dashboard reads two
// data products through the serving database; its path runs from the
// queues to the dashboard.
func TestBuildFixtureDashboards(t *testing.T) {
	c := build(t, fixture)
	assert.Equal(t, catalog.ServingFile, c.Serving.Path)
	assert.Equal(t, "DuckDB", c.Serving.Engine)
	assert.Equal(t, []string{"planning.fact_forecast", "shop.fact_sales"}, c.Serving.Tables)

	d := c.Consumer("planning_demand")
	require.NotNil(t, d)
	assert.Equal(t, "Demand", d.Title)
	assert.Equal(t, "Superset", d.Tool)
	assert.Equal(t, "planning-team", d.Owner)
	assert.Equal(t, "domains/planning/dashboards/demand.yaml", d.File)
	assert.Equal(t, []string{"planning.fact_forecast", "shop.fact_sales"}, d.Reads)
	assert.Equal(t, []string{"planning_demand.sales", "planning_demand.forecast"}, d.Datasets)
	assert.Equal(t, []string{"planning_demand.units_total", "planning_demand.units_by_label", "planning_demand.forecast_line"}, d.Charts)
	ds := c.Dataset("planning_demand.sales")
	require.NotNil(t, ds)
	assert.Equal(t, []catalog.Column{{Name: "sale_id", Type: "text"}, {Name: "customer", Type: "text", PII: "sensitive"},
		{Name: "label", Type: "text"}, {Name: "units", Type: "integer"}, {Name: "quadrupled", Type: "integer"}}, ds.Columns,
		"customer is buyer, whose PII level comes from the contract through stg_sales")
	assert.Equal(t, []string{"shop.fact_sales"}, ds.Reads)
	ch := c.Chart("planning_demand.units_by_label")
	require.NotNil(t, ch)
	assert.Equal(t, "Units by label", ch.Title)
	assert.Equal(t, "bar", ch.Type)
	assert.Equal(t, "planning_demand.sales", ch.Dataset)
	assert.Len(t, c.Charts, 3)
	assert.Len(t, c.Datasets, 2)

	// The serving copy carries the task that publishes it, and every column;
	// a dataset the columns its SQL simply selects (label is not a declared
	// column of shop.fact_sales, quadrupled a computation).
	for _, e := range c.Edges {
		if e.From == catalog.ServingRef("shop.fact_sales") {
			assert.Equal(t, []catalog.ColumnLineage{{From: []string{"sale_id"}, To: "sale_id"}, {From: []string{"buyer"}, To: "customer"},
				{From: []string{"units"}, To: "units"}}, e.Columns)
		}
		if e.To == catalog.ServingRef("shop.fact_sales") {
			assert.Len(t, e.Columns, 4, "sale_id, buyer, units, doubled")
		}
	}
	for _, e := range c.Edges {
		if e.Via != catalog.ViaServing {
			continue
		}
		switch e.To.Name {
		case "planning.fact_forecast":
			assert.Equal(t, "forecast", e.Pipeline)
			assert.Equal(t, "meshctl publish --tables planning.fact_forecast --bundle none", e.Command)
		case "shop.fact_sales": // the fact DAG's publish task, else the command alone
			assert.True(t, e.Pipeline == "fact_sales" || e.Pipeline == "", e.Pipeline)
			assert.True(t, strings.HasPrefix(e.Command, catalog.ServingCommand), e.Command)
		default:
			t.Errorf("unexpected serving edge %s -> %s", e.From, e.To)
		}
	}

	// queue -> raw -> stg -> fact -> serving -> dataset -> chart -> dashboard
	next := map[catalog.Ref][]catalog.Ref{}
	for _, e := range c.LineageOf(catalog.TableRef("shop.fact_sales")) {
		next[e.From] = append(next[e.From], e.To)
	}
	path := []catalog.Ref{catalog.TopicRef("ingest_sales_north"), catalog.TableRef("shop.raw_sales"), catalog.TableRef("shop.stg_sales"),
		catalog.TableRef("shop.fact_sales"), catalog.ServingRef("shop.fact_sales"), {Kind: catalog.KindDataset, Name: "planning_demand.sales"},
		{Kind: catalog.KindChart, Name: "planning_demand.units_total"}, {Kind: catalog.KindDashboard, Name: "planning_demand"}}
	for i := 1; i < len(path); i++ {
		assert.Contains(t, next[path[i-1]], path[i], "%s -> %s", path[i-1], path[i])
	}

	for name, want := range map[string]catalog.Ref{
		"shop.fact_sales":                   {Kind: catalog.KindTable, Name: "shop.fact_sales"},
		"planning_demand":                   {Kind: catalog.KindDashboard, Name: "planning_demand"},
		"sales_dashboard":                   {Kind: catalog.KindDashboard, Name: "sales_dashboard"},
		"planning_demand.forecast_line":     {Kind: catalog.KindChart, Name: "planning_demand.forecast_line"},
		"planning_demand.forecast":          {Kind: catalog.KindDataset, Name: "planning_demand.forecast"},
		"serving:shop.fact_sales":           catalog.ServingRef("shop.fact_sales"),
		"ingest_sales_north":                catalog.TopicRef("ingest_sales_north"),
		"chart:planning_demand.units_total": {Kind: catalog.KindChart, Name: "planning_demand.units_total"},
	} {
		got, err := c.Resolve(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	_, err := c.Resolve("serving:shop.stg_sales")
	assert.ErrorIs(t, err, catalog.ErrNotFound, "only data products and what dashboards read are served")
	_, err = c.Resolve("shop.fact_sale")
	assert.ErrorContains(t, err, "did you mean shop.fact_sales?")
	_, err = c.Resolve("sales")
	assert.ErrorContains(t, err, `no table, dashboard, chart, dataset or topic "sales"`)

	var dot strings.Builder
	require.NoError(t, c.WriteDot(&dot, c.LineageOf(catalog.TableRef("shop.fact_sales")), catalog.TableRef("shop.fact_sales")))
	for _, want := range []string{
		`subgraph "cluster_2serving" {`, `label="serving database serving (DuckDB, serving/mesh.duckdb)"`,
		`subgraph "cluster_2dashboard_planning_demand" {`, `label="Superset dashboard Demand (planning)"`,
		`"serving:shop.fact_sales" [label="shop.fact_sales", shape=cylinder`,
		`"chart:planning_demand.units_by_label" [label="Units by label\n(bar)"`,
		`"dataset:planning_demand.sales" [label="dataset sales", shape=note`,
		`"table:planning.fact_forecast" -> "serving:planning.fact_forecast" [label="forecast", color=darkgoldenrod];`,
		`"dashboard:sales_dashboard" [label="sales_dashboard", shape=component`,
	} {
		assert.Contains(t, dot.String(), want)
	}
}

func TestSearch(t *testing.T) {
	c := build(t, fixture)
	var got []string
	for _, h := range c.Search("units") {
		got = append(got, string(h.Kind)+" "+h.Name+" "+h.Match)
	}
	assert.Equal(t, []string{
		"table planning.fact_forecast description",
		"table planning.stg_demand description",
		"column planning.stg_demand.units name",
		"column shop.fact_sales.units name",
		"column shop.fact_sales.doubled description",
		"column shop.raw_sales.qty glossary",
		"column shop.stg_sales.qty glossary",
		"dashboard planning_demand description",
		"chart planning_demand.units_by_label name",
		"chart planning_demand.units_total name",
		"dataset planning_demand.sales description",
		"term Forecast description",
		"term Units name",
	}, got)
}

// copyFixture copies the fixture mesh so a test can break one file.
func copyFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(fixture)))
	return dir
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), old)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
}

func TestBuildRejectsBadDeclarations(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, errContains string
	}{
		{"unknown glossary term on a column", "domains/shop/dbt/models/schema.yml", "meta: {glossary: [Units], access: public}", "meta: {glossary: [Unit]}",
			`domains/shop/dbt/models/schema.yml: models[fact_sales].columns[units].meta.glossary: unknown glossary term "Unit"`},
		{"unknown glossary term on a model", "domains/shop/dbt/models/schema.yml", "meta: {glossary: Sale}", "meta: {glossary: Sales}",
			`domains/shop/dbt/models/schema.yml: models[fact_sales].meta.glossary: unknown glossary term "Sales"`},
		{"unknown PII level", "domains/shop/dbt/models/schema.yml", "description: Customer email, lower case.", "description: x\n        meta: {pii: secret}",
			`domains/shop/dbt/models/schema.yml: models[stg_sales].columns[customer_email].meta.pii: unknown PII level secret`},
		{"unknown access level", "domains/shop/dbt/models/schema.yml", "access: public", "access: everyone",
			`models[fact_sales].columns[units].meta.access: unknown access level everyone`},
		{"unknown term in a source", "domains/shop/dbt/models/sources.yml", "meta: {glossary: [Units]}", "meta: {glossary: [Pieces]}",
			`domains/shop/dbt/models/sources.yml: sources[shop.raw_sales].columns[qty].meta.glossary: unknown glossary term "Pieces"`},
		{"contract PII level not declared", "metadata/governance.yaml", "  - {name: sensitive, tag: PII.Sensitive, access: restricted, description: Sensitive data.}\n", "",
			`domains/shop/contracts/sales.v1.json: properties/customer_email/x-pii: PII level "sensitive" is not declared in metadata/governance.yaml`},
		{"related term unknown", "metadata/glossary.yaml", "related: [Units]\n", "related: [Unitz]\n",
			`metadata/glossary.yaml:4: terms[0] (Sale).related: unknown term "Unitz"`},
		{"applies_to an unknown table", "metadata/glossary.yaml", "planning.fact_forecast:", "planning.fact_forecasts:",
			`metadata/glossary.yaml: applies_to: no table "planning.fact_forecasts"`},
		{"role reads an unknown level", "metadata/governance.yaml", "reads: [public, internal]}", "reads: [public, inside]}",
			`metadata/governance.yaml: roles[0] (analyst).reads: unknown access level "inside"`},
		{"consumer reads an unknown table", "metadata/consumers.yaml", "reads: [shop.fact_sales,", "reads: [shop.fact_sale,",
			`metadata/consumers.yaml: consumers[0] (sales_dashboard).reads: no table "shop.fact_sale"`},
		{"dataset reads an unknown table", "domains/planning/dashboards/demand.yaml", "FROM shop.fact_sales", "FROM shop.fact_sale",
			`domains/planning/dashboards/demand.yaml: datasets[0] (sales).reads: no table "shop.fact_sale" in the catalog`},
		{"unknown field", "metadata/glossary.yaml", "definition: One purchase.", "definiton: One purchase.",
			`metadata/glossary.yaml: yaml: unmarshal errors: line 5: field definiton not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := copyFixture(t)
			replaceIn(t, filepath.Join(root, tc.file), tc.old, tc.new)
			_, err := catalog.Build(context.Background(), catalog.Config{Root: root})
			require.Error(t, err)
			assert.ErrorIs(t, err, catalog.ErrInvalid)
			assert.Contains(t, err.Error(), tc.errContains)
		})
	}
}

// TestBuildWithLakehouse adds a real lakehouse (SQLite catalog, local
// warehouse) holding shop.raw_sales with 3 events and a table no
// declaration knows.
func TestBuildWithLakehouse(t *testing.T) {
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { lh.Close() })

	c, err := contract.Load(filepath.Join(fixture, "domains/shop/contracts/sales.v1.json"))
	require.NoError(t, err)
	raw := lakehouse.Ident{Namespace: "shop", Name: "raw_sales"}
	_, err = lh.EnsureTable(ctx, raw, c.IcebergSchema(), nil)
	require.NoError(t, err)
	bb := c.NewBatchBuilder(nil)
	defer bb.Release()
	now := time.Now().UTC()
	for i, id := range []string{"6f1c1d2e-0000-4000-8000-000000000001", "6f1c1d2e-0000-4000-8000-000000000002", "6f1c1d2e-0000-4000-8000-000000000003"} {
		require.NoError(t, bb.Append(contract.Event{"event_id": id, "event_ts": now.Add(-time.Duration(i) * 24 * time.Hour).Format(time.RFC3339),
			"event_type": "sales", "sale_id": "S-1", "customer_email": "a@example.invalid", "qty": int64(2)}, now))
	}
	rec := bb.NewRecordBatch()
	defer rec.Release()
	_, err = lh.Append(ctx, raw, []arrow.RecordBatch{rec}, nil)
	require.NoError(t, err)
	_, err = lh.EnsureTable(ctx, lakehouse.Ident{Namespace: "scratch", Name: "notes"}, c.IcebergSchema(), nil)
	require.NoError(t, err)

	cat, err := catalog.Build(ctx, catalog.Config{Root: fixture, Lakehouse: lh, Now: now.Add(2 * time.Hour)})
	require.NoError(t, err)
	assert.True(t, cat.Live)
	tb, err := cat.Table("shop.raw_sales")
	require.NoError(t, err)
	require.NotNil(t, tb.Live)
	assert.True(t, tb.Live.Exists)
	assert.Equal(t, int64(3), tb.Live.Rows)
	assert.Equal(t, 1, tb.Live.Snapshots)
	assert.Equal(t, []string{"event_date"}, tb.Partitioning)
	email, _ := tb.Column("customer_email")
	assert.Equal(t, "sensitive", email.PII, "the lakehouse's columns keep the declared classification")
	// Committed 2h before Now, its SLA is 1h: stale.
	assert.Equal(t, "STALE", tb.Freshness.Status)
	assert.InDelta(t, (2 * time.Hour).Seconds(), tb.Freshness.Age.Seconds(), 2)

	stg, _ := cat.Table("shop.stg_sales")
	assert.False(t, stg.Live.Exists)
	assert.Equal(t, "STALE", stg.Freshness.Status)
	assert.Equal(t, "STALE: table missing", stg.Freshness.Detail)

	notes, err := cat.Table("scratch.notes")
	require.NoError(t, err)
	assert.Equal(t, catalog.OriginLakehouse, notes.Origin)
	assert.Equal(t, "", notes.Domain)
	assert.Equal(t, "", notes.Owner)
	assert.Len(t, notes.Columns, 8)
}

// TestRepositoryCatalog builds the catalog of this repository: every domain
// appears, and orders.fact_orders reaches back to the queues and forward to
// every domain that consumes it.
func TestRepositoryCatalog(t *testing.T) {
	c := build(t, "../..")
	var domains []string
	for _, d := range c.Domains {
		domains = append(domains, d.Name)
	}
	assert.Equal(t, []string{"dispatch", "errors", "fleet", "forecasting", "inventory", "orders", "returns"}, domains)
	for _, tb := range c.Tables {
		assert.NotEmpty(t, tb.Domain, tb.ID())
		assert.NotEmpty(t, tb.Owner, tb.ID())
	}
	var up []string
	for _, e := range c.Upstream(catalog.TableRef("orders.fact_orders")) {
		if e.From.Kind == catalog.KindTopic {
			up = append(up, e.From.Name)
		}
	}
	assert.Contains(t, up, "ingest_orders_us-east")
	assert.Contains(t, up, "orders")
	reached := map[string]bool{}
	for _, e := range c.Downstream(catalog.TableRef("orders.fact_orders")) {
		ns, _, _ := strings.Cut(e.To.Name, ".")
		reached[ns] = true
	}
	for _, d := range []string{"returns", "dispatch", "inventory", "errors", "forecasting"} {
		assert.True(t, reached[d], "orders.fact_orders reaches %s", d)
	}
	// ... and through the serving database to the orders dashboard.
	next := map[catalog.Ref][]catalog.Ref{}
	for _, e := range c.Downstream(catalog.TableRef("orders.fact_orders")) {
		next[e.From] = append(next[e.From], e.To)
	}
	path := []catalog.Ref{catalog.TableRef("orders.fact_orders"), catalog.ServingRef("orders.fact_orders"),
		{Kind: catalog.KindDataset, Name: "orders_sales.daily_sales"}, {Kind: catalog.KindChart, Name: "orders_sales.revenue_total"},
		{Kind: catalog.KindDashboard, Name: "orders_sales"}}
	for i := 1; i < len(path); i++ {
		assert.Contains(t, next[path[i-1]], path[i], "%s -> %s", path[i-1], path[i])
	}
	for _, e := range c.Edges {
		if e.Via == catalog.ViaServing && e.From.Name == "orders.fact_orders" {
			assert.Equal(t, "fact_orders", e.Pipeline, "the fact DAG publishes its table")
		}
	}
	assert.Len(t, c.Consumers, 6, "a dashboard per domain but fleet")
	for _, d := range c.Consumers {
		assert.NotEmpty(t, c.Upstream(catalog.Ref{Kind: catalog.KindDashboard, Name: d.Name}), d.Name)
		assert.Equal(t, "Superset", d.Tool, d.Name)
	}
	for _, id := range c.Serving.Tables {
		_, err := c.Table(id)
		assert.NoError(t, err, "serving copy of an unknown table %s", id)
	}

	masks, err := c.Masks("")
	require.NoError(t, err)
	assert.Equal(t, []string{"customer_id", "customer_lat", "customer_lon"}, masks["orders.raw_orders"])
	assert.Equal(t, []string{"customer_id"}, masks["orders.fact_orders"])
}

// declaredFixture copies the fixture and declares the columns of
// planning.fact_forecast (a table a DAG's Go step writes) in its domain.yaml,
// from testdata/declared/fact_forecast_columns.yaml.
func declaredFixture(t *testing.T) string {
	t.Helper()
	root := copyFixture(t)
	cols, err := os.ReadFile("testdata/declared/fact_forecast_columns.yaml")
	require.NoError(t, err)
	replaceIn(t, filepath.Join(root, "domains/planning/domain.yaml"), "    freshness: 26h\n", "    freshness: 26h\n"+string(cols))
	return root
}

func columnList(tb *catalog.Table) []string {
	var out []string
	for _, c := range tb.Columns {
		out = append(out, c.Name+":"+c.Type+":"+c.Description)
	}
	return out
}

// TestBuildDeclaredColumns: columns declared in domain.yaml are the table's
// columns with no lakehouse, their meta checked and applied as schema.yml's.
func TestBuildDeclaredColumns(t *testing.T) {
	c := build(t, declaredFixture(t))
	tb, err := c.Table("planning.fact_forecast")
	require.NoError(t, err)
	assert.Equal(t, catalog.OriginDeclared, tb.Origin)
	assert.Equal(t, []string{
		"day:date:The day forecast.",
		"units:double:Expected sales that day.",
		"planner:string:Who approved the plan.",
		"lower_80:double:Lower bound of the 80% interval.",
	}, columnList(tb))
	type want struct {
		pii, access string
		glossary    []string
	}
	for name, w := range map[string]want{
		"day":      {"", "internal", nil},                           // the default access
		"units":    {"", "internal", []string{"Forecast", "Units"}}, // meta glossary
		"planner":  {"personal", "confidential", nil},               // meta pii: the level's access
		"lower_80": {"", "public", nil},                             // meta access
	} {
		col, ok := tb.Column(name)
		require.True(t, ok, name)
		assert.Equal(t, w.pii, col.PII, name)
		assert.Equal(t, w.access, col.Access, name)
		assert.Equal(t, w.glossary, col.Glossary, name)
	}
	masks, err := c.Masks("")
	require.NoError(t, err)
	assert.Equal(t, []string{"planner"}, masks["planning.fact_forecast"], "the default role does not see personal data")
	for _, term := range c.Glossary.Terms {
		if term.Name == "Units" {
			assert.Contains(t, term.Applied, "planning.fact_forecast.units")
		}
	}
}

// TestBuildDeclaredColumnsLive: with a lakehouse, the live table's column
// order and types win; the declared descriptions and classification stay;
// declared columns the table lacks (yet) come last.
func TestBuildDeclaredColumnsLive(t *testing.T) {
	ctx := context.Background()
	root := declaredFixture(t)
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { lh.Close() })
	_, err = lh.EnsureTable(ctx, lakehouse.Ident{Namespace: "planning", Name: "fact_forecast"}, iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "units", Type: iceberg.PrimitiveTypes.Float32, Doc: "The lakehouse's doc."},
		iceberg.NestedField{ID: 2, Name: "day", Type: iceberg.PrimitiveTypes.Date},
		iceberg.NestedField{ID: 3, Name: "note", Type: iceberg.PrimitiveTypes.String, Doc: "Only the lakehouse has it."},
	), nil)
	require.NoError(t, err)

	c, err := catalog.Build(ctx, catalog.Config{Root: root, Lakehouse: lh})
	require.NoError(t, err)
	tb, err := c.Table("planning.fact_forecast")
	require.NoError(t, err)
	require.NotNil(t, tb.Live)
	assert.True(t, tb.Live.Exists)
	assert.Equal(t, []string{
		"units:float:Expected sales that day.",
		"day:date:The day forecast.",
		"note:string:Only the lakehouse has it.",
		"planner:string:Who approved the plan.",
		"lower_80:double:Lower bound of the 80% interval.",
	}, columnList(tb))
	planner, _ := tb.Column("planner")
	assert.Equal(t, "personal", planner.PII)
}

func TestBuildRejectsBadDeclaredColumns(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, errContains string
	}{
		{"unknown PII level", "meta: {pii: personal}", "meta: {pii: secret}",
			"domains/planning/domain.yaml: tables[fact_forecast].columns[planner].meta.pii: unknown PII level secret"},
		{"unknown glossary term", "[Forecast, Units]", "[Forecast, Unit]",
			`domains/planning/domain.yaml: tables[fact_forecast].columns[units].meta.glossary: unknown glossary term "Unit"`},
		{"unknown access level", "meta: {access: public}", "meta: {access: everyone}",
			"domains/planning/domain.yaml: tables[fact_forecast].columns[lower_80].meta.access: unknown access level everyone"},
		{"columns of a dbt model", "description: Units per day.\n", "description: Units per day.\n    columns: [{name: units, type: long, description: Units.}]\n",
			"domains/planning/domain.yaml: tables[stg_demand].columns: the table's columns are declared by its dbt model; declare them there only"},
		{"unknown type", "type: date", "type: day",
			`domains/planning/domain.yaml:23: tables[1].columns[0].type: unknown type "day"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := declaredFixture(t)
			replaceIn(t, filepath.Join(root, "domains/planning/domain.yaml"), tc.old, tc.new)
			_, err := catalog.Build(context.Background(), catalog.Config{Root: root})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.errContains)
		})
	}
}

// TestRepositoryDeclaredColumns: the forecasting domain's fact tables, which
// Go code writes, have their columns from domain.yaml with no lakehouse.
func TestRepositoryDeclaredColumns(t *testing.T) {
	c := build(t, "../..")
	for id, n := range map[string]int{
		"forecasting.fact_forecast_demand": 16, "forecasting.fact_stockout_risks": 19, "forecasting.fact_forecast_backtest": 32,
	} {
		tb, err := c.Table(id)
		require.NoError(t, err)
		require.Len(t, tb.Columns, n, id)
		for _, col := range tb.Columns {
			assert.NotEmpty(t, col.Type, id+"."+col.Name)
			assert.NotEmpty(t, col.Description, id+"."+col.Name)
		}
	}
	risk, _ := c.Table("forecasting.fact_stockout_risks")
	score, ok := risk.Column("risk_score")
	require.True(t, ok)
	assert.Equal(t, "double", score.Type)
	assert.Equal(t, []string{"Stockout Risk"}, score.Glossary)
}
