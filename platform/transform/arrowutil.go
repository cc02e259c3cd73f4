package transform

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func newBuilder(t arrow.DataType) array.Builder { return array.NewBuilder(memory.DefaultAllocator, t) }

func newRecordBatch(sc *arrow.Schema, cols []arrow.Array, rows int64) arrow.RecordBatch {
	return array.NewRecordBatch(sc, cols, rows)
}
