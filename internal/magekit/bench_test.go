package magekit

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBenchLines(t *testing.T) {
	out := []byte("meshbench ingest: ...\nBENCH\tingest: publish\t9196.5\tevents/s\tbare amqp091 publish\t8072\nnoise\nBENCH\tingest: freshness p50\t0.81\ts\t\t0\n")
	figs, err := parseBenchLines(out)
	require.NoError(t, err)
	assert.Equal(t, []BenchFigure{
		{Name: "ingest: publish", Value: 9196.5, Unit: "events/s", Baseline: "bare amqp091 publish", BaseValue: 8072},
		{Name: "ingest: freshness p50", Value: 0.81, Unit: "s"},
	}, figs)
	assert.InDelta(t, 1.1393, figs[0].Ratio(), 1e-4)
	assert.Zero(t, figs[1].Ratio())

	_, err = parseBenchLines([]byte("BENCH\tx\t1\n"))
	assert.ErrorContains(t, err, "output line 1: want 6 tab-separated fields, got 3")
	_, err = parseBenchLines([]byte("nothing\n"))
	assert.ErrorContains(t, err, "no BENCH lines")
}

func TestParseTransformBench(t *testing.T) {
	out := []byte(`full build of 5 models over 300000 raw events (612000 rows written)
  platform (DuckDB + Iceberg commits)     12.50s
  DuckDB alone, into memory tables         8.00s   ratio 1.56x (target <= 1.5x)
  DuckDB alone, into the same Parquet     10.00s   ratio 1.25x (the Iceberg overhead proper)
incremental run after 15000 new events and 3000 corrections (merged by key, copy-on-write)
  platform                                 2.50s   20% of the full build
`)
	figs, err := parseTransformBench(out)
	require.NoError(t, err)
	require.Len(t, figs, 3)
	assert.Equal(t, BenchFigure{Name: "transform: full build", Value: 12.5, Unit: "s", Baseline: "DuckDB alone, memory", BaseValue: 8}, figs[0])
	assert.InDelta(t, 1.5625, figs[0].Ratio(), 1e-9)
	assert.InDelta(t, 1.25, figs[1].Ratio(), 1e-9)
	assert.InDelta(t, 0.2, figs[2].Ratio(), 1e-9)
	_, err = parseTransformBench([]byte("full build failed\n"))
	assert.ErrorContains(t, err, `no "platform (DuckDB + Iceberg commits)" figure`)
}

func TestParseGoBench(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkDecode-2         	  200000	      5912 ns/op	    1234 B/op	      20 allocs/op
BenchmarkPublishConsume-2 	   50000	     40000 ns/op	     25000 msgs/s
BenchmarkPlain	10	100.5 ns/op
PASS
`)
	figs, err := parseGoBench("platform/x")(out)
	require.NoError(t, err)
	assert.Equal(t, []BenchFigure{
		{Name: "platform/x BenchmarkDecode", Value: 5912, Unit: "ns/op"},
		{Name: "platform/x BenchmarkPublishConsume", Value: 25000, Unit: "msgs/s"},
		{Name: "platform/x BenchmarkPlain", Value: 100.5, Unit: "ns/op"},
	}, figs)
	_, err = parseGoBench("p")([]byte("FAIL\n"))
	assert.Error(t, err)
}

func TestWriteBenchTable(t *testing.T) {
	var b bytes.Buffer
	WriteBenchTable(&b, []BenchFigure{{Name: "ingest: publish", Value: 9196.6, Unit: "events/s", Baseline: "bare", BaseValue: 8072}, {Name: "p50", Value: 0.8123, Unit: "s"}})
	assert.Equal(t, "name             figure  unit      baseline     ratio\ningest: publish  9197    events/s  bare (8072)  1.14\np50              0.812   s         -            -\n", b.String())
}

func TestBenchesListsEveryBenchmark(t *testing.T) {
	t.Setenv(EnvBenchRows, "")
	bs, err := Benches("../..", "orders")
	require.NoError(t, err)
	var names []string
	for _, b := range bs {
		names = append(names, b.Name)
	}
	for _, want := range []string{"ingest", "transform", "go platform/broker", "go platform/contract", "go platform/query"} {
		assert.Contains(t, names, want)
	}
	assert.Equal(t, []string{"run", "./domains/orders/cmd/orders", "transform", "bench", "--rows", "300000"}, bs[1].Args)
	t.Setenv(EnvBenchRows, "lots")
	_, err = Benches("../..", "orders")
	assert.ErrorContains(t, err, `MESH_BENCH_ROWS = "lots"`)
}

func TestRunBenchesFailsOnABrokenBenchmark(t *testing.T) {
	ok := Bench{Name: "goversion", Dir: ".", Args: []string{"env", "GOVERSION"}, Parse: func(out []byte) ([]BenchFigure, error) {
		return []BenchFigure{{Name: "go version printed", Value: float64(len(bytes.TrimSpace(out))), Unit: "bytes"}}, nil
	}}
	noFigures := Bench{Name: "silent", Dir: ".", Args: []string{"env", "GOVERSION"}, Parse: parseBenchLines}
	exitsNonZero := Bench{Name: "broken", Dir: ".", Args: []string{"no-such-go-command"}, Parse: parseBenchLines}
	var out bytes.Buffer
	figs, err := RunBenches(t.TempDir(), []Bench{ok, noFigures, exitsNonZero}, &out)
	require.ErrorIs(t, err, ErrBench)
	assert.ErrorContains(t, err, "silent, broken")
	require.Len(t, figs, 1)
	assert.Equal(t, "go version printed", figs[0].Name)
	assert.Contains(t, out.String(), "benchmark summary (3 benchmarks")
	assert.Contains(t, out.String(), "go version printed")
}
