package domainkit

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/ingest"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/produce"
)

// Command is one subcommand of a domain binary.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, app *App, args []string) error
}

// App is a running domain binary.
type App struct {
	Domain   *Domain
	Stdout   io.Writer
	Stderr   io.Writer
	Commands []Command
}

// Main runs the domain binary with os.Args and returns the exit code.
func Main(d *Domain, extra ...Command) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{Domain: d, Stdout: os.Stdout, Stderr: os.Stderr}
	app.Commands = append([]Command{
		{Name: "produce", Summary: "publish events: --burst N | --live | --replay file.csv", Run: runProduce},
		{Name: "ingest", Summary: "consume a queue into the raw Iceberg table", Run: runIngest},
		{Name: "transform", Summary: "run the dbt project into Iceberg: run|test|build|seed [--select X] [--full-refresh]", Run: runTransform},
		{Name: "setup", Summary: "declare exchanges, queues, DLQs and raw tables (idempotent)", Run: runSetup},
		{Name: "info", Summary: "show the domain's declaration", Run: runInfo},
		{Name: "maintain", Summary: "Iceberg maintenance: compact | expire-snapshots | remove-orphans | all", Run: runMaintain},
	}, extra...)
	return app.Run(ctx, os.Args[1:])
}

// Run dispatches args to a subcommand and returns the exit code.
func (a *App) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		a.usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range a.Commands {
		if c.Name == args[0] {
			if err := c.Run(ctx, a, args[1:]); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return 0
				}
				fmt.Fprintf(a.Stderr, "%s %s: %v\n", a.Domain.Name(), c.Name, err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(a.Stderr, "%s: unknown command %q\n", a.Domain.Name(), args[0])
	a.usage()
	return 2
}

func (a *App) usage() {
	fmt.Fprintf(a.Stderr, "%s: %s\n\nUsage: %s <command> [flags]\n\nCommands:\n", a.Domain.Name(),
		strings.TrimSpace(firstSentence(a.Domain.Spec.Description)), a.Domain.Name())
	for _, c := range a.Commands {
		fmt.Fprintf(a.Stderr, "  %-10s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(a.Stderr, "\nRun '%s <command> -h' for the flags of a command.\n", a.Domain.Name())
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func (a *App) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(a.Domain.Name()+" "+name, flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	return fs
}

func (a *App) eventFlag(fs *flag.FlagSet) *string {
	def := ""
	if evs := a.Domain.Events(); len(evs) == 1 {
		def = evs[0]
	}
	return fs.String("event", def, "event type: "+strings.Join(a.Domain.Events(), ", "))
}

func runProduce(ctx context.Context, a *App, args []string) error {
	fs := a.flagSet("produce")
	event := a.eventFlag(fs)
	region := fs.String("region", "", "region (or all): "+strings.Join(a.Domain.Spec.Regions, ", "))
	burst := fs.Int("burst", 0, "publish N events spread over --since (default 100 when no mode is given)")
	live := fs.Bool("live", false, "publish continuously with event_ts = now until stopped")
	interval := fs.Duration("interval", 10*time.Second, "live: pause between ticks")
	perTick := fs.Int("per-tick", 1, "live: events per tick")
	limit := fs.Int("limit", 0, "live: stop after N events (0 = run until stopped)")
	replay := fs.String("replay", "", "publish the rows of a CSV file (header = contract field names)")
	seed := fs.Uint64("seed", 0, "random seed (0 = derived from domain and event)")
	run := fs.Uint64("run", 0, "run number: a different run never repeats event_ids")
	errorRate := fs.Float64("error-rate", 0, "share of deliberately invalid events (0..1), to exercise the DLQ")
	since := fs.String("since", "1h", "burst: time window ending at --until (e.g. 1h, 90d)")
	until := fs.String("until", "", "burst: end of the window, RFC 3339 (default: the current hour)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, regions, err := a.Domain.Target(*event, *region)
	if err != nil {
		return err
	}
	window, err := domainspec.ParseDuration(*since)
	if err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	var end time.Time
	if *until != "" {
		if end, err = time.Parse(time.RFC3339, *until); err != nil {
			return fmt.Errorf("--until %q: want RFC 3339 like 2026-01-31T00:00:00Z", *until)
		}
	}
	rt, err := mesh.Load(a.Stderr)
	if err != nil {
		return err
	}
	upstream, err := a.upstreamRows(ctx, rt, *event, regions)
	if err != nil {
		return err
	}
	bcfg := rt.Broker()
	if err := broker.Declare(ctx, bcfg, a.bindings(*event, regions)...); err != nil {
		return fmt.Errorf("declaring topology: %w", err)
	}
	pub, err := broker.NewPublisher(ctx, bcfg)
	if err != nil {
		return err
	}
	defer pub.Close()
	g, gctx := errgroup.WithContext(ctx)
	results := make([]produce.Stats, len(regions))
	for i, r := range regions {
		cfg := produce.Config{
			Domain: a.Domain.Name(), Event: *event, Region: r, Burst: *burst, Since: window, Until: end,
			Live: *live, Interval: *interval, PerTick: *perTick, Limit: *limit, Replay: *replay,
			Seed: *seed, Run: *run, ErrorRate: *errorRate, Upstream: upstream[r], Progress: a.Stderr, Logger: rt.Logger,
		}
		p, err := produce.New(cfg, c, a.Domain.Generators[*event], pub)
		if err != nil {
			return err
		}
		g.Go(func() error {
			st, err := p.Run(gctx)
			results[i] = st
			return err
		})
	}
	err = g.Wait()
	total := produce.Stats{Injected: map[string]int{}}
	for i, st := range results {
		fmt.Fprintf(a.Stdout, "produced %-34s %7d events (%d valid, %d invalid on purpose) in %.1fs, %.0f/s\n",
			broker.RoutingKey(*event, regions[i]), st.Published, st.Valid, st.Published-st.Valid, st.Duration.Seconds(), st.Rate())
		total.Published += st.Published
		total.Valid += st.Valid
		for k, v := range st.Injected {
			total.Injected[k] += v
		}
	}
	if len(total.Injected) > 0 {
		kinds := make([]string, 0, len(total.Injected))
		for k, v := range total.Injected {
			kinds = append(kinds, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(kinds)
		fmt.Fprintf(a.Stdout, "invalid on purpose: %s\n", strings.Join(kinds, " "))
	}
	return err
}

func (a *App) bindings(event string, regions []string) []broker.Binding {
	out := make([]broker.Binding, len(regions))
	for i, r := range regions {
		out[i] = broker.Binding{Domain: a.Domain.Name(), Event: event, Region: r}
	}
	return out
}

// EnsureRawTable creates the domain namespace and the raw table of event.
func (a *App) EnsureRawTable(ctx context.Context, lh *lakehouse.Lakehouse, event string) (lakehouse.Ident, error) {
	id, err := a.Domain.RawTable(event)
	if err != nil {
		return id, err
	}
	if err := lh.EnsureNamespace(ctx, id.Namespace); err != nil {
		return id, err
	}
	c := a.Domain.Contracts[event]
	decl, _ := a.Domain.Spec.Event(event)
	props := ingest.RawTableProperties()
	props["comment"] = strings.TrimSpace(decl.Description)
	props["mesh.contract"] = c.Name()
	props["mesh.owner"] = a.Domain.Spec.Owners.Team
	if _, err := lh.EnsureTable(ctx, id, c.IcebergSchema(), props); err != nil {
		return id, fmt.Errorf("creating %s: %w", id, err)
	}
	return id, nil
}

func runSetup(ctx context.Context, a *App, args []string) error {
	fs := a.flagSet("setup")
	purge := fs.Bool("purge", false, "also empty the domain's ingest queues and DLQs (a fresh start for demos)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rt, err := mesh.Load(a.Stderr)
	if err != nil {
		return err
	}
	lh, err := rt.OpenLakehouse(ctx)
	if err != nil {
		return err
	}
	defer lh.Close()
	for _, ev := range a.Domain.Events() {
		if err := broker.Declare(ctx, rt.Broker(), a.bindings(ev, a.Domain.Spec.Regions)...); err != nil {
			return fmt.Errorf("declaring topology of %s: %w", ev, err)
		}
		id, err := a.EnsureRawTable(ctx, lh, ev)
		if err != nil {
			return err
		}
		if *purge {
			var queues []string
			for _, b := range a.bindings(ev, a.Domain.Spec.Regions) {
				queues = append(queues, b.Queue(), b.DLQ())
			}
			removed, err := broker.Purge(ctx, rt.Broker(), queues...)
			if err != nil {
				return err
			}
			total := 0
			for _, n := range removed {
				total += n
			}
			fmt.Fprintf(a.Stdout, "%-16s purged %d waiting messages from %d queues\n", ev, total, len(queues))
		}
		fmt.Fprintf(a.Stdout, "%-16s exchange %s, queues %s_<region> x%d with DLQs, table %s\n", ev,
			broker.ExchangeName(a.Domain.Name()), "ingest_"+ev, len(a.Domain.Spec.Regions), id)
	}
	return nil
}

func runIngest(ctx context.Context, a *App, args []string) error {
	fs := a.flagSet("ingest")
	event := a.eventFlag(fs)
	region := fs.String("region", "", "region (or all: one ingester per region in this process)")
	untilIdle := fs.Bool("until-idle", false, "exit once the queue stays empty")
	batchSize := fs.Int("batch-size", 5000, "rows per Iceberg commit")
	flushInterval := fs.Duration("flush-interval", time.Second, "longest an event waits in a partial batch before it is committed")
	linger := fs.Duration("linger", 100*time.Millisecond, "commit a partial batch once no event arrived for this long")
	idleTimeout := fs.Duration("idle-timeout", 2*time.Second, "with --until-idle: how long the queue must stay empty")
	prefetch := fs.Int("prefetch", 0, "consumer prefetch (0 = twice --batch-size)")
	commitRetryFor := fs.Duration("commit-retry-for", ingest.DefaultCommitRetryFor, "how long a commit failing with anything but a conflict (e.g. the catalog database restarting) is retried before the ingester gives up")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, regions, err := a.Domain.Target(*event, *region)
	if err != nil {
		return err
	}
	rt, err := mesh.Load(a.Stderr)
	if err != nil {
		return err
	}
	bcfg := rt.Broker()
	// Deliveries are acknowledged only after a commit, so the prefetch window
	// must hold two batches: otherwise the broker stops delivering before a
	// batch fills and every commit waits for the flush interval.
	bcfg.Prefetch = max(bcfg.Prefetch, 2**batchSize)
	if *prefetch > 0 {
		bcfg.Prefetch = *prefetch
	}
	if bcfg.Prefetch < *batchSize {
		return fmt.Errorf("--prefetch %d is smaller than --batch-size %d: batches could never fill", bcfg.Prefetch, *batchSize)
	}
	if err := broker.Declare(ctx, bcfg, a.bindings(*event, regions)...); err != nil {
		return fmt.Errorf("declaring topology: %w", err)
	}
	lh, err := rt.OpenLakehouse(ctx)
	if err != nil {
		return err
	}
	defer lh.Close()
	table, err := a.EnsureRawTable(ctx, lh, *event)
	if err != nil {
		return err
	}
	dlq, err := broker.NewPublisher(ctx, bcfg)
	if err != nil {
		return err
	}
	defer dlq.Close()
	tuneGC()
	killAfter, err := faultKillAfterCommit()
	if err != nil {
		return err
	}
	var progress io.Writer = a.Stderr
	if *quiet {
		progress = nil
	}
	g, gctx := errgroup.WithContext(ctx)
	results := make([]ingest.Stats, len(regions))
	for i, r := range regions {
		g.Go(func() error {
			// The consumer outlives the signal that stops the ingester: the
			// final batch is committed and then acknowledged on this channel.
			consCtx, cancelCons := context.WithCancel(context.WithoutCancel(gctx))
			defer cancelCons()
			cons, err := broker.NewConsumer(consCtx, bcfg, broker.QueueName(*event, r))
			if err != nil {
				return err
			}
			defer cons.Close()
			in, err := ingest.New(ingest.Config{
				Domain: a.Domain.Name(), Event: *event, Region: r, Table: table,
				BatchSize: *batchSize, FlushInterval: *flushInterval, Linger: *linger, UntilIdle: *untilIdle, IdleTimeout: *idleTimeout,
				CommitRetryFor: *commitRetryFor, Progress: progress, Logger: rt.Logger, BeforeAck: killAfter,
			}, c, lh, cons, dlq)
			if err != nil {
				return err
			}
			st, err := in.Run(gctx)
			results[i] = st
			return err
		})
	}
	err = g.Wait()
	for i, st := range results {
		reasons := make([]string, 0, len(st.ByReason))
		for k, v := range st.ByReason {
			reasons = append(reasons, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(reasons)
		fmt.Fprintf(a.Stdout, "ingested %-34s %7d rows in %d commits, %d dead-lettered %v, %d duplicates dropped, %.1fs -> %s\n",
			broker.QueueName(*event, regions[i]), st.Committed, st.Commits, st.DeadLettered, reasons, st.Duplicates, st.Duration.Seconds(), table)
	}
	return err
}

func runInfo(_ context.Context, a *App, args []string) error {
	fs := a.flagSet("info")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s := a.Domain.Spec
	fmt.Fprintf(a.Stdout, "domain   %s\nowners   %s %v <%s>\nregions  %s\n\n%s\n\n", s.Name, s.Owners.Team, s.Owners.GitHub,
		s.Owners.Email, strings.Join(s.Regions, ", "), strings.TrimSpace(s.Description))
	for _, ev := range a.Domain.Events() {
		c := a.Domain.Contracts[ev]
		id, _ := a.Domain.RawTable(ev)
		fmt.Fprintf(a.Stdout, "event %s v%d -> exchange %s, routing key %s, table %s\n", ev, c.Version,
			broker.ExchangeName(s.Name), broker.RoutingKey(ev, "<region>"), id)
		for _, f := range c.Fields {
			req := ""
			if f.Required {
				req = "required"
			}
			fmt.Fprintf(a.Stdout, "  %-16s %-10s %-8s %s\n", f.Name, f.Type, req, f.Description)
		}
	}
	return nil
}

// tuneGC trades memory for CPU in long-running ingesters: batches are large and
// short-lived, so collecting less often saves a tenth of the CPU. GOGC in the
// environment still wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
