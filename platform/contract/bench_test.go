package contract_test

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshterious/warehouse/platform/contract"
)

// The benchmarks use a complete orders.v1 event: 15 fields, about 400 bytes
// of JSON (the brief's ~300-byte event, plus the real contract's extra fields).

func BenchmarkDecode(b *testing.B) {
	c := loadOrders(b, 1)
	data := body(b, validOrder())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRegistryDecode(b *testing.B) {
	r := contract.NewRegistry(loadOrders(b, 1))
	data := body(b, validOrder())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBatchBuilderAppend(b *testing.B) {
	c := loadOrders(b, 1)
	e, err := c.Decode(body(b, validOrder()))
	if err != nil {
		b.Fatal(err)
	}
	bb := c.NewBatchBuilder(memory.NewGoAllocator())
	defer bb.Release()
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := bb.Append(e, now); err != nil {
			b.Fatal(err)
		}
		if bb.Len() == 10_000 {
			bb.NewRecordBatch().Release()
		}
	}
}

// BenchmarkDecodeAppend is the ingester's per-event cost: Decode + Append.
func BenchmarkDecodeAppend(b *testing.B) {
	c := loadOrders(b, 1)
	data := body(b, validOrder())
	bb := c.NewBatchBuilder(memory.NewGoAllocator())
	defer bb.Release()
	now := time.Now()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		e, err := c.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		if err := bb.Append(e, now); err != nil {
			b.Fatal(err)
		}
		if bb.Len() == 10_000 {
			bb.NewRecordBatch().Release()
		}
	}
}
