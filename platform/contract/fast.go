package contract

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The fast path.
//
// Contracts are flat objects of scalar properties with a closed set of
// keywords, so most of what a general JSON Schema validator does per message
// is not needed. fastValidator re-checks exactly those keywords, reading them
// from the schema compiled by santhosh-tekuri/jsonschema (same regexps, same
// format functions), and only ever answers "certainly valid" or "not sure".
// "Not sure" (any violation, or a corner it does not handle: 3.0 as an
// integer, a number equal to a bound after rounding, a huge integer) sends the
// body to the full validator, which decides and produces the error message.
// The full validator therefore stays the reference; TestFastPathAgrees checks
// that the fast path never accepts a body it rejects.

type fastValidator struct {
	rules    map[string]*fastRule
	required int // number of required properties
}

type fastRule struct {
	typ      FieldType
	required bool
	format   func(string) bool // true: the string has the format
	enum     map[string]struct{}
	constVal *string
	minLen   int // -1: none
	maxLen   int // -1: none
	pattern  jsonschema.Regexp
	// Numeric bounds; nil when absent. Each is also kept as a float64 when
	// exactly representable (ok*), else the fast path declines numbers.
	min, max, exMin, exMax bound
	multipleOf             *big.Rat
}

type bound struct {
	set bool
	f   float64
}

func newBound(r *big.Rat) (bound, bool) {
	if r == nil {
		return bound{}, true
	}
	f, exact := r.Float64()
	return bound{set: true, f: f}, exact
}

// newFastValidator builds the fast path from the compiled schema; it returns
// nil when the schema uses anything the fast path does not re-check.
func newFastValidator(c *Contract, sch *jsonschema.Schema) *fastValidator {
	fv := &fastValidator{rules: make(map[string]*fastRule, len(c.Fields))}
	for _, f := range c.Fields {
		ps := sch.Properties[f.Name]
		if ps == nil || ps.Ref != nil || ps.AllOf != nil || ps.AnyOf != nil || ps.OneOf != nil || ps.Not != nil ||
			ps.If != nil || ps.ContentEncoding != nil || ps.ContentMediaType != nil || len(ps.Extensions) > 0 {
			return nil
		}
		r := &fastRule{typ: f.Type, required: f.Required, minLen: -1, maxLen: -1, pattern: ps.Pattern, multipleOf: ps.MultipleOf}
		if ps.Format != nil {
			r.format = formatCheck(ps.Format)
		}
		if ps.Enum != nil {
			r.enum = map[string]struct{}{}
			for _, v := range ps.Enum.Values {
				s, ok := v.(string)
				if !ok {
					return nil
				}
				r.enum[s] = struct{}{}
			}
		}
		if ps.Const != nil {
			s, ok := (*ps.Const).(string)
			if !ok {
				return nil
			}
			r.constVal = &s
		}
		if ps.MinLength != nil {
			r.minLen = *ps.MinLength
		}
		if ps.MaxLength != nil {
			r.maxLen = *ps.MaxLength
		}
		var ok [4]bool
		r.min, ok[0] = newBound(ps.Minimum)
		r.max, ok[1] = newBound(ps.Maximum)
		r.exMin, ok[2] = newBound(ps.ExclusiveMinimum)
		r.exMax, ok[3] = newBound(ps.ExclusiveMaximum)
		if !ok[0] || !ok[1] || !ok[2] || !ok[3] {
			return nil
		}
		fv.rules[f.Name] = r
		if f.Required {
			fv.required++
		}
	}
	return fv
}

// valid reports whether doc is certainly valid.
func (fv *fastValidator) valid(doc map[string]any) bool {
	required := 0
	for k, v := range doc {
		r := fv.rules[k]
		if r == nil { // additionalProperties: false
			return false
		}
		if r.required {
			required++
		}
		if !r.valid(v) {
			return false
		}
	}
	return required == fv.required
}

func (r *fastRule) valid(v any) bool {
	switch r.typ {
	case String, UUID, Timestamp, Date:
		s, ok := v.(string)
		if !ok {
			return false
		}
		if r.constVal != nil && s != *r.constVal {
			return false
		}
		if r.enum != nil {
			if _, ok := r.enum[s]; !ok {
				return false
			}
		}
		if r.minLen >= 0 || r.maxLen >= 0 {
			n := utf8.RuneCountInString(s)
			if (r.minLen >= 0 && n < r.minLen) || (r.maxLen >= 0 && n > r.maxLen) {
				return false
			}
		}
		if r.pattern != nil && !r.pattern.MatchString(s) {
			return false
		}
		if r.format != nil && !r.format(s) {
			return false
		}
		return true
	case Bool:
		_, ok := v.(bool)
		return ok
	case Int64, Float64:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		var f float64
		if r.typ == Int64 {
			if strings.ContainsAny(string(n), ".eE") {
				return false // 3.0 or 1e3: let the full validator decide
			}
			i, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil || i > 1<<53 || i < -(1<<53) {
				return false
			}
			f = float64(i) // exact
		} else {
			var err error
			if f, err = strconv.ParseFloat(string(n), 64); err != nil {
				return false
			}
			// A float that equals a bound may be a literal just beyond it.
			for _, b := range [...]bound{r.min, r.max, r.exMin, r.exMax} {
				if b.set && f == b.f {
					return false
				}
			}
		}
		if (r.min.set && f < r.min.f) || (r.max.set && f > r.max.f) ||
			(r.exMin.set && f <= r.exMin.f) || (r.exMax.set && f >= r.exMax.f) {
			return false
		}
		if r.multipleOf != nil {
			x, ok := new(big.Rat).SetString(string(n))
			if !ok || !new(big.Rat).Quo(x, r.multipleOf).IsInt() {
				return false
			}
		}
		return true
	}
	return false
}

// formatCheck returns the test of a format for the fast path. For the formats
// contracts use, a hand-written test recognises the usual spelling (a strict
// subset of what the library accepts, so its "yes" is certain) and leaves
// everything else to the library's function: strings.Split and time.Parse
// per uuid and timestamp were a fifth of the cost of decoding an event.
func formatCheck(f *jsonschema.Format) func(string) bool {
	lib := func(s string) bool { return f.Validate(s) == nil }
	var quick func(string) bool
	switch f.Name {
	case "uuid":
		quick = isUUID
	case "date-time":
		quick = func(s string) bool { _, ok := parseUTCTimestamp(s); return ok }
	case "date":
		quick = func(s string) bool { _, _, _, ok := parseDate(s); return ok }
	default:
		return lib
	}
	return func(s string) bool { return quick(s) || lib(s) }
}

// isUUID reports whether s is 8-4-4-4-12 hex digits, either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// parseDate parses YYYY-MM-DD with a day that exists in its month.
func parseDate(s string) (y, m, d int, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// parseUTCTimestamp parses the one spelling producers use,
// YYYY-MM-DDTHH:MM:SS[.fraction of 1 to 9 digits]Z, as time.Parse with
// time.RFC3339Nano would, without its generality. Anything else (offsets,
// lower case, leap seconds, longer fractions) is not ok: the caller falls back
// to time.Parse.
func parseUTCTimestamp(s string) (time.Time, bool) {
	if len(s) < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	y, mo, d, ok := parseDate(s[:10])
	if !ok {
		return time.Time{}, false
	}
	h, ok1 := digits(s[11:13])
	mi, ok2 := digits(s[14:16])
	sec, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	ns := 0
	if frac := s[19 : len(s)-1]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := digits(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(frac) - 1; i < 9; i++ {
			n *= 10
		}
		ns = n
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), true
}

// digits parses a non-empty string of ASCII digits.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
