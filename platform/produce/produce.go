package produce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/gen"
)

// ErrInvalidConfig is wrapped by Config.Validate errors.
var ErrInvalidConfig = errors.New("invalid producer configuration")

// Generator fills in the domain fields of one event (not the envelope).
// It must draw randomness only from c.Rand so that runs are reproducible.
// It may set "event_ts" itself (RFC 3339), and may return nil to emit nothing
// (a reacting generator with nothing to react to at c.Time).
type Generator func(c *Context) map[string]any

// Context is what a Generator knows about the event it makes.
type Context struct {
	Rand   *gen.Rand
	Region gen.Region
	Time   time.Time // the event's event_ts
	Seq    int64     // position of the event in this run, from 0
	// Upstream holds the rows of the event's upstream query (domain.yaml
	// events[].upstream), e.g. the orders a return can refer to; nil without one.
	Upstream []map[string]any
}

// Config selects what to publish. Exactly one of Burst, Live and ReplayPath applies.
type Config struct {
	Domain    string
	Event     string
	Region    string
	Burst     int              // number of events spread over [Until-Since, Until)
	Since     time.Duration    // burst window, default 1h
	Until     time.Time        // end of the burst window, default now truncated to the hour
	Live      bool             // publish with event_ts = now until the context ends
	Interval  time.Duration    // live: pause between ticks, default 10s
	PerTick   int              // live: events per tick, default 1
	Limit     int              // live: stop after this many events (0 = no limit)
	Replay    string           // CSV file to replay
	Seed      uint64           // 0 = gen.DefaultSeed(domain, event)
	Run       uint64           // stream number: a new run never repeats event_ids of another
	ErrorRate float64          // share of deliberately invalid messages, 0..1
	Upstream  []map[string]any // rows the generator reacts to (see Context.Upstream)

	Progress io.Writer // progress lines and the summary; nil = none
	Logger   *slog.Logger
}

// Mode names the publishing mode.
func (c Config) Mode() string {
	switch {
	case c.Replay != "":
		return "replay"
	case c.Live:
		return "live"
	default:
		return "burst"
	}
}

// WithDefaults fills unset knobs.
func (c Config) WithDefaults() Config {
	if c.Since == 0 {
		c.Since = time.Hour
	}
	if c.Until.IsZero() {
		c.Until = time.Now().UTC().Truncate(time.Hour)
	}
	if c.Interval == 0 {
		c.Interval = 10 * time.Second
	}
	if c.PerTick == 0 {
		c.PerTick = 1
	}
	if c.Seed == 0 {
		c.Seed = gen.DefaultSeed(c.Domain, c.Event)
	}
	if c.Burst == 0 && !c.Live && c.Replay == "" {
		c.Burst = 100
	}
	return c
}

// Validate checks the configuration; errors name the flag.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...))
	}
	if c.Domain == "" {
		bad("domain is required")
	}
	if c.Event == "" {
		bad("--event is required")
	}
	if _, err := gen.LookupRegion(c.Region); err != nil {
		bad("--region: %v", err)
	}
	modes := 0
	if c.Burst > 0 {
		modes++
	}
	if c.Live {
		modes++
	}
	if c.Replay != "" {
		modes++
	}
	if modes > 1 {
		bad("--burst, --live and --replay are exclusive")
	}
	if c.Burst < 0 {
		bad("--burst must be positive, got %d", c.Burst)
	}
	if c.ErrorRate < 0 || c.ErrorRate > 1 {
		bad("--error-rate must be between 0 and 1, got %g", c.ErrorRate)
	}
	if c.Live && c.Interval <= 0 {
		bad("--interval must be positive")
	}
	if c.Since < 0 {
		bad("--since must be positive")
	}
	return errors.Join(errs...)
}

// Stats summarises a producer run.
type Stats struct {
	Published int            // messages confirmed by the broker
	Valid     int            // of which valid events
	Injected  map[string]int // deliberately invalid messages by kind
	Duration  time.Duration
	FirstTS   time.Time
	LastTS    time.Time
}

// Rate is the publish rate in messages per second.
func (s Stats) Rate() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Published) / s.Duration.Seconds()
}

// Publisher is the part of *broker.Publisher a producer needs.
type Publisher interface {
	Publish(ctx context.Context, m broker.Message) error
	Flush(ctx context.Context) error
}

// Producer publishes one event type of one domain in one region.
type Producer struct {
	cfg      Config
	contract *contract.Contract
	gen      Generator
	pub      Publisher
	region   gen.Region
	rng      *gen.Rand
	stats    Stats
	progress *Progress
}

// New returns a producer; gen may be nil for replay-only use.
func New(cfg Config, c *contract.Contract, g Generator, pub Publisher) (*Producer, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("%w: no contract for event %q", ErrInvalidConfig, cfg.Event)
	}
	if g == nil && cfg.Replay == "" {
		return nil, fmt.Errorf("%w: event %q has no generator: use --replay", ErrInvalidConfig, cfg.Event)
	}
	region, _ := gen.LookupRegion(cfg.Region)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Producer{
		cfg: cfg, contract: c, gen: g, pub: pub, region: region,
		// The region is part of the stream so that regions never share event_ids,
		// even with an explicit --seed.
		rng:   gen.NewRand(cfg.Seed, gen.DefaultSeed(cfg.Region, strconv.FormatUint(cfg.Run, 10))),
		stats: Stats{Injected: map[string]int{}},
	}, nil
}

// Run publishes according to the configuration and returns once every
// message is confirmed (or the context ends, for live mode).
func (p *Producer) Run(ctx context.Context) (Stats, error) {
	start := time.Now()
	label := fmt.Sprintf("%s %s.%s", p.cfg.Mode(), p.cfg.Event, p.cfg.Region)
	var err error
	switch p.cfg.Mode() {
	case "replay":
		err = p.replay(ctx, label)
	case "live":
		err = p.live(ctx, label)
	default:
		err = p.burst(ctx, label)
	}
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if ferr := p.pub.Flush(flushCtx); ferr != nil && err == nil {
		err = fmt.Errorf("flushing publisher: %w", ferr)
	}
	p.stats.Duration = time.Since(start)
	if p.progress != nil {
		p.progress.Done(p.stats.Published)
	}
	return p.stats, err
}

// TrendGrowth is the demand growth across a burst window: the last day of a
// history is this much busier than the first (a growing business).
const TrendGrowth = 0.4

// BurstTimes spreads n event times over [until-since, until) following the
// demand shape of the platform, sorted ascending, deterministic for r: the
// daily and weekly profiles (in the region's time zone), a linear growth
// trend (TrendGrowth) and the shared promotion calendar (gen.IsPromoDay).
func BurstTimes(r *gen.Rand, n int, since time.Duration, until time.Time, tz *time.Location) []time.Time {
	times := make([]time.Time, 0, n)
	start := until.Add(-since)
	maxW := 0.0
	for h := 0; h < 24; h++ {
		for d := time.Sunday; d <= time.Saturday; d++ {
			maxW = math.Max(maxW, gen.DailyProfile(h)*gen.WeeklyProfile(d))
		}
	}
	maxW *= (1 + TrendGrowth) * gen.PromoLift
	for len(times) < n {
		frac := r.Float64()
		t := start.Add(time.Duration(frac * float64(since)))
		local := t.In(tz)
		w := gen.DailyProfile(local.Hour()) * gen.WeeklyProfile(local.Weekday()) * (1 + TrendGrowth*frac) * gen.PromoProfile(t)
		if r.Float64()*maxW <= w {
			times = append(times, t.Truncate(time.Microsecond))
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	return times
}

func (p *Producer) tz() *time.Location {
	if loc, err := time.LoadLocation(p.region.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

func (p *Producer) burst(ctx context.Context, label string) error {
	p.progress = NewProgress(p.cfg.Progress, label, p.cfg.Burst)
	for i, t := range BurstTimes(p.rng, p.cfg.Burst, p.cfg.Since, p.cfg.Until, p.tz()) {
		if err := p.emit(ctx, int64(i), t); err != nil {
			return err
		}
	}
	return nil
}

func (p *Producer) live(ctx context.Context, label string) error {
	p.progress = NewProgress(p.cfg.Progress, label, p.cfg.Limit)
	tick := time.NewTicker(p.cfg.Interval)
	defer tick.Stop()
	var seq int64
	for {
		for i := 0; i < p.cfg.PerTick; i++ {
			if p.cfg.Limit > 0 && int(seq) >= p.cfg.Limit {
				return nil
			}
			if err := p.emit(ctx, seq, time.Now().UTC().Truncate(time.Microsecond)); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			seq++
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// emit generates, validates (or corrupts) and publishes one event.
func (p *Producer) emit(ctx context.Context, seq int64, t time.Time) error {
	fields := p.gen(&Context{Rand: p.rng, Region: p.region, Time: t, Seq: seq, Upstream: p.cfg.Upstream})
	if fields == nil {
		return nil // the generator had nothing to react to at this moment
	}
	ev := make(map[string]any, len(fields)+3)
	for k, v := range fields {
		ev[k] = v
	}
	ev["event_id"] = p.rng.UUID().String()
	// A generator reacting to upstream rows may time the event itself (a
	// return happens days after its order's delivery); otherwise the burst's
	// or live clock's time is the event time.
	if own, ok := fields["event_ts"].(string); ok {
		if parsed, err := time.Parse(time.RFC3339Nano, own); err == nil {
			t = parsed
		}
	} else {
		ev["event_ts"] = Timestamp(t)
	}
	ev["event_type"] = p.cfg.Event
	return p.publishEvent(ctx, ev, t)
}

func (p *Producer) publishEvent(ctx context.Context, ev map[string]any, t time.Time) error {
	body := MarshalOrdered(p.contract, ev)
	headers := map[string]any{"x-mesh-producer": p.cfg.Domain + "/" + p.cfg.Mode()}
	injected := ""
	if p.cfg.ErrorRate > 0 && p.rng.Float64() < p.cfg.ErrorRate {
		injected, body = Corrupt(p.rng, p.contract, ev)
		headers["x-mesh-injected"] = injected
	} else if _, err := p.contract.Decode(body); err != nil {
		// A generator bug must never reach the broker as a "valid" event.
		return fmt.Errorf("validating generated %s event %v before publishing: %w", p.cfg.Event, ev["event_id"], err)
	}
	id, _ := ev["event_id"].(string)
	msg := broker.Message{
		Exchange:   broker.ExchangeName(p.cfg.Domain),
		RoutingKey: broker.RoutingKey(p.cfg.Event, p.cfg.Region),
		Body:       body,
		MessageID:  id,
		Headers:    headers,
		Timestamp:  t,
	}
	if err := p.pub.Publish(ctx, msg); err != nil {
		return fmt.Errorf("publishing %s event %s: %w", p.cfg.Event, id, err)
	}
	p.stats.Published++
	if injected != "" {
		p.stats.Injected[injected]++
	} else {
		p.stats.Valid++
	}
	if p.stats.FirstTS.IsZero() || t.Before(p.stats.FirstTS) {
		p.stats.FirstTS = t
	}
	if t.After(p.stats.LastTS) {
		p.stats.LastTS = t
	}
	if p.progress != nil {
		p.progress.Set(p.stats.Published)
	}
	return nil
}

// Timestamp formats t as RFC 3339 UTC with microseconds, the contract format.
func Timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}
