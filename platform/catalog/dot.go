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
// and queues, then tables by layer, then consumers, one cluster per domain,
// ref highlighted. Edges made by a pipeline are labelled with it.
func (c *Catalog) WriteDot(w io.Writer, edges []Edge, focus Ref) error {
	nodes := map[Ref]bool{focus: true}
	for _, e := range edges {
		nodes[e.From], nodes[e.To] = true, true
	}
	byDomain := map[string][]Ref{}
	for r := range nodes {
		byDomain[c.domainOfRef(r)] = append(byDomain[c.domainOfRef(r)], r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph lineage {\n")
	fmt.Fprintf(&b, "  rankdir=LR;\n  graph [fontname=\"Helvetica\", fontsize=11, label=%s, labelloc=t];\n", dotQuote("Lineage of "+focus.Name))
	fmt.Fprintf(&b, "  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=white];\n  edge [fontname=\"Helvetica\", fontsize=8, color=gray40];\n")
	for _, d := range slices.Sorted(maps.Keys(byDomain)) {
		refs := byDomain[d]
		sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
		indent := "  "
		if d != "" {
			fmt.Fprintf(&b, "  subgraph %s {\n    label=%s; style=rounded; color=gray70;\n", dotQuote("cluster_"+d), dotQuote(d))
			indent = "    "
		}
		for _, r := range refs {
			fmt.Fprintf(&b, "%s%s [%s];\n", indent, dotQuote(r.String()), c.nodeAttrs(r, r == focus))
		}
		if d != "" {
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
		}
		if e.Via == ViaProducer {
			attrs = append(attrs, "style=dotted", "label="+dotQuote("producer reads"))
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

func (c *Catalog) domainOfRef(r Ref) string {
	switch r.Kind {
	case KindTopic:
		if t := c.Topic(r.Name); t != nil {
			return t.Domain
		}
	case KindTable:
		if t, err := c.Table(r.Name); err == nil {
			return t.Domain
		}
	default:
		for _, x := range c.Consumers {
			if x.Name == r.Name {
				return x.Domain
			}
		}
	}
	return ""
}

// Node styles: topics by kind, tables by layer.
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
	default:
		shape, fill = "component", "plum1"
	}
	attrs := fmt.Sprintf("label=%s, shape=%s, fillcolor=%s", dotQuote(label), shape, fill)
	if focus {
		attrs += ", penwidth=3"
	}
	return attrs
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
