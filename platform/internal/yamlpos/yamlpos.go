// Package yamlpos reports what is wrong in a YAML declaration by file, line
// and field, for the parsers of declarations (DAGs, dashboards) to share.
package yamlpos

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Errors collects validation errors of one file; each wraps Kind and reads
// "<file>:<line>: <field>: <message>".
type Errors struct {
	File string
	Kind error
	errs []error
}

// Add records an error at line about field.
func (e *Errors) Add(line int, field, format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf("%w: %s:%d: %s: %s", e.Kind, e.File, line, field, fmt.Sprintf(format, args...)))
}

// Err returns every recorded error joined, or nil.
func (e *Errors) Err() error { return errors.Join(e.errs...) }

// ValueLine returns the line of key's value in mapping n (n's line when absent).
func ValueLine(n *yaml.Node, key string) int {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1].Line
			}
		}
	}
	return n.Line
}
