// The lineage a dashboard adds to the mesh: table -> dataset -> chart ->
// dashboard. The catalog (package catalog) puts the table's copy in the
// serving database, which Superset reads, between the table and the dataset.

package dashboards

// Kinds of lineage nodes.
const (
	NodeTable     = "table"
	NodeDataset   = "dataset"
	NodeChart     = "chart"
	NodeDashboard = "dashboard"
)

// Node is one end of a lineage edge. ID is unique among nodes of its kind:
// <namespace>.<table> for a table, <dashboard id>.<name> for a dataset or a
// chart (names are unique only within their file), the dashboard's id.
type Node struct {
	Kind  string
	ID    string
	Title string // a chart's or dashboard's title, a dataset's name, the table
}

// Edge is data flowing From one node To another.
type Edge struct {
	From, To Node
}

// DatasetNode returns the lineage node of one of d's datasets.
func (d *Dashboard) DatasetNode(ds *Dataset) Node {
	return Node{Kind: NodeDataset, ID: d.ID + "." + ds.Name, Title: ds.Name}
}

// ChartNode returns the lineage node of one of d's charts.
func (d *Dashboard) ChartNode(c *Chart) Node {
	return Node{Kind: NodeChart, ID: d.ID + "." + c.ID, Title: c.Title}
}

// Node returns the dashboard's lineage node.
func (d *Dashboard) Node() Node { return Node{Kind: NodeDashboard, ID: d.ID, Title: d.Title} }

// Lineage returns the edges of every dashboard: each table a dataset reads to
// the dataset, each dataset to the charts drawing it, each chart to its
// dashboard; in declaration order, without duplicates.
func Lineage(dashboards []*Dashboard) []Edge {
	var out []Edge
	for _, d := range dashboards {
		for _, ds := range d.Datasets {
			for _, t := range ds.Reads {
				out = append(out, Edge{From: Node{Kind: NodeTable, ID: t, Title: t}, To: d.DatasetNode(ds)})
			}
		}
		for _, c := range d.Charts {
			if ds := d.Dataset(c.Dataset); ds != nil {
				out = append(out, Edge{From: d.DatasetNode(ds), To: d.ChartNode(c)})
			}
			out = append(out, Edge{From: d.ChartNode(c), To: d.Node()})
		}
	}
	return out
}
