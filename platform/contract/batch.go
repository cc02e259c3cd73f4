package contract

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BatchBuilder accumulates events of one contract into Arrow record batches
// with the contract's ArrowSchema, ready for iceberg-go's table.Append. It is
// not safe for concurrent use.
type BatchBuilder struct {
	c          *Contract
	mem        memory.Allocator
	rb         *array.RecordBuilder
	cells      []cell // the row being appended, converted before any column is touched
	eventTSIdx int
	n          int
}

// cell is one converted value of the current row.
type cell struct {
	null bool
	s    string
	i    int64 // Int64; Timestamp in µs; Date in days since 1970-01-01
	f    float64
	b    bool
}

// NewBatchBuilder returns a builder of record batches for the contract. A nil
// allocator means memory.DefaultAllocator. Call Release when done.
func (c *Contract) NewBatchBuilder(mem memory.Allocator) *BatchBuilder {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &BatchBuilder{
		c:          c,
		mem:        mem,
		rb:         array.NewRecordBuilder(mem, c.arrowSchema),
		cells:      make([]cell, len(c.Fields)),
		eventTSIdx: c.index[FieldEventTS],
	}
}

// Append adds one event as a row; event_date is the UTC date of event_ts and
// ingested_at is ingestedAt. Values may be as Decode normalizes them or, more
// leniently, int/json.Number for numbers and RFC 3339 strings or time.Time for
// timestamps and dates. On error (missing required field, wrong type) nothing
// is appended.
func (b *BatchBuilder) Append(e Event, ingestedAt time.Time) error {
	for i, f := range b.c.Fields {
		v, ok := e[f.Name]
		if !ok || v == nil {
			if f.Required {
				return fmt.Errorf("appending %s event %s: required field %s is missing", b.c, e.ID(), f.Name)
			}
			b.cells[i] = cell{null: true}
			continue
		}
		if err := convert(f, v, &b.cells[i]); err != nil {
			return fmt.Errorf("appending %s event %s: %w", b.c, e.ID(), err)
		}
	}
	eventDate := floorDiv(b.cells[b.eventTSIdx].i, 86_400_000_000)

	for i, f := range b.c.Fields {
		cl := &b.cells[i]
		fb := b.rb.Field(i)
		if cl.null {
			fb.AppendNull()
			continue
		}
		switch f.Type {
		case String, UUID:
			fb.(*array.StringBuilder).Append(cl.s)
		case Timestamp:
			fb.(*array.TimestampBuilder).Append(arrow.Timestamp(cl.i))
		case Date:
			fb.(*array.Date32Builder).Append(arrow.Date32(cl.i))
		case Int64:
			fb.(*array.Int64Builder).Append(cl.i)
		case Float64:
			fb.(*array.Float64Builder).Append(cl.f)
		case Bool:
			fb.(*array.BooleanBuilder).Append(cl.b)
		}
	}
	n := len(b.c.Fields)
	b.rb.Field(n).(*array.Date32Builder).Append(arrow.Date32(eventDate))
	b.rb.Field(n + 1).(*array.TimestampBuilder).Append(arrow.Timestamp(ingestedAt.UnixMicro()))
	b.n++
	return nil
}

// Len returns the number of rows appended since the last NewRecordBatch.
func (b *BatchBuilder) Len() int { return b.n }

// NewRecordBatch returns the rows appended so far as a record batch (the
// caller releases it) and resets the builder.
func (b *BatchBuilder) NewRecordBatch() arrow.RecordBatch {
	b.n = 0
	return b.rb.NewRecordBatch()
}

// NewRecordBatchIngestedAt is NewRecordBatch with ingested_at set to at in
// every row, whatever Append was given. An ingester appends each event as it
// arrives, so that it keeps no decoded event until the commit, and stamps the
// batch with the time of the commit.
func (b *BatchBuilder) NewRecordBatchIngestedAt(at time.Time) arrow.RecordBatch {
	rec := b.NewRecordBatch()
	defer rec.Release()
	last := int(rec.NumCols()) - 1
	tb := array.NewTimestampBuilder(b.mem, rec.Schema().Field(last).Type.(*arrow.TimestampType))
	defer tb.Release()
	n := int(rec.NumRows())
	tb.Reserve(n)
	for range n {
		tb.UnsafeAppend(arrow.Timestamp(at.UnixMicro()))
	}
	stamped := tb.NewArray()
	defer stamped.Release()
	cols := append([]arrow.Array(nil), rec.Columns()...)
	cols[last] = stamped
	return array.NewRecordBatch(rec.Schema(), cols, int64(n))
}

// Release releases the builder's buffers.
func (b *BatchBuilder) Release() { b.rb.Release() }

func convert(f Field, v any, cl *cell) error {
	*cl = cell{}
	bad := func() error {
		return fmt.Errorf("field %s: want %s, got %T", f.Name, f.Type, v)
	}
	switch f.Type {
	case String, UUID:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		cl.s = s
	case Timestamp:
		t, err := timeValue(v, f.Name)
		if err != nil {
			return err
		}
		cl.i = t.UnixMicro()
	case Date:
		switch d := v.(type) {
		case string:
			t, err := time.Parse(time.DateOnly, d)
			if err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
			cl.i = t.Unix() / 86_400
		case time.Time:
			y, m, dd := d.Date()
			cl.i = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Unix() / 86_400
		default:
			return bad()
		}
	case Int64:
		switch n := v.(type) {
		case int64:
			cl.i = n
		case int:
			cl.i = int64(n)
		case json.Number:
			i, err := toInt64(n)
			if err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
			cl.i = i
		case float64:
			if n != math.Trunc(n) || n < -(1<<63) || n >= 1<<63 {
				return fmt.Errorf("field %s: %v is not an int64", f.Name, n)
			}
			cl.i = int64(n)
		default:
			return bad()
		}
	case Float64:
		switch n := v.(type) {
		case float64:
			cl.f = n
		case int64:
			cl.f = float64(n)
		case int:
			cl.f = float64(n)
		case json.Number:
			x, err := n.Float64()
			if err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
			cl.f = x
		default:
			return bad()
		}
	case Bool:
		x, ok := v.(bool)
		if !ok {
			return bad()
		}
		cl.b = x
	}
	return nil
}

func timeValue(v any, name string) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		tt, err := parseTimestamp(t)
		if err != nil {
			return time.Time{}, fmt.Errorf("field %s: %w", name, err)
		}
		return tt, nil
	case nil:
		return time.Time{}, fmt.Errorf("field %s: missing", name)
	default:
		return time.Time{}, fmt.Errorf("field %s: want an RFC 3339 timestamp, got %T", name, v)
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
