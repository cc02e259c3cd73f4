package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// interned holds the strings that bodies of a contract repeat, so that parsing
// does not allocate them for every message: the property names, and the
// string values of enum and const keywords, already boxed in an interface.
// The zero value interns nothing.
type interned struct {
	keys   map[string]string
	values map[string]any
}

// add interns the property names and allowed values of c.
func (in *interned) add(c *Contract) {
	if in.keys == nil {
		in.keys, in.values = map[string]string{}, map[string]any{}
	}
	for _, f := range c.Fields {
		in.keys[f.Name] = f.Name
		for _, v := range f.Enum {
			in.values[v] = v
		}
	}
	in.values[c.Event] = c.Event // the const of event_type
}

// parseBody parses a body into a JSON object whose numbers are json.Number,
// exactly as encoding/json with UseNumber would. Keys and values found in in
// are not allocated again.
//
// The common case, a flat object of scalars without escape sequences, is
// parsed by a small hand-written scanner; anything else (nested values,
// escapes, syntax errors) goes through encoding/json, which also writes the
// error messages.
func parseBody(body []byte, in interned) (map[string]any, error) {
	if !utf8.Valid(body) {
		return nil, ErrInvalidUTF8
	}
	if doc, ok := parseFlat(body, in); ok {
		return doc, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: unexpected data after the JSON value at offset %d", ErrMalformed, dec.InputOffset())
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: want a JSON object, got %s", ErrMalformed, jsonKind(v))
	}
	return doc, nil
}

// parseFlat parses a JSON object whose values are all strings without escape
// sequences, numbers, booleans or null. ok is false for anything else,
// including invalid JSON; the caller then uses encoding/json. body must be
// valid UTF-8.
func parseFlat(b []byte, in interned) (doc map[string]any, ok bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	doc = make(map[string]any, max(len(in.keys), 8))
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return doc, skipWS(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		raw, next, ok := scanString(b, i)
		if !ok {
			return nil, false
		}
		key, known := in.keys[string(raw)] // no allocation for the lookup
		if !known {
			key = string(raw)
		}
		i = skipWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return nil, false
		}
		var v any
		switch c := b[i]; {
		case c == '"':
			raw, next, ok := scanString(b, i)
			if !ok {
				return nil, false
			}
			if iv, ok := in.values[string(raw)]; ok {
				v = iv
			} else {
				v = string(raw)
			}
			i = next
		case c == '-' || (c >= '0' && c <= '9'):
			next, ok := scanNumber(b, i)
			if !ok {
				return nil, false
			}
			v, i = json.Number(b[i:next]), next
		case bytes.HasPrefix(b[i:], []byte("true")):
			v, i = true, i+4
		case bytes.HasPrefix(b[i:], []byte("false")):
			v, i = false, i+5
		case bytes.HasPrefix(b[i:], []byte("null")):
			v, i = nil, i+4
		default: // nested object or array, or invalid
			return nil, false
		}
		doc[key] = v
		i = skipWS(b, i)
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return doc, skipWS(b, i+1) == len(b)
		default:
			return nil, false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString scans the string starting at b[i] == '"' and returns its contents
// and the index after the closing quote. Strings with escapes or control
// characters are declined.
func scanString(b []byte, i int) (raw []byte, next int, ok bool) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// scanNumber scans a JSON number (RFC 8259 grammar) starting at b[i].
func scanNumber(b []byte, i int) (next int, ok bool) {
	digits := func(j int) int {
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i + 1)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}
