package dbt

import (
	"database/sql"
	"errors"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testResolver renders models and seeds into schema "shop" and sources into
// their own schema, as the executor would with DuckDB schemas.
type testResolver struct{}

func (testResolver) Ref(m *Model) (string, error)     { return "shop." + m.Name, nil }
func (testResolver) Source(s *Source) (string, error) { return s.Schema + "." + s.Identifier, nil }
func (testResolver) Seed(s *Seed) (string, error)     { return "shop." + s.Name, nil }

func noEnv(string) (string, bool) { return "", false }

func loadShop(t *testing.T, opts LoadOptions) *Project {
	t.Helper()
	if opts.Packages == nil {
		opts.Packages = map[string]fs.FS{"shared_utils": os.DirFS("testdata/shared_utils")}
	}
	if opts.Env == nil {
		opts.Env = noEnv
	}
	p, err := Load(os.DirFS("testdata/shop"), opts)
	require.NoError(t, err)
	return p
}

func compileCtx(this string, incremental bool) CompileContext {
	return CompileContext{Resolver: testResolver{}, This: this, IsIncremental: incremental, Target: Target{Name: "dev", Schema: "shop"}}
}

func names(ms []*Model) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

func TestLoad(t *testing.T) {
	p := loadShop(t, LoadOptions{})
	assert.Equal(t, "shop", p.Name)
	assert.Equal(t, "mesh", p.ProfileName)
	assert.Equal(t, "1.0.0", p.Version)
	assert.Equal(t, []string{"shared_utils"}, p.Packages)
	assert.Equal(t, []string{"active_customers", "dim_customers", "fact_orders", "int_customer_regions", "stg_customers", "stg_orders", "util_calendar"}, slices.Sorted(maps.Keys(p.Models)))
	assert.Equal(t, []string{"orders.raw_customers", "orders.raw_orders"}, slices.Sorted(maps.Keys(p.Sources)))
	assert.Equal(t, []string{"cents_to_dollars", "safe_divide"}, slices.Sorted(maps.Keys(p.Macros)))
	assert.Equal(t, "macro.shared_utils.safe_divide", p.Macros["safe_divide"].UniqueID)

	fact := p.Models["fact_orders"]
	assert.Equal(t, "model.shop.fact_orders", fact.UniqueID)
	assert.Equal(t, "models/marts/fact_orders.sql", fact.Path)
	// dbt_project.yml says table for marts; config() in the SQL wins.
	assert.Equal(t, "incremental", fact.Config.Materialized)
	assert.Equal(t, []string{"order_id"}, fact.Config.UniqueKey)
	assert.Equal(t, "append_new_columns", fact.Config.OnSchemaChange)
	assert.Equal(t, "delete+insert", fact.Config.IncrementalStrategy) // from schema.yml config:
	assert.Equal(t, []string{"marts", "finance"}, fact.Tags)
	assert.Equal(t, map[string]any{"owner": "orders-team"}, fact.Meta)
	assert.Equal(t, "Orders fact table, built incrementally.", fact.Description)
	assert.Equal(t, []string{"stg_orders"}, fact.Refs)
	assert.Equal(t, []string{"model.shop.stg_orders"}, fact.DependsOn)
	require.Len(t, fact.Columns, 2)
	assert.Equal(t, "varchar", fact.Columns[0].DataType)
	assert.Equal(t, []string{"unique_fact_orders_order_id", "not_null_fact_orders_order_id"}, fact.Columns[0].Tests)

	assert.Equal(t, "view", p.Models["stg_orders"].Config.Materialized) // project default
	assert.Equal(t, [][2]string{{"orders", "raw_orders"}}, p.Models["stg_orders"].Sources)
	assert.Equal(t, "ephemeral", p.Models["stg_customers"].Config.Materialized)        // folder config by model name
	assert.Equal(t, "ephemeral", p.Models["int_customer_regions"].Config.Materialized) // config() in SQL
	assert.Equal(t, []string{"regions", "stg_customers"}, p.Models["int_customer_regions"].Refs)
	assert.Equal(t, []string{"model.shop.stg_customers", "seed.shop.regions"}, p.Models["int_customer_regions"].DependsOn)
	assert.Equal(t, "table", p.Models["util_calendar"].Config.Materialized) // the package's own dbt_project.yml
	assert.Equal(t, "shared_utils", p.Models["util_calendar"].Package)
	assert.Equal(t, "model.shared_utils.util_calendar", p.Models["util_calendar"].UniqueID)

	email := p.Models["dim_customers"].Columns[1]
	assert.Equal(t, "email", email.Name)
	assert.Equal(t, []string{"PII.Sensitive"}, email.Tags)
	assert.Equal(t, map[string]any{"pii": true, "sensitivity": "high"}, email.Meta)

	raw := p.Sources["orders.raw_orders"]
	assert.Equal(t, "source.shop.orders.raw_orders", raw.UniqueID)
	assert.Equal(t, "orders", raw.Schema)
	assert.Equal(t, "raw_orders", raw.Identifier)
	assert.Equal(t, "rabbitmq", raw.Loader)
	assert.Equal(t, "raw_customers_v2", p.Sources["orders.raw_customers"].Identifier)
	assert.Equal(t, []string{"PII.Sensitive"}, raw.Columns[1].Tags)

	seed := p.Seeds["regions"]
	assert.Equal(t, []string{"region_id", "name"}, seed.Header)
	assert.Equal(t, [][]string{{"1", "eu-central"}, {"2", "us-east"}, {"3", "us-west"}}, seed.Rows)
	assert.Equal(t, map[string]string{"region_id": "integer", "name": "varchar"}, seed.ColumnTypes)
	assert.Equal(t, "Warehouse regions.", seed.Description)

	// Every ref and source resolves to a node of the project.
	ids := map[string]bool{}
	for _, m := range p.Models {
		ids[m.UniqueID] = true
	}
	for _, s := range p.Seeds {
		ids[s.UniqueID] = true
	}
	for _, s := range p.Sources {
		ids[s.UniqueID] = true
	}
	for _, m := range p.Models {
		for _, d := range m.DependsOn {
			assert.True(t, ids[d], "%s depends on unknown %s", m.Name, d)
		}
	}

	kinds := map[string]int{}
	for _, tt := range p.Tests {
		kinds[tt.Kind]++
		for _, d := range tt.DependsOn {
			assert.True(t, ids[d], "%s depends on unknown %s", tt.Name, d)
		}
		assert.True(t, strings.HasPrefix(tt.UniqueID, "test."+tt.Package+"."+tt.Name+"."), tt.UniqueID)
	}
	assert.Equal(t, map[string]int{"unique": 4, "not_null": 4, "accepted_values": 1, "relationships": 1}, kinds)
	rel := findTest(t, p, "relationships_stg_orders_customer_id__customer_id__ref_dim_customers_")
	assert.Equal(t, "WARN", rel.Severity)
	assert.Equal(t, []string{"model.shop.stg_orders", "model.shop.dim_customers"}, rel.DependsOn)
	assert.Equal(t, "relationships_stg_orders_9f216437c48eb11148bf4528ba6605b9", rel.Alias) // >= 64 chars: hashed like dbt
	av := findTest(t, p, "accepted_values_stg_orders_status__placed__shipped__delivered")
	assert.Equal(t, []any{"placed", "shipped", "delivered"}, av.Args["values"])
	src := findTest(t, p, "source_not_null_orders_raw_orders_order_id")
	assert.Equal(t, "source.shop.orders.raw_orders", src.Model)
}

func findTest(t *testing.T, p *Project, name string) *Test {
	t.Helper()
	for _, tt := range p.Tests {
		if tt.Name == name {
			return tt
		}
	}
	t.Fatalf("no test %s", name)
	return nil
}

func TestSelect(t *testing.T) {
	p := loadShop(t, LoadOptions{})
	tests := []struct {
		selector    string
		want        []string
		errContains string
	}{
		{"", []string{"active_customers", "dim_customers", "fact_orders", "int_customer_regions", "stg_customers", "stg_orders", "util_calendar"}, ""},
		{"fact_orders", []string{"fact_orders"}, ""},
		{"+fact_orders", []string{"fact_orders", "stg_orders"}, ""},
		{"stg_customers+", []string{"active_customers", "dim_customers", "int_customer_regions", "stg_customers"}, ""},
		{"+int_customer_regions+", []string{"dim_customers", "int_customer_regions", "stg_customers"}, ""},
		{"tag:finance", []string{"fact_orders"}, ""},
		{"tag:staging", []string{"int_customer_regions", "stg_customers", "stg_orders"}, ""},
		{"path:models/marts", []string{"active_customers", "dim_customers", "fact_orders"}, ""},
		{"path:models/staging/stg_orders.sql", []string{"stg_orders"}, ""},
		{"package:shared_utils", []string{"util_calendar"}, ""},
		{"config.materialized:ephemeral", []string{"int_customer_regions", "stg_customers"}, ""},
		{"fact_orders  util_calendar", []string{"fact_orders", "util_calendar"}, ""},
		{"tag:finance+ stg_orders", []string{"fact_orders", "stg_orders"}, ""},
		{"fact_order", nil, "nearest: 'fact_orders'"},
		{"tag:nope", nil, "matches no model"},
		{"exposure:x", nil, "unsupported selector method"},
	}
	for _, tc := range tests {
		t.Run(tc.selector, func(t *testing.T) {
			got, err := p.Select(tc.selector)
			if tc.errContains != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrSelector)
				assert.Contains(t, err.Error(), tc.errContains)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, names(got))
		})
	}
}

func TestOrder(t *testing.T) {
	p := loadShop(t, LoadOptions{})
	all, err := p.Select("")
	require.NoError(t, err)
	want := []string{"stg_customers", "active_customers", "int_customer_regions", "dim_customers", "stg_orders", "fact_orders", "util_calendar"}
	for i := 0; i < 5; i++ {
		got, err := p.Order(all)
		require.NoError(t, err)
		assert.Equal(t, want, names(got))
	}
	// A subset keeps the order its dependencies impose, even through models left out.
	sub, err := p.Order([]*Model{p.Models["dim_customers"], p.Models["stg_customers"], p.Models["fact_orders"]})
	require.NoError(t, err)
	assert.Equal(t, []string{"stg_customers", "dim_customers", "fact_orders"}, names(sub))

	cyc, err := Load(fstest.MapFS{
		"dbt_project.yml": {Data: []byte("name: cyc\n")},
		"models/a.sql":    {Data: []byte("select * from {{ ref('b') }}")},
		"models/b.sql":    {Data: []byte("select * from {{ ref('c') }}")},
		"models/c.sql":    {Data: []byte("select * from {{ ref('a') }}")},
		"models/d.sql":    {Data: []byte("select 1")},
	}, LoadOptions{})
	require.NoError(t, err)
	sel, err := cyc.Select("")
	require.NoError(t, err)
	_, err = cyc.Order(sel)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrCycle)
	assert.Contains(t, err.Error(), "a -> b -> c -> a")
}

func TestCompile(t *testing.T) {
	p := loadShop(t, LoadOptions{})
	tests := []struct {
		model       string
		incremental bool
		want        string
	}{
		{"stg_orders", false, "select\n    order_id,\n    customer_id,\n    status,\n    round(amount_cents / 100.0, 2) as amount,\n    event_ts\nfrom orders.raw_orders"},
		{"fact_orders", false, "\nselect\n    o.order_id,\n    o.customer_id,\n    o.status,\n    o.amount,\n" +
			"    case when 1 = 0 then null else o.amount / 1 end as amount_eur,\n    'eu-central' as region,\n    o.event_ts\n" +
			"from shop.stg_orders o\n"},
		{"fact_orders", true, "\nselect\n    o.order_id,\n    o.customer_id,\n    o.status,\n    o.amount,\n" +
			"    case when 1 = 0 then null else o.amount / 1 end as amount_eur,\n    'eu-central' as region,\n    o.event_ts\n" +
			"from shop.stg_orders o\n\nwhere o.event_ts > (select max(event_ts) - interval 3 day from analytics.fact_orders_v2)\n"},
		// No WITH: dbt inserts "with" and the CTE before the first token.
		{"active_customers", false, "with __dbt__cte__stg_customers as (\nselect customer_id, lower(email) as email, region_id\nfrom orders.raw_customers_v2\n)" +
			"select customer_id, case when 2 = 0 then null else 1 / 2 end as half\nfrom __dbt__cte__stg_customers"},
		// A leading WITH: the CTEs go after it, followed by a comma; an
		// ephemeral of an ephemeral comes first.
		{"dim_customers", false, "with __dbt__cte__stg_customers as (\nselect customer_id, lower(email) as email, region_id\nfrom orders.raw_customers_v2\n)," +
			"  __dbt__cte__int_customer_regions as (\n\nwith regions as (\n    select region_id, name as region_name from shop.regions\n)\n" +
			"select c.customer_id, c.email, r.region_name\nfrom __dbt__cte__stg_customers c\nleft join regions r using (region_id)\n), customers as (\n" +
			"    select * from __dbt__cte__int_customer_regions\n)\nselect customer_id, email, region_name from customers"},
		{"int_customer_regions", false, "\nwith __dbt__cte__stg_customers as (\nselect customer_id, lower(email) as email, region_id\nfrom orders.raw_customers_v2\n)," +
			" regions as (\n    select region_id, name as region_name from shop.regions\n)\nselect c.customer_id, c.email, r.region_name\n" +
			"from __dbt__cte__stg_customers c\nleft join regions r using (region_id)"},
	}
	for _, tc := range tests {
		name := tc.model
		if tc.incremental {
			name += "/incremental"
		}
		t.Run(name, func(t *testing.T) {
			got, err := p.Compile(p.Models[tc.model], compileCtx("analytics.fact_orders_v2", tc.incremental))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}

	t.Run("is_incremental is false for a table even when asked", func(t *testing.T) {
		got, err := p.Compile(p.Models["stg_orders"], compileCtx("shop.stg_orders", true))
		require.NoError(t, err)
		assert.NotContains(t, got, "where")
	})

	t.Run("vars and env_var overrides", func(t *testing.T) {
		q := loadShop(t, LoadOptions{
			Vars: map[string]any{"currency": "USD", "fx_rate": 1.1},
			Env: func(k string) (string, bool) {
				if k == "MESH_REGION" {
					return "us-east", true
				}
				return "", false
			},
		})
		got, err := q.Compile(q.Models["fact_orders"], compileCtx("shop.fact_orders", false))
		require.NoError(t, err)
		assert.Contains(t, got, "case when 1.1 = 0 then null else o.amount / 1.1 end as amount_usd,")
		assert.Contains(t, got, "'us-east' as region")
	})
}

func project(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"dbt_project.yml": {Data: []byte("name: p\nprofile: mesh\n")}}
	for k, v := range files {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fsys
}

func TestContextFunctions(t *testing.T) {
	p, err := Load(project(map[string]string{
		"models/a.sql": "{{ config(materialized='table', schema='x') }}select '{{ config.get('materialized') }}', '{{ model.name }}', " +
			"'{{ target.type }}', '{{ this.identifier }}', '{{ this.schema }}', {{ m1() }}, '{{ m2() | upper }}', {{ var('n', 7) }}",
		"macros/m.sql": "{% macro m1() %}{{ return(41 + 1) }}{% endmacro %}\n{% macro m2() %}{% do return('abc') %}{% endmacro %}",
	}), LoadOptions{Env: noEnv})
	require.NoError(t, err)
	assert.Equal(t, "x", p.Models["a"].Config.Schema)
	got, err := p.Compile(p.Models["a"], compileCtx("x.a", false))
	require.NoError(t, err)
	assert.Equal(t, "select 'table', 'a', 'duckdb', 'a', 'x', 42, 'ABC', 7", got)
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name        string
		files       map[string]string
		opts        LoadOptions
		errIs       error
		errContains string
	}{
		{"unknown macro", map[string]string{"models/a.sql": "select\n {{ no_such_macro('x') }}"},
			LoadOptions{}, ErrUnsupported, "models/a.sql:2: unknown function 'no_such_macro'"},
		{"adapter call", map[string]string{"models/a.sql": "select 1\n\n{% set r = adapter.get_relation(database='x', schema='y', identifier='z') %}"},
			LoadOptions{}, ErrUnsupported, "models/a.sql:3: unknown function 'adapter.get_relation'"},
		{"run_query", map[string]string{"models/a.sql": "select 1\n{% if execute %}{% set r = run_query('select 1') %}{% endif %}"},
			LoadOptions{}, ErrUnsupported, "models/a.sql:2: unknown function 'run_query'"},
		{"unknown function in a macro", map[string]string{"models/a.sql": "select 1", "macros/m.sql": "{% macro m() %}\n{{ dbt_utils.star('x') }}\n{% endmacro %}"},
			LoadOptions{}, ErrUnsupported, "macros/m.sql:2: unknown function 'dbt_utils.star'"},
		{"undefined ref", map[string]string{"models/a.sql": "select\n\n * from {{ ref('stg_ordrs') }}", "models/stg_orders.sql": "select 1"},
			LoadOptions{}, ErrCompile, "models/a.sql:3: ref('stg_ordrs') not found (did you mean 'stg_orders'"},
		{"undefined ref computed at run time", map[string]string{"models/a.sql": "{% set n = 'nope' %}\nselect\n * from {{ ref(n) }}"},
			LoadOptions{}, ErrCompile, "models/a.sql:3: ref('nope') not found"},
		{"undefined source", map[string]string{"models/a.sql": "select * from\n {{ source('orders', 'raw') }}"},
			LoadOptions{}, ErrCompile, "models/a.sql:2: source('orders', 'raw') not found"},
		{"bad YAML", map[string]string{"models/a.sql": "select 1", "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    description: \"unclosed\n"},
			LoadOptions{}, ErrProject, "models/schema.yml:4: invalid YAML"},
		{"YAML of the wrong shape", map[string]string{"models/a.sql": "select 1", "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    columns: 3\n"},
			LoadOptions{}, ErrProject, "models/schema.yml:4: invalid YAML"},
		{"documented model without SQL", map[string]string{"models/a.sql": "select 1", "models/schema.yml": "version: 2\nmodels:\n  - name: a\n  - name: ghost\n"},
			LoadOptions{}, ErrProject, "models/schema.yml:4: model \"ghost\" is documented but has no SQL file"},
		{"bogus materialization", map[string]string{"models/a.sql": "-- a\n{{ config(materialized='bogus') }}\nselect 1"},
			LoadOptions{}, ErrProject, "models/a.sql:2: config(materialized='bogus')"},
		{"undefined variable", map[string]string{"models/a.sql": "select\n{% if true %}\n {{ foo }}\n{% endif %}"},
			LoadOptions{}, ErrCompile, "models/a.sql:3: undefined variable 'foo'"},
		{"required var in a macro", map[string]string{"models/a.sql": "select\n\n {{ m1() }}", "macros/m.sql": "{% macro m1() %}\n\n{{ var('nope') }}\n{% endmacro %}"},
			LoadOptions{}, ErrCompile, "models/a.sql:3: required var 'nope' not found"},
		{"env var without default", map[string]string{"models/a.sql": "select '{{ env_var('MESH_NOPE_X') }}'"},
			LoadOptions{Env: noEnv}, ErrCompile, "models/a.sql:1: env var required but not provided: 'MESH_NOPE_X'"},
		{"syntax error", map[string]string{"models/a.sql": "select\n\n {{ foo( }}"},
			LoadOptions{}, ErrCompile, "models/a.sql:3: jinja syntax error"},
		{"raise_compiler_error", map[string]string{"models/a.sql": "select 1\n{{ exceptions.raise_compiler_error('no way') }}"},
			LoadOptions{}, ErrCompile, "models/a.sql:2: no way"},
		{"missing local package", map[string]string{"models/a.sql": "select 1", "packages.yml": "packages:\n  - local: ../utils\n"},
			LoadOptions{}, ErrPackage, `packages.yml: local package "../utils" is not provided`},
		{"unsupported generic test", map[string]string{"models/a.sql": "select 1 as x", "models/s.yml": "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: x\n        tests:\n          - dbt_utils.at_least_one\n"},
			LoadOptions{}, ErrUnsupported, "models/s.yml:7: generic test \"dbt_utils.at_least_one\""},
		{"python model", map[string]string{"models/a.py": "def model(dbt, session): pass"},
			LoadOptions{}, ErrUnsupported, "models/a.py: Python models are not supported"},
		{"relationships to nothing", map[string]string{"models/a.sql": "select 1 as x", "models/s.yml": "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: x\n        tests:\n          - relationships:\n              to: ref('b')\n              field: id\n"},
			LoadOptions{}, ErrCompile, "models/s.yml:7: relationships test on a.x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(project(tc.files), tc.opts)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.errIs), "want %v, got %v", tc.errIs, err)
			assert.Contains(t, err.Error(), tc.errContains)
		})
	}
}

func TestCompileErrors(t *testing.T) {
	p, err := Load(project(map[string]string{
		"models/a.sql": "select 1\n{% if is_incremental() %}\n{{ ref('b') }}{{ var('later') }}\n{% endif %}",
		"models/b.sql": "select 1",
	}), LoadOptions{})
	require.NoError(t, err)
	_, err = p.Compile(p.Models["a"], CompileContext{This: "x.a"})
	require.NoError(t, err) // not incremental: neither branch needs a resolver nor the var
	p.Models["a"].Config.Materialized = "incremental"
	_, err = p.Compile(p.Models["a"], CompileContext{Resolver: testResolver{}, This: "x.a", IsIncremental: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "models/a.sql:3: required var 'later' not found")
	_, err = p.Compile(p.Models["b"], CompileContext{})
	assert.NoError(t, err)
}

func TestCompileTestSQL(t *testing.T) {
	p := loadShop(t, LoadOptions{})
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	for _, stmt := range []string{
		"create schema shop",
		"create schema orders",
		"create table shop.stg_orders (order_id varchar, customer_id integer, status varchar)",
		`insert into shop.stg_orders values ('o1', 10, 'placed'), ('o2', 11, 'shipped'), ('o2', 12, 'lost'),
			('o3', 13, 'lost'), ('o3', 13, 'returned'), ('o3', null, 'delivered'), (null, 10, null)`,
		"create table shop.dim_customers (customer_id integer, email varchar)",
		"insert into shop.dim_customers values (10, 'a@x'), (11, 'b@x'), (11, 'c@x')",
		"create table shop.fact_orders (order_id varchar)",
		"insert into shop.fact_orders values ('o1'), ('o2')",
		"create table shop.regions (region_id integer, name varchar)",
		"insert into shop.regions values (1, 'eu'), (2, 'us'), (null, 'mars')",
		"create table orders.raw_orders (order_id varchar)",
		"insert into orders.raw_orders values ('o1'), (null), (null)",
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	want := map[string]int{
		"unique_stg_orders_order_id":                                            2, // o2 and o3 repeat
		"not_null_stg_orders_order_id":                                          1,
		"accepted_values_stg_orders_status__placed__shipped__delivered":         2, // lost, returned (NULL is not checked)
		"relationships_stg_orders_customer_id__customer_id__ref_dim_customers_": 3, // 12, 13, 13
		"unique_fact_orders_order_id":                                           0,
		"not_null_fact_orders_order_id":                                         0,
		"unique_dim_customers_customer_id":                                      1, // 11
		"source_not_null_orders_raw_orders_order_id":                            2,
		"unique_regions_region_id":                                              0,
		"not_null_regions_region_id":                                            1,
	}
	require.Len(t, p.Tests, len(want))
	for _, tt := range p.Tests {
		t.Run(tt.Name, func(t *testing.T) {
			q, err := p.CompileTest(tt, compileCtx("", false))
			require.NoError(t, err)
			var n int
			require.NoError(t, db.QueryRow("select count(*) from (\n"+q+"\n) dbt_internal_test").Scan(&n), q)
			assert.Equal(t, want[tt.Name], n, q)
		})
	}
	t.Run("where config filters the tested relation", func(t *testing.T) {
		tt := *findTest(t, p, "accepted_values_stg_orders_status__placed__shipped__delivered")
		tt.Where = "status <> 'lost'"
		q, err := p.CompileTest(&tt, compileCtx("", false))
		require.NoError(t, err)
		var n int
		require.NoError(t, db.QueryRow("select count(*) from ("+q+") t").Scan(&n))
		assert.Equal(t, 1, n)
	})
	t.Run("exact SQL of not_null", func(t *testing.T) {
		q, err := p.CompileTest(findTest(t, p, "not_null_stg_orders_order_id"), compileCtx("", false))
		require.NoError(t, err)
		assert.Equal(t, "select order_id\nfrom shop.stg_orders\nwhere order_id is null\n", q)
	})
}

func TestCompileConcurrent(t *testing.T) {
	p := loadShop(t, LoadOptions{})
	want, err := p.Compile(p.Models["dim_customers"], compileCtx("shop.dim_customers", false))
	require.NoError(t, err)
	done := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func() {
			got, err := p.Compile(p.Models["dim_customers"], compileCtx("shop.dim_customers", false))
			if err != nil {
				got = err.Error()
			}
			done <- got
		}()
	}
	for i := 0; i < 8; i++ {
		assert.Equal(t, want, <-done)
	}
}
