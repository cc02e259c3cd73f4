// Config merging: vars per package, dbt_project.yml config trees, tags and
// meta, and the merged map turned into a ModelConfig.

package dbt

import (
	"fmt"
	"sort"
	"strings"
)

// varsFor returns the vars visible in package name: global project vars,
// then vars scoped to the package, then --vars.
func (p *Project) varsFor(name string) map[string]any {
	out := map[string]any{}
	scoped := map[string]bool{p.Name: true}
	for _, k := range p.Packages {
		scoped[k] = true
	}
	scoped[name] = true
	layer := func(vars map[string]any) {
		for k, v := range vars {
			if _, isMap := v.(map[string]any); isMap && scoped[k] {
				continue
			}
			out[k] = v
		}
		if m, ok := vars[name].(map[string]any); ok {
			for k, v := range m {
				out[k] = v
			}
		}
	}
	if name != p.Name {
		layer(p.pkgVars[name])
	}
	layer(p.pkgVars[p.Name])
	for k, v := range p.cliVars {
		out[k] = v
	}
	return out
}

func (s *Seed) applyConfig(cfg map[string]any) {
	if ct, ok := cfg["column_types"].(map[string]any); ok {
		if s.ColumnTypes == nil {
			s.ColumnTypes = map[string]string{}
		}
		for k, v := range ct {
			s.ColumnTypes[k] = fmt.Sprint(v)
		}
	}
	if v, ok := cfg["schema"].(string); ok {
		s.Schema = v
	}
	if v, ok := cfg["alias"].(string); ok {
		s.Alias = v
	}
	s.Tags = mergeTags(s.Tags, toStrings(cfg["tags"]))
	if m, ok := cfg["meta"].(map[string]any); ok {
		for k, v := range m {
			s.Meta[k] = v
		}
	}
}

// knownConfigs are keys dbt accepts without the + prefix in dbt_project.yml.
var knownConfigs = map[string]bool{
	"materialized": true, "schema": true, "alias": true, "database": true, "tags": true, "meta": true,
	"enabled": true, "unique_key": true, "on_schema_change": true, "incremental_strategy": true,
	"pre-hook": true, "post-hook": true, "persist_docs": true, "docs": true, "full_refresh": true,
	"column_types": true, "quote_columns": true, "grants": true, "contract": true, "access": true,
	"group": true, "sql_header": true, "delimiter": true,
}

// treeConfig collects the configs of a dbt_project.yml models:/seeds: tree
// along the package name and folder path (the last element is the node name).
func treeConfig(tree map[string]any, pkgName string, rel []string) map[string]any {
	out := map[string]any{}
	level, ok := tree[pkgName].(map[string]any)
	if !ok {
		return out
	}
	apply := func(level map[string]any) {
		keys := make([]string, 0, len(level))
		for k := range level {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := level[k]
			if strings.HasPrefix(k, "+") {
				mergeConfig(out, map[string]any{k[1:]: v})
			} else if _, isMap := v.(map[string]any); (!isMap || k == "meta" || k == "column_types" || k == "docs" || k == "persist_docs" || k == "grants" || k == "contract") && knownConfigs[k] {
				mergeConfig(out, map[string]any{k: v})
			}
		}
	}
	apply(level)
	for _, part := range rel {
		next, ok := level[part].(map[string]any)
		if !ok {
			break
		}
		level = next
		apply(level)
	}
	return out
}

// mergeConfig merges src into dst the way dbt does: tags accumulate, meta
// merges key by key, everything else is replaced.
func mergeConfig(dst, src map[string]any) {
	for k, v := range src {
		switch k {
		case "tags":
			dst[k] = anyStrings(mergeTags(toStrings(dst[k]), toStrings(v)))
		case "meta":
			m, _ := dst[k].(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			if sm, ok := v.(map[string]any); ok {
				for kk, vv := range sm {
					m[kk] = vv
				}
			}
			dst[k] = m
		default:
			dst[k] = v
		}
	}
}

func anyStrings(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func mergeTags(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// toStrings accepts a string or a list of strings.
func toStrings(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		return []string{t}
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, fmt.Sprint(e))
		}
		return out
	default:
		return []string{fmt.Sprint(t)}
	}
}

var materializations = map[string]bool{"table": true, "view": true, "incremental": true, "ephemeral": true}

// buildConfig turns a merged config map into a ModelConfig.
func buildConfig(cfg map[string]any) (ModelConfig, error) {
	mc := ModelConfig{Materialized: "view", OnSchemaChange: "ignore", Extra: map[string]any{}}
	for k, v := range cfg {
		switch k {
		case "materialized":
			s, _ := v.(string)
			if !materializations[s] {
				return mc, fmt.Errorf("invalid materialized %q: want one of table, view, incremental, ephemeral", fmt.Sprint(v))
			}
			mc.Materialized = s
		case "unique_key":
			mc.UniqueKey = toStrings(v)
		case "alias":
			mc.Alias = fmt.Sprint(v)
		case "schema":
			mc.Schema = fmt.Sprint(v)
		case "tags":
			mc.Tags = toStrings(v)
		case "on_schema_change":
			mc.OnSchemaChange = fmt.Sprint(v)
		case "incremental_strategy":
			mc.IncrementalStrategy = fmt.Sprint(v)
		default:
			mc.Extra[k] = v
		}
	}
	return mc, nil
}

// enabled reports the enabled config (default true).
func enabled(cfg map[string]any) bool {
	if v, ok := cfg["enabled"].(bool); ok {
		return v
	}
	return true
}
