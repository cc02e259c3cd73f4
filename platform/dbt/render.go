package dbt

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/nikolalohinski/gonja/v2"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// Target describes the dbt target for target.* in templates.
type Target struct {
	Name     string // e.g. dev
	Schema   string // default schema
	Type     string // adapter type; default "duckdb"
	Database string
	Threads  int
}

// Resolver decides what ref, source and seeds render to: the executor knows
// the DuckDB identifiers.
type Resolver interface {
	// Ref returns the relation SQL of a non-ephemeral model, e.g. orders.stg_orders.
	Ref(model *Model) (string, error)
	// Source returns the relation SQL of a source table, e.g. orders.raw_orders.
	Source(src *Source) (string, error)
	// Seed returns the relation SQL of a seed.
	Seed(seed *Seed) (string, error)
}

// CompileContext is what a compilation needs from the caller.
type CompileContext struct {
	Resolver Resolver
	// This is the relation of the model being built ({{ this }}).
	This string
	// IsIncremental is what is_incremental() returns for incremental models:
	// true when the target relation exists and no full refresh was asked.
	IsIncremental bool
	Target        Target
}

// dbtGlobals are the names the renderer defines, besides macros.
var dbtGlobals = map[string]bool{
	"ref": true, "source": true, "config": true, "var": true, "env_var": true, "is_incremental": true,
	"this": true, "target": true, "return": true, "log": true, "print": true, "exceptions": true,
	"tojson": true, "fromjson": true, "local_md5": true, "set": true, "execute": true, "model": true,
	"project_name": true, "dbt_version": true, "flags": true,
	// gonja's global functions
	"cycler": true, "dict": true, "joiner": true, "lipsum": true, "namespace": true, "range": true,
	"_": true, "gettext": true, "ngettext": true, "self": true,
}

// needsConnection are dbt context members that need a live adapter at
// compile time; they are outside the supported subset.
var needsConnection = map[string]bool{
	"adapter": true, "run_query": true, "statement": true, "load_result": true, "graph": true,
	"modules": true, "load_relation": true, "api": true, "store_result": true, "store_raw_result": true,
}

// relation is what ref(), source() and this render to. It prints as its SQL
// and exposes database, schema, identifier and name like a dbt Relation.
type relation struct {
	sql                          string
	database, schema, identifier string
}

func newRelation(sql string) *relation {
	r := &relation{sql: sql}
	parts := strings.Split(strings.ReplaceAll(sql, `"`, ""), ".")
	switch len(parts) {
	case 1:
		r.identifier = parts[0]
	case 2:
		r.schema, r.identifier = parts[0], parts[1]
	default:
		r.database, r.schema, r.identifier = parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
	}
	return r
}

func (r *relation) String() string { return r.sql }

// GetAttribute implements exec.AttributeGetter.
func (r *relation) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "database":
		return exec.AsValue(r.database), true
	case "schema":
		return exec.AsValue(r.schema), true
	case "identifier", "name", "table":
		return exec.AsValue(r.identifier), true
	case "render":
		return exec.AsValue(func(*exec.VarArgs) (any, error) { return r.sql, nil }), true
	}
	return exec.AsValue(nil), false
}

// configFunc is config(): callable, with get and require attributes. A
// func value cannot hold fields, so GetAttribute asks the function itself
// for the attribute through a reserved keyword argument.
type configFunc func(*exec.VarArgs) (any, error)

const attrKwarg = "__dbt_config_attr__"

// GetAttribute implements exec.AttributeGetter.
func (c configFunc) GetAttribute(name string) (*exec.Value, bool) {
	va := exec.NewVarArgs()
	va.KwArgs[attrKwarg] = exec.AsValue(name)
	v, err := c(va)
	if err != nil || v == nil {
		return exec.AsValue(nil), false
	}
	return exec.AsValue(v), true
}

// renderer renders one template with the dbt context.
type renderer struct {
	p       *Project
	pkg     string
	vars    map[string]any // set only while rendering dbt_project.yml
	model   *Model
	cc      CompileContext
	execute bool

	refs       []string
	sources    [][2]string
	config     map[string]any
	ephemerals []*Model
	own        error
	failed     *Macro // the innermost macro whose call failed
	frames     []*retFrame
}

type retFrame struct {
	set bool
	val any
}

func (r *renderer) fail(err error) error {
	if r.own == nil {
		r.own = err
	}
	return err
}

func argString(va *exec.VarArgs, i int, kw string) (string, bool) {
	if i < len(va.Args) {
		return va.Args[i].String(), true
	}
	if v, ok := va.KwArgs[kw]; ok {
		return v.String(), true
	}
	return "", false
}

func (r *renderer) ref(va *exec.VarArgs) (any, error) {
	var name, pkgName string
	switch len(va.Args) {
	case 1:
		name = va.Args[0].String()
	case 2:
		pkgName, name = va.Args[0].String(), va.Args[1].String()
	default:
		return nil, r.fail(fmt.Errorf("%w: ref() takes a model name, or a package and a model name", ErrCompile))
	}
	r.refs = appendUnique(r.refs, name)
	if m, ok := r.p.Models[name]; ok && (pkgName == "" || m.Package == pkgName) {
		if !r.execute {
			return newRelation(name), nil
		}
		if m.Config.Materialized == "ephemeral" {
			found := false
			for _, e := range r.ephemerals {
				found = found || e == m
			}
			if !found {
				r.ephemerals = append(r.ephemerals, m)
			}
			return newRelation("__dbt__cte__" + m.Name), nil
		}
		if r.cc.Resolver == nil {
			return nil, r.fail(fmt.Errorf("%w: no Resolver in the CompileContext", ErrCompile))
		}
		s, err := r.cc.Resolver.Ref(m)
		if err != nil {
			return nil, r.fail(fmt.Errorf("%w: resolving ref('%s'): %v", ErrCompile, name, err))
		}
		return newRelation(s), nil
	}
	if s, ok := r.p.Seeds[name]; ok && (pkgName == "" || s.Package == pkgName) {
		if !r.execute {
			return newRelation(name), nil
		}
		if r.cc.Resolver == nil {
			return nil, r.fail(fmt.Errorf("%w: no Resolver in the CompileContext", ErrCompile))
		}
		rel, err := r.cc.Resolver.Seed(s)
		if err != nil {
			return nil, r.fail(fmt.Errorf("%w: resolving ref('%s'): %v", ErrCompile, name, err))
		}
		return newRelation(rel), nil
	}
	return nil, r.fail(fmt.Errorf("%w: ref('%s') not found%s", ErrCompile, name, r.p.nearest(name)))
}

func (r *renderer) source(va *exec.VarArgs) (any, error) {
	src, ok1 := argString(va, 0, "source_name")
	tbl, ok2 := argString(va, 1, "table_name")
	if !ok1 || !ok2 {
		return nil, r.fail(fmt.Errorf("%w: source() takes a source name and a table name", ErrCompile))
	}
	s, ok := r.p.Sources[src+"."+tbl]
	if !ok {
		return nil, r.fail(fmt.Errorf("%w: source('%s', '%s') not found%s", ErrCompile, src, tbl, r.p.nearestSource(src+"."+tbl)))
	}
	r.sources = appendUniquePair(r.sources, [2]string{src, tbl})
	if !r.execute {
		return newRelation(s.Schema + "." + s.Identifier), nil
	}
	if r.cc.Resolver == nil {
		return nil, r.fail(fmt.Errorf("%w: no Resolver in the CompileContext", ErrCompile))
	}
	rel, err := r.cc.Resolver.Source(s)
	if err != nil {
		return nil, r.fail(fmt.Errorf("%w: resolving source('%s', '%s'): %v", ErrCompile, src, tbl, err))
	}
	return newRelation(rel), nil
}

// currentConfig is the model's config as config.get sees it.
func (r *renderer) currentConfig() map[string]any {
	out := map[string]any{}
	if r.model != nil {
		mergeConfig(out, r.model.unrendered)
		mergeConfig(out, r.model.configCall)
	}
	mergeConfig(out, r.config)
	if _, ok := out["materialized"]; !ok {
		out["materialized"] = "view"
	}
	return out
}

func (r *renderer) configCall(va *exec.VarArgs) (any, error) {
	if a, ok := va.KwArgs[attrKwarg]; ok {
		return r.configAttr(a.String()), nil
	}
	if len(va.Args) > 0 {
		return nil, r.fail(fmt.Errorf("%w: config() takes keyword arguments only", ErrCompile))
	}
	kw := map[string]any{}
	for k, v := range va.KwArgs {
		kw[k] = v.ToGoSimpleType(false)
	}
	if m, ok := kw["materialized"]; ok {
		if s, _ := m.(string); !materializations[s] {
			return nil, r.fail(fmt.Errorf("%w: config(materialized='%v'): want one of table, view, incremental, ephemeral", ErrProject, m))
		}
	}
	if r.config == nil {
		r.config = map[string]any{}
	}
	mergeConfig(r.config, kw)
	return "", nil
}

func (r *renderer) varFn(va *exec.VarArgs) (any, error) {
	name, ok := argString(va, 0, "name")
	if !ok {
		return nil, r.fail(fmt.Errorf("%w: var() takes a variable name", ErrCompile))
	}
	var vars map[string]any
	if r.vars != nil { // rendering dbt_project.yml: its own vars, then --vars
		vars = map[string]any{}
		for k, v := range r.vars {
			vars[k] = v
		}
		for k, v := range r.p.cliVars {
			vars[k] = v
		}
	} else {
		vars = r.p.varsFor(r.pkg)
	}
	if v, ok := vars[name]; ok {
		return v, nil
	}
	if len(va.Args) > 1 {
		return va.Args[1].Interface(), nil
	}
	if d, ok := va.KwArgs["default"]; ok {
		return d.Interface(), nil
	}
	return nil, r.fail(fmt.Errorf("%w: required var '%s' not found (set it under vars: in dbt_project.yml or pass it with LoadOptions.Vars)", ErrCompile, name))
}

func (r *renderer) envVar(va *exec.VarArgs) (any, error) {
	name, ok := argString(va, 0, "var")
	if !ok {
		return nil, r.fail(fmt.Errorf("%w: env_var() takes a variable name", ErrCompile))
	}
	if v, ok := r.p.env(name); ok {
		return v, nil
	}
	if len(va.Args) > 1 {
		return va.Args[1].String(), nil
	}
	if d, ok := va.KwArgs["default"]; ok {
		return d.String(), nil
	}
	return nil, r.fail(fmt.Errorf("%w: env var required but not provided: '%s'", ErrCompile, name))
}

// configAttr returns config.get or config.require, nil for other names.
func (r *renderer) configAttr(name string) any {
	switch name {
	case "get":
		return func(va *exec.VarArgs) (any, error) {
			key, _ := argString(va, 0, "name")
			if v, ok := r.currentConfig()[key]; ok {
				return v, nil
			}
			if len(va.Args) > 1 {
				return va.Args[1].Interface(), nil
			}
			if d, ok := va.KwArgs["default"]; ok {
				return d.Interface(), nil
			}
			return nil, nil
		}
	case "require":
		return func(va *exec.VarArgs) (any, error) {
			key, _ := argString(va, 0, "name")
			if v, ok := r.currentConfig()[key]; ok {
				return v, nil
			}
			return nil, r.fail(fmt.Errorf("%w: required config '%s' was not set", ErrCompile, key))
		}
	}
	return nil
}

func (r *renderer) isIncremental(*exec.VarArgs) (any, error) {
	if !r.execute || r.model == nil {
		return false, nil
	}
	return r.cc.IsIncremental && r.model.Config.Materialized == "incremental", nil
}

func (r *renderer) returnFn(va *exec.VarArgs) (any, error) {
	if len(r.frames) == 0 {
		return nil, r.fail(fmt.Errorf("%w: return() outside a macro", ErrCompile))
	}
	f := r.frames[len(r.frames)-1]
	f.set = true
	if len(va.Args) > 0 {
		f.val = va.Args[0].Interface()
	}
	return "", nil
}

func (r *renderer) raise(va *exec.VarArgs) (any, error) {
	msg := ""
	if len(va.Args) > 0 {
		msg = va.Args[0].String()
	}
	return nil, r.fail(fmt.Errorf("%w: %s", ErrCompile, msg))
}

func (r *renderer) target() map[string]any {
	t := r.cc.Target
	if t.Type == "" {
		t.Type = "duckdb"
	}
	if t.Name == "" {
		t.Name = "dev"
	}
	if t.Threads == 0 {
		t.Threads = 1
	}
	return map[string]any{
		"name": t.Name, "schema": t.Schema, "type": t.Type, "database": t.Database,
		"threads": t.Threads, "profile_name": r.p.ProfileName, "target_name": t.Name,
	}
}

// context builds the template context for one render.
func (r *renderer) context() *exec.Context {
	ctx := gonja.DefaultContext.Inherit()
	cfg := configFunc(r.configCall)
	this := newRelation(r.cc.This)
	if !r.execute && r.model != nil {
		this = newRelation(r.model.Name)
	}
	data := map[string]any{
		"ref":            r.ref,
		"source":         r.source,
		"config":         cfg,
		"var":            r.varFn,
		"env_var":        r.envVar,
		"is_incremental": r.isIncremental,
		"this":           this,
		"target":         r.target(),
		"return":         r.returnFn,
		"execute":        r.execute,
		"project_name":   r.p.Name,
		"dbt_version":    dbtVersion,
		"flags":          map[string]any{"FULL_REFRESH": false, "WHICH": "run"},
		"log":            func(*exec.VarArgs) (any, error) { return "", nil },
		"print":          func(*exec.VarArgs) (any, error) { return "", nil },
		"exceptions": map[string]any{
			"raise_compiler_error": r.raise,
			"warn":                 func(*exec.VarArgs) (any, error) { return "", nil },
		},
		"tojson": func(va *exec.VarArgs) (any, error) {
			if len(va.Args) == 0 {
				return "null", nil
			}
			b, err := json.Marshal(va.Args[0].ToGoSimpleType(false))
			return string(b), err
		},
		"fromjson": func(va *exec.VarArgs) (any, error) {
			var v any
			if len(va.Args) == 0 {
				return nil, nil
			}
			err := json.Unmarshal([]byte(va.Args[0].String()), &v)
			return v, err
		},
		"local_md5": func(va *exec.VarArgs) (any, error) {
			s := md5.Sum([]byte(va.First().String()))
			return hex.EncodeToString(s[:]), nil
		},
		"set": func(va *exec.VarArgs) (any, error) {
			var out []any
			seen := map[string]bool{}
			if len(va.Args) > 0 {
				va.Args[0].Iterate(func(_, _ int, key, _ *exec.Value) bool {
					if !seen[key.String()] {
						seen[key.String()] = true
						out = append(out, key.Interface())
					}
					return true
				}, func() {})
			}
			return out, nil
		},
	}
	if r.model != nil {
		cfgMap := r.currentConfig()
		alias := r.model.Name
		if a, ok := cfgMap["alias"].(string); ok && a != "" {
			alias = a
		}
		data["model"] = map[string]any{
			"name": r.model.Name, "unique_id": r.model.UniqueID, "alias": alias, "package_name": r.model.Package,
			"path": r.model.Path, "original_file_path": r.model.Path, "resource_type": "model", "config": cfgMap,
			"description": r.model.Description, "tags": r.model.Tags, "meta": r.model.Meta,
		}
	}
	for k, v := range data {
		ctx.Set(k, v)
	}
	// Macros, in dbt's namespace for a node of package r.pkg (dbt-core's
	// MacroNamespace): by name, the macros of r.pkg, then those of the root
	// project; every package's (the root project's too) as
	// <package>.<macro>. Each macro file gets one renderer on a child of
	// this context: a macro runs in the namespace of the node being
	// rendered, whatever package it comes from, as in dbt.
	namespaces := map[string]map[string]any{}
	byFile := map[*template]*exec.Renderer{}
	pkgs := append(append([]string{}, r.p.Packages...), r.p.Name)
	for _, pk := range pkgs {
		ns := map[string]any{}
		for _, n := range slices.Sorted(maps.Keys(r.p.pkgMacros[pk])) {
			m := r.p.pkgMacros[pk][n]
			mr, ok := byFile[m.file]
			if !ok {
				mr = exec.NewRenderer(newEnvironment(ctx.Inherit()), io.Discard, jinjaConfig(), nil, m.file.t)
				byFile[m.file] = mr
			}
			fn, err := exec.MacroNodeToFunc(m.file.t.Macros()[n], mr)
			if err != nil {
				continue
			}
			ns[n] = r.wrapMacro(m, fn, mr)
		}
		namespaces[pk] = ns
	}
	flat := map[string]bool{}
	for _, pk := range []string{r.p.Name, r.pkg} { // the node's own package wins
		for n, fn := range namespaces[pk] {
			ctx.Set(n, fn)
			flat[n] = true
		}
	}
	for pk, ns := range namespaces {
		if _, clash := data[pk]; !clash && !flat[pk] {
			ctx.Set(pk, ns)
		}
	}
	return ctx
}

// dbtMacro is a project or package macro as templates see it.
type dbtMacro func(*exec.VarArgs) *exec.Value

// wrapMacro gives a macro dbt's return() (a value returned with return()
// replaces the rendered text) and the caller of a {% call %} block, which
// the block passes as the reserved keyword argument callerKwarg. mr is the
// renderer of the macro's file.
func (r *renderer) wrapMacro(m *Macro, fn exec.Macro, mr *exec.Renderer) dbtMacro {
	return func(va *exec.VarArgs) *exec.Value {
		if c, ok := va.KwArgs[callerKwarg]; ok {
			delete(va.KwArgs, callerKwarg)
			mr.Environment.Context.Set(gonjaCallerSlot, c.Interface())
			defer mr.Environment.Context.Set(gonjaCallerSlot, nil)
		}
		f := &retFrame{}
		r.frames = append(r.frames, f)
		out := fn(va)
		r.frames = r.frames[:len(r.frames)-1]
		if out.IsError() {
			if r.failed == nil {
				r.failed = m // the innermost macro that failed
			}
			return out
		}
		if f.set {
			return exec.AsValue(f.val)
		}
		return out
	}
}

// render executes tp with the dbt context. gonja panics on some expressions
// (an integer modulo by zero: {{ 1 % 0 }}); that is the template's error, not
// a reason to stop the process.
func (r *renderer) render(tp *template) (out string, err error) {
	ctx := r.context()
	defer func() {
		if v := recover(); v != nil {
			out, err = "", fmt.Errorf("%w: %s: the template cannot be rendered: %v", ErrCompile, tp.path, v)
		}
	}()
	out, err = tp.t.ExecuteToString(ctx)
	if err != nil {
		return "", renderError(tp.path, err, r.own, r.failed, func(name string) string { return r.p.hiddenMacro(r.pkg, name) })
	}
	return out, nil
}

func appendUnique(s []string, v string) []string {
	for _, e := range s {
		if e == v {
			return s
		}
	}
	return append(s, v)
}

func appendUniquePair(s [][2]string, v [2]string) [][2]string {
	for _, e := range s {
		if e == v {
			return s
		}
	}
	return append(s, v)
}
