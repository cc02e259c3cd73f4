package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/internal/testenv"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// catalogFixture points meshctl at the catalog's fixture mesh (two domains:
// shop, with a sales event whose customer_email is PII, and planning) and
// at a fresh lakehouse holding shop.raw_sales with two events.
func catalogFixture(t *testing.T) {
	t.Helper()
	root, err := filepath.Abs("../../catalog/testdata/mesh")
	require.NoError(t, err)
	t.Setenv(config.EnvRepoRoot, root)
	t.Setenv(config.EnvDotEnv, "off")
	t.Setenv(config.EnvRole, "")
	dir := t.TempDir()
	t.Setenv(config.EnvDataDir, dir)
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: dir})
	require.NoError(t, err)
	defer lh.Close()
	c, err := contract.Load(filepath.Join(root, "domains/shop/contracts/sales.v1.json"))
	require.NoError(t, err)
	id := lakehouse.Ident{Namespace: "shop", Name: "raw_sales"}
	_, err = lh.EnsureTable(ctx, id, c.IcebergSchema(), nil)
	require.NoError(t, err)
	bb := c.NewBatchBuilder(nil)
	defer bb.Release()
	now := time.Now().UTC()
	for i, email := range []string{"Ann@example.invalid", "bob@example.invalid"} {
		require.NoError(t, bb.Append(contract.Event{"event_id": []string{"6f1c1d2e-0000-4000-8000-000000000001", "6f1c1d2e-0000-4000-8000-000000000002"}[i],
			"event_ts": now.Format(time.RFC3339), "event_type": "sales", "sale_id": []string{"S-1", "S-2"}[i], "customer_email": email, "qty": int64(i + 1)}, now))
	}
	rec := bb.NewRecordBatch()
	defer rec.Release()
	_, err = lh.Append(ctx, id, []arrow.RecordBatch{rec}, nil)
	require.NoError(t, err)
}

func TestCatalogCommands(t *testing.T) {
	catalogFixture(t)
	tests := []struct {
		name        string
		args        []string
		env         map[string]string
		code        int
		want        []string
		notWant     []string
		errContains string
	}{
		{name: "list", args: []string{"catalog", "list"}, want: []string{
			"shop.raw_sales          shop      shop-team      raw",
			"shop.fact_sales         shop      shop-team      fact     yes",
			"planning.fact_forecast  planning  planning-team  fact     yes",
			"6 tables of 2 domains, 6 topics, 8 pipelines, 2 served tables, 2 dashboards (2 datasets, 3 charts), 23 lineage edges, 3 glossary terms"}},
		{name: "list live rows and freshness", args: []string{"catalog", "list", "--format", "csv"}, want: []string{
			"shop.raw_sales,shop,shop-team,raw,,2,", ",1h0m0s,fresh,,customer_email\n",
			"shop.stg_sales,shop,shop-team,staging,,,,2h0m0s,STALE,,customer_email\n"}},
		{name: "list offline", args: []string{"catalog", "list", "--offline", "--domain", "planning", "--format", "csv"}, want: []string{
			"table,domain,owner,layer,product,rows,last_commit,sla,freshness,glossary,pii\n" +
				"planning.fact_forecast,planning,planning-team,fact,yes,,,26h0m0s,,Forecast,\n" +
				"planning.stg_demand,planning,planning-team,staging,,,,26h0m0s,,,\n"}},
		{name: "show masks for the default role", args: []string{"catalog", "show", "shop.fact_sales", "--offline"}, want: []string{
			"shop.fact_sales  (fact, data product)",
			"domain      shop (owner shop-team, @fixture/shop-team, shop-team@example.invalid)",
			"upstream    shop.channels (dbt, fact_sales); shop.stg_sales (dbt, fact_sales)",
			"downstream  dashboard sales_dashboard (declared consumer); serving shop.fact_sales (serving copy", "; planning.stg_demand (dbt, forecast)",
			"columns (role analyst sees public, internal):",
			"masked (seen by pii-reader)"}},
		{name: "show for pii-reader", args: []string{"catalog", "show", "--offline", "--role", "pii-reader", "shop.fact_sales"},
			want: []string{"columns (role pii-reader sees public, internal, confidential, restricted):"}, notWant: []string{"masked"}},
		{name: "show live", args: []string{"catalog", "show", "shop.raw_sales"}, want: []string{
			"partition   event_date", "data        2 rows in 1 files, 1 snapshots", "freshness   SLA 1h0m0s: fresh"}},
		{name: "show unknown", args: []string{"catalog", "show", "shop.sales", "--offline"}, code: 1, errContains: `no table "shop.sales" (did you mean shop.fact_sales, shop.raw_sales, shop.stg_sales?)`},
		{name: "search", args: []string{"catalog", "search", "--format", "csv", "sale"}, want: []string{"term,Sale,name,One purchase."}},
		{name: "lineage text", args: []string{"catalog", "lineage", "shop.fact_sales"}, want: []string{
			"upstream of shop.fact_sales (7 edges):", "topic:shop", "-> topic:ingest_sales_north",
			"downstream of shop.fact_sales (14 edges):", "dashboard:sales_dashboard",
			"table:shop.fact_sales                              -> serving:shop.fact_sales                            serving copy",
			"serving:shop.fact_sales                            -> dataset:planning_demand.sales                      dashboard",
			"chart:planning_demand.units_total                  -> dashboard:planning_demand                          dashboard",
			"table:planning.fact_forecast                       -> serving:planning.fact_forecast                     serving copy, pipeline forecast, `meshctl publish --tables planning.fact_forecast --bundle none`",
			"downstream reaches the domains planning, shop"}},
		{name: "lineage of a dashboard", args: []string{"catalog", "lineage", "planning_demand"}, want: []string{
			"upstream of planning_demand (19 edges):", "topic:ingest_sales_north", "downstream of planning_demand (0 edges):"}},
		{name: "show a dashboard", args: []string{"catalog", "show", "planning_demand", "--offline"}, want: []string{
			"planning_demand  (Superset dashboard)\n  Demand: Units sold and forecast.",
			"domain      planning (owner planning-team)",
			"declared    domains/planning/dashboards/demand.yaml",
			"reads       planning.fact_forecast, shop.fact_sales",
			"datasets    planning_demand.sales, planning_demand.forecast",
			"charts      planning_demand.units_total, planning_demand.units_by_label, planning_demand.forecast_line",
			"upstream    chart planning_demand.forecast_line (dashboard); chart planning_demand.units_by_label (dashboard); chart planning_demand.units_total (dashboard)"}},
		{name: "show a chart", args: []string{"catalog", "show", "planning_demand.units_by_label", "--offline"}, want: []string{
			"planning_demand.units_by_label  (bar chart of dashboard planning_demand)\n  Units by label\n",
			"dataset     planning_demand.sales",
			"upstream    dataset planning_demand.sales (dashboard)",
			"downstream  dashboard planning_demand (dashboard)"}},
		{name: "show a dataset", args: []string{"catalog", "show", "planning_demand.sales", "--offline"}, want: []string{
			"reads       shop.fact_sales (their copies in the serving database)",
			"sql         SELECT s.sale_id, s.buyer AS customer, label, CAST(units AS BIGINT) AS units, doubled * 2 AS quadrupled FROM shop.fact_sales AS s",
			"customer    text     sensitive",
			"upstream    serving shop.fact_sales (dashboard)", "quadrupled  integer"}},
		{name: "show a serving copy", args: []string{"catalog", "show", "serving:shop.fact_sales", "--offline"}, want: []string{
			"shop.fact_sales  (serving copy, in the DuckDB database serving/mesh.duckdb)",
			"copy of     table shop.fact_sales", "downstream  dataset planning_demand.sales (dashboard)", "buyer"}},
		{name: "show unknown kind", args: []string{"catalog", "show", "chart:planning_demand.nope", "--offline"}, code: 1,
			errContains: `no chart "planning_demand.nope" in the catalog`},
		{name: "lineage dot", args: []string{"catalog", "lineage", "--format", "dot", "shop.fact_sales"}, want: []string{
			"digraph lineage {",
			`"topic:ingest_sales_north" -> "topic:ingest_sales_north.dlq" [style=dashed, color=firebrick];`,
			`"table:shop.stg_sales" -> "table:shop.fact_sales" [label="fact_sales"];`,
			`"table:shop.fact_sales" [label="shop.fact_sales", shape=box3d, fillcolor=palegreen, penwidth=3];`,
			`subgraph "cluster_2serving" {`, `subgraph "cluster_2dashboard_planning_demand" {`,
			`"serving:shop.fact_sales" -> "dataset:planning_demand.sales" [color=mediumpurple3];`}},
		{name: "lineage bad format", args: []string{"catalog", "lineage", "--format", "gif", "shop.fact_sales"}, code: 1, errContains: `--format "gif"`},
		{name: "sql masks PII for the default role", args: []string{"sql", "--format", "csv",
			"SELECT sale_id, customer_email, lower(customer_email) AS e, length(customer_email) AS n FROM shop.raw_sales ORDER BY sale_id"},
			want: []string{"sale_id,customer_email,e,n\nS-1,****,****,4\nS-2,****,****,4\n"}, notWant: []string{"example.invalid"}},
		{name: "sql --role pii-reader", args: []string{"sql", "--role", "pii-reader", "--format", "csv", "SELECT lower(customer_email) AS e FROM shop.raw_sales ORDER BY 1"},
			want: []string{"e\nann@example.invalid\nbob@example.invalid\n"}},
		{name: "sql MESH_ROLE", args: []string{"sql", "--format", "csv", "SELECT count(*) FROM shop.raw_sales WHERE customer_email LIKE '%@%'"},
			env: map[string]string{config.EnvRole: "pii-reader"}, want: []string{"2\n"}},
		{name: "sql unknown role", args: []string{"sql", "--role", "root", "SELECT 1"}, code: 1, errContains: `no role "root"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			require.Equal(t, tt.code, code, "stderr: %s", errOut.String())
			for _, w := range tt.want {
				assert.Contains(t, out.String(), w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, out.String(), w)
			}
			if tt.errContains != "" {
				assert.Contains(t, errOut.String(), tt.errContains)
			}
		})
	}
}

// TestCatalogLineagePicture draws the lineage with Graphviz: svg and png.
func TestCatalogLineagePicture(t *testing.T) {
	catalogFixture(t)
	if _, err := exec.LookPath("dot"); err != nil {
		testenv.Unavailable(t, "Graphviz dot", "apt-get install graphviz")
	}
	png := filepath.Join(t.TempDir(), "lineage.png")
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"catalog", "lineage", "shop.fact_sales", "--format", "png", "-o", png}, &out, &errOut), errOut.String())
	assert.Contains(t, errOut.String(), "wrote "+png)
	data, err := os.ReadFile(png)
	require.NoError(t, err)
	assert.Equal(t, "\x89PNG\r\n\x1a\n", string(data[:8]))

	out.Reset()
	require.Equal(t, 0, run(context.Background(), []string{"catalog", "lineage", "shop.fact_sales", "--format", "svg"}, &out, &errOut), errOut.String())
	assert.True(t, strings.Contains(out.String(), "<svg"), "an SVG document")
	assert.Contains(t, out.String(), "ingest_sales_north.dlq")
}

// TestCatalogLineageWithoutGraphviz: with no dot on PATH, svg says what to install.
func TestCatalogLineageWithoutGraphviz(t *testing.T) {
	catalogFixture(t)
	t.Setenv("PATH", t.TempDir())
	var out, errOut bytes.Buffer
	require.Equal(t, 1, run(context.Background(), []string{"catalog", "lineage", "shop.fact_sales", "--format", "svg"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "apt-get install graphviz")
}

// TestPublishMasksPII: the serving file BI tools read holds what the role may
// see, so a dashboard never shows PII to a viewer of the default role.
func TestPublishMasksPII(t *testing.T) {
	catalogFixture(t)
	for _, tc := range []struct {
		role string
		want []any
	}{
		{"", []any{"****", "****"}},
		{"pii-reader", []any{"Ann@example.invalid", "bob@example.invalid"}},
	} {
		t.Run("role "+tc.role, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mesh.duckdb")
			var out, errOut bytes.Buffer
			args := []string{"publish", "--out", path, "--bundle", "none", "--tables", "shop.raw_sales"}
			if tc.role != "" {
				args = append(args, "--role", tc.role)
			}
			require.Equal(t, 0, run(context.Background(), args, &out, &errOut), "stderr: %s", errOut.String())
			db, err := sql.Open("duckdb", path+"?access_mode=read_only")
			require.NoError(t, err)
			defer db.Close()
			rows, err := db.Query("SELECT customer_email FROM shop.raw_sales ORDER BY sale_id")
			require.NoError(t, err)
			defer rows.Close()
			var got []any
			for rows.Next() {
				var s string
				require.NoError(t, rows.Scan(&s))
				got = append(got, s)
			}
			require.NoError(t, rows.Err())
			assert.Equal(t, tc.want, got)
		})
	}
}
