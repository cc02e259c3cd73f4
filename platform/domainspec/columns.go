package domainspec

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshterious/warehouse/platform/internal/yamlpos"
)

// ColumnTypes are the types a declared column may have: Iceberg's primitive
// types, spelled as Iceberg prints them, so that a declared type and the
// lakehouse's type of the same column read the same.
var ColumnTypes = []string{
	"boolean", "int", "long", "float", "double", "date", "time",
	"timestamp", "timestamptz", "string", "uuid", "binary",
}

// Column declares one column of a table the domain's Go code writes. Every
// declared column is optional (nullable), as the Go steps write them.
type Column struct {
	Name string `yaml:"name"`
	// Type is one of ColumnTypes.
	Type        string     `yaml:"type"`
	Description string     `yaml:"description"`
	Meta        ColumnMeta `yaml:"meta,omitempty"`
}

// ColumnMeta classifies a column with the keys dbt schema.yml files use in a
// column's meta in this repository (pii, access, glossary), so that the
// catalog checks both kinds of declaration alike: the levels against
// metadata/governance.yaml, the terms against metadata/glossary.yaml.
type ColumnMeta struct {
	// PII is a PII level ("personal", "sensitive"); empty when none.
	PII string `yaml:"pii,omitempty"`
	// Access is an access level overriding the PII level's.
	Access string `yaml:"access,omitempty"`
	// Glossary are glossary terms, written as one term or a list.
	Glossary Terms `yaml:"glossary,omitempty"`
}

// Terms are glossary terms: YAML gives one term or a list of terms.
type Terms []string

// UnmarshalYAML accepts a scalar (one term) or a sequence of terms.
func (t *Terms) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		*t = nil
		return nil
	case n.Kind == yaml.ScalarNode:
		*t = Terms{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return fmt.Errorf("line %d: glossary: want a term or a list of terms", n.Line)
	}
	*t = list
	return nil
}

// validateColumns checks the columns of t, declared at field table.
func (t Table) validateColumns(p *problems, table fieldPath) {
	seen := map[string]int{}
	for j, c := range t.Columns {
		col := table.with("columns", j)
		switch k, dup := seen[c.Name]; {
		case !nameRE.MatchString(c.Name):
			p.add(col.with("name"), "%q must match %s", c.Name, nameRE)
		case dup:
			p.add(col.with("name"), "%q is declared twice (also columns[%d])", c.Name, k)
		default:
			seen[c.Name] = j
		}
		switch {
		case c.Type == "":
			p.add(col.with("type"), "is required (one of %s)", strings.Join(ColumnTypes, ", "))
		case !slices.Contains(ColumnTypes, c.Type):
			p.add(col.with("type"), "unknown type %q (want one of %s)", c.Type, strings.Join(ColumnTypes, ", "))
		}
		if strings.TrimSpace(c.Description) == "" {
			p.add(col.with("description"), "is required")
		}
		for k, term := range c.Meta.Glossary {
			if strings.TrimSpace(term) == "" {
				p.add(col.with("meta", "glossary", k), "is an empty term")
			}
		}
	}
}

// fieldPath is where a value sits in the document: mapping keys (string)
// and sequence indexes (int), e.g. tables[2].columns[0].type.
type fieldPath []any

func at(keys ...any) fieldPath { return keys }

func (f fieldPath) with(keys ...any) fieldPath {
	return append(append(fieldPath(nil), f...), keys...)
}

func (f fieldPath) String() string {
	var b strings.Builder
	for _, k := range f {
		switch k := k.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, k)
		}
	}
	return b.String()
}

// line returns the line of the value at f in the document root, or the line
// of its nearest ancestor present (a missing field is reported where its
// mapping is); 0 without a document.
func (f fieldPath) line(root *yaml.Node) int {
	if root == nil {
		return 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, k := range f {
		var next *yaml.Node
		switch k := k.(type) {
		case int:
			if n.Kind == yaml.SequenceNode && k < len(n.Content) {
				next = n.Content[k]
			}
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == k {
						next = n.Content[i+1]
					}
				}
			}
		}
		if next == nil {
			break
		}
		n, line = next, next.Line
	}
	return line
}

// problems collects the validation errors of one domain.yaml.
type problems struct {
	pos  yamlpos.Errors // File is "" when validating a Domain built in code
	root *yaml.Node     // the parsed document, nil without a file
	errs []error        // without a file
}

func newProblems(file string, root *yaml.Node) *problems {
	return &problems{pos: yamlpos.Errors{File: file, Kind: ErrInvalid}, root: root}
}

// add records a problem with the value at field: "<file>:<line>: <field>:
// <message>", or "<field>: <message>" without a file.
func (p *problems) add(field fieldPath, format string, args ...any) {
	if p.pos.File == "" {
		p.errs = append(p.errs, fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...)))
		return
	}
	p.pos.Add(field.line(p.root), field.String(), format, args...)
}

func (p *problems) err() error {
	if p.pos.File == "" {
		return errors.Join(p.errs...)
	}
	return p.pos.Err()
}
