package domainspec

import (
	"os"
	"path/filepath"
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
		{"missing team", "name: x\ndescription: d\nowners: {github: ['@a']}\nregions: [a]\n", "owners.team is required"},
		{"bad name", "name: X-1\ndescription: d\nowners: {team: t, github: ['@a']}\nregions: [a]\n", `name "X-1"`},
		{"undeclared raw table", "name: x\ndescription: d\nowners: {team: t, github: ['@a']}\nregions: [a]\nevents: [{name: e, contract: c, raw_table: raw_e}]\n", `raw_table "raw_e" is not declared`},
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
