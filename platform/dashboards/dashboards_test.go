package dashboards

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainspec"
)

var shopDomain = &domainspec.Domain{Name: "shop", Owners: domainspec.Owners{Team: "shop-team"}}

func loadShop(t *testing.T) *Dashboard {
	t.Helper()
	data, err := os.ReadFile("testdata/shop.yaml")
	require.NoError(t, err)
	d, err := Parse("domains/shop/dashboards/sales.yaml", data, shopDomain, []string{"shop", "other"})
	require.NoError(t, err)
	return d
}

func TestParseFixture(t *testing.T) {
	d := loadShop(t)
	assert.Equal(t, "shop_sales", d.ID)
	assert.Equal(t, "shop-team", d.Owner)
	require.Len(t, d.Datasets, 1)
	ds := d.Datasets[0]
	assert.Equal(t, []string{"shop.dim_region", "shop.fact_sales"}, ds.Reads, "the commented-out table is not read")
	assert.Equal(t, "event_date", ds.Time)
	assert.Equal(t, []Column{{"event_date", "date"}, {"region", "text"}, {"lines", "integer"}, {"revenue", "number"}}, ds.Columns)
	c := d.Chart("lines_by_region")
	require.NotNil(t, c)
	assert.Equal(t, []Metric{
		{Label: "sum(lines)", Agg: "sum", Column: "lines"},
		{Label: "avg_amount", SQL: "sum(revenue) / sum(lines)"},
		{Label: "min(revenue)", Agg: "min", Column: "revenue"},
		{Label: "max(revenue)", Agg: "max", Column: "revenue"},
	}, c.AllMetrics())
	assert.Equal(t, [][]string{{"revenue"}, {"lines_by_region", "top_regions"}}, d.Layout)
}

func TestChartQuery(t *testing.T) {
	d := loadShop(t)
	ds := d.Datasets[0]
	body := "SELECT event_date, region, count(*) AS lines, sum(line_amount) AS revenue\nFROM shop.fact_sales -- comment: FROM other.not_a_table\nJOIN shop.dim_region USING (region)\nGROUP BY ALL"
	tests := []struct{ chart, want string }{
		{"revenue", "SELECT sum(\"revenue\") AS \"sum(revenue)\"\nFROM (\n" + body + "\n) AS ds"},
		{"lines_by_region", "SELECT \"event_date\", \"region\", sum(\"lines\") AS \"sum(lines)\", sum(revenue) / sum(lines) AS \"avg_amount\", min(\"revenue\") AS \"min(revenue)\", max(\"revenue\") AS \"max(revenue)\"\nFROM (\n" + body + "\n) AS ds\nWHERE (region <> 'test')\nGROUP BY \"event_date\", \"region\"\nORDER BY \"event_date\", \"region\""},
		{"top_regions", "SELECT \"region\", count(DISTINCT \"event_date\") AS \"count_distinct(event_date)\"\nFROM (\n" + body + "\n) AS ds\nGROUP BY \"region\"\nORDER BY \"count_distinct(event_date)\" DESC, \"region\"\nLIMIT 3"},
	}
	for _, tt := range tests {
		t.Run(tt.chart, func(t *testing.T) {
			assert.Equal(t, tt.want, d.Chart(tt.chart).Query(ds))
		})
	}
}

func TestTableRefs(t *testing.T) {
	tests := []struct {
		sql  string
		ns   []string
		want []string
	}{
		{"SELECT * FROM orders.fact_orders o JOIN inventory.dim_product p USING (x)", nil, []string{"inventory.dim_product", "orders.fact_orders"}},
		{"WITH a AS (SELECT 1 FROM \"orders\".\"fact_orders\") SELECT * FROM a", nil, []string{"orders.fact_orders"}},
		{"SELECT 'FROM x.y' FROM t /* JOIN a.b */ LEFT JOIN main.t2 ON true", []string{"orders"}, nil},
		{"select * from Orders . Fact_Orders", []string{"orders"}, []string{"orders.fact_orders"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, TableRefs(tt.sql, tt.ns), tt.sql)
	}
}

func TestLineage(t *testing.T) {
	d := loadShop(t)
	var got []string
	for _, e := range Lineage([]*Dashboard{d}) {
		got = append(got, e.From.Kind+":"+e.From.ID+" -> "+e.To.Kind+":"+e.To.ID)
	}
	assert.Equal(t, []string{
		"table:shop.dim_region -> dataset:shop_sales.sales",
		"table:shop.fact_sales -> dataset:shop_sales.sales",
		"dataset:shop_sales.sales -> chart:shop_sales.revenue",
		"chart:shop_sales.revenue -> dashboard:shop_sales",
		"dataset:shop_sales.sales -> chart:shop_sales.lines_by_region",
		"chart:shop_sales.lines_by_region -> dashboard:shop_sales",
		"dataset:shop_sales.sales -> chart:shop_sales.top_regions",
		"chart:shop_sales.top_regions -> dashboard:shop_sales",
	}, got)
}

func TestParseErrors(t *testing.T) {
	base, err := os.ReadFile("testdata/shop.yaml")
	require.NoError(t, err)
	tests := []struct {
		name, old, new, errContains string
	}{
		{"unknown top field", "tags: [sales]", "tag: [sales]", "x.yaml:4: (file).tag: unknown field"},
		{"unknown chart type", "type: big_number", "type: gauge", `x.yaml:17: charts[0].type: "gauge": want one of line`},
		{"dangling dataset", "dataset: sales\n    metrics: [sum(revenue)]", "dataset: sale\n    metrics: [sum(revenue)]", `x.yaml:18: charts[0].dataset: "sale" is not a dataset of this file (datasets: sales)`},
		{"unknown x column", "x: event_date", "x: day", `x.yaml:24: charts[1].x: "day" is not a column of dataset sales`},
		{"bad metric", "metrics: [sum(revenue)]", "metrics: [median(revenue)]", `x.yaml:19: charts[0].metrics[0]: aggregate "median": want one of sum`},
		{"metric column", "metrics: [sum(revenue)]", "metrics: [sum(price)]", `charts[0].metrics[0]: "price" is not a column of dataset sales`},
		{"big number with x", "metrics: [sum(revenue)]", "x: region\n    metrics: [sum(revenue)]", "charts[0].x: big_number chart: big numbers have no x or series"},
		{"column type", "lines: integer", "lines: int", `x.yaml:13: datasets[0].columns.lines: type "int": want one of date`},
		{"missing columns", "    columns: {event_date: date, region: text, lines: integer, revenue: number}\n", "", "datasets[0].columns: required"},
		{"foreign namespace", "JOIN shop.dim_region", "JOIN elsewhere.dim_region", ""},
		{"semicolon", "GROUP BY ALL\n", "GROUP BY ALL;\n", "datasets[0].sql: no trailing semicolon"},
		{"unplaced chart", "  - [lines_by_region, top_regions]", "  - [lines_by_region]", `x.yaml:39: layout: chart "top_regions" is not placed`},
		{"unknown layout chart", "  - [revenue]", "  - [revenue, nope]", `x.yaml:39: layout[0]: "nope" is not a chart of this file`},
		{"sort by unknown", "sort: {by: count_distinct(event_date), desc: true}", "sort: {by: lines_total, desc: true}", `x.yaml:36: charts[2].sort.by: "lines_total" is neither a column`},
		{"table shape", "group_by: [region]\n", "x: region\n", "charts[2].x: table chart: tables use columns or group_by"},
		{"duplicate chart", "id: top_regions", "id: revenue", `x.yaml:30: charts[2].id: chart "revenue" is declared twice`},
		{"bands on bar", "type: line", "type: bar", "charts[1].bands: bar chart: only line charts have bands"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Contains(t, string(base), tt.old)
			src := strings.Replace(string(base), tt.old, tt.new, 1)
			_, err := Parse("x.yaml", []byte(src), shopDomain, []string{"shop"})
			if tt.errContains == "" {
				// elsewhere is not a domain, so the dataset reads only shop's table.
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.errContains)
		})
	}
}

// TestDomainDeclarations loads every domain's dashboards of the repository.
func TestDomainDeclarations(t *testing.T) {
	all, err := LoadAll("../..")
	require.NoError(t, err)
	var ids []string
	for _, d := range all {
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"dispatch_delivery", "errors_quality", "forecasting_forecasts", "inventory_stock", "orders_sales", "returns_rates"}, ids)
	for _, d := range all {
		if d.ID == "inventory_stock" {
			assert.Equal(t, []string{"forecasting.fact_stockout_risks"}, d.Dataset("stockout_risks").Reads, "a domain reads another's data product")
		}
	}
}

func TestLogicalType(t *testing.T) {
	for in, want := range map[string]string{
		"DATE": "date", "TIMESTAMP WITH TIME ZONE": "timestamp", "VARCHAR": "text", "BIGINT": "integer",
		"INTEGER": "integer", "DECIMAL(12,2)": "number", "DOUBLE": "number", "BOOLEAN": "boolean", "INTEGER[]": "",
	} {
		assert.Equal(t, want, LogicalType(in), in)
	}
}
