// Drawing lineage as a Graphviz dot graph.

package catalog

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
)

// LineageOf returns the lineage around a table: every edge on a path into
// or out of it, plus the dead-lettering of the queues on those paths (so
// the picture shows where invalid events go), sorted.
func (c *Catalog) LineageOf(ref Ref) []Edge {
	edges := append(c.Upstream(ref), c.Downstream(ref)...)
	queues := map[string]bool{}
	for _, e := range edges {
		for _, r := range []Ref{e.From, e.To} {
			if t := c.Topic(r.Name); r.Kind == KindTopic && t != nil && t.Kind == TopicQueue {
				queues[r.Name] = true
			}
		}
	}
	for _, e := range c.Edges {
		if e.Via == ViaDeadLetter && queues[e.From.Name] {
			edges = append(edges, e)
		}
	}
	out := make([]Edge, 0, len(edges))
	seen := map[string]bool{}
	for _, e := range edges {
		k := e.From.String() + ">" + e.To.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	sortEdges(out)
	return out
}

// WriteDot writes edges as a Graphviz digraph, left to right: exchanges
// and queues, tables by layer, the serving database, then each dashboard's
// datasets, charts and the dashboard itself. Topics and tables are grouped
// in a cluster per domain, the serving tables in one for the database, a
// dashboard's nodes in one per dashboard; focus is highlighted. Edges made
// by a pipeline are labelled with it.
func (c *Catalog) WriteDot(w io.Writer, edges []Edge, focus Ref) error {
	nodes := map[Ref]bool{focus: true}
	for _, e := range edges {
		nodes[e.From], nodes[e.To] = true, true
	}
	clusters := map[string][]Ref{}
	labels := map[string]string{}
	for r := range nodes {
		id, label := c.clusterOf(r)
		clusters[id] = append(clusters[id], r)
		labels[id] = label
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph lineage {\n")
	fmt.Fprintf(&b, "  rankdir=LR; newrank=true; ranksep=0.6;\n  graph [fontname=\"Helvetica\", fontsize=11, label=%s, labelloc=t];\n", dotQuote("Lineage of "+focus.Name))
	fmt.Fprintf(&b, "  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=white];\n  edge [fontname=\"Helvetica\", fontsize=8, color=gray40];\n")
	for _, id := range slices.Sorted(maps.Keys(clusters)) {
		refs := clusters[id]
		sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
		indent := "  "
		if id != "" {
			style := "rounded"
			if strings.HasPrefix(id, "2") { // the serving database and dashboards: filled, to tell them from domains
				style = "\"rounded,filled\"; fillcolor=gray97"
			}
			fmt.Fprintf(&b, "  subgraph %s {\n    label=%s; style=%s; color=gray70;\n", dotQuote("cluster_"+id), dotQuote(labels[id]), style)
			indent = "    "
		}
		for _, r := range refs {
			fmt.Fprintf(&b, "%s%s [%s];\n", indent, dotQuote(r.String()), c.nodeAttrs(r, r == focus))
		}
		if id == "2serving" && len(refs) > 1 { // one column: the database between the lakehouse and BI
			fmt.Fprintf(&b, "%s{rank=same;", indent)
			for _, r := range refs {
				fmt.Fprintf(&b, " %s;", dotQuote(r.String()))
			}
			b.WriteString("}\n")
		}
		if id != "" {
			fmt.Fprintf(&b, "  }\n")
		}
	}
	for _, e := range edges {
		attrs := []string{}
		switch {
		case e.Via == ViaDeadLetter: // the ingest DAG labels the queue's other edge
			attrs = append(attrs, "style=dashed", "color=firebrick")
		case e.Pipeline != "":
			attrs = append(attrs, "label="+dotQuote(e.Pipeline))
		case e.Via == ViaServing:
			attrs = append(attrs, "label="+dotQuote(ServingCommand))
		}
		switch e.Via {
		case ViaProducer:
			attrs = append(attrs, "style=dotted", "label="+dotQuote("producer reads"))
		case ViaServing:
			attrs = append(attrs, "color=darkgoldenrod")
		case ViaDashboard:
			attrs = append(attrs, "color=mediumpurple3")
		}
		fmt.Fprintf(&b, "  %s -> %s", dotQuote(e.From.String()), dotQuote(e.To.String()))
		if len(attrs) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(attrs, ", "))
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// clusterOf is the cluster a node is drawn in, an id that sorts domains
// ("1...") before the serving database and dashboards ("2..."), and its
// label; "" for none.
func (c *Catalog) clusterOf(r Ref) (string, string) {
	dashboard := ""
	switch r.Kind {
	case KindServing:
		return "2serving", fmt.Sprintf("serving database %s (%s, %s)", c.Serving.Name, c.Serving.Engine, c.Serving.Path)
	case KindDataset:
		if d := c.Dataset(r.Name); d != nil {
			dashboard = d.Dashboard
		}
	case KindChart:
		if x := c.Chart(r.Name); x != nil {
			dashboard = x.Dashboard
		}
	case KindDashboard:
		if x := c.Consumer(r.Name); x != nil && x.Tool != "" {
			dashboard = x.Name
		}
	}
	if x := c.Consumer(dashboard); x != nil {
		return "2dashboard_" + x.Name, fmt.Sprintf("%s dashboard %s (%s)", x.Tool, orName(x.Title, x.Name), x.Domain)
	}
	if d := c.DomainOf(r); d != "" {
		return "1" + d, d
	}
	return "", ""
}

func orName(title, name string) string {
	if title == "" {
		return name
	}
	return title
}

// DomainOf is the domain an entity belongs to ("" when none: a table only
// the lakehouse knows, a consumer declaring no domain).
func (c *Catalog) DomainOf(r Ref) string {
	switch r.Kind {
	case KindTopic:
		if t := c.Topic(r.Name); t != nil {
			return t.Domain
		}
	case KindTable, KindServing:
		if t, err := c.Table(r.Name); err == nil {
			return t.Domain
		}
	case KindDataset:
		if d := c.Dataset(r.Name); d != nil {
			return d.Domain
		}
	case KindChart:
		if x := c.Chart(r.Name); x != nil {
			return x.Domain
		}
	default:
		if x := c.Consumer(r.Name); x != nil {
			return x.Domain
		}
	}
	return ""
}

// Node styles: topics by kind, tables by layer, then the serving tables,
// datasets, charts and dashboards.
func (c *Catalog) nodeAttrs(r Ref, focus bool) string {
	label, shape, fill := r.Name, "box", "white"
	switch r.Kind {
	case KindTopic:
		t := c.Topic(r.Name)
		switch {
		case t == nil:
		case t.Kind == TopicExchange || t.Kind == TopicDeadLetterExchange:
			shape, fill, label = "hexagon", "lightgoldenrod1", "exchange "+r.Name
		case t.Kind == TopicDLQ:
			shape, fill = "cds", "mistyrose"
		default:
			shape, fill = "cds", "lightyellow"
		}
	case KindTable:
		if t, err := c.Table(r.Name); err == nil {
			switch t.Layer {
			case LayerRaw:
				fill = "lightcyan"
			case LayerStaging:
				fill = "lightblue"
			case LayerFact:
				fill, shape = "palegreen", "box3d"
			default:
				fill = "gray92"
			}
		}
	case KindServing:
		shape, fill = "cylinder", "khaki1"
	case KindDataset:
		shape, fill = "note", "lightsteelblue1"
		if d := c.Dataset(r.Name); d != nil {
			label = "dataset " + d.Name
		}
	case KindChart:
		shape, fill = "box", "lavender"
		if x := c.Chart(r.Name); x != nil {
			label = orName(x.Title, x.Name) + "\n(" + x.Type + ")"
		}
	default:
		shape, fill = "component", "plum1"
		if x := c.Consumer(r.Name); x != nil && x.Title != "" {
			label = x.Title + "\n" + x.Name
		}
	}
	attrs := fmt.Sprintf("label=%s, shape=%s, fillcolor=%s", dotQuote(label), shape, fill)
	if r.Kind == KindChart {
		attrs += `, style="rounded,filled"`
	}
	if focus {
		attrs += ", penwidth=3"
	}
	return attrs
}

// dotQuote quotes a dot ID or label; a line break becomes dot's \n.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
