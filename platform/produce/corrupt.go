package produce

import (
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/gen"
)

// Kinds of deliberately invalid messages.
const (
	InjectMalformedJSON   = "malformed_json"
	InjectMissingField    = "missing_required_field"
	InjectWrongType       = "wrong_type"
	InjectEnumViolation   = "enum_violation"
	InjectUnknownType     = "unknown_event_type"
	InjectInvalidUTF8     = "invalid_utf8"
	InjectBadTimestamp    = "bad_timestamp"
	injectHeaderValueNone = ""
)

// InjectedKinds lists every kind Corrupt can produce.
func InjectedKinds() []string {
	return []string{InjectMalformedJSON, InjectMissingField, InjectWrongType, InjectEnumViolation,
		InjectUnknownType, InjectInvalidUTF8, InjectBadTimestamp}
}

// Corrupt turns a valid event into an invalid message of a random kind and
// returns the kind and the body. The event_id is kept so the DLQ entry can be
// traced back to what the producer meant to send.
func Corrupt(r *gen.Rand, c *contract.Contract, ev map[string]any) (string, []byte) {
	kinds := InjectedKinds()
	kind := kinds[r.IntN(len(kinds))]
	bad := make(map[string]any, len(ev))
	for k, v := range ev {
		bad[k] = v
	}
	pick := func(match func(contract.Field) bool) (contract.Field, bool) {
		var cands []contract.Field
		for _, f := range c.Fields {
			if match(f) && f.Name != "event_id" && f.Name != "event_type" {
				cands = append(cands, f)
			}
		}
		if len(cands) == 0 {
			return contract.Field{}, false
		}
		return cands[r.IntN(len(cands))], true
	}
	switch kind {
	case InjectMalformedJSON:
		body := MarshalOrdered(c, bad)
		return kind, body[:len(body)/2]
	case InjectMissingField:
		if f, ok := pick(func(f contract.Field) bool { return f.Required }); ok {
			delete(bad, f.Name)
			return kind, MarshalOrdered(c, bad)
		}
	case InjectWrongType:
		if f, ok := pick(func(f contract.Field) bool { return f.Type == contract.Int64 || f.Type == contract.Float64 }); ok {
			bad[f.Name] = "not-a-number"
			return kind, MarshalOrdered(c, bad)
		}
	case InjectEnumViolation:
		if f, ok := pick(func(f contract.Field) bool { return len(f.Enum) > 0 }); ok {
			bad[f.Name] = "no_such_" + f.Name
			return kind, MarshalOrdered(c, bad)
		}
	case InjectUnknownType:
		bad["event_type"] = c.Event + "_unknown"
		return kind, MarshalOrdered(c, bad)
	case InjectInvalidUTF8:
		if f, ok := pick(func(f contract.Field) bool { return f.Type == contract.String && len(f.Enum) == 0 }); ok {
			bad[f.Name] = rawJSON("\"\xff\xfe" + "bad\"")
			return kind, MarshalOrdered(c, bad)
		}
	case InjectBadTimestamp:
		bad["event_ts"] = "yesterday at noon"
		return kind, MarshalOrdered(c, bad)
	}
	// The contract has no field for the chosen kind: fall back to one that always applies.
	bad["event_type"] = c.Event + "_unknown"
	return InjectUnknownType, MarshalOrdered(c, bad)
}
