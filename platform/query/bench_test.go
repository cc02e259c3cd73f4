package query_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
)

const benchRows = 200_000

// benchTables fills two local tables with benchRows rows in 4 commits; the
// second one gets an upsert of one row, so its scan has delete files.
func benchTables(b *testing.B) (lh *lakehouse.Lakehouse, plain, withDeletes lakehouse.Ident) {
	b.Helper()
	ctx := context.Background()
	lh = lakehousetest.Open(b, lakehousetest.Local)
	plain = lakehouse.Ident{Namespace: "bench", Name: "plain"}
	withDeletes = lakehouse.Ident{Namespace: "bench", Name: "deletes"}
	for _, id := range []lakehouse.Ident{plain, withDeletes} {
		lakehousetest.Table(b, lh, id)
		for c := range 4 {
			rows := make([]lakehousetest.Row, 0, benchRows/4)
			for i := range benchRows / 4 {
				rows = append(rows, lakehousetest.Row{ID: fmt.Sprintf("e%d-%d", c, i), Date: fmt.Sprintf("2026-01-0%d", 1+i%4), Region: []string{"north", "south", "east"}[i%3], Amount: int64(i)})
			}
			_, err := lh.Append(ctx, id, []arrow.RecordBatch{lakehousetest.Batch(b, rows...)}, nil)
			require.NoError(b, err)
		}
	}
	_, err := lh.Upsert(ctx, withDeletes, []string{"event_id"}, []arrow.RecordBatch{lakehousetest.Batch(b,
		lakehousetest.Row{ID: "e0-1", Date: "2026-01-02", Region: "west", Amount: 1})}, nil)
	require.NoError(b, err)
	return lh, plain, withDeletes
}

// BenchmarkAttach measures making a 200k-row table queryable and counting it:
// read_parquet view (no deletes) versus scan + Parquet spool + CREATE TABLE.
// Compare with BenchmarkAttachArrow (build tag duckdb_arrow).
func BenchmarkAttach(b *testing.B) {
	ctx := context.Background()
	lh, plain, withDeletes := benchTables(b)
	for name, id := range map[string]lakehouse.Ident{"read_parquet_view": plain, "spooled_parquet_table": withDeletes} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				e := newEngine(b, lh)
				res, err := e.Query(ctx, "SELECT count(*) FROM "+id.String())
				require.NoError(b, err)
				_ = res
				e.Close()
			}
		})
	}
}
