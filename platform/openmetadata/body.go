package openmetadata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Body is one request the push sends: the create-or-update body of an
// entity, or an addLineage edge.
type Body struct {
	Type Type
	// FQN is the fullyQualifiedName the server gives the entity (for an
	// edge, "<type>:<fqn> -> <type>:<fqn>").
	FQN string
	// Data is the JSON body. References to entities of the push carry
	// placeholder ids (PlaceholderID) until Push resolves them.
	Data map[string]any
}

// JSON is the body as stable, indented JSON (keys sorted, a final newline),
// the form of an export file.
func (b Body) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b.Data); err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", b.Type.Name, b.FQN, err)
	}
	return buf.Bytes(), nil
}

// FileName is the body's file in an export, under its type's folder: the
// FQN with every character other than letters, digits, '.', '_' and '-'
// replaced by '_'.
func (b Body) FileName() string {
	var s strings.Builder
	for _, r := range b.FQN {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			s.WriteRune(r)
		default:
			s.WriteByte('_')
		}
	}
	return s.String() + ".json"
}

// SortBodies puts bodies in push order: by type (Types), then by FQN.
func SortBodies(bodies []Body) {
	sort.SliceStable(bodies, func(i, j int) bool {
		oi, oj := bodies[i].Type.order(), bodies[j].Type.order()
		if oi != oj {
			return oi < oj
		}
		return bodies[i].FQN < bodies[j].FQN
	})
}

// Count is the number of bodies of one type.
type Count struct {
	Type string
	N    int
}

// CountByType counts bodies per type, in push order, types without bodies left out.
func CountByType(bodies []Body) []Count {
	n := map[string]int{}
	for _, b := range bodies {
		n[b.Type.Name]++
	}
	var out []Count
	for _, t := range Types {
		if n[t.Name] > 0 {
			out = append(out, Count{t.Name, n[t.Name]})
		}
	}
	return out
}

// ValidateAll checks every body against its schema; the error lists every
// invalid body.
func ValidateAll(v *Validator, bodies []Body) error {
	var errs []string
	for _, b := range bodies {
		data, err := b.JSON()
		if err == nil {
			err = v.Validate(b.Type.Name, b.FQN, data)
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %d of %d bodies:\n%s", ErrInvalidBody, len(errs), len(bodies), strings.Join(errs, "\n"))
	}
	return nil
}
