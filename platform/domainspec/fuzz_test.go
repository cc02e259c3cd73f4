package domainspec

import (
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// fuzzPath is the file name every fuzzed document is parsed under.
const fuzzPath = "domains/fuzz/domain.yaml"

// locatedRE matches what a clear Parse error points at: a line of the file
// ("line 3:", "domain.yaml:3:"), a field ("owners.team", "tables[0].name") or the whole file. A
// YAML syntax error the library reports without a line ("yaml: found
// unexpected end of stream") is let through as the library words it.
var locatedRE = regexp.MustCompile(`line \d+|\.yaml:\d+: |yaml: |\b(name|description|owners\.team|owners\.github|regions|tables\[\d+\]\.name|events\[\d+\]\.[a-z_]+)\b|the file is empty`)

// FuzzParse feeds documents to Parse. It asserts: no panic; every error wraps
// ErrInvalid, names the file and points at a line or a field; and a document
// that parses prints (as YAML) to one that parses to the same Domain. The
// corpus in testdata/fuzz/FuzzParse holds the repository's domain.yaml files.
func FuzzParse(f *testing.F) {
	for _, s := range []string{valid, withColumns, "", "name: x\n", "colour: red\n", "[1, 2]\n", "tables: [{freshness: 3d}]\n", valid + "---\nname: y\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(fuzzPath, data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			if !strings.Contains(err.Error(), fuzzPath) {
				t.Fatalf("error does not name the file: %v", err)
			}
			if !locatedRE.MatchString(err.Error()) {
				t.Fatalf("error names no line or field: %v", err)
			}
			return
		}
		out, err := printDomain(d)
		if err != nil {
			t.Fatalf("printing %+v: %v", d, err)
		}
		again, err := Parse(fuzzPath, out)
		if err != nil {
			t.Fatalf("the printed domain does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normalize(d), normalize(again)) {
			t.Fatalf("round trip changed the domain:\n%+v\n%+v\nprinted:\n%s", d, again, out)
		}
	})
}

// printDomain writes d as YAML, with durations in their text form (a
// Duration has no MarshalYAML: the declarations are only ever read).
func printDomain(d *Domain) ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(d); err != nil {
		return nil, err
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "freshness" {
					v := n.Content[i+1]
					var ns int64
					if err := v.Decode(&ns); err == nil {
						v.Tag, v.Value = "!!str", time.Duration(ns).String()
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&n)
	return yaml.Marshal(&n)
}

// normalize makes nil and empty slices equal: YAML prints both as [].
func normalize(d *Domain) Domain {
	c := *d
	for _, p := range []*[]string{&c.Regions, &c.DependsOn, &c.MasterData, &c.Owners.GitHub} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	if len(c.Events) == 0 {
		c.Events = nil
	}
	if len(c.Tables) == 0 {
		c.Tables = nil
	}
	c.Tables = slices.Clone(c.Tables)
	for i := range c.Tables {
		t := &c.Tables[i]
		t.Columns = slices.Clone(t.Columns)
		if len(t.Columns) == 0 {
			t.Columns = nil
		}
		for j := range t.Columns {
			if len(t.Columns[j].Meta.Glossary) == 0 {
				t.Columns[j].Meta.Glossary = nil
			}
		}
	}
	return c
}
