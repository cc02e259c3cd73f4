package dbt

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"
)

const dbtVersion = "1.9.11"

// ---- macro namespaces --------------------------------------------------------
//
// dbt-core (context/macros.py, MacroNamespace) gives a template rendered
// for a node of package P these macros by name: P's own, then the root
// project's, then dbt's internal ones (which this package implements in Go:
// is_incremental...). Every other package's macros, and also the root
// project's and P's, are reachable only as <package>.<macro>. A macro runs
// in the namespace of the node being rendered (its template is rendered
// with the node's context), not in that of its own package.

// macroByName returns the macro that an unqualified name denotes for a node
// of package pkg: pkg's own, else the root project's; nil if none.
func (p *Project) macroByName(pkg, name string) *Macro {
	if m := p.pkgMacros[pkg][name]; m != nil {
		return m
	}
	return p.pkgMacros[p.Name][name]
}

// resolveMacro returns the macro a called name (x or <package>.x) denotes
// for a node of package pkg; nil if it names no macro.
func (p *Project) resolveMacro(pkg, dotted string) *Macro {
	root := rootName(dotted)
	if root == dotted {
		return p.macroByName(pkg, root)
	}
	if p.macroByName(pkg, root) != nil {
		return nil // an attribute of a macro, not a macro
	}
	if ns, ok := p.pkgMacros[root]; ok {
		return ns[dotted[len(root)+1:]]
	}
	return nil
}

// hiddenMacro explains why the unqualified name is not callable for a
// node of package pkg when it is the name of another package's macro:
// "macro cents is defined in package mesh_core: call it as mesh_core.cents";
// "" otherwise.
func (p *Project) hiddenMacro(pkg, name string) string {
	if strings.Contains(name, ".") || p.macroByName(pkg, name) != nil {
		return ""
	}
	var in []string
	for _, pk := range p.Packages {
		if _, ok := p.pkgMacros[pk][name]; ok {
			in = append(in, pk)
		}
	}
	switch len(in) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("macro %s is defined in package %s: call it as %s.%s", name, in[0], in[0], name)
	}
	qualified := make([]string, len(in))
	for i, pk := range in {
		qualified[i] = pk + "." + name
	}
	return fmt.Sprintf("macro %s is defined in packages %s: call it as %s", name, strings.Join(in, ", "), strings.Join(qualified, " or "))
}

// checkCalls rejects, before anything renders, every call to a function
// that is neither a dbt context function we implement, a gonja global, a
// name the template binds itself, nor a macro of the namespace the call is
// made in; and every literal ref()/source() that names nothing.
//
// Every model is checked in the namespace of its package, and so is every
// macro it calls, directly or through other macros, in every branch: a
// package macro that calls a sibling by name works for the package's own
// models but fails for the root project's, exactly as in dbt-core. Macros
// no model calls are then checked in the namespace of their own package.
func (p *Project) checkCalls() error {
	type visit struct {
		pkg   string
		macro *Macro
	}
	seen := map[visit]bool{}
	checked := map[*Macro]bool{}
	// node is the model whose namespace applies, nil for an unused macro.
	var check func(path string, calls []callSite, defined map[string]bool, pkg string, node *Model) error
	check = func(path string, calls []callSite, defined map[string]bool, pkg string, node *Model) error {
		for _, c := range calls {
			if c.name == "" {
				continue
			}
			root := rootName(c.name)
			if needsConnection[root] && p.macroByName(pkg, root) == nil {
				return fmt.Errorf("%w: %s:%d: unknown function '%s' (needs a database connection at compile time; not supported)", ErrUnsupported, path, c.line, c.name)
			}
			if defined[root] {
				continue
			}
			if m := p.resolveMacro(pkg, c.name); m != nil {
				v := visit{pkg, m}
				if !seen[v] {
					seen[v] = true
					checked[m] = true
					if err := check(m.file.path, m.calls, m.defined, pkg, node); err != nil {
						return err
					}
				}
				continue
			}
			if p.macroByName(pkg, root) == nil && !dbtGlobals[root] {
				if node != nil && path == node.tpl.path && node.tpl.macros[c.name] {
					return fmt.Errorf("%w: %s:%d: macro %s is defined in the model itself, where dbt-core cannot call it "+
						"(its parser renames a model's macros to dbt_macro__<name>): move it to a macros/ file", ErrCompile, path, c.line, c.name)
				}
				if h := p.hiddenMacro(pkg, c.name); h != "" {
					if node != nil && path != node.tpl.path {
						h += fmt.Sprintf(" (a macro runs in the namespace of the model it renders for: here %s of %s %s)", node.Path, packageKind(p, pkg), pkg)
					}
					return fmt.Errorf("%w: %s:%d: %s", ErrCompile, path, c.line, h)
				}
				hint := ""
				if n := nearestName(c.name, p.callableNames(pkg)); n != "" {
					hint = fmt.Sprintf(" (did you mean '%s'?)", n)
				}
				return fmt.Errorf("%w: %s:%d: unknown function '%s'%s", ErrUnsupported, path, c.line, c.name, hint)
			}
			args, literal := c.literalArgs()
			switch {
			case c.name == "ref" && literal && len(args) >= 1 && len(args) <= 2:
				name := args[len(args)-1]
				_, isModel := p.Models[name]
				_, isSeed := p.Seeds[name]
				if !isModel && !isSeed {
					return fmt.Errorf("%w: %s:%d: ref('%s') not found%s", ErrCompile, path, c.line, name, p.nearest(name))
				}
			case c.name == "source" && literal && len(args) == 2:
				if _, ok := p.Sources[args[0]+"."+args[1]]; !ok {
					return fmt.Errorf("%w: %s:%d: source('%s', '%s') not found%s", ErrCompile, path, c.line, args[0], args[1], p.nearestSource(args[0]+"."+args[1]))
				}
			}
		}
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		m := p.Models[name]
		if err := check(m.tpl.path, m.tpl.calls, m.tpl.defined, m.Package, m); err != nil {
			return err
		}
	}
	for _, pk := range append(append([]string{}, p.Packages...), p.Name) {
		for _, name := range slices.Sorted(maps.Keys(p.pkgMacros[pk])) {
			m := p.pkgMacros[pk][name]
			if checked[m] {
				continue
			}
			if err := check(m.file.path, m.calls, m.defined, pk, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// packageKind is "project" for the root project, "package" otherwise.
func packageKind(p *Project, pkg string) string {
	if pkg == p.Name {
		return "project"
	}
	return "package"
}

// callableNames are the names callable unqualified for a node of package pkg.
func (p *Project) callableNames(pkg string) []string {
	var out []string
	for n := range dbtGlobals {
		out = append(out, n)
	}
	for _, pk := range []string{p.Name, pkg} {
		for n := range p.pkgMacros[pk] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// discover renders every model once with execute=False, as dbt's parser
// does, recording config(), ref() and source() calls; literal ref() and
// source() calls found in the syntax tree (in any branch) are added, so a
// ref inside {% if is_incremental() %} is a dependency too.
func (p *Project) discover(all []*pkg, root *pkg) error {
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		m := p.Models[name]
		r := &renderer{p: p, pkg: m.Package, model: m}
		if _, err := r.render(m.tpl); err != nil {
			return err
		}
		m.configCall = r.config
		cfg := map[string]any{}
		mergeConfig(cfg, m.unrendered)
		mergeConfig(cfg, r.config)
		if !enabled(cfg) {
			delete(p.Models, name)
			continue
		}
		mc, err := buildConfig(cfg)
		if err != nil {
			where := m.Path
			if m.PatchPath != "" {
				where = m.PatchPath + " or dbt_project.yml"
			}
			return fmt.Errorf("%w: model %s (%s): %v", ErrProject, m.Name, where, err)
		}
		m.Config = mc
		m.Tags = append([]string(nil), mc.Tags...)
		if meta, ok := cfg["meta"].(map[string]any); ok {
			m.Meta = meta
		}
		refs, sources := r.refs, r.sources
		for _, c := range m.tpl.calls {
			args, literal := c.literalArgs()
			if !literal {
				continue
			}
			switch {
			case c.name == "ref" && len(args) >= 1 && len(args) <= 2:
				refs = appendUnique(refs, args[len(args)-1])
			case c.name == "source" && len(args) == 2:
				sources = appendUniquePair(sources, [2]string{args[0], args[1]})
			}
		}
		sort.Strings(refs)
		sort.Slice(sources, func(i, j int) bool {
			return sources[i][0]+"."+sources[i][1] < sources[j][0]+"."+sources[j][1]
		})
		m.Refs, m.Sources = refs, sources
	}
	// Dependencies, now that disabled models are gone.
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		m := p.Models[name]
		var deps []string
		for _, ref := range m.Refs {
			switch {
			case p.Models[ref] != nil:
				deps = appendUnique(deps, p.Models[ref].UniqueID)
			case p.Seeds[ref] != nil:
				deps = appendUnique(deps, p.Seeds[ref].UniqueID)
			default:
				return fmt.Errorf("%w: %s: ref('%s') names a disabled or missing model", ErrCompile, m.Path, ref)
			}
		}
		for _, s := range m.Sources {
			deps = appendUnique(deps, p.Sources[s[0]+"."+s[1]].UniqueID)
		}
		sort.Strings(deps)
		m.DependsOn = deps
	}
	return nil
}

// cte is one injected ephemeral model.
type cte struct {
	id, sql string
}

// Compile renders a model's SQL to executable DuckDB SQL: refs, sources and
// this are resolved through cc.Resolver, ephemeral models become CTEs named
// __dbt__cte__<name> injected at the top, config() renders to "".
func (p *Project) Compile(m *Model, cc CompileContext) (string, error) {
	body, ctes, err := p.compile(m, cc, map[string]bool{})
	if err != nil {
		return "", err
	}
	return injectCTEs(body, ctes), nil
}

// compile renders m and collects the CTEs of the ephemeral models it
// references, depth first and without duplicates, as dbt's
// _recursively_prepend_ctes does.
func (p *Project) compile(m *Model, cc CompileContext, visiting map[string]bool) (string, []cte, error) {
	if m == nil || m.tpl == nil {
		return "", nil, fmt.Errorf("%w: nil or unloaded model", ErrCompile)
	}
	visiting[m.UniqueID] = true
	defer delete(visiting, m.UniqueID)
	r := &renderer{p: p, pkg: m.Package, model: m, cc: cc, execute: true}
	body, err := r.render(m.tpl)
	if err != nil {
		return "", nil, err
	}
	var ctes []cte
	for _, e := range r.ephemerals {
		if visiting[e.UniqueID] {
			return "", nil, fmt.Errorf("%w: ephemeral model %s references itself through %s", ErrCycle, e.Name, m.Name)
		}
		ecc := cc
		ecc.This = "__dbt__cte__" + e.Name
		ecc.IsIncremental = false
		ebody, ectes, err := p.compile(e, ecc, visiting)
		if err != nil {
			return "", nil, err
		}
		for _, c := range append(ectes, cte{id: e.UniqueID, sql: " __dbt__cte__" + e.Name + " as (\n" + ebody + "\n)"}) {
			dup := false
			for _, have := range ctes {
				dup = dup || have.id == c.id
			}
			if !dup {
				ctes = append(ctes, c)
			}
		}
	}
	return body, ctes, nil
}

// injectCTEs reproduces dbt's _inject_ctes_into_sql: after a leading WITH
// (or WITH RECURSIVE) the CTEs are inserted followed by a comma; otherwise
// "with" and the CTEs are inserted before the first non-blank token.
func injectCTEs(sql string, ctes []cte) string {
	if len(ctes) == 0 {
		return sql
	}
	parts := make([]string, len(ctes))
	for i, c := range ctes {
		parts[i] = c.sql
	}
	joined := strings.Join(parts, ", ")
	i := skipBlankAndComments(sql, 0)
	if isWord(sql, i, "with") {
		j := i + 4
		if k := skipBlank(sql, j); isWord(sql, k, "recursive") {
			j = k + len("recursive")
		}
		return sql[:j] + joined + "," + sql[j:]
	}
	f := skipBlank(sql, 0)
	return sql[:f] + "with" + joined + sql[f:]
}

func skipBlank(s string, i int) int {
	for i < len(s) && unicode.IsSpace(rune(s[i])) {
		i++
	}
	return i
}

func skipBlankAndComments(s string, i int) int {
	for {
		i = skipBlank(s, i)
		switch {
		case strings.HasPrefix(s[i:], "--"):
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return len(s)
			}
			i += nl + 1
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return len(s)
			}
			i += end + 4
		default:
			return i
		}
	}
}

func isWord(s string, i int, w string) bool {
	if i+len(w) > len(s) || !strings.EqualFold(s[i:i+len(w)], w) {
		return false
	}
	if i+len(w) == len(s) {
		return true
	}
	c := rune(s[i+len(w)])
	return !(unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_')
}

// relationOf resolves the relation of a node by unique id.
func (p *Project) relationOf(id string, res Resolver) (string, error) {
	if res == nil {
		return "", fmt.Errorf("%w: no Resolver in the CompileContext", ErrCompile)
	}
	for _, m := range p.Models {
		if m.UniqueID == id {
			if m.Config.Materialized == "ephemeral" {
				return "", fmt.Errorf("%w: %s is ephemeral and has no relation to test", ErrCompile, m.Name)
			}
			return res.Ref(m)
		}
	}
	for _, s := range p.Seeds {
		if s.UniqueID == id {
			return res.Seed(s)
		}
	}
	for _, s := range p.Sources {
		if s.UniqueID == id {
			return res.Source(s)
		}
	}
	return "", fmt.Errorf("%w: no node %s", ErrCompile, id)
}

// CompileTest returns SQL selecting the failing rows of a generic test, as
// dbt's default test macros do; a test passes when it returns no row.
func (p *Project) CompileTest(t *Test, cc CompileContext) (string, error) {
	rel, err := p.relationOf(t.Model, cc.Resolver)
	if err != nil {
		return "", fmt.Errorf("compiling test %s: %w", t.Name, err)
	}
	if t.Where != "" {
		rel = "(select * from " + rel + " where " + t.Where + ") dbt_subquery"
	}
	col := t.Column
	switch t.Kind {
	case "not_null":
		return fmt.Sprintf("select %s\nfrom %s\nwhere %s is null\n", col, rel, col), nil
	case "unique":
		return fmt.Sprintf("select\n    %s as unique_field,\n    count(*) as n_records\nfrom %s\nwhere %s is not null\ngroup by %s\nhaving count(*) > 1\n", col, rel, col, col), nil
	case "accepted_values":
		values, _ := t.Args["values"].([]any)
		quote := true
		if q, ok := t.Args["quote"].(bool); ok {
			quote = q
		}
		lits := make([]string, len(values))
		for i, v := range values {
			if quote {
				lits[i] = "'" + strings.ReplaceAll(fmt.Sprint(v), "'", "''") + "'"
			} else {
				lits[i] = pyStr(v)
			}
		}
		return fmt.Sprintf("with all_values as (\n    select\n        %s as value_field,\n        count(*) as n_records\n    from %s\n    group by %s\n)\nselect *\nfrom all_values\nwhere value_field not in (\n    %s\n)\n", col, rel, col, strings.Join(lits, ",")), nil
	case "relationships":
		toID, err := p.resolveTestTarget(fmt.Sprint(t.Args["to"]))
		if err != nil {
			return "", fmt.Errorf("compiling test %s: %w", t.Name, err)
		}
		to, err := p.relationOf(toID, cc.Resolver)
		if err != nil {
			return "", fmt.Errorf("compiling test %s: %w", t.Name, err)
		}
		field := fmt.Sprint(t.Args["field"])
		return fmt.Sprintf("with child as (\n    select %s as from_field\n    from %s\n    where %s is not null\n),\n\nparent as (\n    select %s as to_field\n    from %s\n)\n\nselect\n    from_field\nfrom child\nleft join parent\n    on child.from_field = parent.to_field\nwhere parent.to_field is null\n", col, rel, col, field, to), nil
	}
	return "", fmt.Errorf("%w: generic test %q", ErrUnsupported, t.Kind)
}

// ---- nearest names --------------------------------------------------------------

func (p *Project) nodeNames() []string {
	names := slices.Sorted(maps.Keys(p.Models))
	names = append(names, slices.Sorted(maps.Keys(p.Seeds))...)
	return names
}

func (p *Project) nearest(name string) string {
	if n := nearestNames(name, p.nodeNames(), 3); len(n) > 0 {
		return " (did you mean " + quoteJoin(n) + "?)"
	}
	return ""
}

func (p *Project) nearestSource(key string) string {
	if n := nearestNames(key, slices.Sorted(maps.Keys(p.Sources)), 3); len(n) > 0 {
		return " (known sources: " + quoteJoin(n) + ")"
	}
	return ""
}

func quoteJoin(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = "'" + v + "'"
	}
	return strings.Join(q, ", ")
}

func nearestName(name string, candidates []string) string {
	if n := nearestNames(name, candidates, 1); len(n) > 0 && levenshtein(name, n[0]) <= len(name)/2 {
		return n[0]
	}
	return ""
}

// nearestNames returns up to k candidates by edit distance.
func nearestNames(name string, candidates []string, k int) []string {
	type scored struct {
		s string
		d int
	}
	var all []scored
	for _, c := range candidates {
		d := levenshtein(name, c)
		if strings.Contains(c, name) || strings.Contains(name, c) {
			d = min(d, 1)
		}
		all = append(all, scored{c, d})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].d != all[j].d {
			return all[i].d < all[j].d
		}
		return all[i].s < all[j].s
	})
	var out []string
	for i := 0; i < len(all) && i < k; i++ {
		out = append(out, all[i].s)
	}
	return out
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
