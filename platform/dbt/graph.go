package dbt

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// parents returns the models a model depends on (seeds and sources are not
// models and are left out).
func (p *Project) parents(m *Model) []*Model {
	var out []*Model
	for _, ref := range m.Refs {
		if pm, ok := p.Models[ref]; ok {
			out = append(out, pm)
		}
	}
	return out
}

// children maps each model name to the models that ref it.
func (p *Project) children() map[string][]*Model {
	out := map[string][]*Model{}
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		m := p.Models[name]
		for _, pm := range p.parents(m) {
			out[pm.Name] = append(out[pm.Name], m)
		}
	}
	return out
}

// Select returns the models matching a dbt-style selector, sorted by name:
// "name", "+name" (with its ancestors), "name+" (with its descendants),
// "+name+", "tag:x", "path:models/marts", "package:x",
// "config.materialized:incremental"; several space-separated selectors are
// a union; "" selects every model. Graph operators apply to every method.
// A name that matches nothing is an error listing the nearest names.
func (p *Project) Select(selector string) ([]*Model, error) {
	fields := strings.Fields(selector)
	if len(fields) == 0 {
		return p.sortedModels(), nil
	}
	chosen := map[string]*Model{}
	kids := p.children()
	for _, f := range fields {
		up := strings.HasPrefix(f, "+")
		down := strings.HasSuffix(f, "+")
		core := strings.TrimSuffix(strings.TrimPrefix(f, "+"), "+")
		if core == "" {
			return nil, fmt.Errorf("%w: %q selects nothing", ErrSelector, f)
		}
		base, err := p.selectMethod(core)
		if err != nil {
			return nil, err
		}
		for _, m := range base {
			chosen[m.Name] = m
			if up {
				p.walkUp(m, chosen)
			}
			if down {
				walkDown(m, kids, chosen)
			}
		}
	}
	out := make([]*Model, 0, len(chosen))
	for _, name := range slices.Sorted(maps.Keys(chosen)) {
		out = append(out, chosen[name])
	}
	return out, nil
}

func (p *Project) sortedModels() []*Model {
	out := make([]*Model, 0, len(p.Models))
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		out = append(out, p.Models[name])
	}
	return out
}

func (p *Project) selectMethod(core string) ([]*Model, error) {
	method, value, hasMethod := strings.Cut(core, ":")
	if !hasMethod {
		method, value = "name", core
	}
	var out []*Model
	switch method {
	case "name", "fqn":
		if m, ok := p.Models[value]; ok {
			return []*Model{m}, nil
		}
		return nil, fmt.Errorf("%w: no model named %q%s", ErrSelector, value, p.nearestModel(value))
	case "tag":
		for _, m := range p.sortedModels() {
			for _, t := range m.Tags {
				if t == value {
					out = append(out, m)
					break
				}
			}
		}
	case "path":
		v := strings.TrimSuffix(strings.TrimPrefix(value, "./"), "/")
		for _, m := range p.sortedModels() {
			if m.Path == v || strings.HasPrefix(m.Path, v+"/") {
				out = append(out, m)
			}
		}
	case "package":
		for _, m := range p.sortedModels() {
			if m.Package == value {
				out = append(out, m)
			}
		}
	case "config.materialized":
		for _, m := range p.sortedModels() {
			if m.Config.Materialized == value {
				out = append(out, m)
			}
		}
	default:
		return nil, fmt.Errorf("%w: unsupported selector method %q (supported: name, tag, path, package, config.materialized)", ErrSelector, method)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %q matches no model", ErrSelector, core)
	}
	return out, nil
}

func (p *Project) nearestModel(name string) string {
	if n := nearestNames(name, slices.Sorted(maps.Keys(p.Models)), 3); len(n) > 0 {
		return " (nearest: " + quoteJoin(n) + ")"
	}
	return ""
}

func (p *Project) walkUp(m *Model, into map[string]*Model) {
	for _, pm := range p.parents(m) {
		if _, seen := into[pm.Name]; !seen {
			into[pm.Name] = pm
			p.walkUp(pm, into)
		}
	}
}

func walkDown(m *Model, kids map[string][]*Model, into map[string]*Model) {
	for _, c := range kids[m.Name] {
		if _, seen := into[c.Name]; !seen {
			into[c.Name] = c
			walkDown(c, kids, into)
		}
	}
}

// Order returns models topologically sorted, parents first, ties broken by
// name. Dependencies through models not in the list still order them (the
// whole project graph is sorted, then filtered). A cycle is an error naming
// it.
func (p *Project) Order(models []*Model) ([]*Model, error) {
	all := p.sortedModels()
	indeg := map[string]int{}
	kids := p.children()
	for _, m := range all {
		indeg[m.Name] = len(p.parents(m))
	}
	var ready []string
	for _, m := range all {
		if indeg[m.Name] == 0 {
			ready = append(ready, m.Name)
		}
	}
	var sorted []*Model
	for len(ready) > 0 {
		sort.Strings(ready)
		name := ready[0]
		ready = ready[1:]
		sorted = append(sorted, p.Models[name])
		for _, c := range kids[name] {
			indeg[c.Name]--
			if indeg[c.Name] == 0 {
				ready = append(ready, c.Name)
			}
		}
	}
	if len(sorted) != len(all) {
		return nil, fmt.Errorf("%w: %s", ErrCycle, p.findCycle(indeg))
	}
	want := map[*Model]bool{}
	for _, m := range models {
		want[m] = true
	}
	out := make([]*Model, 0, len(models))
	for _, m := range sorted {
		if want[m] {
			out = append(out, m)
		}
	}
	return out, nil
}

// findCycle names one cycle among the models left with parents.
func (p *Project) findCycle(indeg map[string]int) string {
	var left []string
	for n, d := range indeg {
		if d > 0 {
			left = append(left, n)
		}
	}
	sort.Strings(left)
	state := map[string]int{} // 1 visiting, 2 done
	var stack []string
	var found []string
	var visit func(n string) bool
	visit = func(n string) bool {
		state[n] = 1
		stack = append(stack, n)
		for _, pm := range p.parents(p.Models[n]) {
			if state[pm.Name] == 1 {
				i := len(stack) - 1
				for stack[i] != pm.Name {
					i--
				}
				found = append(append([]string{}, stack[i:]...), pm.Name)
				return true
			}
			if state[pm.Name] == 0 && visit(pm.Name) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return false
	}
	for _, n := range left {
		if state[n] == 0 && visit(n) {
			return strings.Join(found, " -> ") + " (each model refs the next)"
		}
	}
	return strings.Join(left, ", ")
}
