package contract_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/contract"
)

func loadOrders(t testing.TB, version int) *contract.Contract {
	t.Helper()
	name := "orders.v1.json"
	if version == 2 {
		name = "orders.v2.json"
	}
	c, err := contract.Load(filepath.Join("testdata", name))
	require.NoError(t, err)
	return c
}

func TestLoadOrders(t *testing.T) {
	c := loadOrders(t, 1)
	assert.Equal(t, "orders", c.Domain)
	assert.Equal(t, "orders", c.Event)
	assert.Equal(t, 1, c.Version)
	assert.Equal(t, "orders.v1", c.Name())
	assert.Equal(t, filepath.Join("testdata", "orders.v1.json"), c.Path)

	var names []string
	for _, f := range c.Fields {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"event_id", "event_ts", "event_type", "order_id", "customer_id", "product_id",
		"warehouse_id", "region", "order_ts", "qty", "unit_price", "currency", "channel", "priority",
		"promo_code", "customer_lat", "customer_lon"}, names)

	tests := []struct {
		name     string
		typ      contract.FieldType
		required bool
		pii      string
		enum     []string
	}{
		{name: "event_id", typ: contract.UUID, required: true},
		{name: "event_ts", typ: contract.Timestamp, required: true},
		{name: "event_type", typ: contract.String, required: true},
		{name: "customer_id", typ: contract.String, required: true, pii: contract.PIIPersonal},
		{name: "region", typ: contract.String, required: true, enum: []string{"us-east", "us-west", "eu-central", "ap-southeast"}},
		{name: "order_ts", typ: contract.Timestamp, required: true},
		{name: "qty", typ: contract.Int64, required: true},
		{name: "unit_price", typ: contract.Float64, required: true},
		{name: "priority", typ: contract.String, enum: []string{"standard", "express", "same_day"}},
		{name: "promo_code", typ: contract.String},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := c.Field(tt.name)
			require.True(t, ok)
			assert.Equal(t, tt.typ, f.Type)
			assert.Equal(t, tt.required, f.Required)
			assert.Equal(t, tt.pii, f.PII)
			assert.Equal(t, tt.enum, f.Enum)
			assert.NotEmpty(t, f.Description)
		})
	}
}

// base is a minimal valid contract; the rejection cases below edit it.
const base = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "x-mesh": {"domain": "orders", "event": "orders", "version": 1},
  "type": "object",
  "additionalProperties": false,
  "required": ["event_id", "event_ts", "event_type"],
  "properties": {
    "event_id": {"type": "string", "format": "uuid"},
    "event_ts": {"type": "string", "format": "date-time"},
    "event_type": {"const": "orders"},
    "qty": {"type": "integer"}
  }
}`

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name        string
		path        string
		old, new    string // replace old by new in base
		errContains string
	}{
		{name: "valid", old: "", new: ""},
		{name: "not json", old: `{`, new: `[`, errContains: "not a JSON object"},
		{name: "other draft", old: "2020-12", new: "2019-09", errContains: "/$schema: must be"},
		{name: "additional properties allowed", old: `"additionalProperties": false`, new: `"additionalProperties": true`, errContains: "/additionalProperties: must be false"},
		{name: "no x-mesh", old: `"x-mesh": {"domain": "orders", "event": "orders", "version": 1},`, errContains: "/x-mesh: missing"},
		{name: "x-mesh typo", old: `"version": 1`, new: `"versoin": 1`, errContains: `/x-mesh: json: unknown field "versoin"`},
		{name: "x-mesh version 0", old: `"version": 1`, new: `"version": 0`, errContains: "/x-mesh/version"},
		{name: "file name mismatch", path: "contracts/orders.v2.json", errContains: "does not match x-mesh event"},
		{name: "unknown top keyword", old: `"type": "object"`, new: `"type": "object", "allOf": []`, errContains: "/allOf: keyword not allowed"},
		{name: "unknown property keyword", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": "integer", "maximun": 3}`, errContains: "/properties/qty/maximun: keyword not allowed"},
		{name: "nested object", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": "object"}`, errContains: `/properties/qty/type: "object" not supported`},
		{name: "type array", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": ["integer", "null"]}`, errContains: "/properties/qty/type: must be one of"},
		{name: "unsupported format", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": "string", "format": "email"}`, errContains: `/properties/qty/format: "email" not supported`},
		{name: "format on integer", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": "integer", "format": "date"}`, errContains: "/properties/qty/format: only allowed on string"},
		{name: "maximum on string", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": "string", "maximum": 3}`, errContains: "/properties/qty/maximum: only allowed on integer and number"},
		{name: "bad x-pii", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": "integer", "x-pii": "secret"}`, errContains: "/properties/qty/x-pii"},
		{name: "derived column name", old: `"qty": {"type": "integer"}`, new: `"event_date": {"type": "string", "format": "date"}`, errContains: "/properties/event_date: \"event_date\" is a column derived"},
		{name: "bad property name", old: `"qty": {"type": "integer"}`, new: `"Qty": {"type": "integer"}`, errContains: "/properties/Qty: property name must match"},
		{name: "missing envelope", old: `"event_id": {"type": "string", "format": "uuid"},`, new: ``, errContains: `/required: "event_id" is not a property`},
		{name: "envelope optional", old: `"required": ["event_id", "event_ts", "event_type"]`, new: `"required": ["event_ts", "event_type"]`, errContains: `envelope property "event_id" must be required`},
		{name: "envelope wrong type", old: `"event_ts": {"type": "string", "format": "date-time"}`, new: `"event_ts": {"type": "string", "format": "date"}`, errContains: "/properties/event_ts: envelope property must be of type timestamp, got date"},
		{name: "event_type const mismatch", old: `"const": "orders"`, new: `"const": "returns"`, errContains: `/properties/event_type/const: "returns" must equal x-mesh event "orders"`},
		{name: "event_type without const", old: `"event_type": {"const": "orders"}`, new: `"event_type": {"type": "string"}`, errContains: `/properties/event_type: must have "const"`},
		{name: "required unknown", old: `"event_type"]`, new: `"event_type", "nope"]`, errContains: `/required: "nope" is not a property`},
		{name: "bad pattern", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": "string", "pattern": "(["}`, errContains: "pattern"},
		{name: "bad minimum", old: `"qty": {"type": "integer"}`, new: `"qty": {"type": "integer", "minimum": "1"}`, errContains: "minimum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = "contracts/orders.v1.json"
			}
			data := base
			if tt.old != "" {
				require.Contains(t, base, tt.old)
				data = strings.Replace(base, tt.old, tt.new, 1)
			}
			c, err := contract.Parse(path, []byte(data))
			if tt.errContains == "" {
				require.NoError(t, err)
				assert.Len(t, c.Fields, 4)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, contract.ErrInvalidContract)
			assert.Contains(t, err.Error(), tt.errContains)
			assert.Contains(t, err.Error(), path, "the error names the file")
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := contract.Load("testdata/nope.v1.json")
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "testdata/nope.v1.json")
}

func TestLoadDir(t *testing.T) {
	cs, err := contract.LoadDir(filepath.Join("testdata", "dir"))
	require.NoError(t, err)
	require.Len(t, cs, 2)
	assert.Equal(t, 2, cs["orders"].Version, "highest version wins")
	assert.Equal(t, 1, cs["returns"].Version)

	_, err = contract.LoadDir(t.TempDir())
	assert.ErrorIs(t, err, contract.ErrNoContracts)

	// An incompatible version in the directory fails the load.
	dir := t.TempDir()
	v1, err := os.ReadFile(filepath.Join("testdata", "orders.v1.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "orders.v1.json"), v1, 0o644))
	v2 := strings.Replace(string(v1), `"version": 1`, `"version": 2`, 1)
	v2 = strings.Replace(v2, `"maximum": 1000`, `"maximum": 10`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "orders.v2.json"), []byte(v2), 0o644))
	_, err = contract.LoadDir(dir)
	require.Error(t, err)
	assert.ErrorIs(t, err, contract.ErrIncompatible)
	assert.Contains(t, err.Error(), "field qty changed its validation rules")
}

func TestCheckCompatible(t *testing.T) {
	v1 := loadOrders(t, 1)
	v1text, err := os.ReadFile(v1.Path)
	require.NoError(t, err)
	bump := func(s string) string { return strings.Replace(s, `"version": 1`, `"version": 2`, 1) }
	tests := []struct {
		name        string
		edit        func(string) string
		errContains string
	}{
		{name: "add optional fields", edit: func(string) string {
			b, err := os.ReadFile(filepath.Join("testdata", "orders.v2.json"))
			require.NoError(t, err)
			return string(b)
		}},
		{name: "description and pii change only", edit: func(s string) string {
			s = strings.Replace(s, `"Units ordered."`, `"Units ordered by the customer."`, 1)
			return strings.Replace(bump(s), `"description": "Ordered product (dim_product)."`, `"description": "Ordered product.", "x-pii": false`, 1)
		}},
		{name: "enum gains a value", edit: func(s string) string {
			return strings.Replace(bump(s), `"b2b"]`, `"b2b", "phone"]`, 1)
		}},
		{name: "same version", edit: func(s string) string { return s }, errContains: "version 1 must be greater than 1"},
		{name: "field inserted in the middle", edit: func(s string) string {
			s = strings.Replace(bump(s), `"customer_lon"],`, `"customer_lon", "note"],`, 1)
			return strings.Replace(s, `"customer_lon": {`, `"note": {"type": "string"}, "customer_lon": {`, 1)
		}, errContains: "field customer_lon moved from position 17"},
		{name: "new required field at the end", edit: func(s string) string {
			s = strings.Replace(bump(s), `"customer_lon"],`, `"customer_lon", "note"],`, 1)
			return strings.Replace(s, "\n  }\n}", `, "note": {"type": "string"}}}`, 1)
		}, errContains: "new field note must be optional"},
		{name: "field removed", edit: func(s string) string {
			return strings.Replace(bump(s), `"promo_code": {"type": "string", "maxLength": 32, "description": "Promotion applied, if any."},`, ``, 1)
		}, errContains: "field promo_code removed"},
		{name: "type changed", edit: func(s string) string {
			return strings.Replace(bump(s), `"qty": {"type": "integer"`, `"qty": {"type": "number"`, 1)
		}, errContains: "field qty changed type from int64 to float64"},
		{name: "optional became required", edit: func(s string) string {
			return strings.Replace(bump(s), `"customer_lon"],`, `"customer_lon", "priority"],`, 1)
		}, errContains: "field priority changed from required=false to required=true"},
		{name: "enum value dropped", edit: func(s string) string {
			return strings.Replace(bump(s), `, "b2b"]`, `]`, 1)
		}, errContains: `field channel dropped enum value "b2b"`},
		{name: "constraint tightened", edit: func(s string) string {
			return strings.Replace(bump(s), `"maxLength": 32`, `"maxLength": 16`, 1)
		}, errContains: "field promo_code changed its validation rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.edit(string(v1text))
			next, err := contract.Parse("next.json", []byte(text))
			require.NoError(t, err)
			err = contract.CheckCompatible(v1, next)
			if tt.errContains == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, contract.ErrIncompatible)
			assert.Contains(t, err.Error(), tt.errContains)
		})
	}
}

func TestIcebergSchema(t *testing.T) {
	c := loadOrders(t, 1)
	sc := c.IcebergSchema()
	fields := sc.Fields()
	require.Len(t, fields, len(c.Fields)+2)
	for i, f := range c.Fields {
		assert.Equal(t, i+1, fields[i].ID, f.Name)
		assert.Equal(t, f.Name, fields[i].Name)
		assert.Equal(t, f.Required, fields[i].Required, f.Name)
		assert.Equal(t, f.Description, fields[i].Doc, f.Name)
	}
	byName := func(name string) iceberg.NestedField {
		f, ok := sc.FindFieldByName(name)
		require.True(t, ok, name)
		return f
	}
	tests := []struct {
		name     string
		id       int
		typ      iceberg.Type
		required bool
	}{
		{"event_id", 1, iceberg.PrimitiveTypes.String, true},
		{"event_ts", 2, iceberg.PrimitiveTypes.TimestampTz, true},
		{"event_type", 3, iceberg.PrimitiveTypes.String, true},
		{"order_id", 4, iceberg.PrimitiveTypes.String, true},
		{"order_ts", 9, iceberg.PrimitiveTypes.TimestampTz, true},
		{"qty", 10, iceberg.PrimitiveTypes.Int64, true},
		{"unit_price", 11, iceberg.PrimitiveTypes.Float64, true},
		{"priority", 14, iceberg.PrimitiveTypes.String, false},
		{"customer_lon", 17, iceberg.PrimitiveTypes.Float64, true},
		{"event_date", 18, iceberg.PrimitiveTypes.Date, true},
		{"ingested_at", 19, iceberg.PrimitiveTypes.TimestampTz, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := byName(tt.name)
			assert.Equal(t, tt.id, f.ID)
			assert.True(t, tt.typ.Equals(f.Type), "type %s, want %s", f.Type, tt.typ)
			assert.Equal(t, tt.required, f.Required)
		})
	}
	assert.Equal(t, []int{1}, sc.IdentifierFieldIDs)

	// v2 only appends fields: the IDs of v1's fields do not move.
	v2 := loadOrders(t, 2).IcebergSchema()
	for i := range c.Fields {
		assert.Equal(t, fields[i].ID, v2.Fields()[i].ID)
		assert.Equal(t, fields[i].Name, v2.Fields()[i].Name)
	}
	f, ok := v2.FindFieldByName("delivery_date")
	require.True(t, ok)
	assert.True(t, iceberg.PrimitiveTypes.Date.Equals(f.Type))
}

func TestViolationErrorIs(t *testing.T) {
	c := loadOrders(t, 1)
	_, err := c.Decode([]byte(`{"event_type": "orders"}`))
	var ve *contract.ViolationError
	require.True(t, errors.As(err, &ve))
	assert.ErrorIs(t, err, contract.ErrContractViolation)
	assert.Contains(t, ve.Fields(), "event_id")
	assert.Contains(t, ve.Fields(), "customer_lon")
	assert.NotContains(t, ve.Fields(), "priority")
	b, err := json.Marshal(ve.Violations)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Pointer":"/qty"`)
}
