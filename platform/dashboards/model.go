// The domain-agnostic model of a dashboard declaration, and the SQL a chart
// runs.

package dashboards

import (
	"fmt"
	"slices"
	"strings"
)

// Dir is the folder of a domain holding its dashboard declarations.
const Dir = "dashboards"

// Chart types.
const (
	TypeLine      = "line"
	TypeBar       = "bar"
	TypeArea      = "area"
	TypePie       = "pie"
	TypeFunnel    = "funnel"
	TypeBigNumber = "big_number"
	TypeTable     = "table"
)

// Column types, the logical types of a dataset's columns.
const (
	ColumnDate      = "date"
	ColumnTimestamp = "timestamp"
	ColumnText      = "text"
	ColumnInteger   = "integer"
	ColumnNumber    = "number"
	ColumnBoolean   = "boolean"
)

// Aggregates a metric may apply to a column.
var aggregates = []string{"sum", "avg", "min", "max", "count", "count_distinct"}

// Dashboard is one declaration file: a dashboard with its datasets and charts.
type Dashboard struct {
	// ID is <domain>_<file name without .yaml>, unique across the mesh.
	ID          string
	Domain      string
	Owner       string // the domain's owners.team
	File        string // the declaration's path, relative to the repository root
	Title       string
	Description string
	Tags        []string
	Datasets    []*Dataset
	Charts      []*Chart
	// Layout is the rows of chart ids, top to bottom.
	Layout [][]string
}

// Dataset is a named SQL query over data products.
type Dataset struct {
	Name        string
	Description string
	SQL         string
	Columns     []Column
	// Time is the main temporal column ("" when there is none).
	Time string
	// Reads are the tables the SQL reads, <namespace>.<table>, sorted.
	Reads []string
}

// Column is one column a dataset returns.
type Column struct {
	Name string
	Type string // one of the Column* constants
}

// Chart draws aggregates of one dataset.
type Chart struct {
	ID          string
	Title       string
	Description string
	Type        string
	Dataset     string
	X           string
	Series      string
	Metrics     []Metric
	Bands       []Band
	GroupBy     []string // table charts with metrics
	Columns     []string // table charts of raw rows
	Filters     []string
	Sort        *Sort
	Limit       int
}

// Metric is one aggregate a chart shows.
type Metric struct {
	Label string
	// Agg and Column, or SQL: an aggregate of a column (Column "*" for
	// count(*)), or an SQL expression over aggregates.
	Agg    string
	Column string
	SQL    string
}

// Band is a shaded range between two metrics (a forecast interval).
type Band struct {
	Label string
	Lower Metric
	Upper Metric
}

// Sort orders a chart's rows by a column or a metric label.
type Sort struct {
	By   string
	Desc bool
}

// Dataset returns the dataset called name, or nil.
func (d *Dashboard) Dataset(name string) *Dataset {
	for _, ds := range d.Datasets {
		if ds.Name == name {
			return ds
		}
	}
	return nil
}

// Chart returns the chart called id, or nil.
func (d *Dashboard) Chart(id string) *Chart {
	for _, c := range d.Charts {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Column returns the column called name, and whether it exists.
func (ds *Dataset) Column(name string) (Column, bool) {
	for _, c := range ds.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Temporal reports whether the column type is a date or a timestamp.
func Temporal(typ string) bool { return typ == ColumnDate || typ == ColumnTimestamp }

// Expr is the metric's SQL expression over the dataset's columns.
func (m Metric) Expr() string {
	switch {
	case m.SQL != "":
		return m.SQL
	case m.Column == "*":
		return "count(*)"
	case m.Agg == "count_distinct":
		return "count(DISTINCT " + quoteIdent(m.Column) + ")"
	default:
		return m.Agg + "(" + quoteIdent(m.Column) + ")"
	}
}

// AllMetrics returns the chart's metrics followed by its bands' bounds, the
// columns of its result after the grouping columns.
func (c *Chart) AllMetrics() []Metric {
	out := append([]Metric(nil), c.Metrics...)
	for _, b := range c.Bands {
		out = append(out, b.Lower, b.Upper)
	}
	return out
}

// Dimensions returns the columns the chart groups by, in order.
func (c *Chart) Dimensions() []string {
	if c.Type == TypeTable {
		return c.GroupBy
	}
	var out []string
	for _, s := range []string{c.X, c.Series} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Query returns the SQL that computes the chart's rows from its dataset: the
// grouping columns, then one column per metric named by its label (raw table
// charts: the listed columns). Every renderer of a chart runs this query, so
// they all draw the same numbers.
func (c *Chart) Query(ds *Dataset) string {
	var sel, order []string
	dims := c.Dimensions()
	if c.Type == TypeTable && len(c.Columns) > 0 {
		for _, col := range c.Columns {
			sel = append(sel, quoteIdent(col))
		}
	} else {
		for _, d := range dims {
			sel = append(sel, quoteIdent(d))
		}
		for _, m := range c.AllMetrics() {
			sel = append(sel, m.Expr()+" AS "+quoteIdent(m.Label))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s\nFROM (\n%s\n) AS ds", strings.Join(sel, ", "), strings.TrimSpace(ds.SQL))
	if len(c.Filters) > 0 {
		conds := make([]string, len(c.Filters))
		for i, f := range c.Filters {
			conds[i] = "(" + f + ")"
		}
		fmt.Fprintf(&b, "\nWHERE %s", strings.Join(conds, " AND "))
	}
	if len(dims) > 0 && len(c.Columns) == 0 {
		quoted := make([]string, len(dims))
		for i, d := range dims {
			quoted[i] = quoteIdent(d)
		}
		fmt.Fprintf(&b, "\nGROUP BY %s", strings.Join(quoted, ", "))
	}
	if c.Sort != nil {
		dir := "ASC"
		if c.Sort.Desc {
			dir = "DESC"
		}
		order = append(order, quoteIdent(c.Sort.By)+" "+dir)
	}
	for _, d := range dims {
		if c.Sort == nil || d != c.Sort.By {
			order = append(order, quoteIdent(d))
		}
	}
	if len(order) > 0 {
		fmt.Fprintf(&b, "\nORDER BY %s", strings.Join(order, ", "))
	}
	if c.Limit > 0 {
		fmt.Fprintf(&b, "\nLIMIT %d", c.Limit)
	}
	return b.String()
}

// quoteIdent quotes an SQL identifier (DuckDB and SQLAlchemy's quoting).
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// LogicalType returns the column type of a DuckDB type name (as DESCRIBE
// prints it), so declared columns can be checked against what the SQL
// returns; "" for a type no chart can use (lists, structs, ...).
func LogicalType(duckdb string) string {
	t := strings.ToUpper(strings.TrimSpace(duckdb))
	switch {
	case t == "DATE":
		return ColumnDate
	case strings.HasPrefix(t, "TIMESTAMP"):
		return ColumnTimestamp
	case t == "VARCHAR" || t == "UUID" || t == "ENUM" || strings.HasPrefix(t, "ENUM("):
		return ColumnText
	case slices.Contains([]string{"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}, t):
		return ColumnInteger
	case t == "DOUBLE" || t == "FLOAT" || strings.HasPrefix(t, "DECIMAL"):
		return ColumnNumber
	case t == "BOOLEAN":
		return ColumnBoolean
	}
	return ""
}
