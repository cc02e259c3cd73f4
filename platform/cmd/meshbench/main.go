// Command meshbench prints performance figures of the platform on this
// machine; `go run mage.go bench:ingest` runs `meshbench ingest`.
//
// The ingest benchmark measures, on one quorum queue of the configured
// RabbitMQ, over --rounds rounds (median, min, max and spread of each): the
// publish rate of our publisher (broker.Publisher) against a bare amqp091
// publisher sending the same messages with the same persistence and
// asynchronous confirm window; the bare consume rate of a minimal amqp091
// consumer (ack + JSON decode, nothing else) against the full ingest rate
// (consume + validate + Iceberg commit); and the freshness of live ingest
// (seconds from event_ts to the commit that makes the event visible to
// queries), p50/p95. Lines starting with BENCH carry the headline figures for
// `go run mage.go bench`. It is a benchmark: it prints figures and never
// fails on time.
package main

import (
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
	"runtime/pprof"
	"sort"
	"sync"
	"syscall"
	"time"

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

// profilePath, when set, receives a CPU profile of the full-ingest phase.
var profilePath string

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
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the full-ingest phase to this file")
	_ = fs.Parse(os.Args[2:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	profilePath = *cpuProfile
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

	// Each round generates two sets of n events, publishes one with a bare
	// amqp091 publisher and drains it with a bare consumer, then publishes the
	// other with our publisher and drains it with the full ingester. Medians
	// and spreads are compared: on a small shared machine one phase alone
	// swings by a third.
	var gens, barePubs, pubs, bares, fulls, pubRatios, ingestRatios []float64
	for round := 0; round < rounds; round++ {
		a, genRate, err := generate(ctx, c, n, uint64(2*round+1))
		if err != nil {
			return err
		}
		b, _, err := generate(ctx, c, n, uint64(2*round+2))
		if err != nil {
			return err
		}
		barePub, err := barePublish(ctx, bcfg.URL, a, bcfg.ConfirmWindow)
		if err != nil {
			return err
		}
		bare, err := bareConsume(ctx, bcfg.URL, binding.Queue(), n)
		if err != nil {
			return err
		}
		pubRate, err := publish(ctx, bcfg, b)
		if err != nil {
			return err
		}
		full, err := fullIngest(ctx, rt, lh, table, c, batch, n)
		if err != nil {
			return err
		}
		gens, barePubs, pubs = append(gens, genRate), append(barePubs, barePub), append(pubs, pubRate)
		bares, fulls = append(bares, bare), append(fulls, full)
		pubRatios, ingestRatios = append(pubRatios, 100*pubRate/barePub), append(ingestRatios, 100*full/bare)
		fmt.Printf("  round %d: bare publish %7.0f/s  our publisher %7.0f/s (%5.1f %%)   bare consume %7.0f/s  full ingest %7.0f/s (%5.1f %%)\n",
			round+1, barePub, pubRate, 100*pubRate/barePub, bare, full, 100*full/bare)
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
	line("full ingest (validate + Iceberg)", fulls, "events/s")
	line("full ingest / bare consume", ingestRatios, "%       ")
	fmt.Println("     (target >= 90 %)")
	fmt.Println()
	result("publish", median(pubs), "events/s", "bare amqp091 publish", median(barePubs))
	result("ingest", median(fulls), "events/s", "bare consume", median(bares))

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

// barePublish is the floor of what any publisher can do on this broker with
// the same guarantees as ours: persistent messages with the same properties,
// publisher confirms handled asynchronously with at most window in flight.
func barePublish(ctx context.Context, url string, msgs []broker.Message, window int) (float64, error) {
	conn, err := amqp.Dial(url)
	if err != nil {
		return 0, fmt.Errorf("connecting: %s", config.RedactURL(err.Error()))
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return 0, err
	}
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
	conn, err := amqp.Dial(url)
	if err != nil {
		return 0, fmt.Errorf("connecting: %s", config.RedactURL(err.Error()))
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return 0, err
	}
	if err := ch.Qos(broker.DefaultPrefetch, 0, false); err != nil {
		return 0, err
	}
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

func fullIngest(ctx context.Context, rt *mesh.Runtime, lh *lakehouse.Lakehouse, table lakehouse.Ident, c *contract.Contract, batch, n int) (float64, error) {
	bcfg := rt.Broker()
	bcfg.Prefetch = max(bcfg.Prefetch, 2*batch) // as `<domain> ingest` does
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
	if profilePath != "" {
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
