// Package dashboards reads the dashboards a domain declares in
// domains/<d>/dashboards/*.yaml, validates them, and builds Superset's import
// bundle from them. The same declarations are what `meshctl serve` draws, so a
// chart is declared once and shows the same numbers in both places: both run
// Chart.Query over the dataset's SQL.
//
// # Declarations
//
// One file is one dashboard, whose id is <domain>_<file name>. Datasets are
// SQL over data products (any domain's, read through the lakehouse as
// <namespace>.<table>); charts aggregate one dataset; the layout places the
// charts in rows:
//
//	title: Orders
//	description: Order lines, units and revenue by region, day and channel.
//	tags: [sales]
//	datasets:
//	  - name: daily_sales
//	    description: One row per day, region and channel.
//	    sql: |
//	      SELECT event_date, region, channel, count(*) AS order_lines,
//	             CAST(sum(qty) AS BIGINT) AS units, sum(line_amount) AS revenue
//	      FROM orders.fact_orders GROUP BY ALL
//	    columns: {event_date: date, region: text, channel: text,
//	              order_lines: integer, units: integer, revenue: number}
//	charts:
//	  - id: lines_by_region
//	    title: Order lines by region
//	    type: line
//	    dataset: daily_sales
//	    x: event_date
//	    series: region
//	    metrics: [sum(order_lines)]
//	layout:
//	  - [lines_by_region]
//
// Dataset fields: name (unique in the file), description, sql (one SELECT;
// no trailing semicolon), columns (every column the SQL returns, in order,
// with its type: date, timestamp, text, integer, number or boolean), time (the
// main temporal column, default the first date or timestamp column) and reads
// (the tables the SQL reads; by default every <namespace>.<table> after FROM
// or JOIN whose namespace is a domain).
//
// Chart fields: id (unique in the file), title, description, type, dataset,
// and by type:
//
//	line, bar, area  x and one or more metrics; series splits each metric
//	                 into one line per value; bands (line only) shade a
//	                 lower..upper range: [{label: 80%, lower: sum(lower_80),
//	                 upper: sum(upper_80)}]
//	pie, funnel      x (the slices or stages) and exactly one metric
//	big_number       exactly one metric
//	table            either columns (raw rows) or group_by and metrics
//
// Every chart may have filters (SQL predicates over the dataset's columns,
// ANDed), sort ({by: <column or metric label>, desc: true}; default x, then
// series, ascending) and limit (rows).
//
// A metric is written agg(column) with agg one of sum, avg, min, max, count
// and count_distinct, or count(*); or as a mapping {label: ..., sql: ...}
// for an expression over aggregates (a ratio of sums), or {label, agg,
// column}. Its label, the string as written unless given, names its column in
// the chart's result.
//
// The layout is a list of rows, each a list of chart ids sharing the row's
// width equally; every chart appears exactly once.
//
// # Validation
//
// Load rejects unknown fields, bad values and dangling references with errors
// naming the file, the line and the field ("domains/orders/dashboards/
// sales.yaml:12: charts[0].x: column \"day\" is not a column of dataset
// daily_sales").
//
// # Superset
//
// Bundle writes the import ZIP of Superset 6.1 (`superset import-dashboards`):
// metadata.yaml, one database (the serving DuckDB file, read only through
// duckdb-engine), a virtual dataset per declared dataset, a chart per declared
// chart with its saved query context (so /api/v1/chart/<id>/data answers), and
// a dashboard per file with its position_json. UUIDs derive from the ids, so
// the same declarations always give the same bundle and a re-import updates in
// place.
//
// # Lineage
//
// Lineage lists, for every dashboard, its charts, the dataset each chart
// draws and the tables each dataset reads, for the catalog's lineage
// (table -> dataset -> chart -> dashboard).
package dashboards
