package freshness

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/meshterious/warehouse/platform/dags"
)

// DAGInputs returns, for every table a DAG writes, the tables that the DAGs
// writing it read.
func DAGInputs(all []*dags.DAG) map[string][]string {
	out := map[string][]string{}
	for _, g := range all {
		for _, w := range g.Writes {
			for _, r := range g.Reads {
				if r != w {
					out[w] = append(out[w], r)
				}
			}
		}
	}
	return normalize(out)
}

// manifest is the part of dbt's manifest.json that tells lineage.
type manifest struct {
	Nodes map[string]struct {
		ResourceType string `json:"resource_type"`
		Schema       string `json:"schema"`
		Alias        string `json:"alias"`
		Name         string `json:"name"`
		Config       struct {
			Materialized string `json:"materialized"`
		} `json:"config"`
		DependsOn struct {
			Nodes []string `json:"nodes"`
		} `json:"depends_on"`
	} `json:"nodes"`
	Sources map[string]struct {
		Schema     string `json:"schema"`
		Identifier string `json:"identifier"`
		Name       string `json:"name"`
	} `json:"sources"`
}

// ManifestInputs reads a dbt manifest.json (the one `<domain> transform`
// writes to $MESH_DATA_DIR/dbt/<domain>/target/) and returns, for every
// model materialized as a table, the tables it is made from: the models,
// seeds and sources it depends on, looking through ephemeral models and
// views, which are no tables.
func ManifestInputs(r io.Reader) (map[string][]string, error) {
	var m manifest
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("reading dbt manifest: %w", err)
	}
	relation := func(id string) (name string, ok bool) {
		if n, ok := m.Nodes[id]; ok && (n.ResourceType == "model" || n.ResourceType == "seed") {
			alias := n.Alias
			if alias == "" {
				alias = n.Name
			}
			return n.Schema + "." + alias, true
		}
		if s, ok := m.Sources[id]; ok {
			ident := s.Identifier
			if ident == "" {
				ident = s.Name
			}
			return s.Schema + "." + ident, true
		}
		return "", false
	}
	notTable := func(id string) bool {
		n, ok := m.Nodes[id]
		return ok && n.ResourceType == "model" && (n.Config.Materialized == "ephemeral" || n.Config.Materialized == "view")
	}
	var inputs func(id string, seen map[string]bool) []string
	inputs = func(id string, seen map[string]bool) []string {
		var out []string
		for _, dep := range m.Nodes[id].DependsOn.Nodes {
			if seen[dep] {
				continue
			}
			seen[dep] = true
			if notTable(dep) {
				out = append(out, inputs(dep, seen)...)
			} else if rel, ok := relation(dep); ok {
				out = append(out, rel)
			}
		}
		return out
	}
	out := map[string][]string{}
	for id, n := range m.Nodes {
		if n.ResourceType != "model" || notTable(id) {
			continue
		}
		rel, _ := relation(id)
		if deps := inputs(id, map[string]bool{id: true}); len(deps) > 0 {
			out[rel] = deps
		}
	}
	return normalize(out), nil
}

// MergeInputs joins input maps: a table's inputs are those of every map.
func MergeInputs(maps ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, m := range maps {
		for t, ins := range m {
			out[t] = append(out[t], ins...)
		}
	}
	return normalize(out)
}

// normalize sorts each table's inputs and drops repeats and the table itself.
func normalize(m map[string][]string) map[string][]string {
	for t, ins := range m {
		sort.Strings(ins)
		ins = slices.Compact(ins)
		m[t] = slices.DeleteFunc(ins, func(s string) bool { return s == t })
	}
	return m
}
