package contract_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/contract"
)

// validOrder returns a valid orders.v1 event (~480 bytes as JSON) as a map the
// test cases edit.
func validOrder() map[string]any {
	return map[string]any{
		"event_id":     "0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70",
		"event_ts":     "2026-03-14T23:59:58.123456Z",
		"event_type":   "orders",
		"order_id":     "7d9e2f4a-1b3c-4d5e-8f90-a1b2c3d4e5f6",
		"customer_id":  "C-123456",
		"product_id":   "P-04217",
		"warehouse_id": "WH-NYC-01",
		"region":       "us-east",
		"order_ts":     "2026-03-14T23:59:57Z",
		"qty":          3,
		"unit_price":   19.99,
		"currency":     "USD",
		"channel":      "web",
		"customer_lat": 40.7128,
		"customer_lon": -74.006,
	}
}

func body(t testing.TB, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestDecode(t *testing.T) {
	c := loadOrders(t, 1)
	edit := func(f func(m map[string]any)) []byte {
		m := validOrder()
		f(m)
		return body(t, m)
	}
	tests := []struct {
		name        string
		body        []byte
		wantErr     error
		errContains string
	}{
		{name: "valid", body: body(t, validOrder())},
		{name: "valid optional fields", body: edit(func(m map[string]any) { m["priority"] = "express"; m["promo_code"] = "SPRING" })},
		{name: "integer written as 3.0", body: bytes.Replace(body(t, validOrder()), []byte(`"qty":3`), []byte(`"qty":3.0`), 1)},
		{name: "malformed JSON", body: []byte(`{"event_id": `), wantErr: contract.ErrMalformed, errContains: "malformed JSON message: unexpected EOF"},
		{name: "not an object", body: []byte(`[1, 2]`), wantErr: contract.ErrMalformed, errContains: "want a JSON object, got an array"},
		{name: "trailing data", body: append(body(t, validOrder()), []byte(` {}`)...), wantErr: contract.ErrMalformed, errContains: "unexpected data after the JSON value"},
		{name: "trailing brace", body: append(body(t, validOrder()), '}'), wantErr: contract.ErrMalformed, errContains: "unexpected data after the JSON value"},
		{name: "escaped strings take the slow parser", body: bytes.Replace(body(t, validOrder()), []byte(`"C-123456"`), []byte(`"C-123456"`), 1)},
		{name: "nested object", body: edit(func(m map[string]any) { m["promo_code"] = map[string]any{"a": 1} }), wantErr: contract.ErrContractViolation, errContains: "/promo_code: type: got object, want string"},
		{name: "empty body", body: nil, wantErr: contract.ErrMalformed},
		{name: "invalid UTF-8", body: bytes.Replace(body(t, validOrder()), []byte("C-123456"), []byte("C-12\xff\xfe56"), 1), wantErr: contract.ErrInvalidUTF8},
		{name: "unknown event_type", body: edit(func(m map[string]any) { m["event_type"] = "returns" }), wantErr: contract.ErrUnknownEventType, errContains: `event_type "returns", want "orders"`},
		{name: "event_type not a string", body: edit(func(m map[string]any) { m["event_type"] = 7 }), wantErr: contract.ErrContractViolation, errContains: "/event_type: const"},
		{name: "missing required", body: edit(func(m map[string]any) { delete(m, "qty"); delete(m, "event_id") }), wantErr: contract.ErrContractViolation, errContains: "/event_id: required: missing property; /qty: required: missing property"},
		{name: "wrong type", body: edit(func(m map[string]any) { m["qty"] = "3" }), wantErr: contract.ErrContractViolation, errContains: "/qty: type: got string, want integer"},
		{name: "fractional integer", body: edit(func(m map[string]any) { m["qty"] = 2.5 }), wantErr: contract.ErrContractViolation, errContains: "/qty: type: got number, want integer"},
		{name: "above maximum", body: edit(func(m map[string]any) { m["qty"] = 5000 }), wantErr: contract.ErrContractViolation, errContains: "/qty: maximum: got 5000, want 1000"},
		{name: "exclusive minimum", body: edit(func(m map[string]any) { m["unit_price"] = 0 }), wantErr: contract.ErrContractViolation, errContains: "/unit_price: exclusiveMinimum"},
		{name: "enum violation", body: edit(func(m map[string]any) { m["channel"] = "fax" }), wantErr: contract.ErrContractViolation, errContains: "/channel: enum: value must be one of"},
		{name: "pattern violation", body: edit(func(m map[string]any) { m["customer_id"] = "bob" }), wantErr: contract.ErrContractViolation, errContains: "/customer_id: pattern"},
		{name: "maxLength violation", body: edit(func(m map[string]any) { m["promo_code"] = strings.Repeat("x", 33) }), wantErr: contract.ErrContractViolation, errContains: "/promo_code: maxLength"},
		{name: "bad uuid", body: edit(func(m map[string]any) { m["event_id"] = "not-a-uuid" }), wantErr: contract.ErrContractViolation, errContains: "/event_id: format: 'not-a-uuid' is not valid uuid"},
		{name: "bad date-time", body: edit(func(m map[string]any) { m["event_ts"] = "2026-03-14 12:00" }), wantErr: contract.ErrContractViolation, errContains: "/event_ts: format: '2026-03-14 12:00' is not valid date-time"},
		{name: "date-time without zone", body: edit(func(m map[string]any) { m["order_ts"] = "2026-03-14T12:00:00" }), wantErr: contract.ErrContractViolation, errContains: "/order_ts: format"},
		{name: "extra property", body: edit(func(m map[string]any) { m["coupon"] = "X" }), wantErr: contract.ErrContractViolation, errContains: "/coupon: additionalProperties: property not in the contract"},
		{name: "null value", body: edit(func(m map[string]any) { m["priority"] = nil }), wantErr: contract.ErrContractViolation, errContains: "/priority: type: got null, want string"},
		{name: "several violations", body: edit(func(m map[string]any) { m["qty"] = 0; m["currency"] = "GBP" }), wantErr: contract.ErrContractViolation, errContains: "/currency: enum"},
		{name: "too large", body: append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 10<<20)...), '"', '}'), wantErr: contract.ErrTooLarge, errContains: "limit 1048576"},
		{name: "too large and not even JSON", body: bytes.Repeat([]byte{0xff}, 10<<20), wantErr: contract.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := c.Decode(tt.body)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, "0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70", e.ID())
				return
			}
			require.Error(t, err)
			assert.Nil(t, e)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.errContains)
		})
	}
}

func TestDecodeNormalizes(t *testing.T) {
	c := loadOrders(t, 2)
	m := validOrder()
	m["event_ts"] = "2026-03-15T01:30:00.5+02:00"
	m["gift_wrap"] = true
	m["delivery_date"] = "2026-03-20"
	e, err := c.Decode(body(t, m))
	require.NoError(t, err)
	assert.Equal(t, int64(3), e["qty"])
	assert.Equal(t, 19.99, e["unit_price"])
	assert.Equal(t, true, e["gift_wrap"])
	assert.Equal(t, "2026-03-20", e["delivery_date"])
	assert.Equal(t, "orders", e.Type())
	ts, err := e.Time()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 14, 23, 30, 0, 5e8, time.UTC), ts)
	assert.Equal(t, time.UTC, ts.Location())
	assert.IsType(t, time.Time{}, e["order_ts"])
}

func TestDecodeMaxBodyBytes(t *testing.T) {
	c := loadOrders(t, 1)
	c.MaxBodyBytes = 100
	_, err := c.Decode(body(t, validOrder()))
	assert.ErrorIs(t, err, contract.ErrTooLarge)
	c.MaxBodyBytes = 0
	_, err = c.Decode(body(t, validOrder()))
	assert.NoError(t, err)
}

func TestRegistry(t *testing.T) {
	cs, err := contract.LoadDir("testdata/dir")
	require.NoError(t, err)
	r := contract.NewRegistry(loadOrders(t, 1), cs["orders"], cs["returns"])
	assert.Equal(t, []string{"orders", "returns"}, r.EventTypes())
	c, ok := r.Contract("orders")
	require.True(t, ok)
	assert.Equal(t, 2, c.Version, "the highest version decodes")

	ret := map[string]any{"event_id": "0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70", "event_ts": "2026-03-14T10:00:00Z",
		"event_type": "returns", "order_id": "7d9e2f4a-1b3c-4d5e-8f90-a1b2c3d4e5f6", "qty": 1, "reason": "damaged"}
	tests := []struct {
		name        string
		body        []byte
		wantEvent   string
		wantErr     error
		errContains string
	}{
		{name: "orders", body: body(t, validOrder()), wantEvent: "orders"},
		{name: "returns", body: body(t, ret), wantEvent: "returns"},
		{name: "unknown type", body: []byte(`{"event_type": "refunds"}`), wantErr: contract.ErrUnknownEventType, errContains: `"refunds" (known: orders, returns)`},
		{name: "missing type", body: []byte(`{"event_id": "x"}`), wantErr: contract.ErrUnknownEventType, errContains: "event_type missing or not a string"},
		{name: "long type is truncated", body: []byte(`{"event_type": "` + strings.Repeat("z", 500) + `"}`), wantErr: contract.ErrUnknownEventType, errContains: `zzz"...`},
		{name: "violation", body: []byte(`{"event_type": "returns"}`), wantErr: contract.ErrContractViolation, errContains: "returns/returns.v1: /event_id: required"},
		{name: "malformed", body: []byte(`{`), wantErr: contract.ErrMalformed},
		{name: "too large", body: bytes.Repeat([]byte(" "), 2<<20), wantErr: contract.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, e, err := r.Decode(tt.body)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.wantEvent, c.Event)
				assert.Equal(t, tt.wantEvent, e.Type())
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.errContains)
			assert.Less(t, len(err.Error()), 300)
		})
	}

	assert.Panics(t, func() { contract.NewRegistry(loadOrders(t, 1), loadOrders(t, 1)) })
}
