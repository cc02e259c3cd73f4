package dbt

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTestIDsWithArgumentsProperty: arguments nested under arguments: (the
// form dbt-core 1.10+ asks for) give the same unique ids as top-level ones,
// as on dbt-core 1.11.16 (ids from its 'dbt parse' of testdata/shop).
func TestTestIDsWithArgumentsProperty(t *testing.T) {
	p, err := Load(fstest.MapFS{
		"dbt_project.yml":          {Data: []byte("name: shop\nversion: '1'\nconfig-version: 2\nprofile: mesh\n")},
		"models/stg_orders.sql":    {Data: []byte("select 1 as status, 2 as customer_id\n")},
		"models/dim_customers.sql": {Data: []byte("select 2 as customer_id\n")},
		"models/schema.yml": {Data: []byte(`version: 2
models:
  - name: stg_orders
    columns:
      - name: status
        data_tests:
          - accepted_values:
              arguments:
                values: ['placed', 'shipped', 'delivered']
      - name: customer_id
        data_tests:
          - relationships:
              arguments:
                to: ref('dim_customers')
                field: customer_id
              config:
                severity: warn
`)},
	}, LoadOptions{Env: noEnv})
	require.NoError(t, err)
	var ids []string
	for _, tt := range p.Tests {
		ids = append(ids, tt.UniqueID)
	}
	assert.Equal(t, []string{
		"test.shop.accepted_values_stg_orders_status__placed__shipped__delivered.d47d0ca67d",
		"test.shop.relationships_stg_orders_customer_id__customer_id__ref_dim_customers_.d4825a4ccb",
	}, ids)
}
