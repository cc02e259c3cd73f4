package dags

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// fuzzPath is the file name every fuzzed declaration is parsed under.
const fuzzPath = "domains/x/dags/pipelines.yaml"

// locatedRE matches a clear error line: "<file>:<line>: <field>: ...", a
// YAML error with its line, or the whole file ("empty file"). A YAML syntax
// error the library reports without a line ("yaml: found unexpected end of
// stream") is let through as the library words it.
var locatedRE = regexp.MustCompile(`^` + regexp.QuoteMeta(ErrInvalid.Error()+": "+fuzzPath) + `(:\d+: \S|: yaml: |: empty file$)`)

// FuzzParse feeds declaration files to Parse, for one of the repository's
// domains chosen by the first argument. It asserts: no panic; every line of an
// error wraps ErrInvalid and names the file and a line (and a field when the
// YAML parsed); a file that parses gives DAGs of that domain with a source
// line, a valid id and a task order covering every task; parsing is
// deterministic; Validate and the Airflow rendering do not panic, and the
// Airflow spec is valid JSON that decodes to what was encoded. The corpus in
// testdata/fuzz/FuzzParse holds the repository's dags/*.yaml.
func FuzzParse(f *testing.F) {
	domains, err := domainspec.LoadAll(filepath.Join("..", ".."))
	if err != nil {
		f.Fatal(err)
	}
	byName := map[string]*domainspec.Domain{}
	for _, d := range domains {
		byName[d.Name] = d
	}
	for _, s := range []string{"", "dags: []\n", "defaults: {retries: -1}\ndags: [{type: ingest, schedule: '@daily'}]\n",
		"dags:\n  - type: custom\n    id: a\n    schedule: on_update\n    tasks: [{id: t, command: 'x {{.Domain}}', depends_on: [t]}]\n"} {
		f.Add("orders", []byte(s))
	}
	f.Fuzz(func(t *testing.T, domain string, data []byte) {
		d := byName[domain]
		if d == nil {
			d = domains[len(domain)%len(domains)]
		}
		ds, err := Parse(fuzzPath, data, d)
		if err != nil {
			if ds != nil {
				t.Fatalf("Parse returned DAGs and an error: %v", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.HasPrefix(line, ErrInvalid.Error()) && !locatedRE.MatchString(line) {
					t.Fatalf("error line names no file and line: %q\nin %v", line, err)
				}
			}
			if !locatedRE.MatchString(err.Error()) {
				t.Fatalf("error names no file and line: %v", err)
			}
			return
		}
		if len(ds) == 0 {
			t.Fatal("Parse returned no DAG and no error")
		}
		for _, g := range ds {
			if g.Domain != d.Name || !strings.HasPrefix(g.Source, fuzzPath+":") || g.File != fuzzPath {
				t.Fatalf("DAG %q: domain %q, source %q, file %q", g.ID, g.Domain, g.Source, g.File)
			}
			if !idRE.MatchString(g.ID) {
				t.Fatalf("accepted an invalid id %q", g.ID)
			}
			if len(g.Tasks) == 0 || len(g.TaskOrder()) != len(g.Tasks) {
				t.Fatalf("DAG %s: %d tasks, %d in dependency order", g.ID, len(g.Tasks), len(g.TaskOrder()))
			}
		}
		again, err := Parse(fuzzPath, data, d)
		if err != nil || !reflect.DeepEqual(ds, again) {
			t.Fatalf("a second Parse differs (err %v)", err)
		}
		_ = Validate(ds)
		if _, err := Order(ds); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("Order: error does not wrap ErrInvalid: %v", err)
		}
		files, err := Airflow(ds)
		if err != nil {
			return
		}
		for _, fl := range files {
			if !strings.HasSuffix(fl.Path, ".json") {
				continue
			}
			var spec AirflowSpec
			if err := json.Unmarshal(fl.Content, &spec); err != nil {
				t.Fatalf("%s is not valid JSON: %v", fl.Path, err)
			}
			if want := NewAirflowSpec(d.Name, ds); !reflect.DeepEqual(spec, want) {
				t.Fatalf("%s does not decode to the spec encoded:\n%+v\n%+v", fl.Path, spec, want)
			}
		}
	})
}
