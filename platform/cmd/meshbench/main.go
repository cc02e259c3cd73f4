// Command meshbench prints performance figures of the platform on this
// machine; `go run mage.go bench:ingest` runs `meshbench ingest`.
//
// The ingest benchmark measures, on one quorum queue of the configured
// RabbitMQ, over --rounds rounds (median, min, max and spread of each): the
// publish rate of our publisher (broker.Publisher) against a bare amqp091
// publisher sending the same messages with the same persistence and
// asynchronous confirm window; the full ingest rate (consume + validate +
// Iceberg commit) against two baselines: a bare amqp091 consumer (ack + JSON
// decode, nothing else: less work than any durable ingest can do) and a
// consumer that also writes what it receives as Parquet files (JSON decode,
// Arrow columns, one zstd Parquet file per batch, ack once written: the floor
// of a durable write without validation or a table format); the CPU time
// per event of each consumer; and the freshness of live ingest
// (seconds from event_ts to the commit that makes the event visible to
// queries), p50/p95. Lines starting with BENCH carry the headline figures for
// `go run mage.go bench`. It is a benchmark: it prints figures and never
// fails on time.
package main

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/ingest"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/produce"
)

//go:embed scan.v1.json
var scanContract []byte

const (
	benchDomain = "meshbench"
	benchEvent  = "scan"
	benchRegion = "us-east"
)

// profilePath and memProfilePath, when set, receive a CPU profile of the
// last round's full-ingest phase and a heap (allocation) profile after it.
var profilePath, memProfilePath string

var statuses = []string{"received", "sorted", "loaded", "delivered"}

func generateScan(c *produce.Context) map[string]any {
	r := c.Rand
	lat, lon := c.Region.Point(r)
	return map[string]any{
		"parcel_id": r.UUID().String(),
		"station":   fmt.Sprintf("STN-%s-%03d", c.Region.Name, r.IntN(200)),
		"region":    c.Region.Name,
		"weight_kg": math.Round(r.Float64()*3000) / 100,
		"pieces":    int64(1 + r.IntN(4)),
		"lat":       math.Round(lat*1e5) / 1e5,
		"lon":       math.Round(lon*1e5) / 1e5,
		"status":    statuses[r.IntN(len(statuses))],
		"note":      "benchmark parcel",
	}
}

func main() {
	if len(os.Args) < 2 || os.Args[1] != "ingest" {
		fmt.Fprintln(os.Stderr, "usage: meshbench ingest [--events N] [--live-seconds S] [--live-rate R]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("meshbench ingest", flag.ExitOnError)
	events := fs.Int("events", 100000, "events per throughput phase")
	fs.IntVar(&rounds, "rounds", 5, "rounds of each phase; medians and spreads are reported")
	liveSeconds := fs.Int("live-seconds", 15, "duration of the live freshness phase")
	liveRate := fs.Int("live-rate", 2000, "events per second in the live phase")
	batch := fs.Int("batch-size", 5000, "ingester batch size")
	fs.IntVar(&prefetch, "prefetch", 0, "ingester prefetch (0 = as `<domain> ingest`: twice --batch-size, at least the broker default)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the last round's full-ingest phase to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile, taken after the last round's full-ingest phase, to this file")
	_ = fs.Parse(os.Args[2:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	profilePath, memProfilePath = *cpuProfile, *memProfile
	if rounds < 1 {
		fmt.Fprintln(os.Stderr, "meshbench: --rounds must be at least 1")
		os.Exit(2)
	}
	if err := run(ctx, *events, *liveSeconds, *liveRate, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "meshbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, n, liveSeconds, liveRate, batch int) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	// The benchmark writes to a scratch lakehouse, never to the user's.
	dir, err := os.MkdirTemp("", "meshbench-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DataDir, cfg.Catalog = dir, config.CatalogSQLite
	cfg.CatalogURI, cfg.Warehouse = filepath.Join(dir, "catalog.db"), filepath.Join(dir, "warehouse")
	rt := mesh.New(cfg, os.Stderr)
	c, err := contract.Parse("scan.v1.json", scanContract)
	if err != nil {
		return err
	}
	bcfg := rt.Broker()
	binding := broker.Binding{Domain: benchDomain, Event: benchEvent, Region: benchRegion}
	if err := broker.Declare(ctx, bcfg, binding); err != nil {
		return err
	}
	if _, err := broker.Purge(ctx, bcfg, binding.Queue(), binding.DLQ()); err != nil {
		return err
	}
	lh, err := rt.OpenLakehouse(ctx)
	if err != nil {
		return err
	}
	defer lh.Close()
	table := lakehouse.Ident{Namespace: benchDomain, Name: "raw_scan"}
	if err := lh.EnsureNamespace(ctx, table.Namespace); err != nil {
		return err
	}
	if _, err := lh.EnsureTable(ctx, table, c.IcebergSchema(), ingest.RawTableProperties()); err != nil {
		return err
	}
	fmt.Printf("meshbench ingest: %d events per phase, quorum queue %s, batch %d, broker %s\n\n", n, binding.Queue(), batch, config.RedactURL(cfg.AMQPURL))

	// Each round generates three sets of n events. It publishes the first
	// with a bare amqp091 publisher and drains it with a bare consumer, the
	// second with the same publisher (untimed) and drains it with the Parquet
	// consumer, then publishes the third with our publisher and drains it with
	// the full ingester. Medians and spreads are compared: on a small shared
	// machine one phase alone swings by a third.
	pqDir := filepath.Join(dir, "parquet-baseline")
	if err := os.MkdirAll(pqDir, 0o755); err != nil {
		return err
	}
	var gens, barePubs, pubs, bares, pqs, fulls, pubRatios, ingestRatios, pqRatios []float64
	var bareCPU, pqCPU, fullCPU []float64
	for round := 0; round < rounds; round++ {
		var sets [3][]broker.Message
		var genRate float64
		for i := range sets {
			var err error
			if sets[i], genRate, err = generate(ctx, c, n, uint64(3*round+i+1)); err != nil {
				return err
			}
		}
		barePub, err := barePublish(ctx, bcfg.URL, sets[0], bcfg.ConfirmWindow)
		if err != nil {
			return err
		}
		cpu0 := cpuTime()
		bare, err := bareConsume(ctx, bcfg.URL, binding.Queue(), n)
		if err != nil {
			return err
		}
		bareCPU = append(bareCPU, perEvent(cpuTime()-cpu0, n))
		if _, err := barePublish(ctx, bcfg.URL, sets[1], bcfg.ConfirmWindow); err != nil {
			return err
		}
		cpu0 = cpuTime()
		pq, err := parquetConsume(ctx, bcfg.URL, binding.Queue(), c, n, batch, pqDir)
		if err != nil {
			return err
		}
		pqCPU = append(pqCPU, perEvent(cpuTime()-cpu0, n))
		pubRate, err := publish(ctx, bcfg, sets[2])
		if err != nil {
			return err
		}
		cpu0 = cpuTime()
		full, err := fullIngest(ctx, rt, lh, table, c, batch, n, round == rounds-1)
		if err != nil {
			return err
		}
		fullCPU = append(fullCPU, perEvent(cpuTime()-cpu0, n))
		gens, barePubs, pubs = append(gens, genRate), append(barePubs, barePub), append(pubs, pubRate)
		bares, pqs, fulls = append(bares, bare), append(pqs, pq), append(fulls, full)
		pubRatios, ingestRatios, pqRatios = append(pubRatios, 100*pubRate/barePub), append(ingestRatios, 100*full/bare), append(pqRatios, 100*full/pq)
		fmt.Printf("  round %d: bare publish %6.0f/s  ours %6.0f/s (%5.1f %%)   bare consume %6.0f/s  Parquet consume %6.0f/s  full ingest %6.0f/s (%5.1f %% / %5.1f %%)\n",
			round+1, barePub, pubRate, 100*pubRate/barePub, bare, pq, full, 100*full/bare, 100*full/pq)
	}
	fmt.Printf("\n  over %d rounds of %d events: median [min - max], spread = (max - min) / median\n", rounds, n)
	line := func(label string, xs []float64, unit string) {
		lo, hi := minMax(xs)
		fmt.Printf("  %-36s %9.1f %s  [%.1f - %.1f]  spread %4.1f %%\n", label, median(xs), unit, lo, hi, 100*(hi-lo)/median(xs))
	}
	line("generate + validate (no broker)", gens, "events/s")
	line("bare amqp091 publish (confirms)", barePubs, "events/s")
	line("our publisher (same confirms)", pubs, "events/s")
	line("our publisher / bare publish", pubRatios, "%       ")
	fmt.Println("     (target >= 80 %)")
	line("bare consume (ack + JSON)", bares, "events/s")
	line("Parquet consume (+ Arrow + Parquet)", pqs, "events/s")
	line("full ingest (validate + Iceberg)", fulls, "events/s")
	line("full ingest / bare consume", ingestRatios, "%       ")
	fmt.Println("     (target >= 90 %; the bare consumer writes nothing)")
	line("full ingest / Parquet consume", pqRatios, "%       ")
	line("CPU: bare consume", bareCPU, "us/event")
	line("CPU: Parquet consume", pqCPU, "us/event")
	line("CPU: full ingest", fullCPU, "us/event")
	fmt.Println("     (CPU time of this process per event, broker not included)")
	fmt.Println()
	result("publish", median(pubs), "events/s", "bare amqp091 publish", median(barePubs))
	result("ingest", median(fulls), "events/s", "bare consume", median(bares))
	result("ingest vs Parquet", median(fulls), "events/s", "Parquet consume", median(pqs))

	p50, p95, count, err := freshness(ctx, rt, lh, table, c, liveSeconds, liveRate)
	if err != nil {
		return err
	}
	fmt.Printf("  live freshness, %d events at %d/s, event_ts -> visible: p50 %.2fs  p95 %.2fs\n", count, liveRate, p50, p95)
	result("freshness p50", p50, "s", "", 0)
	result("freshness p95", p95, "s", "", 0)
	return nil
}

// result prints one figure in the form `go run mage.go bench` collects into
// its summary table: BENCH<TAB>name<TAB>value<TAB>unit<TAB>baseline<TAB>baseline value.
func result(name string, v float64, unit, baseline string, base float64) {
	fmt.Printf("BENCH\tingest: %s\t%g\t%s\t%s\t%g\n", name, v, unit, baseline, base)
}

// cpuTime is the CPU time (user + system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func perEvent(d time.Duration, n int) float64 { return float64(d.Microseconds()) / float64(n) }

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// prefetch, when not 0, replaces the ingester's prefetch.
var prefetch int

// rounds is how many rounds of each phase the benchmark runs.
var rounds = 5

// capture keeps what a producer publishes, so that the publishers are timed
// on the same messages without the generator's cost.
type capture struct{ msgs []broker.Message }

func (c *capture) Publish(_ context.Context, m broker.Message) error {
	c.msgs = append(c.msgs, m)
	return nil
}

func (c *capture) Flush(context.Context) error { return nil }

// generate makes n valid events as the producer publishes them (body,
// headers, message id), and returns them with the rate of generation.
func generate(ctx context.Context, c *contract.Contract, n int, runNo uint64) ([]broker.Message, float64, error) {
	cp := &capture{msgs: make([]broker.Message, 0, n)}
	p, err := produce.New(produce.Config{Domain: benchDomain, Event: benchEvent, Region: benchRegion, Burst: n, Run: runNo}, c, generateScan, cp)
	if err != nil {
		return nil, 0, err
	}
	st, err := p.Run(ctx)
	return cp.msgs, st.Rate(), err
}

// publish sends msgs through our publisher and waits for every confirm.
func publish(ctx context.Context, bcfg broker.Config, msgs []broker.Message) (float64, error) {
	pub, err := broker.NewPublisher(ctx, bcfg)
	if err != nil {
		return 0, err
	}
	defer pub.Close()
	start := time.Now()
	for _, m := range msgs {
		if err := pub.Publish(ctx, m); err != nil {
			return 0, err
		}
	}
	if err := pub.Flush(ctx); err != nil {
		return 0, err
	}
	return float64(len(msgs)) / time.Since(start).Seconds(), nil
}

// bareChannel connects to url with amqp091-go alone and opens a channel
// with prefetch unacknowledged deliveries (0: the broker's default), for the
// floors our publisher and ingester are measured against. closeConn closes
// the connection.
func bareChannel(url string, prefetch int) (ch *amqp.Channel, closeConn func(), err error) {
	conn, err := amqp.Dial(url)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting: %s", config.RedactURL(err.Error()))
	}
	if ch, err = conn.Channel(); err == nil && prefetch > 0 {
		err = ch.Qos(prefetch, 0, false)
	}
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return ch, func() { conn.Close() }, nil
}

// barePublish is the floor of what any publisher can do on this broker with
// the same guarantees as ours: persistent messages with the same properties,
// publisher confirms handled asynchronously with at most window in flight.
func barePublish(ctx context.Context, url string, msgs []broker.Message, window int) (float64, error) {
	ch, closeConn, err := bareChannel(url, 0)
	if err != nil {
		return 0, err
	}
	defer closeConn()
	if err := ch.Confirm(false); err != nil {
		return 0, err
	}
	window = cmp.Or(window, broker.DefaultConfirmWindow)
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, window+64))
	inflight := 0
	await := func() error {
		select {
		case c, ok := <-confirms:
			if !ok {
				return fmt.Errorf("channel closed with %d publishes unconfirmed", inflight)
			}
			if !c.Ack {
				return fmt.Errorf("the broker refused publish %d", c.DeliveryTag)
			}
			inflight--
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	start := time.Now()
	for _, m := range msgs {
		for inflight >= window {
			if err := await(); err != nil {
				return 0, err
			}
		}
		err := ch.PublishWithContext(ctx, m.Exchange, m.RoutingKey, false, false, amqp.Publishing{
			Headers: amqp.Table(m.Headers), ContentType: broker.ContentTypeJSON, DeliveryMode: amqp.Persistent,
			MessageId: m.MessageID, Timestamp: m.Timestamp, Body: m.Body,
		})
		if err != nil {
			return 0, err
		}
		inflight++
	}
	for inflight > 0 {
		if err := await(); err != nil {
			return 0, err
		}
	}
	return float64(len(msgs)) / time.Since(start).Seconds(), nil
}

// bareConsume is the floor of what any consumer can do on this broker: receive,
// decode JSON, acknowledge in bulk.
func bareConsume(ctx context.Context, url, queue string, n int) (float64, error) {
	ch, closeConn, err := bareChannel(url, broker.DefaultPrefetch)
	if err != nil {
		return 0, err
	}
	defer closeConn()
	msgs, err := ch.ConsumeWithContext(ctx, queue, "meshbench-bare", false, false, false, false, nil)
	if err != nil {
		return 0, err
	}
	var start time.Time
	for i := 0; i < n; i++ {
		d, ok := <-msgs
		if !ok {
			return 0, fmt.Errorf("consumer closed after %d messages", i)
		}
		if i == 0 {
			start = time.Now()
		}
		var m map[string]any
		if err := json.Unmarshal(d.Body, &m); err != nil {
			return 0, err
		}
		if (i+1)%500 == 0 || i == n-1 {
			if err := d.Ack(true); err != nil {
				return 0, err
			}
		}
	}
	return float64(n-1) / time.Since(start).Seconds(), nil
}

// parquetConsume is the floor of a consumer that stores what it receives,
// without any table format: receive, decode JSON (encoding/json), build Arrow
// columns, write one zstd Parquet file per batch (in a second goroutine, as
// the ingester commits while it decodes) and acknowledge the batch once its
// file is written. No validation, no deduplication, no Iceberg commit.
func parquetConsume(ctx context.Context, url, queue string, c *contract.Contract, n, batch int, dir string) (float64, error) {
	ch, closeConn, err := bareChannel(url, 2*batch) // the ingester's prefetch
	if err != nil {
		return 0, err
	}
	defer closeConn()
	msgs, err := ch.ConsumeWithContext(ctx, queue, "meshbench-parquet", false, false, false, false, nil)
	if err != nil {
		return 0, err
	}
	type job struct {
		rec  arrow.RecordBatch
		last amqp.Delivery
	}
	jobs, done := make(chan job), make(chan error, 1)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithCompressionLevel(1))
	go func() {
		var werr error
		for j := range jobs {
			if werr == nil {
				werr = writeParquet(filepath.Join(dir, fmt.Sprintf("%d.parquet", j.last.DeliveryTag)), j.rec, props)
			}
			j.rec.Release()
			if werr == nil {
				werr = j.last.Ack(true)
			}
		}
		done <- werr
	}()
	b := c.NewBatchBuilder(nil)
	defer b.Release()
	var start time.Time
	for i := 0; i < n; i++ {
		d, ok := <-msgs
		if !ok {
			close(jobs)
			<-done
			return 0, fmt.Errorf("consumer closed after %d messages", i)
		}
		if i == 0 {
			start = time.Now()
		}
		dec := json.NewDecoder(bytes.NewReader(d.Body))
		dec.UseNumber()
		var m map[string]any
		err := dec.Decode(&m)
		if err == nil {
			err = b.Append(contract.Event(m), time.Now())
		}
		if err != nil {
			close(jobs)
			<-done
			return 0, err
		}
		if b.Len() == batch || i == n-1 {
			jobs <- job{rec: b.NewRecordBatch(), last: d}
		}
	}
	close(jobs)
	if err := <-done; err != nil {
		return 0, err
	}
	return float64(n-1) / time.Since(start).Seconds(), nil
}

func writeParquet(path string, rec arrow.RecordBatch, props *parquet.WriterProperties) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		f.Close()
		return err
	}
	if err := w.Write(rec); err != nil {
		w.Close()
		return err
	}
	return w.Close() // closes f
}

func fullIngest(ctx context.Context, rt *mesh.Runtime, lh *lakehouse.Lakehouse, table lakehouse.Ident, c *contract.Contract, batch, n int, profile bool) (float64, error) {
	bcfg := rt.Broker()
	bcfg.Prefetch = max(bcfg.Prefetch, 2*batch) // as `<domain> ingest` does
	if prefetch > 0 {
		bcfg.Prefetch = prefetch
	}
	cons, err := broker.NewConsumer(ctx, bcfg, broker.QueueName(benchEvent, benchRegion))
	if err != nil {
		return 0, err
	}
	defer cons.Close()
	dlq, err := broker.NewPublisher(ctx, bcfg)
	if err != nil {
		return 0, err
	}
	defer dlq.Close()
	var (
		first, last time.Time
		mu          sync.Mutex
	)
	in, err := ingest.New(ingest.Config{
		Domain: benchDomain, Event: benchEvent, Region: benchRegion, Table: table,
		BatchSize: batch, UntilIdle: true, IdleTimeout: time.Second, Logger: rt.Logger,
		OnCommit: func(cm ingest.Commit) {
			mu.Lock()
			defer mu.Unlock()
			last = cm.CommittedAt
			if os.Getenv("MESHBENCH_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "commit %d rows at +%.3fs took %.3fs\n", cm.Rows, time.Since(first).Seconds(), cm.Took.Seconds())
			}
		},
	}, c, lh, cons, dlq)
	if err != nil {
		return 0, err
	}
	if profile && memProfilePath != "" {
		defer func() {
			f, err := os.Create(memProfilePath)
			if err == nil {
				runtime.GC()
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "meshbench: writing the allocation profile:", err)
			}
		}()
	}
	if profile && profilePath != "" {
		f, err := os.Create(profilePath)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 0, err
		}
		defer pprof.StopCPUProfile()
	}
	first = time.Now()
	st, err := in.Run(ctx)
	if err != nil {
		return 0, err
	}
	if st.Committed != n {
		return 0, fmt.Errorf("ingested %d of %d events", st.Committed, n)
	}
	return float64(st.Committed) / last.Sub(first).Seconds(), nil
}

func freshness(ctx context.Context, rt *mesh.Runtime, lh *lakehouse.Lakehouse, table lakehouse.Ident, c *contract.Contract, seconds, rate int) (p50, p95 float64, count int, err error) {
	bcfg := rt.Broker()
	cons, err := broker.NewConsumer(ctx, bcfg, broker.QueueName(benchEvent, benchRegion))
	if err != nil {
		return 0, 0, 0, err
	}
	defer cons.Close()
	dlq, err := broker.NewPublisher(ctx, bcfg)
	if err != nil {
		return 0, 0, 0, err
	}
	defer dlq.Close()
	var (
		mu        sync.Mutex
		latencies []float64
	)
	in, err := ingest.New(ingest.Config{
		Domain: benchDomain, Event: benchEvent, Region: benchRegion, Table: table, Logger: rt.Logger,
		UntilIdle: true, IdleTimeout: 3 * time.Second,
		OnCommit: func(cm ingest.Commit) {
			mu.Lock()
			defer mu.Unlock()
			for _, t := range cm.EventTimes {
				latencies = append(latencies, cm.CommittedAt.Sub(t).Seconds())
			}
		},
	}, c, lh, cons, dlq)
	if err != nil {
		return 0, 0, 0, err
	}
	done := make(chan error, 1)
	go func() { _, err := in.Run(ctx); done <- err }()
	pub, err := broker.NewPublisher(ctx, bcfg)
	if err != nil {
		return 0, 0, 0, err
	}
	defer pub.Close()
	perTick := max(1, rate/50)
	p, err := produce.New(produce.Config{Domain: benchDomain, Event: benchEvent, Region: benchRegion, Live: true,
		Interval: 20 * time.Millisecond, PerTick: perTick, Limit: seconds * rate, Run: 3}, c, generateScan, pub)
	if err != nil {
		return 0, 0, 0, err
	}
	if _, err := p.Run(ctx); err != nil {
		return 0, 0, 0, err
	}
	if err := <-done; err != nil {
		return 0, 0, 0, err
	}
	sort.Float64s(latencies)
	if len(latencies) == 0 {
		return 0, 0, 0, fmt.Errorf("no live events were committed")
	}
	q := func(f float64) float64 { return latencies[int(f*float64(len(latencies)-1))] }
	return q(0.50), q(0.95), len(latencies), nil
}
