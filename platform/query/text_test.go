package query_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
	"github.com/meshterious/warehouse/platform/query"
)

// texts returns the rows of a QueryText result as DuckDB's text, "NULL" for NULL.
func texts(t *testing.T, res *query.Result) [][]string {
	t.Helper()
	out := make([][]string, len(res.Rows))
	for i, row := range res.Rows {
		for _, v := range row {
			if v == nil {
				out[i] = append(out[i], "NULL")
				continue
			}
			val, ok := v.(query.Value)
			require.True(t, ok, "row %d holds a %T, want query.Value", i, v)
			out[i] = append(out[i], val.String())
		}
	}
	return out
}

func TestQueryText(t *testing.T) {
	ctx := context.Background()
	lh := lakehousetest.Open(t, lakehousetest.Local)
	e := newEngine(t, lh)
	id := lakehouse.Ident{Namespace: "orders", Name: "events"}
	lakehousetest.Table(t, lh, id,
		row{ID: "a", Date: "2026-01-01", Region: "us-east", Amount: 5},
		row{ID: "b", Date: "2026-01-02", Region: "eu-central", Amount: 7},
	)

	tests := []struct {
		name        string
		sql         string
		columns     []string
		types       []string
		want        [][]string
		errContains string
	}{
		{name: "lakehouse table", sql: "SELECT event_id, amount / 2 AS half, event_date FROM orders.events ORDER BY event_id",
			columns: []string{"event_id", "half", "event_date"}, types: []string{"VARCHAR", "DOUBLE", "DATE"},
			want: [][]string{{"a", "2.5", "2026-01-01"}, {"b", "3.5", "2026-01-02"}}},
		{name: "duplicate column names are kept", sql: "SELECT 1 AS a, 2 AS a",
			columns: []string{"a", "a"}, want: [][]string{{"1", "2"}}},
		// TIME_NS cannot be read by the Go driver: it prints only when DuckDB converts it.
		{name: "semicolon and comment after the statement", sql: "SELECT '03:04:05.123456789'::TIME_NS AS t; -- done",
			columns: []string{"t"}, types: []string{"TIME_NS"}, want: [][]string{{"03:04:05.123456789"}}},
		{name: "semicolons in strings, identifiers and comments", sql: "SELECT 'it''s; here' AS \"a;b\" /* ; */ -- ;\n, $$x;$$ AS c;",
			columns: []string{"a;b", "c"}, want: [][]string{{"it's; here", "x;"}}},
		{name: "DESCRIBE", sql: "DESCRIBE SELECT 1.5::DECIMAL(3,1) AS d",
			want: [][]string{{"d", "DECIMAL(3,1)", "YES", "NULL", "NULL", "NULL"}}},
		{name: "SHOW a lakehouse table", sql: "SHOW orders.events",
			want: [][]string{
				{"event_id", "VARCHAR", "YES", "NULL", "NULL", "NULL"}, {"event_date", "DATE", "YES", "NULL", "NULL", "NULL"},
				{"region", "VARCHAR", "YES", "NULL", "NULL", "NULL"}, {"amount", "BIGINT", "YES", "NULL", "NULL", "NULL"},
			}},
		{name: "several statements, converted in Go", sql: "SET threads = 1; SELECT [1.5::DECIMAL(3,1)] AS l, {'x': 'y z', 'a': [2.0]} AS s",
			columns: []string{"l", "s"}, want: [][]string{{"[1.5]", "{'x': y z, 'a': [2.0]}"}}},
		{name: "PIVOT, converted in Go", sql: "PIVOT (SELECT 'k' AS k, 2.5 AS v) ON k USING sum(v)",
			columns: []string{"k"}, want: [][]string{{"2.5"}}},
		{name: "EXPLAIN", sql: "EXPLAIN SELECT 1", columns: []string{"explain_key", "explain_value"}},
		{name: "error in the user's text", sql: "SELECT * FROM nosuch_table", errContains: "nosuch_table"},
		{name: "syntax error", sql: "SELEKT 1", errContains: "LINE 1: SELEKT 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.QueryText(ctx, tt.sql)
			if tt.errContains != "" {
				require.ErrorContains(t, err, tt.errContains)
				assert.NotContains(t, err.Error(), "AS q(", "the error shows the user's statement, not the wrapper")
				return
			}
			require.NoError(t, err)
			if tt.columns != nil {
				assert.Equal(t, tt.columns, res.Columns)
			}
			if tt.types != nil {
				assert.Equal(t, tt.types, res.Types)
			}
			if tt.want != nil {
				assert.Equal(t, tt.want, texts(t, res))
			} else {
				assert.NotEmpty(t, res.Rows)
			}
		})
	}
}

// TestQueryTextKeepsOrder checks that wrapping a statement keeps its ORDER
// BY, on enough rows for DuckDB to sort in parallel.
func TestQueryTextKeepsOrder(t *testing.T) {
	e := newEngine(t, lakehousetest.Open(t, lakehousetest.Local))
	sql := "SELECT i, hash(i) AS h FROM range(300000) t(i) ORDER BY h"
	res, err := e.QueryText(context.Background(), sql)
	require.NoError(t, err)
	plain := mustQuery(t, e, sql)
	require.Len(t, res.Rows, len(plain.Rows))
	for i := range plain.Rows {
		if got, want := res.Rows[i][0].(query.Value).String(), fmt.Sprint(plain.Rows[i][0]); got != want {
			t.Fatalf("row %d: %s, want %s", i, got, want)
		}
	}
}

// TestValueJSON checks the JSON form of values: numbers and booleans as
// JSON numbers and booleans, nested types as JSON structures, non-finite
// floats and DECIMALs without an integer digit made valid JSON.
func TestValueJSON(t *testing.T) {
	res, err := newEngine(t, lakehousetest.Open(t, lakehousetest.Local)).QueryText(context.Background(), `SELECT
		42 AS i, 0.5::DECIMAL(3,3) AS d, 'nan'::DOUBLE AS nan, true AS b, '<a & b>' AS s,
		[1.5::DOUBLE, 'inf'::DOUBLE, NULL] AS l, {'a': 'NaN', 'b': '-inf'::FLOAT} AS st`)
	require.NoError(t, err)
	var got []string
	for _, v := range res.Rows[0] {
		b, err := v.(query.Value).MarshalJSON()
		require.NoError(t, err)
		require.True(t, json.Valid(b), "%s", b)
		got = append(got, string(b))
	}
	assert.Equal(t, []string{`42`, `0.500`, `"nan"`, `true`, `"<a & b>"`, `[1.5,"inf",null]`, `{"a":"NaN","b":"-inf"}`}, got)
}
