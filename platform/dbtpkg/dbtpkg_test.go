package dbtpkg

import (
	"database/sql"
	"errors"
	"testing"
	"testing/fstest"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dbt"
)

// shop is a domain project that uses mesh_core's macros the way the domains
// do: a staging model of raw events, a fact of their latest state per key
// with a derived column, and a dimension merged by change.
func shop(models map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"dbt_project.yml": {Data: []byte("name: shop\nprofile: mesh\nvars:\n  max_qty: 100\n")},
		"packages.yml":    {Data: []byte("packages:\n  - local: ../../../platform/dbtpkg/mesh_core\n")},
		"models/sources.yml": {Data: []byte("version: 2\nsources:\n  - name: raw\n    tables:\n" +
			"      - name: raw_orders\n")},
		"models/stg_orders.sql": {Data: []byte(`{{ config(materialized='incremental', unique_key='event_id') }}
{% set columns %}
    CAST(order_id AS VARCHAR)              as order_id,
    CAST(qty AS BIGINT)                    as qty
{% endset %}
{{ mesh_core.stage_events(source('raw', 'raw_orders'), columns) }}
where qty > 0 and qty <= {{ var('max_qty') }}`)},
		"models/fact_orders.sql": {Data: []byte(`{{ config(materialized='incremental', unique_key='order_id') }}
{{ mesh_core.latest_per_key(ref('stg_orders'), 'order_id', [
    'order_id', mesh_core.cents('qty / 3') ~ ' as third', 'qty']) }}`)},
	}
	for k, v := range models {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fsys
}

type resolver struct{}

func (resolver) Ref(m *dbt.Model) (string, error)     { return "shop." + m.Name, nil }
func (resolver) Source(s *dbt.Source) (string, error) { return "raw." + s.Table, nil }
func (resolver) Seed(s *dbt.Seed) (string, error)     { return "shop." + s.Name, nil }

func load(t *testing.T, models map[string]string) *dbt.Project {
	t.Helper()
	p, err := dbt.Load(shop(models), dbt.LoadOptions{Packages: Packages(), Env: func(string) (string, bool) { return "", false }})
	require.NoError(t, err)
	return p
}

func compile(t *testing.T, p *dbt.Project, model string, incremental bool) string {
	t.Helper()
	got, err := p.Compile(p.Models[model], dbt.CompileContext{Resolver: resolver{}, This: "shop." + model, IsIncremental: incremental})
	require.NoError(t, err)
	return got
}

func TestMacrosCompile(t *testing.T) {
	p := load(t, nil)
	tests := []struct {
		model       string
		incremental bool
		want        string
	}{
		{"stg_orders", false, `

with deduplicated as (
    select *
from raw.raw_orders
qualify row_number() over (partition by event_id order by ingested_at desc) = 1
)

select
    CAST(event_id AS VARCHAR)              as event_id,
    event_ts,
    CAST(event_ts AS DATE)                 as event_date,
    CAST(order_id AS VARCHAR)              as order_id,
    CAST(qty AS BIGINT)                    as qty,
    ingested_at
from deduplicated
where qty > 0 and qty <= 100`},
		{"stg_orders", true, `

with deduplicated as (
    select *
from raw.raw_orders
where ingested_at > (select coalesce(max(ingested_at), TIMESTAMPTZ '1970-01-01') from shop.stg_orders)
qualify row_number() over (partition by event_id order by ingested_at desc) = 1
)

select
    CAST(event_id AS VARCHAR)              as event_id,
    event_ts,
    CAST(event_ts AS DATE)                 as event_date,
    CAST(order_id AS VARCHAR)              as order_id,
    CAST(qty AS BIGINT)                    as qty,
    ingested_at
from deduplicated
where qty > 0 and qty <= 100`},
		{"fact_orders", false, `
with changed as (
    select order_id, qty, event_id, event_ts, event_date, ingested_at
    from shop.stg_orders
    
),
candidates as (
    select * from changed
    
)
select
    order_id,
    round(CAST(qty / 3 AS DOUBLE), 2) as third,
    qty,
    event_id,
    event_ts,
    event_date,
    ingested_at,
    max(ingested_at) over (partition by order_id) as last_ingested_at
from candidates
qualify row_number() over (partition by order_id order by event_ts desc, ingested_at desc) = 1`},
		{"fact_orders", true, `
with changed as (
    select order_id, qty, event_id, event_ts, event_date, ingested_at
    from shop.stg_orders
    where ingested_at > (select coalesce(max(last_ingested_at), TIMESTAMPTZ '1970-01-01') from shop.fact_orders)
),
candidates as (
    select * from changed
    union all
    select order_id, qty, event_id, event_ts, event_date, ingested_at
    from shop.fact_orders
    where order_id in (select order_id from changed)
)
select
    order_id,
    round(CAST(qty / 3 AS DOUBLE), 2) as third,
    qty,
    event_id,
    event_ts,
    event_date,
    ingested_at,
    max(ingested_at) over (partition by order_id) as last_ingested_at
from candidates
qualify row_number() over (partition by order_id order by event_ts desc, ingested_at desc) = 1`},
	}
	for _, tc := range tests {
		name := tc.model
		if tc.incremental {
			name += "/incremental"
		}
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, compile(t, p, tc.model, tc.incremental))
		})
	}
}

// The envelope is latest_per_key's to add: listing one of its columns would
// select it twice, so the project fails to load instead.
func TestLatestPerKeyRejectsEnvelopeColumns(t *testing.T) {
	for _, col := range []string{"event_id", "ingested_at", "last_ingested_at"} {
		_, err := dbt.Load(shop(map[string]string{"models/fact_orders.sql": "{{ config(materialized='incremental', unique_key='order_id') }}\n" +
			"{{ mesh_core.latest_per_key(ref('stg_orders'), 'order_id', ['order_id', '" + col + "']) }}"}),
			dbt.LoadOptions{Packages: Packages(), Env: func(string) (string, bool) { return "", false }})
		require.Error(t, err, col)
		assert.True(t, errors.Is(err, dbt.ErrCompile), "%v", err)
		assert.Contains(t, err.Error(), "models/fact_orders.sql:2: latest_per_key: "+col+" is part of the event envelope")
	}
}

// TestMacrosOnDuckDB runs the compiled models twice on DuckDB, merging the
// second run on each model's unique_key as the executor does, and checks the
// rules the domains' facts rely on: replays removed, input errors dropped,
// incremental by arrival, a correction replaces the row, a late older event
// never does but still moves the watermark, unchanged master data merges
// nothing.
func TestMacrosOnDuckDB(t *testing.T) {
	p := load(t, nil)
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := db.Exec(q, args...)
		require.NoError(t, err, q)
	}
	exec("CREATE SCHEMA raw")
	exec("CREATE SCHEMA shop")
	exec("CREATE TABLE raw.raw_orders (event_id INTEGER, event_ts TIMESTAMPTZ, order_id INTEGER, qty INTEGER, ingested_at TIMESTAMPTZ)")
	raw := func(event, order, qty int, ts, ingested string) {
		exec("INSERT INTO raw.raw_orders VALUES (?, CAST(? AS TIMESTAMPTZ), ?, ?, CAST(? AS TIMESTAMPTZ))",
			event, "2024-05-01 "+ts+":00+00", order, qty, "2024-05-01 "+ingested+":00+00")
	}
	// build runs a model as the executor does: the first run creates the
	// table, later ones merge the rows on the unique key. It returns how many
	// rows the run produced.
	build := func(model, key string) int {
		t.Helper()
		var exists bool
		require.NoError(t, db.QueryRow("SELECT count(*) > 0 FROM duckdb_tables() WHERE schema_name = 'shop' AND table_name = ?", model).Scan(&exists))
		q := compile(t, p, model, exists)
		if !exists {
			exec("CREATE TABLE shop." + model + " AS " + q)
			return -1
		}
		exec("CREATE TEMP TABLE run AS " + q)
		defer exec("DROP TABLE run")
		exec("DELETE FROM shop." + model + " WHERE " + key + " IN (SELECT " + key + " FROM run)")
		exec("INSERT INTO shop." + model + " SELECT * FROM run")
		var n int
		require.NoError(t, db.QueryRow("SELECT count(*) FROM run").Scan(&n))
		return n
	}
	rows := func(q string) [][]any {
		t.Helper()
		r, err := db.Query(q)
		require.NoError(t, err, q)
		defer r.Close()
		cols, err := r.Columns()
		require.NoError(t, err)
		var out [][]any
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, r.Scan(ptrs...))
			out = append(out, vals)
		}
		require.NoError(t, r.Err())
		return out
	}

	raw(1, 1, 3, "10:00", "10:05")
	raw(1, 1, 3, "10:00", "10:06") // a replay of event 1
	raw(2, 2, 0, "10:10", "10:15") // an input error: no quantity
	raw(3, 1, 6, "11:00", "11:05") // a correction of order 1
	build("stg_orders", "event_id")
	build("fact_orders", "order_id")

	assert.Equal(t, [][]any{
		{"event_id", "VARCHAR"}, {"event_ts", "TIMESTAMP WITH TIME ZONE"}, {"event_date", "DATE"}, {"order_id", "VARCHAR"},
		{"qty", "BIGINT"}, {"ingested_at", "TIMESTAMP WITH TIME ZONE"},
	}, rows("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'stg_orders' ORDER BY column_index"))
	assert.Equal(t, [][]any{
		{"order_id", "VARCHAR"}, {"third", "DOUBLE"}, {"qty", "BIGINT"}, {"event_id", "VARCHAR"},
		{"event_ts", "TIMESTAMP WITH TIME ZONE"}, {"event_date", "DATE"}, {"ingested_at", "TIMESTAMP WITH TIME ZONE"},
		{"last_ingested_at", "TIMESTAMP WITH TIME ZONE"},
	}, rows("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'fact_orders' ORDER BY column_index"))
	assert.Equal(t, [][]any{
		{"1", int64(3), "10:06"},
		{"3", int64(6), "11:05"},
	}, rows("SELECT event_id, qty, strftime(ingested_at::TIMESTAMP, '%H:%M') FROM shop.stg_orders ORDER BY event_id"))
	fact := "SELECT order_id, qty, third, event_id, strftime(last_ingested_at::TIMESTAMP, '%H:%M') FROM shop.fact_orders ORDER BY order_id"
	assert.Equal(t, [][]any{{"1", int64(6), 2.0, "3", "11:05"}}, rows(fact))

	raw(4, 1, 9, "09:00", "12:00") // a late event older than order 1's current state
	raw(5, 5, 2, "12:00", "12:01")
	raw(3, 1, 6, "11:00", "10:30") // a copy that arrived before the last run: already read
	assert.Equal(t, 2, build("stg_orders", "event_id"), "only what arrived since the last run")
	assert.Equal(t, 2, build("fact_orders", "order_id"))
	assert.Equal(t, [][]any{
		{"1", int64(6), 2.0, "3", "12:00"}, // the late event lost, but moved the watermark
		{"5", int64(2), 0.67, "5", "12:01"},
	}, rows(fact))
	assert.Equal(t, 0, build("stg_orders", "event_id"), "nothing new")
	assert.Equal(t, 0, build("fact_orders", "order_id"), "nothing new")
}
