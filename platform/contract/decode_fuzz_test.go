package contract

import (
	"errors"
	"strings"
	"testing"
)

// decodeSentinels are the errors Decode may return, each wrapped.
var decodeSentinels = []error{ErrTooLarge, ErrInvalidUTF8, ErrMalformed, ErrUnknownEventType, ErrContractViolation}

// FuzzDecode feeds message bodies to Contract.Decode and Registry.Decode of
// orders.v1 (the contract with a fast path). It asserts: no panic; every error
// wraps one of the package's sentinels; a *ViolationError names at least one
// field by its JSON pointer; both entry points agree; and whenever the fast path
// accepts a body, the full JSON Schema validator accepts it too. The
// corpus in testdata/fuzz/FuzzDecode holds real event bodies.
func FuzzDecode(f *testing.F) {
	c, err := Load("testdata/orders.v1.json")
	if err != nil {
		f.Fatal(err)
	}
	if c.fast == nil {
		f.Fatal("orders.v1 must use the fast path")
	}
	reg := NewRegistry(c)
	for _, s := range []string{validBody, `{}`, `{"event_type":"orders"}`, `{"event_type":"nope"}`, `[]`, `{"a":1}x`, "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := c.Decode(b)
		_, re, rerr := reg.Decode(b)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("Contract.Decode (%v) and Registry.Decode (%v) disagree on %q", err, rerr, b)
		}
		if err != nil {
			checkDecodeError(t, b, err)
			checkDecodeError(t, b, rerr)
		} else {
			if e == nil || re == nil {
				t.Fatalf("nil event without an error for %q", b)
			}
			if e.Type() != c.Event {
				t.Fatalf("decoded event_type %q, want %q, for %q", e.Type(), c.Event, b)
			}
		}
		// The fast path never accepts what the full validator rejects.
		if !strings.HasPrefix(strings.TrimSpace(string(b)), "{") {
			return
		}
		doc, perr := parseBody(b, c.interned)
		if perr != nil {
			return
		}
		if c.fast.valid(doc) {
			if verr := c.schema.Validate(doc); verr != nil {
				t.Fatalf("fast path accepted a body the validator rejects: %q: %v", b, verr)
			}
		}
	})
}

func checkDecodeError(t *testing.T, b []byte, err error) {
	t.Helper()
	ok := false
	for _, s := range decodeSentinels {
		if errors.Is(err, s) {
			ok = true
			break
		}
	}
	if !ok {
		t.Fatalf("error wraps no sentinel of the package: %v (body %q)", err, b)
	}
	var ve *ViolationError
	if errors.As(err, &ve) {
		if len(ve.Violations) == 0 {
			t.Fatalf("violation error without violations for %q", b)
		}
		for _, v := range ve.Violations {
			if (v.Pointer != "" && !strings.HasPrefix(v.Pointer, "/")) || v.Message == "" {
				t.Fatalf("violation %+v: want a JSON pointer and a message (body %q)", v, b)
			}
		}
		if ve.Error() == "" {
			t.Fatalf("empty violation message for %q", b)
		}
	}
}
