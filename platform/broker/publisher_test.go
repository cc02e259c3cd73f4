package broker

import (
	"context"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPublishConsume(t *testing.T) {
	const n = 20000
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := testBinding(t, cfg)

	p, err := NewPublisher(ctx, cfg)
	require.NoError(t, err)
	start := time.Now()
	ids := publishN(ctx, t, p, b, n, "pc")
	require.NoError(t, p.Flush(ctx))
	pubDur := time.Since(start)
	st := p.Stats()
	require.NoError(t, p.Close())
	assert.Equal(t, uint64(n), st.Published)
	assert.Equal(t, uint64(n), st.Confirmed)
	assert.Zero(t, st.Failed)
	assert.Zero(t, st.InFlight)
	assert.ErrorIs(t, p.Publish(ctx, Message{Exchange: "x"}), ErrClosed)

	c, err := NewConsumer(ctx, cfg, b.Queue())
	require.NoError(t, err)
	defer c.Close()
	depth, err := c.QueueDepth(ctx)
	require.NoError(t, err)
	assert.LessOrEqual(t, depth, n)

	start = time.Now()
	seen := consumeDistinct(ctx, t, c, n)
	conDur := time.Since(start)
	assert.Len(t, seen, n)
	for id, k := range seen {
		require.True(t, ids[id], "unexpected id %s", id)
		require.Equal(t, 1, k, "duplicate %s", id)
	}
	t.Logf("published+confirmed %d in %s (%.0f msg/s, window %d); consumed in %s (%.0f msg/s)",
		n, pubDur.Round(time.Millisecond), float64(n)/pubDur.Seconds(), cfg.WithDefaults().ConfirmWindow,
		conDur.Round(time.Millisecond), float64(n)/conDur.Seconds())
}

func TestPublishSurvivesConnectionLoss(t *testing.T) {
	const n = 20000
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := testBinding(t, cfg)

	p, err := NewPublisher(ctx, cfg)
	require.NoError(t, err)
	defer p.Close()

	// Close our connection from the broker side while the publisher runs:
	// find it first, then publish at full speed in bursts of twice the window (so that confirms are
	// outstanding most of the time) paced to outlast the ~2 s that
	// rabbitmqctl close_connection needs to start.
	pids := connectionPIDs(t, cfg.ConnectionName+"/publisher")
	require.Len(t, pids, 1)
	killed := make(chan error, 1)
	go func() { killed <- closeConnectionPIDs(pids) }()
	ids := make(map[string]bool, n)
	start := time.Now()
	const burst = 2000
	for i := 0; i < n; i += burst {
		for id := range publishRange(ctx, t, p, b, i, i+burst, "loss") {
			ids[id] = true
		}
		if d := time.Duration(i+burst) * time.Second / 6000; time.Since(start) < d {
			time.Sleep(d - time.Since(start))
		}
	}
	pubDur := time.Since(start)
	require.NoError(t, <-killed)
	require.NoError(t, p.Flush(ctx))
	st := p.Stats()
	t.Logf("stats after loss: %+v (publishing took %s, flush %s)", st, pubDur.Round(time.Millisecond),
		(time.Since(start) - pubDur).Round(time.Millisecond))
	assert.GreaterOrEqual(t, st.Reconnects, uint64(1))
	assert.Equal(t, uint64(n), st.Published)
	assert.Equal(t, uint64(n), st.Confirmed)
	assert.Zero(t, st.Failed)
	require.Len(t, ids, n)

	c, err := NewConsumer(ctx, cfg, b.Queue())
	require.NoError(t, err)
	defer c.Close()
	cstart := time.Now()
	seen := consumeDistinct(ctx, t, c, n)
	t.Logf("consumed in %s", time.Since(cstart).Round(time.Millisecond))
	dups := 0
	for id, k := range seen {
		require.True(t, ids[id], "unexpected id %s", id)
		dups += k - 1
	}
	lost := 0
	for id := range ids {
		if seen[id] == 0 {
			lost++
		}
	}
	require.Zero(t, lost, "messages lost")
	t.Logf("distinct %d, duplicates from republish %d (republished %d)", len(seen), dups, st.Republished)
	assert.LessOrEqual(t, uint64(dups), st.Republished)
}

func TestDeadLetter(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := testBinding(t, cfg)

	p, err := NewPublisher(ctx, cfg)
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Publish(ctx, Message{
		Exchange: ExchangeName(b.Domain), RoutingKey: b.RoutingKey(),
		Body: []byte(`{"event_id":"e1","qty":-1}`), MessageID: "e1",
		Headers: map[string]any{"x-source": "test"},
	}))
	require.NoError(t, p.Flush(ctx))

	c, err := NewConsumer(ctx, cfg, b.Queue())
	require.NoError(t, err)
	defer c.Close()
	d := <-c.Deliveries()
	const reason = "validating e1: qty must be >= 0"
	require.NoError(t, p.DeadLetter(ctx, b.Domain, b.DLQ(), d, reason))
	require.NoError(t, c.Ack(d, false))

	t.Run("unroutable dead letter fails", func(t *testing.T) {
		err := p.DeadLetter(ctx, b.Domain, "no_such_queue.dlq", d, reason)
		require.ErrorIs(t, err, ErrUnroutable)
		require.NoError(t, p.Flush(ctx), "a DeadLetter failure is reported to its caller only")
	})

	dlq, err := NewConsumer(ctx, cfg, b.DLQ())
	require.NoError(t, err)
	defer dlq.Close()
	select {
	case got := <-dlq.Deliveries():
		assert.Equal(t, d.Body, got.Body)
		assert.Equal(t, "e1", got.MessageID)
		assert.Equal(t, reason, got.Headers[HeaderError])
		assert.Equal(t, b.Queue(), got.Headers[HeaderQueue])
		assert.Equal(t, "test", got.Headers["x-source"])
		failedAt, ok := got.Headers[HeaderFailedAt].(string)
		require.True(t, ok)
		_, err := time.Parse(time.RFC3339Nano, failedAt)
		assert.NoError(t, err)
		require.NoError(t, dlq.Ack(got, false))
	case <-ctx.Done():
		t.Fatal("dead letter not in DLQ")
	}
	depth, err := c.QueueDepth(ctx)
	require.NoError(t, err)
	assert.Zero(t, depth)
}

func TestPublishGivesUpAfterNacks(t *testing.T) {
	cfg := testConfig(t)
	cfg.PublishRetries = 2
	cfg.ReconnectMin = 10 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := testBinding(t, cfg)

	// A classic queue that holds one message and nacks publishes beyond it
	// (a quorum queue with the same arguments did not nack on RabbitMQ 3.10).
	conn, err := amqp.Dial(cfg.URL)
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	full := b.Queue() + "_full"
	_, err = ch.QueueDeclare(full, true, false, false, false, amqp.Table{
		ArgQueueType: "classic", "x-max-length": int64(1), "x-overflow": "reject-publish",
	})
	require.NoError(t, err)
	t.Cleanup(func() { deleteQueue(t, cfg, full) })
	require.NoError(t, ch.QueueBind(full, "full", ExchangeName(b.Domain), false, nil))

	p, err := NewPublisher(ctx, cfg)
	require.NoError(t, err)
	defer p.Close()
	publish := func(id string) {
		require.NoError(t, p.Publish(ctx, Message{Exchange: ExchangeName(b.Domain), RoutingKey: "full",
			Body: []byte(`{}`), MessageID: id}))
	}
	publish("fits")
	require.NoError(t, p.Flush(ctx))
	publish("overflows")
	err = p.Flush(ctx)
	require.ErrorIs(t, err, ErrPublishFailed)
	require.ErrorIs(t, err, ErrNacked)
	assert.Contains(t, err.Error(), `"overflows"`)
	st := p.Stats()
	assert.Equal(t, uint64(1), st.Failed)
	assert.Equal(t, uint64(1), st.Confirmed)
	assert.Equal(t, uint64(2), st.Republished, "PublishRetries republishes before giving up")
	require.NoError(t, p.Flush(ctx), "failures are reported once")
}
