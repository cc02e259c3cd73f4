//go:build duckdb_arrow

package query_test

import (
	"context"
	"database/sql/driver"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"
)

// chanReader is an array.RecordReader fed by a goroutine (never
// array.ReaderFromIter: DuckDB calls it from a cgo thread).
type chanReader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	ch     chan arrow.RecordBatch
	cur    arrow.RecordBatch
}

func (r *chanReader) Retain()               { r.refs.Add(1) }
func (r *chanReader) Release()              { r.refs.Add(-1) }
func (r *chanReader) Schema() *arrow.Schema { return r.schema }
func (r *chanReader) Err() error            { return nil }
func (r *chanReader) Record() arrow.RecordBatch {
	return r.cur
}
func (r *chanReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *chanReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	rec, ok := <-r.ch
	r.cur = rec
	return ok
}

// BenchmarkAttachArrow is the duckdb_arrow alternative to the spooled path:
// RegisterView over the scan's Arrow stream, then CREATE TABLE AS (never
// query the view directly: duckdb-go#24).
func BenchmarkAttachArrow(b *testing.B) {
	ctx := context.Background()
	lh, _, withDeletes := benchTables(b)
	for b.Loop() {
		e := newEngine(b, lh)
		tbl, err := lh.LoadTable(ctx, withDeletes)
		require.NoError(b, err)
		sc, it, err := tbl.Scan().ToArrowRecords(ctx)
		require.NoError(b, err)
		rdr := &chanReader{schema: sc, ch: make(chan arrow.RecordBatch, 4)}
		go func() {
			for rec, err := range it {
				if err != nil {
					break
				}
				rdr.ch <- rec
			}
			close(rdr.ch)
		}()
		conn, err := e.DB().Conn(ctx)
		require.NoError(b, err)
		require.NoError(b, conn.Raw(func(dc any) error {
			ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
			if err != nil {
				return err
			}
			release, err := ar.RegisterView(rdr, "scan_view")
			if err != nil {
				return err
			}
			defer release()
			_, err = dc.(driver.ExecerContext).ExecContext(ctx, "CREATE TABLE t AS SELECT * FROM scan_view", nil)
			return err
		}))
		var n int64
		require.NoError(b, conn.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n))
		require.Equal(b, int64(benchRows), n)
		conn.Close()
		e.Close()
	}
}
