package query_test

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
	"github.com/meshterious/warehouse/platform/query"
)

// TestMasks: masked columns read as the mask whatever the query does with
// them (select, alias, expression, aggregate, filter, join), on both ways a
// table is attached (a read_parquet view, and a streamed copy when the table
// has delete files); other columns and unmasked engines are unchanged.
func TestMasks(t *testing.T) {
	ctx := context.Background()
	lh := lakehousetest.Open(t, lakehousetest.Local)
	events := lakehouse.Ident{Namespace: "shop", Name: "events"}
	upserted := lakehouse.Ident{Namespace: "shop", Name: "upserted"}
	for _, id := range []lakehouse.Ident{events, upserted} {
		lakehousetest.Table(t, lh, id,
			row{ID: "e1", Date: "2026-01-01", Region: "north", Amount: 10},
			row{ID: "e2", Date: "2026-01-01", Region: "south", Amount: 20},
			row{ID: "e3", Date: "2026-01-02", Region: "north", Amount: 30},
		)
	}
	// A delete file makes the table streamed, not a view: e3 goes away.
	writeEqualityDelete(t, lh, upserted, row{ID: "e3", Date: "2026-01-02"})

	var err error
	masks := map[lakehouse.Ident][]string{events: {"region", "amount"}, upserted: {"region", "amount"}}
	var masked *query.Engine
	masked, err = query.NewEngine(ctx, lh, query.Config{Threads: 2, Memory: "1GB", TempDir: t.TempDir(), Masks: masks})
	require.NoError(t, err)
	t.Cleanup(func() { masked.Close() })
	plain := newEngine(t, lh)

	for _, id := range []lakehouse.Ident{events, upserted} {
		tbl := id.String()
		t.Run(id.Name, func(t *testing.T) {
			for _, tc := range []struct {
				name, sql string
				want      [][]any
			}{
				{"columns", "SELECT event_id, region, amount FROM " + tbl + " ORDER BY event_id LIMIT 2",
					[][]any{{"e1", "****", nil}, {"e2", "****", nil}}},
				{"star", "SELECT * FROM " + tbl + " WHERE event_id = 'e1'",
					[][]any{{"e1", date("2026-01-01"), "****", nil}}},
				{"alias", "SELECT region AS r, amount AS a FROM " + tbl + " WHERE event_id = 'e2'",
					[][]any{{"****", nil}}},
				{"derived expressions", "SELECT upper(region) || '!' AS r, amount * 2 + 1 AS a, left(region, 2) AS p FROM " + tbl + " WHERE event_id = 'e2'",
					[][]any{{"****!", nil, "**"}}},
				{"aggregates", "SELECT count(DISTINCT region) AS regions, sum(amount) AS total FROM " + tbl,
					[][]any{{int64(1), nil}}},
				{"filter on the hidden value", "SELECT count(*) FROM " + tbl + " WHERE region = 'north'",
					[][]any{{int64(0)}}},
				{"subquery and join", "SELECT x.r FROM (SELECT event_id, region AS r FROM " + tbl + ") x JOIN " + tbl + " y USING (event_id) WHERE event_id = 'e1'",
					[][]any{{"****"}}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res, err := masked.Query(ctx, tc.sql)
					require.NoError(t, err)
					assert.Equal(t, tc.want, res.Rows)
				})
			}
			assert.Equal(t, id == events, isView(t, masked, id), "the two ways of attaching are both covered")
			res, err := plain.Query(ctx, "SELECT region, amount FROM "+tbl+" WHERE event_id = 'e1'")
			require.NoError(t, err)
			assert.Equal(t, [][]any{{"north", int64(10)}}, res.Rows, "an engine without masks shows the values")
		})
	}
	// A NULL stays NULL: whether a value exists is not hidden.
	nulls := lakehouse.Ident{Namespace: "shop", Name: "nulls"}
	_, err = lh.EnsureTable(ctx, nulls, lakehousetest.Schema(), nil)
	require.NoError(t, err)
	sc, err := table.SchemaToArrowSchema(lakehousetest.Schema(), nil, true, false)
	require.NoError(t, err)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i, id := range []string{"n1", "n2"} {
		b.Field(0).(*array.StringBuilder).Append(id)
		b.Field(1).(*array.Date32Builder).Append(lakehousetest.Date("2026-01-01"))
		if i == 0 {
			b.Field(2).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append("west")
		}
		b.Field(3).(*array.Int64Builder).Append(1)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	_, err = lh.Append(ctx, nulls, []arrow.RecordBatch{rec}, nil)
	require.NoError(t, err)
	withNulls, err := query.NewEngine(ctx, lh, query.Config{Threads: 2, TempDir: t.TempDir(), Masks: map[lakehouse.Ident][]string{nulls: {"region"}}})
	require.NoError(t, err)
	t.Cleanup(func() { withNulls.Close() })
	res, err := withNulls.Query(ctx, "SELECT event_id, region FROM shop.nulls ORDER BY event_id")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"n1", nil}, {"n2", "****"}}, res.Rows)

	n, err := masked.Query(ctx, "SELECT count(*) FROM shop.upserted")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{int64(2)}}, n.Rows, "the delete file applies")
	types, err := masked.Query(ctx, "SELECT typeof(region), typeof(amount) FROM shop.events LIMIT 1")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"VARCHAR", "BIGINT"}}, types.Rows, "masked columns keep their types")
}
