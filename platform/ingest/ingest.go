package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// ErrInvalidConfig is wrapped by Config.Validate errors.
var ErrInvalidConfig = errors.New("invalid ingester configuration")

// Snapshot summary keys written with every commit.
const (
	SummaryIngester = "mesh.ingester"
	SummaryRows     = "mesh.rows"
	SummaryMaxTS    = "mesh.max-event-ts"
)

// Config configures one ingester.
type Config struct {
	Domain, Event, Region string
	Table                 lakehouse.Ident
	BatchSize             int           // rows per commit, default 5000
	FlushInterval         time.Duration // longest an event waits in a batch, default 1s
	Linger                time.Duration // commit a partial batch once no event came for this long, default 100ms
	UntilIdle             bool          // exit once the queue stays empty
	IdleTimeout           time.Duration // how long "empty" must last, default 2s
	DedupeWindow          int           // event_ids remembered, default 262,144 (> prefetch + 2 batches)
	CommitRetryFor        time.Duration // how long a commit failing with anything but a conflict is retried, default DefaultCommitRetryFor
	MaxReasonBytes        int           // x-mesh-error length cap, default 2048
	Progress              io.Writer     // progress lines; nil = none
	Logger                *slog.Logger
	// OnCommit, when set, is called after each commit (benchmarks measure freshness with it).
	OnCommit func(Commit)
	// BeforeAck, when set, is called after each commit and before its ack, with the
	// number of commits so far. Fault-injection tests kill the process here.
	BeforeAck func(commits int)
}

// WithDefaults fills unset knobs.
func (c Config) WithDefaults() Config {
	if c.BatchSize == 0 {
		c.BatchSize = 5000
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = time.Second
	}
	if c.Linger == 0 {
		c.Linger = 100 * time.Millisecond
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 2 * time.Second
	}
	if c.DedupeWindow == 0 {
		c.DedupeWindow = 1 << 18
	}
	if c.CommitRetryFor == 0 {
		c.CommitRetryFor = DefaultCommitRetryFor
	}
	if c.MaxReasonBytes == 0 {
		c.MaxReasonBytes = 2048
	}
	return c
}

// Validate checks the configuration; errors name the flag.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...))
	}
	if c.Domain == "" || c.Event == "" || c.Region == "" {
		bad("domain, --event and --region are required")
	}
	if c.Table.Namespace == "" || c.Table.Name == "" {
		bad("table is required")
	}
	if c.BatchSize < 1 {
		bad("--batch-size must be at least 1, got %d", c.BatchSize)
	}
	if c.FlushInterval <= 0 {
		bad("--flush-interval must be positive, got %s", c.FlushInterval)
	}
	if c.Linger <= 0 {
		bad("--linger must be positive, got %s", c.Linger)
	}
	if c.IdleTimeout <= 0 {
		bad("--idle-timeout must be positive, got %s", c.IdleTimeout)
	}
	if c.CommitRetryFor <= 0 {
		bad("--commit-retry-for must be positive, got %s", c.CommitRetryFor)
	}
	return errors.Join(errs...)
}

// Commit describes one committed batch.
type Commit struct {
	Rows        int
	SnapshotID  int64
	CommittedAt time.Time
	Took        time.Duration
	EventTimes  []time.Time
}

// Stats counts what an ingester did.
type Stats struct {
	Received     int
	Committed    int
	Duplicates   int
	DeadLettered int
	ByReason     map[string]int
	Commits      int
	Dropped      int // deliveries of a dead channel left for redelivery
	Duration     time.Duration
}

// Consumer is the part of *broker.Consumer an ingester needs.
type Consumer interface {
	Deliveries() <-chan broker.Delivery
	Ack(d broker.Delivery, multiple bool) error
	QueueDepth(ctx context.Context) (int, error)
}

// DeadLetterer is the part of *broker.Publisher an ingester needs.
type DeadLetterer interface {
	DeadLetter(ctx context.Context, domain, dlq string, d broker.Delivery, reason string) error
}

// Ingester moves one queue into one raw table.
type Ingester struct {
	cfg      Config
	contract *contract.Contract
	lh       *lakehouse.Lakehouse
	consumer Consumer
	dlq      DeadLetterer
	log      *slog.Logger
	recent   *recentSet
	mem      memory.Allocator

	// The batch in hand. First deliveries go into the Arrow builder as they
	// arrive, so no decoded event, body or headers stay alive until the
	// commit; redelivered ones wait as events for the check against the table.
	builder *contract.BatchBuilder
	times   []time.Time         // event_ts of the builder's rows, in order
	redo    []redelivered       // redelivered events not known to in.recent
	ids     []string            // event_ids of the batch (builder and redo)
	inBatch map[string]struct{} // the same ids, for duplicates inside the batch
	last    broker.Delivery     // newest delivery not yet acknowledged, if hasLast
	hasLast bool
	gen     uint64
	stats   Stats

	jobs     chan commitJob
	results  chan commitResult
	inflight bool
	commits  int // owned by the committer goroutine
}

// redelivered is an event the broker delivered again: it may already be in
// the table (the ingester died between a commit and its ack).
type redelivered struct {
	ev contract.Event
	ts time.Time
}

// New returns an ingester; the table must exist (lakehouse.EnsureTable).
func New(cfg Config, c *contract.Contract, lh *lakehouse.Lakehouse, consumer Consumer, dlq DeadLetterer) (*Ingester, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	in := &Ingester{
		cfg: cfg, contract: c, lh: lh, consumer: consumer, dlq: dlq, log: log,
		recent: newRecentSet(cfg.DedupeWindow), mem: memory.DefaultAllocator,
		inBatch: map[string]struct{}{}, stats: Stats{ByReason: map[string]int{}},
	}
	in.newBatch()
	return in, nil
}

// Queue is the name of the queue this ingester consumes.
func (in *Ingester) Queue() string { return broker.QueueName(in.cfg.Event, in.cfg.Region) }

// Run consumes until the context ends or, with UntilIdle, the queue is empty.
//
// Decoding and committing overlap: while one batch is being committed by the
// committer goroutine, the loop below already decodes the next one. Commits
// (and their acks) stay strictly sequential.
func (in *Ingester) Run(ctx context.Context) (Stats, error) {
	start := time.Now()
	in.jobs = make(chan commitJob)
	in.results = make(chan commitResult, 1)
	committerCtx, stopCommitter := context.WithCancel(context.WithoutCancel(ctx))
	defer stopCommitter()
	go in.committer(committerCtx)
	defer close(in.jobs)

	// One ticker drives every time-based decision, so a delivery costs a
	// clock read rather than a timer reset.
	tick := time.NewTicker(max(10*time.Millisecond, min(in.cfg.Linger, in.cfg.FlushInterval)/2))
	defer tick.Stop()
	lastProgress := time.Now()
	lastDelivery := time.Now()
	var batchStart time.Time
	deliveries := in.consumer.Deliveries()
	// The final commit must happen even though ctx is done (SIGTERM).
	final := func() (Stats, error) {
		err := in.flush()
		if werr := in.wait(); err == nil {
			err = werr
		}
		return in.finish(start), err
	}
	for {
		select {
		case <-ctx.Done():
			return final()
		case d, ok := <-deliveries:
			if !ok {
				return final()
			}
			lastDelivery = time.Now()
			if !in.hasLast {
				batchStart = lastDelivery
			}
			if err := in.handle(ctx, d); err != nil {
				return in.finish(start), err
			}
			if len(in.ids) >= in.cfg.BatchSize {
				if err := in.flush(); err != nil {
					return in.finish(start), err
				}
				// flush may have waited for the previous commit, while
				// deliveries queued up in the client: that pause was ours,
				// not the stream's, and must not count as idle (UntilIdle
				// would stop with the queue empty but deliveries unread).
				lastDelivery = time.Now()
			}
		case r := <-in.results:
			if err := in.collect(r); err != nil {
				return in.finish(start), err
			}
		case now := <-tick.C:
			// A partial batch is committed once the stream pauses (Linger) or
			// its first event has waited FlushInterval, whichever comes first.
			if in.hasLast && (now.Sub(lastDelivery) >= in.cfg.Linger || now.Sub(batchStart) >= in.cfg.FlushInterval) {
				if err := in.flush(); err != nil {
					return in.finish(start), err
				}
			}
			if in.cfg.Progress != nil && now.Sub(lastProgress) >= time.Second {
				lastProgress = now
				in.printProgress(start, false)
			}
			if in.cfg.UntilIdle && now.Sub(lastDelivery) >= in.cfg.IdleTimeout {
				// A commit finishing here acknowledges its batch, after which
				// the broker may send more: those could be in the client,
				// unread, while the queue looks empty. Only an idle stretch
				// with no commit to wait for ends the run.
				busy := in.inflight || in.hasLast
				if err := in.flush(); err != nil {
					return in.finish(start), err
				}
				if err := in.wait(); err != nil {
					return in.finish(start), err
				}
				depth, err := in.consumer.QueueDepth(ctx)
				if err == nil && depth == 0 && !busy {
					in.printProgress(start, true)
					return in.finish(start), nil
				}
				lastDelivery = now // look again after another IdleTimeout
			}
		}
	}
}

func (in *Ingester) finish(start time.Time) Stats {
	in.stats.Duration = time.Since(start)
	return in.stats
}

func (in *Ingester) printProgress(start time.Time, done bool) {
	if in.cfg.Progress == nil {
		return
	}
	el := time.Since(start).Seconds()
	state := "..."
	if done {
		state = "idle, done"
	}
	fmt.Fprintf(in.cfg.Progress, "  ingest %-28s committed %8d  dead-lettered %5d  duplicates %5d  %7.0f/s %s\n",
		in.Queue(), in.stats.Committed, in.stats.DeadLettered, in.stats.Duplicates, float64(in.stats.Received)/max(el, 1e-9), state)
}

// handle classifies one delivery: dead-letter it, drop it as a duplicate, or add it to the batch.
func (in *Ingester) handle(ctx context.Context, d broker.Delivery) error {
	if d.Generation != in.gen {
		// The channel that delivered the batch in hand is gone: its deliveries
		// can no longer be acknowledged and come back on the new channel.
		in.stats.Dropped += len(in.ids)
		in.builder.Release()
		in.newBatch()
		in.gen = d.Generation
	}
	in.stats.Received++
	ev, err := in.contract.Decode(d.Body)
	if err != nil {
		return in.deadLetter(ctx, d, err)
	}
	id := ev.ID()
	_, again := in.inBatch[id] // a publisher retry: the first copy is kept
	if again || in.recent.Has(id) {
		in.stats.Duplicates++
		in.last, in.hasLast = d, true
		return nil
	}
	ts, err := ev.Time()
	if err != nil {
		return in.deadLetter(ctx, d, err)
	}
	if d.Redelivered {
		in.redo = append(in.redo, redelivered{ev: ev, ts: ts})
	} else {
		// ingested_at is stamped at the commit (NewRecordBatchIngestedAt).
		if err := in.builder.Append(ev, time.Time{}); err != nil {
			return fmt.Errorf("building batch for %s: event %s: %w", in.cfg.Table, id, err)
		}
		in.times = append(in.times, ts)
	}
	in.ids = append(in.ids, id)
	in.inBatch[id] = struct{}{}
	in.last, in.hasLast = d, true
	return nil
}

// newBatch starts an empty batch in hand; the builder and times of the
// previous one belong to the committer or were discarded.
func (in *Ingester) newBatch() {
	in.builder = in.contract.NewBatchBuilder(in.mem)
	in.times = make([]time.Time, 0, min(in.cfg.BatchSize, 1<<16))
	in.redo = nil
	in.ids = in.ids[:0]
	clear(in.inBatch)
	in.hasLast = false
}

func (in *Ingester) deadLetter(ctx context.Context, d broker.Delivery, cause error) error {
	kind := ReasonKind(cause)
	reason := cause.Error()
	if len(reason) > in.cfg.MaxReasonBytes {
		reason = reason[:in.cfg.MaxReasonBytes] + "..."
	}
	if err := in.dlq.DeadLetter(ctx, in.cfg.Domain, broker.DLQName(in.cfg.Event, in.cfg.Region), d, kind+": "+reason); err != nil {
		return fmt.Errorf("dead-lettering message %q (%s): %w", d.MessageID, kind, err)
	}
	in.stats.DeadLettered++
	in.stats.ByReason[kind]++
	// The DLQ holds it now (confirmed): acknowledge it alone, so that a crash before
	// the next commit does not put a second copy in the DLQ.
	if err := in.consumer.Ack(d, false); err != nil && !errors.Is(err, broker.ErrStaleDelivery) {
		return fmt.Errorf("acknowledging dead-lettered message %q: %w", d.MessageID, err)
	}
	return nil
}

// ReasonKind names the class of a validation failure, for the x-mesh-error header and metrics.
func ReasonKind(err error) string {
	switch {
	case errors.Is(err, contract.ErrTooLarge):
		return "too_large"
	case errors.Is(err, contract.ErrInvalidUTF8):
		return "invalid_utf8"
	case errors.Is(err, contract.ErrMalformed):
		return "malformed_json"
	case errors.Is(err, contract.ErrUnknownEventType):
		return "unknown_event_type"
	case errors.Is(err, contract.ErrContractViolation):
		return "contract_violation"
	default:
		return "invalid"
	}
}

// commitJob is one batch handed to the committer.
type commitJob struct {
	b     *contract.BatchBuilder // the first deliveries, already appended
	times []time.Time            // their event_ts
	redo  []redelivered          // appended if not in the table yet
	last  broker.Delivery        // acknowledged (multiple) once the rows are committed
}

// commitResult is what the committer reports for one job.
type commitResult struct {
	committed, duplicates int
	err                   error
}

// flush hands the batch in hand to the committer, after the previous commit
// finished, and starts a new batch.
func (in *Ingester) flush() error {
	if !in.hasLast {
		return nil
	}
	if err := in.wait(); err != nil {
		return err
	}
	// Remembered now, not after the commit, so that a copy arriving while this
	// batch commits is recognised. If the commit fails the ingester stops.
	for _, id := range in.ids {
		in.recent.Add(id)
	}
	// The committer is idle after wait(), so this send does not block.
	in.jobs <- commitJob{b: in.builder, times: in.times, redo: in.redo, last: in.last}
	in.inflight = true
	in.newBatch()
	return nil
}

// wait blocks until the commit in flight, if any, is done.
func (in *Ingester) wait() error {
	if !in.inflight {
		return nil
	}
	return in.collect(<-in.results)
}

func (in *Ingester) collect(r commitResult) error {
	in.inflight = false
	in.stats.Duplicates += r.duplicates
	if r.err != nil {
		return r.err
	}
	if r.committed > 0 {
		in.stats.Committed += r.committed
		in.stats.Commits++
	}
	return nil
}

// committer commits and acknowledges batches one after the other.
func (in *Ingester) committer(ctx context.Context) {
	for job := range in.jobs {
		in.results <- in.commitAndAck(ctx, job)
	}
}

func (in *Ingester) commitAndAck(ctx context.Context, job commitJob) commitResult {
	var res commitResult
	defer job.b.Release()
	redo, err := in.dropCommitted(ctx, job.redo)
	if err != nil {
		res.err = err
		return res
	}
	res.duplicates = len(job.redo) - len(redo)
	times := job.times
	for _, r := range redo {
		if err := job.b.Append(r.ev, time.Time{}); err != nil {
			res.err = fmt.Errorf("building batch for %s: event %s: %w", in.cfg.Table, r.ev.ID(), err)
			return res
		}
		times = append(times, r.ts)
	}
	rows := job.b.Len()
	if rows > 0 {
		if err := in.commit(ctx, job.b, times); err != nil {
			res.err = err
			return res
		}
		res.committed = rows
		if in.cfg.BeforeAck != nil {
			in.commits++
			in.cfg.BeforeAck(in.commits)
		}
	}
	if err := in.consumer.Ack(job.last, true); err != nil {
		if !errors.Is(err, broker.ErrStaleDelivery) && !errors.Is(err, broker.ErrClosed) {
			res.err = fmt.Errorf("acknowledging batch of %s: %w", in.Queue(), err)
			return res
		}
		// Committed but not acknowledged: the redelivered copies are recognised by in.recent.
		in.log.Warn("batch committed but its channel died before the ack; redeliveries will be deduplicated",
			"queue", in.Queue(), "rows", rows)
	}
	return res
}

// dropCommitted returns the redelivered events that are not in the table yet.
func (in *Ingester) dropCommitted(ctx context.Context, redo []redelivered) ([]redelivered, error) {
	if len(redo) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(redo))
	dates := map[iceberg.Date]struct{}{}
	for _, r := range redo {
		ids = append(ids, r.ev.ID())
		dates[iceberg.Date(r.ts.UTC().Unix()/86400)] = struct{}{}
	}
	ds := make([]iceberg.Date, 0, len(dates))
	for d := range dates {
		ds = append(ds, d)
	}
	existing, err := in.lh.ExistingValues(ctx, in.cfg.Table, "event_id", ids, iceberg.IsIn(iceberg.Reference("event_date"), ds...))
	if err != nil {
		return nil, fmt.Errorf("checking %d redelivered events against %s: %w", len(ids), in.cfg.Table, err)
	}
	kept := redo[:0]
	for _, r := range redo {
		if _, done := existing[r.ev.ID()]; !done {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// commit writes the builder's rows as one snapshot; rows holds the event_ts
// of each row, in order.
func (in *Ingester) commit(ctx context.Context, b *contract.BatchBuilder, rows []time.Time) error {
	times := rows
	var maxTS time.Time
	for _, ts := range rows {
		if ts.After(maxTS) {
			maxTS = ts
		}
	}
	rec := b.NewRecordBatchIngestedAt(time.Now().UTC())
	defer rec.Release()
	summary := map[string]string{
		SummaryIngester: in.Queue(),
		SummaryRows:     strconv.Itoa(len(rows)),
		SummaryMaxTS:    maxTS.Format(time.RFC3339Nano),
	}
	start := time.Now()
	var snap int64
	attempts, err := retryCommit(ctx, in.cfg.CommitRetryFor, func(attempt int, err error) {
		in.log.Warn("commit failed, retrying", "table", in.cfg.Table.String(), "attempt", attempt, "err", err)
	}, func() error {
		var err error
		snap, err = in.lh.Append(ctx, in.cfg.Table, []arrow.RecordBatch{rec}, summary)
		return err
	})
	if err != nil {
		return fmt.Errorf("committing %d rows to %s (%d attempts in %s): %w", len(rows), in.cfg.Table, attempts, time.Since(start).Round(time.Millisecond), err)
	}
	if in.cfg.OnCommit != nil {
		in.cfg.OnCommit(Commit{Rows: len(rows), SnapshotID: snap, CommittedAt: time.Now(), Took: time.Since(start), EventTimes: times})
	}
	return nil
}

// DefaultCommitRetryFor is how long the ingester retries a commit that fails
// with anything but a conflict. A restart of the PostgreSQL catalog took
// 2.4 s idle and 4.7 s under the fault test's stream on a busy 2-core machine
// (pg_ctlcluster restart); 30 s rides out one several times slower, while the
// batch waits unacknowledged in the queue, and still reports a lasting
// failure (bad credentials, a full disk) soon.
const DefaultCommitRetryFor = 30 * time.Second

// Bounds of the pause between two attempts of retryCommit: it grows by
// commitRetryStep per attempt up to commitRetryMaxWait.
const (
	commitRetryStep    = 200 * time.Millisecond
	commitRetryMaxWait = 2 * time.Second
)

// retryCommit runs commit until it succeeds, fails with what is not
// retryable, or budget has passed since the first attempt: the pause after
// attempt n is n x 200 ms (at most 2 s), and no attempt starts after the
// budget. onRetry is told of each failure that will be retried. It returns
// the number of attempts and the last error.
func retryCommit(ctx context.Context, budget time.Duration, onRetry func(attempt int, err error), commit func() error) (int, error) {
	deadline := time.Now().Add(budget)
	for attempt := 1; ; attempt++ {
		err := commit()
		if !retryable(ctx, err) {
			return attempt, err
		}
		wait := min(time.Duration(attempt)*commitRetryStep, commitRetryMaxWait)
		if time.Now().Add(wait).After(deadline) {
			return attempt, err
		}
		onRetry(attempt, err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt, err
		case <-t.C:
		}
	}
}

// retryable reports whether a failed commit is worth another attempt by the
// ingester: not when it succeeded or ctx is done, and not on a commit
// conflict, which the lakehouse already retried Config.CommitRetries times
// (lakehouse.IsConflict). What is left is a transient failure of the catalog
// database or the object store.
func retryable(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() == nil && !lakehouse.IsConflict(err)
}

// RawTableProperties are the Iceberg table properties every raw table is created
// with. Raw tables take a commit every second or so and are rewritten by the
// transformations, so their Parquet files use zstd's fastest level: about half
// the compression CPU of the default level for files a few percent larger.
func RawTableProperties() map[string]string {
	return map[string]string{
		"write.parquet.compression-codec": "zstd",
		"write.parquet.compression-level": "1",
	}
}
