package dbt

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// dbtSentinels are the errors Load and Compile may return, each wrapped.
var dbtSentinels = []error{ErrProject, ErrPackage, ErrUnsupported, ErrCompile, ErrSelector, ErrCycle}

// shopFS returns the files of testdata/shop and of its package shared_utils.
func shopFS(f *testing.F) (fstest.MapFS, fstest.MapFS) {
	f.Helper()
	read := func(dir string) fstest.MapFS {
		m := fstest.MapFS{}
		err := fs.WalkDir(os.DirFS(dir), ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(dir + "/" + p)
			m[p] = &fstest.MapFile{Data: b}
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
		return m
	}
	return read("testdata/shop"), read("testdata/shared_utils")
}

// loadWith loads the shop project with file path replaced by data.
func loadWith(shop, utils fstest.MapFS, path string, data []byte) (*Project, error) {
	m := maps.Clone(shop)
	m[path] = &fstest.MapFile{Data: data}
	return Load(m, LoadOptions{Packages: map[string]fs.FS{"shared_utils": utils}, Env: noEnv})
}

func checkDBTError(t *testing.T, err error, path string) {
	t.Helper()
	ok := false
	for _, s := range dbtSentinels {
		ok = ok || errors.Is(err, s)
	}
	if !ok {
		t.Fatalf("error wraps no sentinel of the package: %v", err)
	}
	if !strings.Contains(err.Error(), path) && !projectFileRE.MatchString(err.Error()) {
		t.Fatalf("error names neither %s nor another file and line: %v", path, err)
	}
}

// projectFileRE matches a file and line of the project, e.g. where a source
// declared twice was declared again.
var projectFileRE = regexp.MustCompile(`\b(models|seeds|macros)/[^\s:]+\.(yml|yaml|sql|csv):\d+`)

// FuzzProperties loads the shop project with its property file
// models/schema.yml replaced. It asserts: no panic; every error wraps a
// sentinel of the package and names the file (with its line when the YAML
// does not parse: "models/schema.yml:3: invalid YAML"); a project that loads
// loads again to the same models and tests, and every test compiles or fails
// with a sentinel. The corpus in testdata/fuzz/FuzzProperties holds the
// property files of the test projects and of every domain.
func FuzzProperties(f *testing.F) {
	shop, utils := shopFS(f)
	const path = "models/schema.yml"
	for _, s := range []string{"", "models: {}\n", "models:\n  - name: nope\n", "models:\n  - name: stg_orders\n    columns: [{name: x, data_tests: [{accepted_values: {values: 3}}]}]\n", "sources: [{}]\n"} {
		f.Add([]byte(s))
	}
	yamlLine := regexp.MustCompile(regexp.QuoteMeta(path) + `(:\d+)?: invalid YAML`)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := loadWith(shop, utils, path, data)
		if err != nil {
			checkDBTError(t, err, path)
			if strings.Contains(err.Error(), "invalid YAML") && !yamlLine.MatchString(err.Error()) {
				t.Fatalf("a YAML error does not name the file: %v", err)
			}
			return
		}
		again, err := loadWith(shop, utils, path, data)
		if err != nil {
			t.Fatalf("the second load fails: %v", err)
		}
		if len(again.Tests) != len(p.Tests) || len(again.Models) != len(p.Models) || len(again.Sources) != len(p.Sources) {
			t.Fatalf("the second load differs: %d/%d tests, %d/%d models", len(p.Tests), len(again.Tests), len(p.Models), len(again.Models))
		}
		for i, tt := range p.Tests {
			if again.Tests[i].UniqueID != tt.UniqueID {
				t.Fatalf("test %d: %s, then %s", i, tt.UniqueID, again.Tests[i].UniqueID)
			}
			if _, err := p.CompileTest(tt, compileCtx("shop."+tt.Name, false)); err != nil {
				checkDBTError(t, err, "")
			}
		}
	})
}

// FuzzRender loads the shop project with one more model, models/fuzz.sql, and
// compiles it. It asserts: no panic; every error wraps a sentinel and names
// the file; compiling twice gives the same SQL; and a model without Jinja
// delimiters compiles to itself (less the one trailing newline Jinja drops).
// The corpus in testdata/fuzz/FuzzRender holds the models and macros of the
// test projects and of every domain.
func FuzzRender(f *testing.F) {
	shop, utils := shopFS(f)
	const path = "models/fuzz.sql"
	for _, s := range []string{"select 1", "select 1\n", "{{ ref('stg_orders') }}", "{% if is_incremental() %}x{% endif %}", "{{ config(materialized='table') }}select {{ var('nope') }}",
		"{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ 1/0 }}", "{% for i in range(3) %}{{ i }}{% endfor %}", "{#", "{{ source('orders', 'raw_orders') }}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := loadWith(shop, utils, path, data)
		if err != nil {
			checkDBTError(t, err, path)
			return
		}
		m := p.Models["fuzz"]
		if m == nil {
			return // disabled by its config
		}
		got, err := p.Compile(m, compileCtx("shop.fuzz", false))
		if err != nil {
			checkDBTError(t, err, "")
			if errors.Is(err, ErrCompile) && !strings.Contains(err.Error(), path) && !strings.Contains(err.Error(), "macro") {
				t.Fatalf("compile error names neither the file nor a macro: %v", err)
			}
			return
		}
		again, err := p.Compile(m, compileCtx("shop.fuzz", false))
		if err != nil || again != got {
			t.Fatalf("a second compile differs (err %v):\n%q\n%q", err, got, again)
		}
		s := string(data)
		if !strings.ContainsAny(s, "{\r") {
			if want := strings.TrimSuffix(s, "\n"); got != want {
				t.Fatalf("a model without Jinja changed:\n%q\n%q", want, got)
			}
		}
	})
}
