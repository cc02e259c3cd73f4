// Loading and YAML decoding of declaration files: the YAML shapes, allowed
// keys, errors naming file, line and field, and Parse.

package dashboards

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/internal/yamlpos"
)

var (
	fileKeys    = []string{"title", "description", "tags", "datasets", "charts", "layout"}
	datasetKeys = []string{"name", "description", "sql", "columns", "time", "reads"}
	chartKeys   = []string{"id", "title", "description", "type", "dataset", "x", "series", "metrics", "bands", "group_by", "columns", "filters", "sort", "limit"}
	metricKeys  = []string{"label", "sql", "agg", "column"}
	bandKeys    = []string{"label", "lower", "upper"}
	sortKeys    = []string{"by", "desc"}
	chartTypes  = []string{TypeLine, TypeBar, TypeArea, TypePie, TypeFunnel, TypeBigNumber, TypeTable}
	columnTypes = []string{ColumnDate, ColumnTimestamp, ColumnText, ColumnInteger, ColumnNumber, ColumnBoolean}
	nameRE      = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	tableRE     = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)
	metricRE    = regexp.MustCompile(`^\s*([a-z_]+)\s*\(\s*(\*|[a-z_][a-z0-9_]*)\s*\)\s*$`)
)

// file is the YAML shape of a declaration file.
type file struct {
	Title       string      `yaml:"title"`
	Description string      `yaml:"description"`
	Tags        []string    `yaml:"tags"`
	Datasets    []yaml.Node `yaml:"datasets"`
	Charts      []yaml.Node `yaml:"charts"`
	Layout      [][]string  `yaml:"layout"`
}

type datasetDecl struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	SQL         string    `yaml:"sql"`
	Columns     yaml.Node `yaml:"columns"`
	Time        string    `yaml:"time"`
	Reads       []string  `yaml:"reads"`
}

type chartDecl struct {
	ID          string      `yaml:"id"`
	Title       string      `yaml:"title"`
	Description string      `yaml:"description"`
	Type        string      `yaml:"type"`
	Dataset     string      `yaml:"dataset"`
	X           string      `yaml:"x"`
	Series      string      `yaml:"series"`
	Metrics     []yaml.Node `yaml:"metrics"`
	Bands       []yaml.Node `yaml:"bands"`
	GroupBy     []string    `yaml:"group_by"`
	Columns     []string    `yaml:"columns"`
	Filters     []string    `yaml:"filters"`
	Sort        yaml.Node   `yaml:"sort"`
	Limit       int         `yaml:"limit"`
}

// valueNode returns the value of key in mapping n, or nil.
func valueNode(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	}
	return nil
}

// checkKeys reports keys of mapping n that are not allowed.
func checkKeys(el *yamlpos.Errors, n *yaml.Node, path string, allowed []string) bool {
	if n.Kind != yaml.MappingNode {
		el.Add(n.Line, path, "want a mapping")
		return false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			el.Add(k.Line, path+"."+k.Value, "unknown field (allowed: %s)", strings.Join(allowed, ", "))
			ok = false
		}
	}
	return ok
}

// LoadAll loads the dashboards of every domain under root
// (domains/*/dashboards/*.yaml), sorted by id.
func LoadAll(root string) ([]*Dashboard, error) {
	domains, err := domainspec.LoadAll(root)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(domains))
	for i, d := range domains {
		names[i] = d.Name
	}
	var all []*Dashboard
	for _, d := range domains {
		ds, err := LoadDomain(root, d, names)
		if err != nil {
			return nil, err
		}
		all = append(all, ds...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

// LoadDomain loads the declaration files of domain d (d.Dir relative to
// root); namespaces are the domains whose tables a dataset may read.
func LoadDomain(root string, d *domainspec.Domain, namespaces []string) ([]*Dashboard, error) {
	paths, err := filepath.Glob(filepath.Join(root, d.Dir, Dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []*Dashboard
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = p
		}
		db, err := Parse(filepath.ToSlash(rel), data, d, namespaces)
		if err != nil {
			return nil, err
		}
		out = append(out, db)
	}
	return out, nil
}

// Parse reads one declaration file of domain d; path names it in errors and
// its base name gives the dashboard's id. namespaces are the domains whose
// tables a dataset may read (nil: any).
func Parse(path string, data []byte, d *domainspec.Domain, namespaces []string) (*Dashboard, error) {
	el := &yamlpos.Errors{File: path, Kind: ErrInvalid}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%w: %s: empty file", ErrInvalid, path)
	}
	top := root.Content[0]
	if !checkKeys(el, top, "(file)", fileKeys) {
		return nil, el.Err()
	}
	var f file
	if err := top.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	db := &Dashboard{
		ID: d.Name + "_" + base, Domain: d.Name, Owner: d.Owners.Team, File: path,
		Title: strings.TrimSpace(f.Title), Description: strings.TrimSpace(f.Description), Tags: f.Tags,
	}
	if !nameRE.MatchString(base) {
		el.Add(top.Line, "(file)", "file name %q: want lower case letters, digits and _ (it names the dashboard)", base)
	}
	if db.Title == "" {
		el.Add(top.Line, "title", "required")
	}
	if len(f.Datasets) == 0 {
		el.Add(top.Line, "datasets", "at least one dataset is required")
	}
	for i := range f.Datasets {
		if ds := parseDataset(el, &f.Datasets[i], fmt.Sprintf("datasets[%d]", i), db, namespaces); ds != nil {
			db.Datasets = append(db.Datasets, ds)
		}
	}
	if len(f.Charts) == 0 {
		el.Add(top.Line, "charts", "at least one chart is required")
	}
	for i := range f.Charts {
		if c := parseChart(el, &f.Charts[i], fmt.Sprintf("charts[%d]", i), db); c != nil {
			db.Charts = append(db.Charts, c)
		}
	}
	parseLayout(el, top, f.Layout, db)
	if err := el.Err(); err != nil {
		return nil, err
	}
	return db, nil
}

func parseDataset(el *yamlpos.Errors, n *yaml.Node, p string, db *Dashboard, namespaces []string) *Dataset {
	if !checkKeys(el, n, p, datasetKeys) {
		return nil
	}
	var e datasetDecl
	if err := n.Decode(&e); err != nil {
		el.Add(n.Line, p, "%v", err)
		return nil
	}
	ds := &Dataset{Name: e.Name, Description: strings.TrimSpace(e.Description), SQL: strings.TrimSpace(e.SQL), Time: e.Time}
	switch {
	case !nameRE.MatchString(e.Name):
		el.Add(yamlpos.ValueLine(n, "name"), p+".name", "%q: want lower case letters, digits and _", e.Name)
	case db.Dataset(e.Name) != nil:
		el.Add(yamlpos.ValueLine(n, "name"), p+".name", "dataset %q is declared twice", e.Name)
	}
	if ds.SQL == "" {
		el.Add(n.Line, p+".sql", "required")
	} else if strings.HasSuffix(ds.SQL, ";") {
		el.Add(yamlpos.ValueLine(n, "sql"), p+".sql", "no trailing semicolon: the SQL is wrapped as a subquery")
	}
	cols := valueNode(n, "columns")
	if cols == nil || cols.Kind != yaml.MappingNode || len(cols.Content) == 0 {
		el.Add(yamlpos.ValueLine(n, "columns"), p+".columns", "required: a mapping of every column the SQL returns to its type (%s)", strings.Join(columnTypes, ", "))
	} else {
		for i := 0; i+1 < len(cols.Content); i += 2 {
			k, v := cols.Content[i], cols.Content[i+1]
			switch {
			case !nameRE.MatchString(k.Value):
				el.Add(k.Line, p+".columns."+k.Value, "want lower case letters, digits and _")
			case !slices.Contains(columnTypes, v.Value):
				el.Add(v.Line, p+".columns."+k.Value, "type %q: want one of %s", v.Value, strings.Join(columnTypes, ", "))
			}
			ds.Columns = append(ds.Columns, Column{Name: k.Value, Type: v.Value})
		}
	}
	if ds.Time == "" {
		for _, c := range ds.Columns {
			if Temporal(c.Type) {
				ds.Time = c.Name
				break
			}
		}
	} else if c, ok := ds.Column(ds.Time); !ok || !Temporal(c.Type) {
		el.Add(yamlpos.ValueLine(n, "time"), p+".time", "%q is not a date or timestamp column of the dataset", ds.Time)
	}
	reads := e.Reads
	if len(reads) == 0 {
		reads = TableRefs(ds.SQL, namespaces)
		if len(reads) == 0 && ds.SQL != "" {
			el.Add(yamlpos.ValueLine(n, "sql"), p+".sql", "reads no <namespace>.<table> of a domain: name the tables in reads")
		}
	}
	for _, r := range reads {
		ns, _, _ := strings.Cut(r, ".")
		switch {
		case !tableRE.MatchString(r):
			el.Add(yamlpos.ValueLine(n, "reads"), p+".reads", "%q: want <namespace>.<table>", r)
		case namespaces != nil && !slices.Contains(namespaces, ns):
			el.Add(yamlpos.ValueLine(n, "reads"), p+".reads", "%q: namespace %q is not a domain (domains: %s)", r, ns, strings.Join(namespaces, ", "))
		}
	}
	ds.Reads = sortedUnique(reads)
	return ds
}

func parseChart(el *yamlpos.Errors, n *yaml.Node, p string, db *Dashboard) *Chart {
	if !checkKeys(el, n, p, chartKeys) {
		return nil
	}
	var e chartDecl
	if err := n.Decode(&e); err != nil {
		el.Add(n.Line, p, "%v", err)
		return nil
	}
	c := &Chart{
		ID: e.ID, Title: strings.TrimSpace(e.Title), Description: strings.TrimSpace(e.Description), Type: e.Type,
		Dataset: e.Dataset, X: e.X, Series: e.Series, GroupBy: e.GroupBy, Columns: e.Columns, Filters: e.Filters, Limit: e.Limit,
	}
	switch {
	case !nameRE.MatchString(e.ID):
		el.Add(yamlpos.ValueLine(n, "id"), p+".id", "%q: want lower case letters, digits and _", e.ID)
	case db.Chart(e.ID) != nil:
		el.Add(yamlpos.ValueLine(n, "id"), p+".id", "chart %q is declared twice", e.ID)
	}
	if c.Title == "" {
		el.Add(n.Line, p+".title", "required")
	}
	if !slices.Contains(chartTypes, e.Type) {
		el.Add(yamlpos.ValueLine(n, "type"), p+".type", "%q: want one of %s", e.Type, strings.Join(chartTypes, ", "))
	}
	ds := db.Dataset(e.Dataset)
	if ds == nil {
		var names []string
		for _, d := range db.Datasets {
			names = append(names, d.Name)
		}
		el.Add(yamlpos.ValueLine(n, "dataset"), p+".dataset", "%q is not a dataset of this file (datasets: %s)", e.Dataset, strings.Join(names, ", "))
	}
	column := func(key, name string) {
		if ds != nil && name != "" {
			if _, ok := ds.Column(name); !ok {
				el.Add(yamlpos.ValueLine(n, key), p+"."+key, "%q is not a column of dataset %s", name, ds.Name)
			}
		}
	}
	column("x", e.X)
	column("series", e.Series)
	for _, g := range e.GroupBy {
		column("group_by", g)
	}
	for _, g := range e.Columns {
		column("columns", g)
	}
	for i := range e.Metrics {
		if m, ok := parseMetric(el, &e.Metrics[i], fmt.Sprintf("%s.metrics[%d]", p, i), ds); ok {
			c.Metrics = append(c.Metrics, m)
		}
	}
	for i := range e.Bands {
		bn, bp := &e.Bands[i], fmt.Sprintf("%s.bands[%d]", p, i)
		if !checkKeys(el, bn, bp, bandKeys) {
			continue
		}
		b := Band{}
		if l := valueNode(bn, "label"); l != nil {
			b.Label = l.Value
		}
		lo, hi := valueNode(bn, "lower"), valueNode(bn, "upper")
		if b.Label == "" || lo == nil || hi == nil {
			el.Add(bn.Line, bp, "label, lower and upper are required")
			continue
		}
		var ok1, ok2 bool
		b.Lower, ok1 = parseMetric(el, lo, bp+".lower", ds)
		b.Upper, ok2 = parseMetric(el, hi, bp+".upper", ds)
		if ok1 && ok2 {
			c.Bands = append(c.Bands, b)
		}
	}
	labels := map[string]bool{}
	for _, m := range c.AllMetrics() {
		if labels[m.Label] {
			el.Add(yamlpos.ValueLine(n, "metrics"), p+".metrics", "label %q is used twice", m.Label)
		}
		labels[m.Label] = true
	}
	checkShape(el, n, p, c)
	for i, f := range e.Filters {
		if strings.TrimSpace(f) == "" || strings.Contains(f, ";") {
			el.Add(yamlpos.ValueLine(n, "filters"), fmt.Sprintf("%s.filters[%d]", p, i), "want an SQL predicate without ;")
		}
	}
	if s := valueNode(n, "sort"); s != nil {
		if checkKeys(el, s, p+".sort", sortKeys) {
			c.Sort = &Sort{}
			if err := s.Decode(c.Sort); err != nil {
				el.Add(s.Line, p+".sort", "%v", err)
			} else if ds != nil {
				if _, ok := ds.Column(c.Sort.By); !ok && !labels[c.Sort.By] {
					el.Add(yamlpos.ValueLine(s, "by"), p+".sort.by", "%q is neither a column of dataset %s nor a metric label of the chart", c.Sort.By, ds.Name)
				}
			}
		}
	}
	if e.Limit < 0 {
		el.Add(yamlpos.ValueLine(n, "limit"), p+".limit", "want a positive number of rows")
	}
	return c
}

// checkShape checks the fields a chart's type needs and allows.
func checkShape(el *yamlpos.Errors, n *yaml.Node, p string, c *Chart) {
	need := func(ok bool, key, msg string) {
		if !ok {
			el.Add(yamlpos.ValueLine(n, key), p+"."+key, "%s chart: %s", c.Type, msg)
		}
	}
	switch c.Type {
	case TypeLine, TypeBar, TypeArea:
		need(c.X != "", "x", "required")
		need(len(c.Metrics) > 0, "metrics", "at least one metric is required")
		need(len(c.Bands) == 0 || c.Type == TypeLine, "bands", "only line charts have bands")
	case TypePie, TypeFunnel:
		need(c.X != "", "x", "required (the slices or stages)")
		need(len(c.Metrics) == 1, "metrics", "exactly one metric is required")
		need(c.Series == "", "series", "not allowed")
		need(len(c.Bands) == 0, "bands", "not allowed")
	case TypeBigNumber:
		need(len(c.Metrics) == 1, "metrics", "exactly one metric is required")
		need(c.X == "" && c.Series == "", "x", "big numbers have no x or series")
		need(len(c.Bands) == 0, "bands", "not allowed")
	case TypeTable:
		need(c.X == "" && c.Series == "", "x", "tables use columns or group_by, not x or series")
		need(len(c.Bands) == 0, "bands", "not allowed")
		need((len(c.Columns) > 0) != (len(c.Metrics) > 0), "columns", "either columns (raw rows) or metrics (with group_by)")
		need(len(c.Columns) == 0 || len(c.GroupBy) == 0, "group_by", "not with columns")
	}
	if c.Type != TypeTable {
		need(len(c.Columns) == 0, "columns", "only table charts have columns")
		need(len(c.GroupBy) == 0, "group_by", "only table charts have group_by")
	}
}

// parseMetric reads agg(column), count(*), or {label, sql} / {label, agg, column}.
func parseMetric(el *yamlpos.Errors, n *yaml.Node, p string, ds *Dataset) (Metric, bool) {
	var m Metric
	switch n.Kind {
	case yaml.ScalarNode:
		match := metricRE.FindStringSubmatch(n.Value)
		if match == nil {
			el.Add(n.Line, p, "%q: want agg(column) with agg one of %s, count(*), or {label, sql}", n.Value, strings.Join(aggregates, ", "))
			return m, false
		}
		m = Metric{Label: strings.TrimSpace(n.Value), Agg: match[1], Column: match[2]}
	case yaml.MappingNode:
		if !checkKeys(el, n, p, metricKeys) {
			return m, false
		}
		if err := n.Decode(&struct {
			Label  *string `yaml:"label"`
			SQL    *string `yaml:"sql"`
			Agg    *string `yaml:"agg"`
			Column *string `yaml:"column"`
		}{&m.Label, &m.SQL, &m.Agg, &m.Column}); err != nil {
			el.Add(n.Line, p, "%v", err)
			return m, false
		}
		m.SQL = strings.TrimSpace(m.SQL)
		if m.SQL != "" && (m.Agg != "" || m.Column != "") || m.SQL == "" && (m.Agg == "" || m.Column == "") {
			el.Add(n.Line, p, "either sql, or agg and column")
			return m, false
		}
		if m.Label == "" {
			if m.SQL != "" {
				el.Add(n.Line, p+".label", "required with sql")
				return m, false
			}
			m.Label = m.Agg + "(" + m.Column + ")"
		}
	default:
		el.Add(n.Line, p, "want agg(column) or a mapping {label, sql}")
		return m, false
	}
	if m.SQL != "" {
		return m, true
	}
	ok := true
	if !slices.Contains(aggregates, m.Agg) {
		el.Add(n.Line, p, "aggregate %q: want one of %s", m.Agg, strings.Join(aggregates, ", "))
		ok = false
	}
	if m.Column == "*" {
		if m.Agg != "count" {
			el.Add(n.Line, p, "only count takes *")
			ok = false
		}
	} else if ds != nil {
		if _, found := ds.Column(m.Column); !found {
			el.Add(n.Line, p, "%q is not a column of dataset %s", m.Column, ds.Name)
			ok = false
		}
	}
	return m, ok
}

func parseLayout(el *yamlpos.Errors, top *yaml.Node, rows [][]string, db *Dashboard) {
	line := yamlpos.ValueLine(top, "layout")
	if len(rows) == 0 {
		el.Add(line, "layout", "required: rows of chart ids")
		return
	}
	rowNodes := valueNode(top, "layout").Content
	seen := map[string]bool{}
	for i, row := range rows {
		line := rowNodes[i].Line
		if len(row) == 0 || len(row) > 4 {
			el.Add(line, fmt.Sprintf("layout[%d]", i), "want 1 to 4 charts in a row")
		}
		for _, id := range row {
			switch {
			case db.Chart(id) == nil:
				el.Add(line, fmt.Sprintf("layout[%d]", i), "%q is not a chart of this file", id)
			case seen[id]:
				el.Add(line, fmt.Sprintf("layout[%d]", i), "chart %q is placed twice", id)
			}
			seen[id] = true
		}
	}
	for _, c := range db.Charts {
		if !seen[c.ID] {
			el.Add(line, "layout", "chart %q is not placed", c.ID)
		}
	}
	db.Layout = rows
}

// sqlRefRE finds <namespace>.<table> after FROM or JOIN.
var sqlRefRE = regexp.MustCompile(`(?i)\b(?:from|join)\s+"?([a-z_][a-z0-9_]*)"?\s*\.\s*"?([a-z_][a-z0-9_]*)"?`)

// sqlCommentRE matches SQL comments and string literals, removed before
// looking for table references.
var sqlCommentRE = regexp.MustCompile(`--[^\n]*|/\*(?s:.*?)\*/|'(?:[^']|'')*'`)

// TableRefs returns the <namespace>.<table> references after FROM or JOIN in
// sql, lower case, sorted and unique, keeping only namespaces in namespaces
// (nil: any). A reference to a CTE or a subquery alias has no namespace, so it
// is never taken for a table.
func TableRefs(sql string, namespaces []string) []string {
	clean := sqlCommentRE.ReplaceAllString(sql, " ")
	var out []string
	for _, m := range sqlRefRE.FindAllStringSubmatch(clean, -1) {
		ns, tbl := strings.ToLower(m[1]), strings.ToLower(m[2])
		if namespaces != nil && !slices.Contains(namespaces, ns) {
			continue
		}
		out = append(out, ns+"."+tbl)
	}
	return sortedUnique(out)
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return slices.Compact(out)
}
