package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// printer renders validation messages.
var printer = message.NewPrinter(language.English)

// Event is one decoded, valid event: property name -> value. Decode normalizes
// the values by field type:
//
//   - String, UUID, Date: string (a Date stays "YYYY-MM-DD", a calendar date
//     without a time zone)
//   - Timestamp: time.Time in UTC (parsed once, so BatchBuilder does not parse
//     it again; re-encoded as JSON it is RFC 3339 with nanoseconds)
//   - Int64: int64; Float64: float64; Bool: bool
//
// Optional properties absent from the body are absent from the map.
type Event map[string]any

// ID returns the event_id, or "" when it is missing.
func (e Event) ID() string {
	s, _ := e[FieldEventID].(string)
	return s
}

// Type returns the event_type, or "" when it is missing.
func (e Event) Type() string {
	s, _ := e[FieldEventType].(string)
	return s
}

// Time returns event_ts in UTC. It accepts a time.Time (as Decode produces) or
// an RFC 3339 string.
func (e Event) Time() (time.Time, error) {
	return timeValue(e[FieldEventTS], FieldEventTS)
}

// Violation is one reason a body does not satisfy its contract.
type Violation struct {
	Pointer string // JSON pointer into the body: "/qty"; "" for the body itself
	Field   string // top-level property concerned: "qty"; may be "" for the body
	Message string // what is wrong: "maximum: got 5000, want 1000"
}

func (v Violation) String() string {
	p := v.Pointer
	if p == "" {
		p = "/"
	}
	return p + ": " + v.Message
}

// ViolationError is the error Decode returns when a body breaks its contract;
// errors.Is(err, ErrContractViolation) holds. Violations are sorted by pointer.
type ViolationError struct {
	Contract   string // Contract.String(), e.g. "orders/orders.v1"
	Violations []Violation
}

func (e *ViolationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return fmt.Sprintf("%s: %s: %s", ErrContractViolation, e.Contract, strings.Join(parts, "; "))
}

// Is reports whether target is ErrContractViolation.
func (e *ViolationError) Is(target error) bool { return target == ErrContractViolation }

// Fields returns the names of the failing fields, sorted and unique.
func (e *ViolationError) Fields() []string {
	var out []string
	for _, v := range e.Violations {
		if v.Field != "" && (len(out) == 0 || out[len(out)-1] != v.Field) {
			out = append(out, v.Field)
		}
	}
	sort.Strings(out)
	return out
}

// Decode validates one message body against the contract and returns it as an
// Event. Checks, in order: size (ErrTooLarge, before any parsing), UTF-8
// (ErrInvalidUTF8), one JSON object (ErrMalformed), event_type equal to the
// contract's (ErrUnknownEventType), then the JSON Schema with format assertions
// (ErrContractViolation, as a *ViolationError).
func (c *Contract) Decode(body []byte) (Event, error) {
	if len(body) > c.maxBody() {
		return nil, fmt.Errorf("%w: %d bytes, limit %d (%s)", ErrTooLarge, len(body), c.maxBody(), c)
	}
	doc, err := parseBody(body, c.interned)
	if err != nil {
		return nil, err
	}
	if t, ok := doc[FieldEventType].(string); ok && t != c.Event {
		return nil, fmt.Errorf("%w: event_type %s, want %q (%s)", ErrUnknownEventType, quoteShort(t), c.Event, c)
	}
	return c.decodeDoc(doc)
}

func (c *Contract) decodeDoc(doc map[string]any) (Event, error) {
	if c.fast != nil && c.fast.valid(doc) {
		// certainly valid; skip the full validator
	} else if err := c.schema.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("validating against %s: %w", c, err)
		}
		return nil, c.violation(ve)
	}
	// Normalize: the schema guarantees the JSON types, so only conversions
	// that the schema cannot express can fail here.
	var bad []Violation
	for _, f := range c.Fields {
		v, ok := doc[f.Name]
		if !ok {
			continue
		}
		switch f.Type {
		case Int64:
			n, err := toInt64(v.(json.Number))
			if err != nil {
				bad = append(bad, Violation{"/" + escapePtr(f.Name), f.Name, err.Error()})
				continue
			}
			doc[f.Name] = n
		case Float64:
			x, err := v.(json.Number).Float64()
			if err != nil {
				bad = append(bad, Violation{"/" + escapePtr(f.Name), f.Name, "number out of float64 range"})
				continue
			}
			doc[f.Name] = x
		case Timestamp:
			t, err := parseTimestamp(v.(string))
			if err != nil {
				bad = append(bad, Violation{"/" + escapePtr(f.Name), f.Name, "not an RFC 3339 timestamp: " + err.Error()})
				continue
			}
			doc[f.Name] = t
		}
	}
	if bad != nil {
		return nil, &ViolationError{Contract: c.String(), Violations: bad}
	}
	return Event(doc), nil
}

func toInt64(n json.Number) (int64, error) {
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	// JSON Schema calls 1.0 and 1e3 integers too.
	f, err := n.Float64()
	if err == nil && f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		return int64(f), nil
	}
	return 0, fmt.Errorf("integer %s out of int64 range", n)
}

// parseTimestamp parses an RFC 3339 date-time (as validated by the "date-time"
// format, which also allows lower-case 't' and 'z') and returns it in UTC.
func parseTimestamp(s string) (time.Time, error) {
	if t, ok := parseUTCTimestamp(s); ok {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && strings.ContainsAny(s, "tz") {
		t, err = time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	}
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

func (c *Contract) violation(ve *jsonschema.ValidationError) error {
	out := &ViolationError{Contract: c.String()}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, cause := range e.Causes {
				walk(cause)
			}
			return
		}
		ptr := ""
		for _, tok := range e.InstanceLocation {
			ptr += "/" + escapePtr(tok)
		}
		msg := e.ErrorKind.LocalizedString(printer)
		// The library's printer groups digits ("5,000"): format numbers plainly.
		switch k := e.ErrorKind.(type) {
		case *kind.Minimum:
			msg = numMsg("minimum", k.Got, k.Want)
		case *kind.Maximum:
			msg = numMsg("maximum", k.Got, k.Want)
		case *kind.ExclusiveMinimum:
			msg = numMsg("exclusiveMinimum", k.Got, k.Want)
		case *kind.ExclusiveMaximum:
			msg = numMsg("exclusiveMaximum", k.Got, k.Want)
		case *kind.MultipleOf:
			msg = numMsg("multipleOf", k.Got, k.Want)
		}
		if kw := e.ErrorKind.KeywordPath(); len(kw) > 0 && !strings.HasPrefix(msg, kw[len(kw)-1]+":") {
			msg = kw[len(kw)-1] + ": " + msg
		}
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			// Reported at the object; name the missing fields themselves.
			for _, m := range k.Missing {
				out.Violations = append(out.Violations, Violation{ptr + "/" + escapePtr(m), m, "required: missing property"})
			}
			return
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				out.Violations = append(out.Violations, Violation{ptr + "/" + escapePtr(p), p, "additionalProperties: property not in the contract"})
			}
			return
		}
		field := ""
		if len(e.InstanceLocation) > 0 {
			field = e.InstanceLocation[0]
		}
		out.Violations = append(out.Violations, Violation{ptr, field, msg})
	}
	walk(ve)
	sort.SliceStable(out.Violations, func(i, j int) bool { return out.Violations[i].Pointer < out.Violations[j].Pointer })
	return out
}

func numMsg(kw string, got, want *big.Rat) string {
	g, _ := got.Float64()
	w, _ := want.Float64()
	return kw + ": got " + strconv.FormatFloat(g, 'g', -1, 64) + ", want " + strconv.FormatFloat(w, 'g', -1, 64)
}

// Registry dispatches message bodies to the contract of their event_type. For
// an event type with several contract versions, the highest version wins (it
// accepts every body the older versions accept; see CheckCompatible). A
// Registry is safe for concurrent use.
type Registry struct {
	byEvent  map[string]*Contract
	interned interned // names and enum values of all contracts, for parseBody
	maxBody  int
}

// NewRegistry returns a registry of the given contracts. Two different
// contracts with the same event type and version are a programming error: it
// panics.
func NewRegistry(cs ...*Contract) *Registry {
	r := &Registry{byEvent: make(map[string]*Contract, len(cs))}
	for _, c := range cs {
		if old, ok := r.byEvent[c.Event]; ok {
			if old.Version == c.Version && old != c {
				panic(fmt.Sprintf("contract: registering %s twice (%s and %s)", c.Name(), old.Path, c.Path))
			}
			if old.Version > c.Version {
				continue
			}
		}
		r.byEvent[c.Event] = c
		r.interned.add(c)
		r.maxBody = max(r.maxBody, c.maxBody())
	}
	return r
}

// Contract returns the contract that decodes the given event type.
func (r *Registry) Contract(eventType string) (*Contract, bool) {
	c, ok := r.byEvent[eventType]
	return c, ok
}

// EventTypes returns the registered event types, sorted.
func (r *Registry) EventTypes() []string {
	out := make([]string, 0, len(r.byEvent))
	for e := range r.byEvent {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// Decode parses a body once, picks the contract of its event_type and
// validates the body against it. A missing, non-string or unregistered
// event_type fails with ErrUnknownEventType; the other errors are those of
// Contract.Decode. The size check uses the largest MaxBodyBytes of the
// registered contracts (as set when NewRegistry was called) before parsing,
// then the chosen contract's own limit. Once the event type is known, the
// contract is returned even with an error, so that callers can count or
// dead-letter rejects per contract.
func (r *Registry) Decode(body []byte) (*Contract, Event, error) {
	if len(body) > r.maxBody {
		return nil, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), r.maxBody)
	}
	doc, err := parseBody(body, r.interned)
	if err != nil {
		return nil, nil, err
	}
	t, ok := doc[FieldEventType].(string)
	if !ok {
		return nil, nil, fmt.Errorf("%w: event_type missing or not a string (known: %s)", ErrUnknownEventType, strings.Join(r.EventTypes(), ", "))
	}
	c, ok := r.byEvent[t]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s (known: %s)", ErrUnknownEventType, quoteShort(t), strings.Join(r.EventTypes(), ", "))
	}
	if len(body) > c.maxBody() {
		return c, nil, fmt.Errorf("%w: %d bytes, limit %d (%s)", ErrTooLarge, len(body), c.maxBody(), c)
	}
	e, err := c.decodeDoc(doc)
	if err != nil {
		return c, nil, err
	}
	return c, e, nil
}

// quoteShort quotes s for an error message, truncated to 64 bytes: bodies come
// from outside and must not flood the logs.
func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return fmt.Sprintf("%T", v)
	}
}
