// Looking things up in a built catalog: tables, dashboards, charts,
// datasets, roles, lineage, search and the columns a role may not see.

package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Table returns the table with identifier id (<namespace>.<table>).
func (c *Catalog) Table(id string) (*Table, error) {
	for _, t := range c.Tables {
		if t.ID() == id {
			return t, nil
		}
	}
	var near []string
	_, name, _ := strings.Cut(id, ".")
	for _, t := range c.Tables {
		if name != "" && (t.Name == name || strings.Contains(t.ID(), name)) {
			near = append(near, t.ID())
		}
	}
	if len(near) > 0 {
		return nil, fmt.Errorf("%w: no table %q (did you mean %s?)", ErrNotFound, id, strings.Join(near, ", "))
	}
	return nil, fmt.Errorf("%w: no table %q (meshctl catalog list shows them)", ErrNotFound, id)
}

// Domain returns the domain called name (nil when none).
func (c *Catalog) Domain(name string) *Domain {
	for _, d := range c.Domains {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Topic returns the topic called name (nil when none).
func (c *Catalog) Topic(name string) *Topic {
	for _, t := range c.Topics {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Pipeline returns the pipeline with the id (nil when none).
func (c *Catalog) Pipeline(id string) *Pipeline {
	for _, p := range c.Pipelines {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Consumer returns the consumer (dashboard) called name (nil when none).
func (c *Catalog) Consumer(name string) *Consumer {
	for _, x := range c.Consumers {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// Dataset returns the dataset with the ID <dashboard>.<name> (nil when none).
func (c *Catalog) Dataset(id string) *Dataset {
	for _, d := range c.Datasets {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// Chart returns the chart with the ID <dashboard>.<chart> (nil when none).
func (c *Catalog) Chart(id string) *Chart {
	for _, x := range c.Charts {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// Resolve finds the entity a user names: "kind:name" (as Ref.String
// writes it), or a bare name looked up as a table, a dashboard, a chart, a
// dataset and a topic, in that order.
func (c *Catalog) Resolve(name string) (Ref, error) {
	if k, n, ok := strings.Cut(name, ":"); ok {
		r := Ref{Kind: Kind(k), Name: n}
		if c.has(r) {
			return r, nil
		}
		return Ref{}, fmt.Errorf("%w: no %s %q in the catalog", ErrNotFound, k, n)
	}
	for _, k := range []Kind{KindTable, KindDashboard, KindChart, KindDataset, KindTopic} {
		if r := (Ref{Kind: k, Name: name}); c.has(r) {
			return r, nil
		}
	}
	if strings.Contains(name, ".") {
		_, err := c.Table(name) // its error suggests tables of a similar name
		return Ref{}, err
	}
	return Ref{}, fmt.Errorf("%w: no table, dashboard, chart, dataset or topic %q (meshctl catalog list shows the tables, meshctl catalog search finds the rest)", ErrNotFound, name)
}

// has reports whether the catalog holds the entity r names.
func (c *Catalog) has(r Ref) bool {
	switch r.Kind {
	case KindTable:
		_, err := c.Table(r.Name)
		return err == nil
	case KindTopic:
		return c.Topic(r.Name) != nil
	case KindServing:
		return slices.Contains(c.Serving.Tables, r.Name)
	case KindDataset:
		return c.Dataset(r.Name) != nil
	case KindChart:
		return c.Chart(r.Name) != nil
	}
	x := c.Consumer(r.Name)
	return x != nil && x.Kind == r.Kind
}

// Role returns the role called name; "" means the default role.
func (c *Catalog) Role(name string) (Role, error) {
	if name == "" {
		name = c.Governance.DefaultRole
	}
	var names []string
	for _, r := range c.Governance.Roles {
		if r.Name == name {
			return r, nil
		}
		names = append(names, r.Name)
	}
	return Role{}, fmt.Errorf("%w: no role %q (roles: %s; declared in %s and by each domain's owners.team)",
		ErrNotFound, name, strings.Join(names, ", "), GovernanceFile)
}

// Sees reports whether the role reads the column unmasked.
func (r Role) Sees(col Column) bool { return slices.Contains(r.Reads, col.Access) }

// Masks returns, for every table with columns the role may not see, those
// columns, sorted: what the query engine masks for that role.
func (c *Catalog) Masks(role string) (map[string][]string, error) {
	r, err := c.Role(role)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, t := range c.Tables {
		for _, col := range t.Columns {
			if !r.Sees(col) {
				out[t.ID()] = append(out[t.ID()], col.Name)
			}
		}
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out, nil
}

// RolesSeeing lists the roles that read the column unmasked.
func (c *Catalog) RolesSeeing(col Column) []string {
	var out []string
	for _, r := range c.Governance.Roles {
		if r.Sees(col) {
			out = append(out, r.Name)
		}
	}
	return out
}

// Upstream returns every edge on a path into ref, nearest first; Downstream
// every edge on a path out of it.
func (c *Catalog) Upstream(ref Ref) []Edge { return c.walk(ref, true) }

// Downstream returns every edge on a path out of ref, nearest first.
func (c *Catalog) Downstream(ref Ref) []Edge { return c.walk(ref, false) }

func (c *Catalog) walk(start Ref, up bool) []Edge {
	var out []Edge
	seen := map[Ref]bool{start: true}
	queue := []Ref{start}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range c.Edges {
			near, far := e.To, e.From
			if !up {
				near, far = e.From, e.To
			}
			if near != cur {
				continue
			}
			out = append(out, e)
			if !seen[far] {
				seen[far] = true
				queue = append(queue, far)
			}
		}
	}
	return out
}

// Hit is one search result.
type Hit struct {
	Kind Kind   // table, topic, dashboard, chart, dataset, or "column", "pipeline", "term"
	Name string // identifier: table, table.column, topic, pipeline id or term
	// Match says what matched: name, description, tag, glossary, pii.
	Match string
	Text  string // the description or definition
}

// Search finds the tables, columns, topics, dashboards, charts, datasets,
// pipelines and glossary terms whose name, description (a dashboard's or
// chart's title too), tags, glossary terms or PII level contain text
// (ignoring case).
func (c *Catalog) Search(text string) []Hit {
	q := strings.ToLower(strings.TrimSpace(text))
	if q == "" {
		return nil
	}
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), q) }
	anyHas := func(ss []string) bool { return slices.ContainsFunc(ss, has) }
	var out []Hit
	match := func(kind Kind, name, desc string, tags, glossary []string, pii string) {
		var what string
		switch {
		case has(name):
			what = "name"
		case anyHas(glossary):
			what = "glossary"
		case anyHas(tags):
			what = "tag"
		case pii != "" && has(pii):
			what = "pii"
		case has(desc):
			what = "description"
		default:
			return
		}
		out = append(out, Hit{Kind: kind, Name: name, Match: what, Text: desc})
	}
	for _, t := range c.Tables {
		match(KindTable, t.ID(), t.Description, t.Tags, t.Glossary, "")
		for _, col := range t.Columns {
			match("column", t.ID()+"."+col.Name, col.Description, col.Tags, col.Glossary, col.PII)
		}
	}
	for _, t := range c.Topics {
		match(KindTopic, t.Name, t.Description, nil, nil, "")
	}
	for _, x := range c.Consumers {
		match(x.Kind, x.Name, titled(x.Title, x.Description), nil, nil, "")
	}
	for _, x := range c.Charts {
		match(KindChart, x.ID, titled(x.Title, x.Description), nil, nil, "")
	}
	for _, x := range c.Datasets {
		match(KindDataset, x.ID, x.Description, nil, nil, "")
	}
	for _, p := range c.Pipelines {
		match("pipeline", p.ID, p.Description, p.Tags, nil, "")
	}
	for _, t := range c.Glossary.Terms {
		match("term", t.Name, t.Definition, t.Synonyms, nil, "")
	}
	return out
}

// titled is "title. description", either part left out when empty.
func titled(title, desc string) string {
	if title == "" || desc == "" {
		return strings.TrimSpace(title + desc)
	}
	return title + ". " + desc
}
