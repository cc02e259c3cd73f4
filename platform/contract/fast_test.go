package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// variants are values tried for each property: valid ones, boundary cases and
// wrong ones, as raw JSON.
var variants = []string{
	`"0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70"`, `"0B6F3C1E-5D2A-4C8E-9F1A-2B3C4D5E6F70"`, `"0b6f3c1e5d2a4c8e9f1a2b3c4d5e6f70"`,
	`"2026-03-14T23:59:58.123456Z"`, `"2026-03-14t23:59:58z"`, `"2026-03-14T23:59:60Z"`, `"2026-02-30T10:00:00Z"`,
	`"2026-03-14T10:00:00+05:30"`, `"2026-03-14"`, `"2026-13-01"`, `"orders"`, `"returns"`,
	`"C-123456"`, `"C-1234567"`, `"P-04217"`, `"WH-NYC-01"`, `"us-east"`, `"USD"`, `"web"`, `"b2b"`, `"express"`,
	`""`, `"\u0043-123456"`, `"é"`, `"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"`, `"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"`,
	`0`, `1`, `-1`, `3`, `3.0`, `1e3`, `1E3`, `1000`, `1001`, `1000.0000000000000001`, `999.9999999999999999`,
	`0.0000000000000000001`, `-0`, `19.99`, `100000`, `100000.00000000000001`, `90`, `90.0000000000000001`,
	`-90`, `-90.0000000000000001`, `180`, `-180.0`, `12345678901234567890`, `9007199254740993`, `1e400`,
	`true`, `false`, `null`, `{}`, `[]`, `{"a":1}`,
}

// randomBody returns a variation of a valid order: some properties replaced by
// a random variant, some removed, sometimes an extra one.
func randomBody(r *rand.Rand, c *Contract, valid map[string]json.RawMessage) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	write := func(k string, v string) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.WriteString(`"` + k + `":` + v)
	}
	for _, f := range c.Fields {
		v, ok := valid[f.Name]
		switch p := r.IntN(60); {
		case p == 0 && f.Required:
			continue // missing
		case p < 3:
			write(f.Name, variants[r.IntN(len(variants))])
		case ok:
			write(f.Name, string(v))
		}
	}
	if r.IntN(30) == 0 {
		write("extra", `"x"`)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

const validBody = `{"event_id":"0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70","event_ts":"2026-03-14T23:59:58.123456Z",` +
	`"event_type":"orders","order_id":"7d9e2f4a-1b3c-4d5e-8f90-a1b2c3d4e5f6","customer_id":"C-123456",` +
	`"product_id":"P-04217","warehouse_id":"WH-NYC-01","region":"us-east","order_ts":"2026-03-14T23:59:57Z",` +
	`"qty":3,"unit_price":19.99,"currency":"USD","channel":"web","priority":"express","promo_code":"SPRING",` +
	`"customer_lat":40.7128,"customer_lon":-74.006}`

// TestFastPathAgrees checks, over many random bodies, that the fast path never
// accepts a body the full JSON Schema validator rejects, and that the flat
// parser agrees with encoding/json.
func TestFastPathAgrees(t *testing.T) {
	c, err := Load("testdata/orders.v1.json")
	require.NoError(t, err)
	require.NotNil(t, c.fast, "orders.v1 must use the fast path")

	var valid map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(validBody), &valid))

	r := rand.New(rand.NewPCG(1, 2))
	var fastAccepted, slowAccepted, flatParsed int
	const n = 20_000
	for range n {
		b := randomBody(r, c, valid)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var ref map[string]any
		require.NoError(t, dec.Decode(&ref), "%s", b)

		if doc, ok := parseFlat(b, c.interned); ok {
			flatParsed++
			require.Equal(t, ref, doc, "flat parser disagrees on %s", b)
		}
		slowOK := c.schema.Validate(ref) == nil
		fastOK := c.fast.valid(ref)
		if slowOK {
			slowAccepted++
		}
		if fastOK {
			fastAccepted++
			require.True(t, slowOK, "fast path accepted a body the validator rejects: %s", b)
		}
	}
	t.Logf("%d bodies: %d valid, %d taken by the fast path, %d parsed by the flat parser", n, slowAccepted, fastAccepted, flatParsed)
	assert.Greater(t, slowAccepted, n/20, "the generator must produce valid bodies too")
	assert.Greater(t, fastAccepted, slowAccepted*8/10, "the fast path should take most valid bodies")
}

func TestParseFlat(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		wantOK bool
	}{
		{"flat", `{"a":"x","b":1,"c":-2.5e3,"d":true,"e":false,"f":null}`, true},
		{"whitespace", " \n{ \"a\" : \"x\" ,\t\"b\" : 1 }\r\n", true},
		{"empty object", `{}`, true},
		{"duplicate key keeps last", `{"a":1,"a":2}`, true},
		{"escape", `{"a":"\"x\""}`, false},
		{"escaped key", `{"\u0061":1}`, false},
		{"nested", `{"a":{"b":1}}`, false},
		{"array", `{"a":[1]}`, false},
		{"top array", `[1]`, false},
		{"leading zero", `{"a":01}`, false},
		{"bare minus", `{"a":-}`, false},
		{"dot without digits", `{"a":1.}`, false},
		{"exponent without digits", `{"a":1e}`, false},
		{"trailing comma", `{"a":1,}`, false},
		{"trailing data", `{"a":1} x`, false},
		{"two objects", `{"a":1}{}`, false},
		{"truex", `{"a":truex}`, false},
		{"control char", "{\"a\":\"x\ty\"}", false},
		{"unterminated", `{"a":"x`, false},
		{"missing colon", `{"a" 1}`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ok := parseFlat([]byte(tt.body), interned{})
			require.Equal(t, tt.wantOK, ok)
			if ok {
				dec := json.NewDecoder(bytes.NewReader([]byte(tt.body)))
				dec.UseNumber()
				var ref map[string]any
				require.NoError(t, dec.Decode(&ref))
				assert.Equal(t, ref, doc)
			}
		})
	}
}

// FuzzParseFlat: whenever the flat parser accepts a body, encoding/json must
// accept it too and produce the same object.
func FuzzParseFlat(f *testing.F) {
	for _, s := range []string{validBody, `{}`, `{"a":1}`, `{"a":-0.5e-3,"b":null}`, `{"a":"\u00e9"}`, `[1]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			return // parseBody rejects invalid UTF-8 first
		}
		doc, ok := parseFlat(b, interned{})
		if !ok {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var ref any
		if err := dec.Decode(&ref); err != nil || dec.More() {
			t.Fatalf("flat parser accepted invalid JSON %q", b)
		}
		if !assert.ObjectsAreEqual(ref, doc) {
			t.Fatalf("flat parser disagrees on %q: %v vs %v", b, doc, ref)
		}
	})
}

// TestQuickFormatsAgree checks the hand-written uuid, date-time and date tests
// of the fast path against the library's format functions, on valid strings
// and random mutations of them: a quick "yes" must be the library's "yes", and
// a parsed timestamp must equal time.Parse's.
func TestQuickFormatsAgree(t *testing.T) {
	sch, err := compile("formats.json", []byte(`{"properties": {
		"u": {"format": "uuid"}, "t": {"format": "date-time"}, "d": {"format": "date"}}}`))
	require.NoError(t, err)
	libOK := func(prop, s string) bool { return sch.Properties[prop].Format.Validate(s) == nil }

	seeds := []string{
		"0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70", "0B6F3C1E-5D2A-4C8E-9F1A-2B3C4D5E6F70",
		"2026-03-14T23:59:58.123456Z", "2026-03-14T23:59:58Z", "2026-03-14T23:59:58.1Z",
		"2026-03-14T23:59:58.123456789Z", "2026-03-14T23:59:58.1234567891Z", "2024-02-29T00:00:00Z",
		"2023-02-29T00:00:00Z", "2000-02-29T12:00:00Z", "1900-02-29T12:00:00Z", "2026-12-31T23:59:60Z",
		"2026-03-14t23:59:58z", "2026-03-14T10:00:00+05:30", "2026-03-14T24:00:00Z", "2026-03-14T23:59:58.Z",
		"2026-04-31T00:00:00Z", "2026-03-14", "2024-02-29", "2026-02-29", "2026-13-01", "2026-00-10",
	}
	for y := range []int{1900, 2000, 2023, 2024} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				seeds = append(seeds, fmt.Sprintf("%04d-%02d-%02d", []int{1900, 2000, 2023, 2024}[y], m, d))
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "0123456789-:TtZz.+ aFg"
	var quick int
	check := func(s string) {
		if isUUID(s) {
			quick++
			require.True(t, libOK("u", s), "isUUID accepted %q", s)
		}
		if _, _, _, ok := parseDate(s); ok {
			quick++
			require.True(t, libOK("d", s), "parseDate accepted %q", s)
		}
		if got, ok := parseUTCTimestamp(s); ok {
			quick++
			require.True(t, libOK("t", s), "parseUTCTimestamp accepted %q", s)
			want, err := time.Parse(time.RFC3339Nano, s)
			require.NoError(t, err, "%q", s)
			require.Equal(t, want.UTC(), got, "%q", s)
		}
	}
	for _, s := range seeds {
		check(s)
		for range 200 {
			b := []byte(s)
			for range 1 + r.IntN(2) {
				b[r.IntN(len(b))] = alphabet[r.IntN(len(alphabet))]
			}
			check(string(b))
		}
	}
	assert.Greater(t, quick, 2000, "the quick tests must accept the valid strings")
}
