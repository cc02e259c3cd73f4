package domainspec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const valid = `name: orders
description: Orders.
owners: {team: orders-team, github: ["@o"], email: o@x}
regions: [us-east]
events:
  - {name: orders, contract: contracts/orders.v1.json, raw_table: raw_orders}
tables:
  - {name: raw_orders, layer: raw, description: d, freshness: 2d}
`

func TestParse(t *testing.T) {
	d, err := Parse("domains/orders/domain.yaml", []byte(valid))
	require.NoError(t, err)
	assert.Equal(t, "orders", d.Name)
	assert.Equal(t, 48*time.Hour, time.Duration(d.Tables[0].Freshness))
	ev, err := d.Event("orders")
	require.NoError(t, err)
	assert.Equal(t, "raw_orders", ev.RawTable)
	_, err = d.Event("nope")
	assert.ErrorContains(t, err, "declared: [orders]")
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, errContains string
	}{
		{"unknown field", valid + "colour: red\n", "field colour not found"},
		{"missing team", "name: x\ndescription: d\nowners: {github: ['@a']}\nregions: [a]\n", "domains/x/domain.yaml:3: owners.team: is required"},
		{"bad name", "name: X-1\ndescription: d\nowners: {team: t, github: ['@a']}\nregions: [a]\n", `domains/x/domain.yaml:1: name: "X-1" must match`},
		{"undeclared raw table", "name: x\ndescription: d\nowners: {team: t, github: ['@a']}\nregions: [a]\nevents: [{name: e, contract: c, raw_table: raw_e}]\n", `domains/x/domain.yaml:5: events[0].raw_table: "raw_e" is not declared under tables`},
		{"bad duration", valid[:len(valid)-len("freshness: 2d}\n")] + "freshness: soon}\n", `line 8: duration "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("domains/x/domain.yaml", []byte(tt.yaml))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.errContains)
			assert.Contains(t, err.Error(), "domains/x/domain.yaml")
		})
	}
}

func TestLoadAllChecksFolderName(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "domains", "sales")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, FileName), []byte(valid), 0o644))
	_, err := LoadAll(root)
	assert.ErrorContains(t, err, `must equal its folder name "sales"`)
}

func TestRepositoryDomainsAreValid(t *testing.T) {
	ds, err := LoadAll(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.NotEmpty(t, ds)
	for _, d := range ds {
		for _, e := range d.Events {
			_, err := os.Stat(filepath.Join("..", "..", d.Dir, e.Contract))
			assert.NoError(t, err, "%s: events[%s].contract", d.Name, e.Name)
		}
	}
}

func TestOrdered(t *testing.T) {
	mk := func(name string, deps ...string) *Domain { return &Domain{Name: name, DependsOn: deps} }
	ds, err := Ordered([]*Domain{mk("returns", "orders"), mk("dispatch", "orders", "fleet"), mk("orders"), mk("fleet")})
	require.NoError(t, err)
	var names []string
	for _, d := range ds {
		names = append(names, d.Name)
	}
	assert.Equal(t, []string{"fleet", "orders", "dispatch", "returns"}, names)
	_, err = Ordered([]*Domain{mk("a", "b"), mk("b", "a")})
	assert.ErrorContains(t, err, "cycle")
	_, err = Ordered([]*Domain{mk("a", "zzz")})
	assert.ErrorContains(t, err, `no domain "zzz"`)
}

// withColumns adds a table whose columns are declared (line 9 on).
const withColumns = valid + `  - name: fact_orders
    layer: fact
    description: Orders.
    columns:
      - {name: order_id, type: string, description: The order.}
      - name: email
        type: string
        description: The buyer's address.
        meta: {pii: personal, access: restricted, glossary: Buyer}
      - {name: qty, type: long, description: Units ordered., meta: {glossary: [Units, Order]}}
`

func TestParseColumns(t *testing.T) {
	d, err := Parse("domains/orders/domain.yaml", []byte(withColumns))
	require.NoError(t, err)
	tb, ok := d.Table("fact_orders")
	require.True(t, ok)
	assert.Equal(t, []Column{
		{Name: "order_id", Type: "string", Description: "The order."},
		{Name: "email", Type: "string", Description: "The buyer's address.",
			Meta: ColumnMeta{PII: "personal", Access: "restricted", Glossary: Terms{"Buyer"}}},
		{Name: "qty", Type: "long", Description: "Units ordered.", Meta: ColumnMeta{Glossary: Terms{"Units", "Order"}}},
	}, tb.Columns)
	raw, _ := d.Table("raw_orders")
	assert.Empty(t, raw.Columns, "a contract declares a raw table's columns")
}

func TestParseColumnErrors(t *testing.T) {
	tests := []struct {
		name, old, new, errContains string
	}{
		{"unknown type", "type: string, description: The order.", "type: str, description: The order.",
			`domains/x/domain.yaml:13: tables[1].columns[0].type: unknown type "str" (want one of boolean, int, long,`},
		{"missing type", "type: string, description: The order.", "description: The order.",
			`domains/x/domain.yaml:13: tables[1].columns[0].type: is required (one of boolean,`},
		{"missing description", "type: long, description: Units ordered.,", "type: long,",
			"domains/x/domain.yaml:18: tables[1].columns[2].description: is required"},
		{"bad column name", "name: email", "name: E-mail",
			`domains/x/domain.yaml:14: tables[1].columns[1].name: "E-mail" must match`},
		{"column declared twice", "name: qty", "name: order_id",
			`domains/x/domain.yaml:18: tables[1].columns[2].name: "order_id" is declared twice (also columns[0])`},
		{"table declared twice", "name: fact_orders", "name: raw_orders",
			`domains/x/domain.yaml:9: tables[1].name: "raw_orders" is declared twice (also tables[0])`},
		{"empty glossary term", "glossary: Buyer", `glossary: [""]`,
			"domains/x/domain.yaml:17: tables[1].columns[1].meta.glossary[0]: is an empty term"},
		{"glossary not a term", "glossary: Buyer", "glossary: {a: b}",
			"line 17: glossary: want a term or a list of terms"},
		{"unknown meta key", "meta: {pii: personal,", "meta: {pi: personal,",
			"line 17: field pi not found"},
		{"unknown column field", "type: string, description: The order.", "type: string, descripton: The order.",
			"line 13: field descripton not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Contains(t, withColumns, tt.old)
			_, err := Parse("domains/x/domain.yaml", []byte(strings.Replace(withColumns, tt.old, tt.new, 1)))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.errContains)
			assert.Contains(t, err.Error(), "domains/x/domain.yaml")
		})
	}
}

// TestValidateColumns checks a Domain built in code: errors name the field
// (there is no file, so no line).
func TestValidateColumns(t *testing.T) {
	d := &Domain{Name: "x", Description: "d", Owners: Owners{Team: "t", GitHub: []string{"@t"}}, Regions: []string{"a"},
		Tables: []Table{{Name: "fact_x", Columns: []Column{{Name: "n", Type: "integer", Description: "N."}}}}}
	err := d.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalid)
	assert.Equal(t, `invalid domain.yaml: tables[0].columns[0].type: unknown type "integer" (want one of `+strings.Join(ColumnTypes, ", ")+")", err.Error())
	d.Tables[0].Columns[0].Type = "long"
	assert.NoError(t, d.Validate())
}
