// Superset's import bundle (ZIP) built from the declarations: the layout and
// fields of Superset 6.1's ImportV1*Schema (superset/*/schemas.py).

package dashboards

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gopkg.in/yaml.v3"
)

// SupersetVersion is the Superset release the bundle is written for and
// checked against (internal/interop/superset/requirements.in).
const SupersetVersion = "6.1.0"

// importVersion is the version of Superset's import format (IMPORT_VERSION).
const importVersion = "1.0.0"

// bundleRoot is the folder of every file in the ZIP; Superset strips it.
const bundleRoot = "mesh_dashboards"

// uuidSpace derives every UUID of the bundle from an id, so a rebuilt bundle
// has the same UUIDs and a re-import updates the objects in place.
var uuidSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/meshterious/warehouse/dashboards"))

// BundleConfig says where Superset finds the data.
type BundleConfig struct {
	// DatabaseName is the database's name in Superset (default "mesh").
	DatabaseName string
	// DatabaseURI is the SQLAlchemy URI of the serving database, e.g.
	// duckdb:////var/lib/mesh/serving/mesh.duckdb (required). It must not
	// hold a password: the bundle is not a secret.
	DatabaseURI string
}

// Validate checks the config; its messages name the field.
func (c BundleConfig) Validate() error {
	if c.DatabaseURI == "" {
		return fmt.Errorf("%w: BundleConfig.DatabaseURI is required", ErrInvalid)
	}
	if i := strings.Index(c.DatabaseURI, "://"); i >= 0 {
		if at := strings.Index(c.DatabaseURI[i+3:], "@"); at >= 0 && strings.Contains(c.DatabaseURI[i+3:i+3+at], ":") {
			return fmt.Errorf("%w: BundleConfig.DatabaseURI must not hold a password", ErrInvalid)
		}
	}
	return nil
}

// BundleFile is one file of the bundle: its path inside the ZIP and content.
type BundleFile struct {
	Path string
	Data []byte
}

// SupersetIDs returns the UUIDs the bundle gives a dashboard's objects:
// dashboard, then each chart by id, then each dataset by name.
func SupersetIDs(d *Dashboard) (dashboard string, charts, datasets map[string]string) {
	charts, datasets = map[string]string{}, map[string]string{}
	for _, c := range d.Charts {
		charts[c.ID] = objectUUID("chart", d.ID, c.ID)
	}
	for _, ds := range d.Datasets {
		datasets[ds.Name] = objectUUID("dataset", d.ID, ds.Name)
	}
	return objectUUID("dashboard", d.ID), charts, datasets
}

func objectUUID(parts ...string) string {
	return uuid.NewSHA1(uuidSpace, []byte(strings.Join(parts, "/"))).String()
}

// DatasetTable is a dataset's name in Superset: unique in the database, since
// dataset names are unique only within their file.
func DatasetTable(d *Dashboard, ds *Dataset) string { return d.ID + "__" + ds.Name }

// BundleFiles returns the files of the import bundle of dashboards, in the
// order they are written.
func BundleFiles(dashboards []*Dashboard, cfg BundleConfig) ([]BundleFile, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.DatabaseName == "" {
		cfg.DatabaseName = "mesh"
	}
	dbUUID := objectUUID("database", cfg.DatabaseName)
	var files []BundleFile
	add := func(path string, v any) error {
		data, err := marshalYAML(v)
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		files = append(files, BundleFile{Path: bundleRoot + "/" + path, Data: data})
		return nil
	}
	if err := add("metadata.yaml", ordered{{"version", importVersion}, {"type", "Dashboard"}}); err != nil {
		return nil, err
	}
	if err := add("databases/"+cfg.DatabaseName+".yaml", databaseYAML(cfg, dbUUID)); err != nil {
		return nil, err
	}
	for _, d := range dashboards {
		dashUUID, chartUUIDs, datasetUUIDs := SupersetIDs(d)
		for _, ds := range d.Datasets {
			if err := add("datasets/"+cfg.DatabaseName+"/"+DatasetTable(d, ds)+".yaml", datasetYAML(d, ds, datasetUUIDs[ds.Name], dbUUID)); err != nil {
				return nil, err
			}
		}
		for i, c := range d.Charts {
			ds := d.Dataset(c.Dataset)
			params := chartParams(c, ds, i+1)
			qc, err := jsonText(queryContext(c, ds, params, i+1))
			if err != nil {
				return nil, err
			}
			chart := ordered{
				{"slice_name", c.Title},
				{"description", nullable(c.Description)},
				{"certified_by", nil},
				{"certification_details", nil},
				{"viz_type", vizType(c)},
				{"params", params},
				{"query_context", string(qc)},
				{"cache_timeout", nil},
				{"uuid", chartUUIDs[c.ID]},
				{"version", importVersion},
				{"dataset_uuid", datasetUUIDs[ds.Name]},
			}
			if err := add("charts/"+d.ID+"__"+c.ID+".yaml", chart); err != nil {
				return nil, err
			}
		}
		if err := add("dashboards/"+d.ID+".yaml", dashboardYAML(d, dashUUID, chartUUIDs)); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// Bundle writes the import ZIP of dashboards to w. The ZIP's entries carry
// a fixed time, so the same declarations give byte-identical bundles.
func Bundle(w io.Writer, dashboards []*Dashboard, cfg BundleConfig) error {
	files, err := BundleFiles(dashboards, cfg)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func databaseYAML(cfg BundleConfig, dbUUID string) ordered {
	return ordered{
		{"database_name", cfg.DatabaseName},
		{"sqlalchemy_uri", cfg.DatabaseURI},
		{"cache_timeout", nil},
		{"expose_in_sqllab", true},
		{"allow_run_async", false},
		{"allow_ctas", false},
		{"allow_cvas", false},
		{"allow_dml", false},
		{"allow_csv_upload", false},
		// The serving file is replaced, never written in place, by the
		// publisher: Superset opens it read only, one connection per query.
		{"extra", ordered{
			{"allows_virtual_table_explore", true},
			{"engine_params", ordered{{"connect_args", ordered{{"read_only", true}}}}},
		}},
		{"uuid", dbUUID},
		{"version", importVersion},
	}
}

// supersetTypes are the type names Superset shows for each column type
// (DuckDB's own names).
var supersetTypes = map[string]string{
	ColumnDate: "DATE", ColumnTimestamp: "TIMESTAMP WITH TIME ZONE", ColumnText: "VARCHAR",
	ColumnInteger: "BIGINT", ColumnNumber: "DOUBLE", ColumnBoolean: "BOOLEAN",
}

func datasetYAML(d *Dashboard, ds *Dataset, dsUUID, dbUUID string) ordered {
	var cols []ordered
	for _, c := range ds.Columns {
		cols = append(cols, ordered{
			{"column_name", c.Name},
			{"verbose_name", nil},
			{"is_dttm", Temporal(c.Type)},
			{"is_active", true},
			{"type", supersetTypes[c.Type]},
			{"groupby", true},
			{"filterable", true},
			{"expression", nil},
			{"description", nil},
			{"python_date_format", nil},
		})
	}
	return ordered{
		{"table_name", DatasetTable(d, ds)},
		{"main_dttm_col", nullable(ds.Time)},
		{"description", nullable(ds.Description)},
		{"default_endpoint", nil},
		{"offset", 0},
		{"cache_timeout", nil},
		{"schema", nil},
		{"sql", ds.SQL},
		{"params", nil},
		{"template_params", nil},
		{"filter_select_enabled", true},
		{"fetch_values_predicate", nil},
		{"extra", ordered{{"declared_in", d.File}, {"reads", ds.Reads}}},
		{"uuid", dsUUID},
		{"metrics", []ordered{{
			{"metric_name", "count"}, {"verbose_name", "COUNT(*)"}, {"metric_type", "count"},
			{"expression", "COUNT(*)"}, {"description", nil}, {"d3format", nil}, {"extra", ordered{}}, {"warning_text", nil},
		}}},
		{"columns", cols},
		{"version", importVersion},
		{"database_uuid", dbUUID},
	}
}

// vizType is Superset's visualization of a chart type.
func vizType(c *Chart) string {
	switch c.Type {
	case TypeLine:
		return "echarts_timeseries_line"
	case TypeBar:
		return "echarts_timeseries_bar"
	case TypeArea:
		return "echarts_area"
	case TypeBigNumber:
		return "big_number_total"
	}
	return c.Type // pie, funnel, table
}

// adhocMetric is a metric as Superset's explore writes a custom SQL one: the
// same expression Chart.Query uses.
func adhocMetric(m Metric) ordered {
	return ordered{
		{"expressionType", "SQL"},
		{"sqlExpression", m.Expr()},
		{"label", m.Label},
		{"hasCustomLabel", true},
		{"optionName", "metric_" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return '_'
		}, m.Label)},
	}
}

func adhocFilters(c *Chart) []ordered {
	out := []ordered{}
	for i, f := range c.Filters {
		out = append(out, ordered{
			{"expressionType", "SQL"},
			{"sqlExpression", f},
			{"clause", "WHERE"},
			{"filterOptionName", fmt.Sprintf("filter_%s_%d", c.ID, i)},
		})
	}
	return out
}

// rowLimit is a chart's row limit in Superset (its default when undeclared).
func rowLimit(c *Chart) int {
	if c.Limit > 0 {
		return c.Limit
	}
	return 10000
}

// chartParams are the form data Superset's frontend draws the chart from.
// The datasource is a placeholder the import replaces with the dataset's id.
func chartParams(c *Chart, ds *Dataset, n int) ordered {
	var metrics []ordered
	for _, m := range c.AllMetrics() {
		metrics = append(metrics, adhocMetric(m))
	}
	p := ordered{{"datasource", fmt.Sprintf("%d__table", n)}, {"viz_type", vizType(c)}}
	switch c.Type {
	case TypeLine, TypeBar, TypeArea:
		p = append(p, ordered{
			{"x_axis", c.X},
			{"metrics", metrics},
			{"groupby", nonNil(c.Series)},
			{"adhoc_filters", adhocFilters(c)},
			{"row_limit", rowLimit(c)},
			{"order_desc", true},
			{"truncate_metric", true},
			{"show_empty_columns", true},
			{"comparison_type", "values"},
			{"annotation_layers", []any{}},
			{"show_legend", true},
			{"legendType", "scroll"},
			{"legendOrientation", "top"},
			{"rich_tooltip", true},
			{"y_axis_format", "SMART_NUMBER"},
			{"color_scheme", "supersetColors"},
		}...)
		if col, ok := ds.Column(c.X); ok && Temporal(col.Type) {
			p = append(p, ordered{{"time_grain_sqla", "P1D"}, {"x_axis_time_format", "smart_date"}, {"x_axis_sort_asc", true}}...)
		} else if c.Sort != nil {
			p = append(p, ordered{{"x_axis_sort", c.Sort.By}, {"x_axis_sort_asc", !c.Sort.Desc}}...)
		} else {
			p = append(p, ordered{{"x_axis_sort", c.X}, {"x_axis_sort_asc", true}}...)
		}
	case TypePie, TypeFunnel:
		p = append(p, ordered{
			{"groupby", []string{c.X}},
			{"metric", metrics[0]},
			{"adhoc_filters", adhocFilters(c)},
			{"row_limit", rowLimit(c)},
			{"sort_by_metric", true},
			{"color_scheme", "supersetColors"},
			{"show_legend", true},
			{"show_labels", true},
			{"number_format", "SMART_NUMBER"},
		}...)
		if c.Type == TypePie {
			p = append(p, ordered{{"label_type", "key_percent"}, {"labels_outside", true}}...)
		}
	case TypeBigNumber:
		p = append(p, ordered{
			{"metric", metrics[0]},
			{"adhoc_filters", adhocFilters(c)},
			{"header_font_size", 0.4},
			{"subheader_font_size", 0.15},
			{"y_axis_format", "SMART_NUMBER"},
		}...)
	case TypeTable:
		if len(c.Columns) > 0 {
			var order []string
			if c.Sort != nil {
				b, _ := json.Marshal([]any{c.Sort.By, !c.Sort.Desc})
				order = append(order, string(b))
			}
			p = append(p, ordered{
				{"query_mode", "raw"},
				{"all_columns", c.Columns},
				{"order_by_cols", nonNilList(order)},
			}...)
		} else {
			p = append(p, ordered{
				{"query_mode", "aggregate"},
				{"groupby", c.GroupBy},
				{"metrics", metrics},
			}...)
			if c.Sort != nil {
				if m, ok := metricLabelled(c, c.Sort.By); ok {
					p = append(p, ordered{{"timeseries_limit_metric", adhocMetric(m)}, {"order_desc", c.Sort.Desc}}...)
				}
			}
		}
		p = append(p, ordered{
			{"adhoc_filters", adhocFilters(c)},
			{"row_limit", rowLimit(c)},
			{"server_pagination", false},
			{"include_time", false},
			{"table_timestamp_format", "smart_date"},
		}...)
	}
	return p
}

func metricLabelled(c *Chart, label string) (Metric, bool) {
	for _, m := range c.AllMetrics() {
		if m.Label == label {
			return m, true
		}
	}
	return Metric{}, false
}

// queryContext is the saved query of a chart, what /api/v1/chart/<id>/data
// runs: the same grouping, metrics, filters, order and limit as Chart.Query.
func queryContext(c *Chart, ds *Dataset, params ordered, n int) ordered {
	var metrics []ordered
	for _, m := range c.AllMetrics() {
		metrics = append(metrics, adhocMetric(m))
	}
	columns := c.Dimensions()
	if len(c.Columns) > 0 {
		columns, metrics = c.Columns, nil
	}
	var where []string
	for _, f := range c.Filters {
		where = append(where, "("+f+")")
	}
	orderby := []any{}
	if c.Sort != nil {
		if m, ok := metricLabelled(c, c.Sort.By); ok {
			orderby = append(orderby, []any{adhocMetric(m), !c.Sort.Desc})
		} else {
			orderby = append(orderby, []any{c.Sort.By, !c.Sort.Desc})
		}
	}
	for _, d := range c.Dimensions() {
		if c.Sort == nil || d != c.Sort.By {
			orderby = append(orderby, []any{d, true})
		}
	}
	q := ordered{
		{"filters", []any{}},
		{"extras", ordered{{"having", ""}, {"where", strings.Join(where, " AND ")}}},
		{"applied_time_extras", ordered{}},
		{"columns", nonNilList(columns)},
		{"metrics", nonNilMetrics(metrics)},
		{"orderby", orderby},
		{"annotation_layers", []any{}},
		{"row_limit", rowLimit(c)},
		{"series_limit", 0},
		{"order_desc", c.Sort == nil || c.Sort.Desc},
		{"url_params", ordered{}},
		{"custom_params", ordered{}},
		{"custom_form_data", ordered{}},
	}
	if c.Series != "" {
		q = append(q, kv{"series_columns", []string{c.Series}})
	}
	return ordered{
		{"datasource", ordered{{"id", n}, {"type", "table"}}},
		{"force", false},
		{"queries", []ordered{q}},
		{"form_data", params},
		{"result_format", "json"},
		{"result_type", "full"},
	}
}

func dashboardYAML(d *Dashboard, dashUUID string, chartUUIDs map[string]string) ordered {
	position := ordered{
		{"DASHBOARD_VERSION_KEY", "v2"},
		{"ROOT_ID", ordered{{"children", []string{"GRID_ID"}}, {"id", "ROOT_ID"}, {"type", "ROOT"}}},
		{"HEADER_ID", ordered{{"id", "HEADER_ID"}, {"meta", ordered{{"text", d.Title}}}, {"type", "HEADER"}}},
	}
	var rows []string
	var items ordered
	for i, row := range d.Layout {
		rowID := fmt.Sprintf("ROW-%d", i+1)
		rows = append(rows, rowID)
		var children []string
		for _, id := range row {
			c := d.Chart(id)
			chartID := "CHART-" + id
			children = append(children, chartID)
			height := 50
			if c.Type == TypeBigNumber {
				height = 25
			}
			items = append(items, kv{chartID, ordered{
				{"children", []string{}},
				{"id", chartID},
				{"meta", ordered{
					{"chartId", 0},
					{"height", height},
					{"sliceName", c.Title},
					{"uuid", chartUUIDs[id]},
					{"width", 12 / len(row)},
				}},
				{"parents", []string{"ROOT_ID", "GRID_ID", rowID}},
				{"type", "CHART"},
			}})
		}
		items = append(ordered{{rowID, ordered{
			{"children", children},
			{"id", rowID},
			{"meta", ordered{{"background", "BACKGROUND_TRANSPARENT"}}},
			{"parents", []string{"ROOT_ID", "GRID_ID"}},
			{"type", "ROW"},
		}}}, items...)
	}
	position = append(position, kv{"GRID_ID", ordered{{"children", rows}, {"id", "GRID_ID"}, {"parents", []string{"ROOT_ID"}}, {"type", "GRID"}}})
	sort.SliceStable(items, func(i, j int) bool { return items[i].k < items[j].k })
	position = append(position, items...)
	tags := append([]string{d.Domain}, d.Tags...)
	return ordered{
		{"dashboard_title", d.Title},
		{"description", nullable(d.Description)},
		{"css", ""},
		{"slug", d.ID},
		{"certified_by", d.Owner},
		{"certification_details", "Declared by the " + d.Domain + " domain in " + d.File},
		{"published", true},
		{"uuid", dashUUID},
		{"position", position},
		{"metadata", ordered{
			{"color_scheme", ""},
			{"refresh_frequency", 0},
			{"expanded_slices", ordered{}},
			{"label_colors", ordered{}},
			{"timed_refresh_immune_slices", []int{}},
			{"cross_filters_enabled", false},
			{"default_filters", "{}"},
			{"chart_configuration", ordered{}},
			{"native_filter_configuration", []any{}},
		}},
		{"tags", tags},
		{"version", importVersion},
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s string) []string {
	if s == "" {
		return []string{}
	}
	return []string{s}
}

func nonNilList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMetrics(m []ordered) []ordered {
	if m == nil {
		return []ordered{}
	}
	return m
}

// kv is one key of an ordered mapping.
type kv struct {
	k string
	v any
}

// ordered is a mapping that keeps its keys' order in YAML and JSON, so bundle
// files read like Superset's own exports and stay byte-stable.
type ordered []kv

// MarshalYAML writes the mapping in order.
func (o ordered) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, e := range o {
		var v yaml.Node
		if err := v.Encode(e.v); err != nil {
			return nil, err
		}
		var k yaml.Node
		if err := k.Encode(e.k); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &k, &v)
	}
	return n, nil
}

// MarshalJSON writes the mapping in order.
func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := jsonText(e.k)
		v, err := jsonText(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonText is JSON without Go's HTML escaping, as Superset writes it.
func jsonText(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func marshalYAML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
