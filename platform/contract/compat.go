package contract

import (
	"fmt"
	"slices"
	"strings"
)

// CheckCompatible reports whether next may replace prev as the contract of an
// event type: every body valid under prev must stay valid under next, and the
// Iceberg field IDs of prev's fields must not move. It enforces:
//
//   - same domain and event, next.Version > prev.Version;
//   - prev's fields are a prefix of next's fields, in the same order, each
//     with the same type, the same required-ness and the same validation
//     keywords (annotations such as description and x-pii may change);
//   - an enum may only gain values;
//   - fields added by next are optional.
//
// The error wraps ErrIncompatible and lists every problem.
func CheckCompatible(prev, next *Contract) error {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if prev.Domain != next.Domain || prev.Event != next.Event {
		add("different event: %s vs %s", prev, next)
	}
	if next.Version <= prev.Version {
		add("version %d must be greater than %d", next.Version, prev.Version)
	}
	for i, pf := range prev.Fields {
		if i >= len(next.Fields) {
			add("field %s removed", pf.Name)
			continue
		}
		nf := next.Fields[i]
		if nf.Name != pf.Name {
			if _, ok := next.Field(pf.Name); ok {
				add("field %s moved from position %d (fields may only be added at the end)", pf.Name, i+1)
			} else {
				add("field %s removed", pf.Name)
			}
			continue
		}
		if nf.Type != pf.Type {
			add("field %s changed type from %s to %s", pf.Name, pf.Type, nf.Type)
		}
		if nf.Required != pf.Required {
			add("field %s changed from required=%t to required=%t", pf.Name, pf.Required, nf.Required)
		}
		if nf.rules != pf.rules {
			add("field %s changed its validation rules from %s to %s", pf.Name, pf.rules, nf.rules)
		}
		if pf.Enum == nil && nf.Enum != nil {
			add("field %s gained an enum", pf.Name)
		}
		for _, v := range pf.Enum {
			if nf.Enum != nil && !slices.Contains(nf.Enum, v) {
				add("field %s dropped enum value %q", pf.Name, v)
			}
		}
	}
	for _, nf := range next.Fields[min(len(prev.Fields), len(next.Fields)):] {
		if _, existed := prev.Field(nf.Name); !existed && nf.Required {
			add("new field %s must be optional", nf.Name)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s -> %s: %s", ErrIncompatible, prev.Name(), next.Name(), strings.Join(errs, "; "))
	}
	return nil
}
