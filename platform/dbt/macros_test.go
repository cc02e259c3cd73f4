package dbt

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withUtils is a root project p (files) that includes the local package
// utils (utilsFiles, plus its dbt_project.yml).
func withUtils(files, utilsFiles map[string]string) (fs.FS, LoadOptions) {
	root := project(files)
	root["packages.yml"] = &fstest.MapFile{Data: []byte("packages:\n  - local: ../utils\n")}
	utils := fstest.MapFS{"dbt_project.yml": {Data: []byte("name: utils\n")}}
	for k, v := range utilsFiles {
		utils[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return root, LoadOptions{Packages: map[string]fs.FS{"utils": utils}, Env: noEnv}
}

// utilsMacros are the package's macros the tests below call.
var utilsMacros = map[string]string{
	"macros/wrap.sql": "{% macro wrap(name) %}select * from ({{ caller() }}) as {{ name }}{% endmacro %}\n" +
		"{% macro each(cols) %}{% for c in cols %}{{ caller(c) }}{% if not loop.last %}, {% endif %}{% endfor %}{% endmacro %}\n" +
		"{% macro each_kw(cols) %}{% for c in cols %}{{ caller(c, fn='min') if loop.last else caller(c) }}{% if not loop.last %}, {% endif %}{% endfor %}{% endmacro %}\n" +
		"{% macro shout() %}{{ return(caller() | upper) }}{% endmacro %}\n" +
		"{% macro twice() %}{{ caller() }} union all {{ caller() }}{% endmacro %}\n" +
		"{% macro twice_x() %}{% call utils.twice() %}x{% endcall %}{% endmacro %}\n",
	"macros/select_all.sql": "{% macro select_all(rel) %}{% call utils.wrap('s') %}select * from {{ rel }}{% endcall %}{% endmacro %}\n" +
		"{% macro bad_body() %}{% call utils.wrap('t') %}\n{{ exceptions.raise_compiler_error('inner') }}{% endcall %}{% endmacro %}",
}

// TestCallBlock checks {% call %} with macros defined in other files (the
// root project's, a package's), with and without caller() arguments,
// against the output Jinja2 gives for the same templates.
func TestCallBlock(t *testing.T) {
	tests := []struct {
		name  string
		model string
		want  string
	}{
		{"project macro", "{% call wrap('t') %}select 1 as x{% endcall %}", "select * from (select 1 as x) as t"},
		{"package macro", "{% call utils.wrap('t') %}select 1 as x{% endcall %}", "select * from (select 1 as x) as t"},
		{"body sees the call site", "{% set n = 2 %}{% call wrap(name='t') %}select {{ n }} as x from {{ ref('b') }}{% endcall %}",
			"select * from (select 2 as x from shop.b) as t"},
		{"caller with an argument", "select {% call(col) utils.each(['a', 'b']) %}sum({{ col }}){% endcall %}", "select sum(a), sum(b)"},
		{"caller argument with a default, given by keyword", "select {% call(col, fn='max') utils.each_kw(['a', 'b', 'c']) %}{{ fn }}({{ col }}){% endcall %}",
			"select max(a), max(b), min(c)"},
		{"caller called twice", "{% call utils.twice() %}select 1{% endcall %}", "select 1 union all select 1"},
		{"return() of the macro", "select '{% call utils.shout() %}abc{% endcall %}'", "select 'ABC'"},
		{"call block inside a package macro", "{{ utils.select_all('t') }}", "select * from (select * from t) as s"},
		{"call block on a macro of the same file", "{{ utils.twice_x() }}", "x union all x"},
		{"caller() not passed on to macros the macro calls", "{% call utils.select_all('t') %}ignored{% endcall %}", "select * from (select * from t) as s"},
		{"whitespace control", "select {% call(c) utils.each(['a']) -%}\n  {{ c }}\n{%- endcall %}", "select a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, opts := withUtils(map[string]string{
				"models/a.sql":    tc.model,
				"models/b.sql":    "select 1",
				"macros/wrap.sql": "{% macro wrap(name) -%}\nselect * from ({{ caller() }}) as {{ name }}\n{%- endmacro %}",
			}, utilsMacros)
			p, err := Load(fsys, opts)
			require.NoError(t, err)
			got, err := p.Compile(p.Models["a"], compileCtx("shop.a", false))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCallBlockErrors(t *testing.T) {
	tests := []struct {
		name        string
		model       string
		errIs       error
		errContains string
	}{
		{"caller argument not given", "select\n{% call(col) utils.twice() %}{{ col }}{% endcall %}",
			ErrCompile, `models/a.sql:2: parameter "col" of caller() was not provided`},
		{"error in the body", "select\n{% call utils.wrap('t') %}\nselect {{ exceptions.raise_compiler_error('boom') }}{% endcall %}",
			ErrCompile, "models/a.sql:2: boom (in the body of a {% call %} block at models/a.sql:3)"},
		{"error in the body of a call block of a package macro", "select\n{{ utils.bad_body() }}",
			ErrCompile, "models/a.sql:2: inner (in the body of a {% call %} block at utils/macros/select_all.sql:3)"},
		{"error in the macro", "select\n{% call utils.wrap(1, 2) %}x{% endcall %}",
			ErrCompile, "models/a.sql:2: macro 'wrap' received 2 arguments but expected only 1"},
		{"not a call", "{% call utils %}x{% endcall %}", ErrCompile, "models/a.sql:1: jinja syntax error: Expected a macro call after {% call %}"},
		{"unknown macro", "select\n{% call nope() %}x{% endcall %}", ErrUnsupported, "models/a.sql:2: unknown function 'nope'"},
		{"macro of the model itself", "{% macro br() %}[{{ caller() }}]{% endmacro %}\n{% call br() %}x{% endcall %}",
			ErrCompile, "models/a.sql:2: macro br is defined in the model itself, where dbt-core cannot call it"},
		{"package macro unqualified", "select\n{% call wrap('t') %}x{% endcall %}",
			ErrCompile, "models/a.sql:2: macro wrap is defined in package utils: call it as utils.wrap"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, opts := withUtils(map[string]string{"models/a.sql": tc.model}, utilsMacros)
			_, err := Load(fsys, opts)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.errIs), "want %v, got %v", tc.errIs, err)
			assert.Contains(t, err.Error(), tc.errContains)
		})
	}
}

// namespaceUtils is a package whose macros call each other both ways.
var namespaceUtils = map[string]string{
	"macros/money.sql": "{% macro cents(x) %}round({{ x }}, 2){% endmacro %}\n" +
		"{% macro money(x) %}{{ utils.cents(x) }}{% endmacro %}\n" +
		"{% macro money_by_name(x) %}\n{{ cents(x) }}\n{% endmacro %}\n" +
		"{% macro boom() %}\n{{ exceptions.raise_compiler_error('no') }}\n{% endmacro %}\n",
	// A package's own model sees the package's macros by name.
	"models/u.sql": "select {{ money_by_name('1') }} as m, {{ cents('2') }} as c",
}

// TestMacroNamespaces checks dbt-core's rules: a model sees its own
// package's macros, then the root project's, by name, and every package's
// as <package>.<macro>; a macro runs in the namespace of the model it
// renders for.
func TestMacroNamespaces(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		model string
		want  string
	}{
		{"package macro, qualified", nil, "a", "select round(x, 2)"},
		{"package macro that calls a sibling qualified", map[string]string{"models/a.sql": "select {{ utils.money('x') }}"}, "a", "select round(x, 2)"},
		{"the package's own model calls its macros by name", nil, "u", "select \nround(1, 2)\n as m, round(2, 2) as c"},
		{"root project qualified by its own name", map[string]string{"models/a.sql": "select {{ p.mine() }}", "macros/mine.sql": "{% macro mine() %}1{% endmacro %}"}, "a", "select 1"},
		// A root-project macro of the same name wins for the root project's
		// models and for the package macros they call; the package's own
		// models keep the package's.
		{"root override, root model", map[string]string{"models/a.sql": "select {{ cents('x') }}", "macros/cents.sql": "{% macro cents(x) %}floor({{ x }}){% endmacro %}"}, "a", "select floor(x)"},
		{"root override, package macro called by a root model", map[string]string{"models/a.sql": "select {{ utils.money_by_name('x') }}", "macros/cents.sql": "{% macro cents(x) %}floor({{ x }}){% endmacro %}"}, "a", "select \nfloor(x)\n"},
		{"root override, qualified", map[string]string{"models/a.sql": "select {{ utils.cents('x') }}", "macros/cents.sql": "{% macro cents(x) %}floor({{ x }}){% endmacro %}"}, "a", "select round(x, 2)"},
		{"root override, package model", map[string]string{"macros/cents.sql": "{% macro cents(x) %}floor({{ x }}){% endmacro %}"}, "u", "select \nround(1, 2)\n as m, round(2, 2) as c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"models/a.sql": "select {{ utils.cents('x') }}"}
			for k, v := range tc.files {
				files[k] = v
			}
			fsys, opts := withUtils(files, namespaceUtils)
			p, err := Load(fsys, opts)
			require.NoError(t, err)
			got, err := p.Compile(p.Models[tc.model], compileCtx("shop."+tc.model, false))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}

	t.Run("manifest depends_on follows the namespace", func(t *testing.T) {
		fsys, opts := withUtils(map[string]string{"models/a.sql": "select {{ utils.money('x') }}"}, namespaceUtils)
		p, err := Load(fsys, opts)
		require.NoError(t, err)
		a, u := p.Models["a"], p.Models["u"]
		assert.Equal(t, []string{"macro.utils.money"}, p.macroDeps(a.Package, a.tpl.calls, a.tpl.defined))
		assert.Equal(t, []string{"macro.utils.cents", "macro.utils.money_by_name"}, p.macroDeps(u.Package, u.tpl.calls, u.tpl.defined))
		money := p.pkgMacros["utils"]["money"]
		assert.Equal(t, []string{"macro.utils.cents"}, p.macroDeps(money.Package, money.calls, money.defined))
	})
}

func TestMacroNamespaceErrors(t *testing.T) {
	tests := []struct {
		name        string
		files       map[string]string
		errIs       error
		errContains string
	}{
		{"package macro by name", map[string]string{"models/a.sql": "select\n {{ cents('x') }}"},
			ErrCompile, "models/a.sql:2: macro cents is defined in package utils: call it as utils.cents"},
		{"package macro by name in a branch that does not run at parse time", map[string]string{"models/a.sql": "select 1\n{% if is_incremental() %}\n{{ cents('x') }}\n{% endif %}"},
			ErrCompile, "models/a.sql:3: macro cents is defined in package utils: call it as utils.cents"},
		{"package macro that calls a sibling by name, from a root model", map[string]string{"models/a.sql": "select {{ utils.money_by_name('x') }}"},
			ErrCompile, "utils/macros/money.sql:4: macro cents is defined in package utils: call it as utils.cents " +
				"(a macro runs in the namespace of the model it renders for: here models/a.sql of project p)"},
		{"root macro that calls a package macro by name", map[string]string{"models/a.sql": "select 1", "macros/m.sql": "{% macro m() %}\n{{ money('x') }}\n{% endmacro %}"},
			ErrCompile, "macros/m.sql:2: macro money is defined in package utils: call it as utils.money"},
		{"error raised in a package macro", map[string]string{"models/a.sql": "select\n{{ utils.boom() }}"},
			ErrCompile, "models/a.sql:2: no (in macro 'boom' at utils/macros/money.sql:7)"},
		{"unknown macro of a package", map[string]string{"models/a.sql": "select {{ utils.nope() }}"},
			ErrUnsupported, "models/a.sql:1: unknown function 'utils.nope'"},
		// Not a call, so only rendering finds it.
		{"package macro by name, not called", map[string]string{"models/a.sql": "{% set f = cents %}\nselect {{ f('x') }}"},
			ErrCompile, "models/a.sql:1: macro cents is defined in package utils: call it as utils.cents"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, opts := withUtils(tc.files, namespaceUtils)
			_, err := Load(fsys, opts)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.errIs), "want %v, got %v", tc.errIs, err)
			assert.Contains(t, err.Error(), tc.errContains)
		})
	}
}
