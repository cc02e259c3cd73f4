package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ContentTypeJSON is the content type of every published message.
const ContentTypeJSON = "application/json"

// Message is one message to publish.
type Message struct {
	Exchange, RoutingKey string
	Body                 []byte
	MessageID            string // event_id
	Headers              map[string]any
	Timestamp            time.Time
}

// PublisherStats counts what a Publisher did since it was created.
type PublisherStats struct {
	Published   uint64 // messages accepted by Publish and DeadLetter
	Confirmed   uint64 // messages acked by the broker
	Republished uint64 // republish attempts after a nack or a lost channel
	Reconnects  uint64 // channels opened after the first one
	Failed      uint64 // messages given up after PublishRetries attempts, or unroutable
	InFlight    int    // messages not yet confirmed (published or awaiting republish)
}

// outMsg is one message until the broker confirms it.
type outMsg struct {
	pub       amqp.Publishing
	exchange  string
	key       string
	mandatory bool
	seq       uint64
	attempts  int   // failed attempts so far
	lastErr   error // why the last attempt failed
	returned  bool  // the broker returned it as unroutable (mandatory only)
	done      chan error
}

// pubChan is one confirm-mode channel and the messages awaiting its confirms.
type pubChan struct {
	ch      *amqp.Channel
	pending map[uint64]*outMsg // by delivery tag
	dead    bool
}

// Publisher publishes persistent JSON messages with asynchronous publisher
// confirms. It is safe for concurrent use.
type Publisher struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context // lifetime; cancelled by Close
	cancel context.CancelFunc
	kick   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	conn     *amqp.Connection
	cur      *pubChan // nil while disconnected
	retry    []*outMsg
	inflight int
	seq      uint64
	channels uint64
	closing  bool // Close called: no new messages
	closed   bool // Close finished
	failed   int  // failures not yet reported by Flush
	lastFail error
	stats    PublisherStats
}

// NewPublisher connects and returns a Publisher. ctx bounds only the initial
// connection; the Publisher lives (and reconnects) until Close.
func NewPublisher(ctx context.Context, cfg Config) (*Publisher, error) {
	cfg, err := cfg.prepare()
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	p := &Publisher{
		cfg:     cfg,
		log:     cfg.logger(),
		ctx:     lctx,
		cancel:  cancel,
		kick:    make(chan struct{}, 1),
		changed: make(chan struct{}),
	}
	if err := p.connect(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("creating publisher: %w", err)
	}
	p.wg.Add(1)
	go p.supervise()
	return p, nil
}

// Publish sends m as a persistent application/json message. It returns once
// the message is written to the connection (or queued for republish while
// reconnecting) and blocks only while ConfirmWindow messages are unconfirmed.
// Confirmation is asynchronous: call Flush to wait for it. A message the broker
// never confirms within PublishRetries attempts is reported by Flush.
func (p *Publisher) Publish(ctx context.Context, m Message) error {
	om, err := newOutMsg(m, false)
	if err != nil {
		return fmt.Errorf("publishing to %s: %w", m.Exchange, err)
	}
	if err := p.enqueue(ctx, om); err != nil {
		return fmt.Errorf("publishing to %s: %w", m.Exchange, err)
	}
	return nil
}

// DeadLetter publishes the delivery's body to the dead-letter queue dlq through
// the domain's dead-letter exchange (routing key = dlq), with the delivery's
// headers plus x-mesh-error (reason), x-mesh-queue (the queue it failed in) and
// x-mesh-failed-at (RFC 3339). It is published as mandatory and waits for the
// broker's confirm, so once it returns nil the caller can ack the original
// delivery without losing it. An unroutable message (DLQ missing) fails with
// ErrUnroutable.
func (p *Publisher) DeadLetter(ctx context.Context, domain, dlq string, d Delivery, reason string) error {
	headers := make(map[string]any, len(d.Headers)+3)
	for k, v := range d.Headers {
		headers[k] = v
	}
	headers[HeaderError] = reason
	headers[HeaderQueue] = strings.TrimSuffix(dlq, ".dlq")
	headers[HeaderFailedAt] = time.Now().UTC().Format(time.RFC3339Nano)
	m := Message{
		Exchange:   DeadLetterExchangeName(domain),
		RoutingKey: dlq,
		Body:       d.Body,
		MessageID:  d.MessageID,
		Headers:    headers,
		Timestamp:  d.Timestamp,
	}
	om, err := newOutMsg(m, true)
	if err != nil {
		return fmt.Errorf("dead-lettering %s to %s: %w", d.MessageID, dlq, err)
	}
	om.done = make(chan error, 1)
	if err := p.enqueue(ctx, om); err != nil {
		return fmt.Errorf("dead-lettering %s to %s: %w", d.MessageID, dlq, err)
	}
	select {
	case err := <-om.done:
		if err != nil {
			return fmt.Errorf("dead-lettering %s to %s: %w", d.MessageID, dlq, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("dead-lettering %s to %s: waiting for confirm: %w", d.MessageID, dlq, ctx.Err())
	}
}

// Flush waits until every message published so far is confirmed. It returns
// an error wrapping ErrPublishFailed if some messages were given up since the
// previous Flush.
func (p *Publisher) Flush(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.inflight > 0 {
		if p.closed {
			return fmt.Errorf("flushing publisher: %w", ErrClosed)
		}
		if err := p.waitLocked(ctx); err != nil {
			return fmt.Errorf("flushing publisher (%d unconfirmed): %w", p.inflight, err)
		}
	}
	if p.failed > 0 {
		err := fmt.Errorf("flushing publisher: %w: %d messages (last: %w)", ErrPublishFailed, p.failed, p.lastFail)
		p.failed, p.lastFail = 0, nil
		return err
	}
	return nil
}

// Stats returns a snapshot of the counters.
func (p *Publisher) Stats() PublisherStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.InFlight = p.inflight
	return s
}

// Close flushes (bounded by Config.CloseTimeout) and closes the connection.
// Messages still unconfirmed then are reported as the returned error.
func (p *Publisher) Close() error {
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		return nil
	}
	p.closing = true
	p.broadcastLocked()
	p.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.CloseTimeout)
	ferr := p.Flush(ctx)
	cancel()

	p.cancel()
	p.mu.Lock()
	conn := p.conn
	p.conn = nil
	p.mu.Unlock()
	var cerr error
	if conn != nil && !conn.IsClosed() {
		if err := conn.Close(); err != nil && !errors.Is(err, amqp.ErrClosed) {
			cerr = fmt.Errorf("closing publisher connection: %w", err)
		}
	}
	p.wg.Wait()

	p.mu.Lock()
	for _, om := range p.retry {
		p.finishLocked(om, ErrClosed)
	}
	p.retry = nil
	p.closed = true
	p.broadcastLocked()
	p.mu.Unlock()
	return errors.Join(ferr, cerr)
}

func newOutMsg(m Message, mandatory bool) (*outMsg, error) {
	if m.Exchange == "" {
		return nil, errors.New("exchange is required")
	}
	var headers amqp.Table
	if len(m.Headers) > 0 || mandatory {
		headers = make(amqp.Table, len(m.Headers)+1)
		for k, v := range m.Headers {
			headers[k] = v
		}
		if err := headers.Validate(); err != nil {
			return nil, fmt.Errorf("invalid headers: %w", err)
		}
	}
	return &outMsg{
		exchange:  m.Exchange,
		key:       m.RoutingKey,
		mandatory: mandatory,
		pub: amqp.Publishing{
			Headers:      headers,
			ContentType:  ContentTypeJSON,
			DeliveryMode: amqp.Persistent,
			MessageId:    m.MessageID,
			Timestamp:    m.Timestamp,
			Body:         m.Body,
		},
	}, nil
}

func (p *Publisher) enqueue(ctx context.Context, om *outMsg) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closing && p.inflight >= p.cfg.ConfirmWindow {
		if err := p.waitLocked(ctx); err != nil {
			return fmt.Errorf("waiting for the confirm window: %w", err)
		}
	}
	if p.closing {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p.seq++
	om.seq = p.seq
	if om.mandatory {
		om.pub.Headers[headerSeq] = int64(om.seq)
	}
	p.inflight++
	p.stats.Published++
	if p.cur == nil || len(p.retry) > 0 {
		// Reconnecting or republishing: keep the order, the supervisor sends it.
		p.retry = append(p.retry, om)
		p.kickSupervisor()
		return nil
	}
	p.sendLocked(p.cur, om)
	return nil
}

// sendLocked publishes om on pc; on failure om goes back to the retry list.
// It reports whether the publish was written.
func (p *Publisher) sendLocked(pc *pubChan, om *outMsg) bool {
	tag := pc.ch.GetNextPublishSeqNo()
	if err := pc.ch.Publish(om.exchange, om.key, om.mandatory, false, om.pub); err != nil {
		om.lastErr = err
		p.retry = append(p.retry, om)
		p.abandonLocked(pc, err)
		return false
	}
	pc.pending[tag] = om
	return true
}

// abandonLocked stops using pc after a failed publish; its watcher moves its
// pending messages to the retry list when the channel is fully closed.
func (p *Publisher) abandonLocked(pc *pubChan, err error) {
	if p.cur != pc {
		return
	}
	p.cur = nil
	if !p.closing {
		p.log.Warn("broker publisher channel failed, reconnecting", "error", redactErr(err, p.cfg.URL))
	}
	go func() { _ = pc.ch.Close() }()
	p.kickSupervisor()
}

func (p *Publisher) kickSupervisor() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *Publisher) broadcastLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// waitLocked releases p.mu until the next state change or ctx is done.
func (p *Publisher) waitLocked(ctx context.Context) error {
	changed := p.changed
	p.mu.Unlock()
	defer p.mu.Lock()
	select {
	case <-changed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finishLocked retires om with its final result.
func (p *Publisher) finishLocked(om *outMsg, err error) {
	p.inflight--
	if err != nil {
		p.stats.Failed++
		if om.done == nil { // DeadLetter callers get their error directly
			p.failed++
			p.lastFail = err
		}
	} else {
		p.stats.Confirmed++
	}
	if om.done != nil {
		om.done <- err
	}
}

// failedAttemptLocked records a failed attempt and queues om for republish,
// or gives it up after PublishRetries attempts.
func (p *Publisher) failedAttemptLocked(om *outMsg, cause error) {
	om.attempts++
	om.lastErr = cause
	if p.ctx.Err() != nil {
		p.finishLocked(om, fmt.Errorf("%w: message %q unconfirmed at close: %w", ErrClosed, om.pub.MessageId, cause))
		return
	}
	if om.attempts > p.cfg.PublishRetries {
		p.finishLocked(om, fmt.Errorf("%w: message %q to %s after %d attempts: %w",
			ErrPublishFailed, om.pub.MessageId, om.exchange, om.attempts, cause))
		return
	}
	p.retry = append(p.retry, om)
}

// connect opens a confirm-mode channel, dialing a new connection if needed.
func (p *Publisher) connect(ctx context.Context) error {
	p.mu.Lock()
	conn := p.conn
	p.mu.Unlock()
	if conn == nil || conn.IsClosed() {
		if conn != nil {
			_ = conn.Close()
		}
		var err error
		if conn, err = dial(ctx, p.cfg, "publisher"); err != nil {
			return err
		}
	}
	ch, err := conn.Channel()
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("opening channel: %w", err)
	}
	if err := ch.Confirm(false); err != nil {
		_ = conn.Close()
		return fmt.Errorf("enabling publisher confirms: %w", err)
	}
	closes := ch.NotifyClose(make(chan *amqp.Error, 1))
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, p.cfg.ConfirmWindow+64))
	returns := ch.NotifyReturn(make(chan amqp.Return, 64))
	pc := &pubChan{ch: ch, pending: make(map[uint64]*outMsg)}

	p.mu.Lock()
	if p.ctx.Err() != nil {
		p.mu.Unlock()
		_ = conn.Close()
		return ErrClosed
	}
	p.conn = conn
	p.cur = pc
	p.channels++
	if p.channels > 1 {
		p.stats.Reconnects++
	}
	p.broadcastLocked()
	p.mu.Unlock()

	p.wg.Add(1)
	go p.watch(pc, confirms, returns, closes)
	p.kickSupervisor()
	return nil
}

// supervise reconnects with backoff and republishes the retry list.
func (p *Publisher) supervise() {
	defer p.wg.Done()
	failures := 0
	for {
		p.mu.Lock()
		for p.cur != nil && len(p.retry) > 0 {
			om := p.retry[0]
			p.retry = p.retry[1:]
			if p.sendLocked(p.cur, om) && om.attempts > 0 {
				p.stats.Republished++
			}
		}
		up := p.cur != nil
		p.mu.Unlock()

		if !up {
			if !sleepCtx(p.ctx, p.cfg.backoff(failures)) {
				return
			}
			if err := p.connect(p.ctx); err != nil {
				if p.ctx.Err() != nil {
					return
				}
				failures++
				p.log.Warn("broker publisher reconnect failed", "attempt", failures, "error", err)
				continue
			}
			failures = 0
			continue
		}
		select {
		case <-p.kick:
		case <-p.ctx.Done():
			return
		}
	}
}

// watch handles the confirms and returns of one channel until it closes.
// A single goroutine reads both: the broker sends basic.return before the
// basic.ack of the same message, so draining returns before each confirm
// batch tells unroutable mandatory messages apart.
func (p *Publisher) watch(pc *pubChan, confirms <-chan amqp.Confirmation, returns <-chan amqp.Return, closes <-chan *amqp.Error) {
	defer p.wg.Done()
	batch := make([]amqp.Confirmation, 0, 256)
	var rets []amqp.Return
	for {
		var c amqp.Confirmation
		var ok bool
		select {
		case r, rok := <-returns:
			if !rok {
				returns = nil
				continue
			}
			rets = append(rets, r)
			continue
		case c, ok = <-confirms:
		}
		if !ok {
			break
		}
		batch = append(batch[:0], c)
	drain:
		for len(batch) < cap(batch) {
			select {
			case c, ok := <-confirms:
				if !ok {
					break drain
				}
				batch = append(batch, c)
			default:
				break drain
			}
		}
	returns:
		for returns != nil {
			select {
			case r, rok := <-returns:
				if !rok {
					returns = nil
					break returns
				}
				rets = append(rets, r)
			default:
				break returns
			}
		}
		p.mu.Lock()
		rets = p.markReturnedLocked(pc, rets)
		for _, c := range batch {
			p.confirmLocked(pc, c)
		}
		p.broadcastLocked()
		p.mu.Unlock()
	}

	var cause error = amqp.ErrClosed
	select {
	case e, ok := <-closes:
		if ok && e != nil {
			cause = e
		}
	default:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pc.dead = true
	if p.cur == pc {
		p.cur = nil
		if !p.closing {
			p.log.Warn("broker publisher lost its channel, reconnecting",
				"unconfirmed", len(pc.pending), "error", redactErr(cause, p.cfg.URL))
		}
	}
	tags := make([]uint64, 0, len(pc.pending))
	for t := range pc.pending {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	for _, t := range tags {
		p.failedAttemptLocked(pc.pending[t], fmt.Errorf("channel lost before confirm: %w", cause))
	}
	pc.pending = nil
	p.broadcastLocked()
	p.kickSupervisor()
}

func (p *Publisher) markReturnedLocked(pc *pubChan, rets []amqp.Return) []amqp.Return {
	if len(rets) == 0 {
		return rets
	}
	bySeq := make(map[int64]amqp.Return, len(rets))
	for _, r := range rets {
		if s, ok := r.Headers[headerSeq].(int64); ok {
			bySeq[s] = r
		}
	}
	for _, om := range pc.pending {
		if r, ok := bySeq[int64(om.seq)]; ok && om.mandatory {
			om.returned = true
			om.lastErr = fmt.Errorf("%w: %s (%d %s)", ErrUnroutable, r.RoutingKey, r.ReplyCode, r.ReplyText)
		}
	}
	return rets[:0]
}

func (p *Publisher) confirmLocked(pc *pubChan, c amqp.Confirmation) {
	om, ok := pc.pending[c.DeliveryTag]
	if !ok {
		return
	}
	delete(pc.pending, c.DeliveryTag)
	switch {
	case c.Ack && om.returned:
		p.finishLocked(om, om.lastErr)
	case c.Ack:
		p.finishLocked(om, nil)
	default:
		p.failedAttemptLocked(om, ErrNacked)
		p.kickSupervisor()
	}
}
