package broker

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsumerSurvivesConnectionLoss(t *testing.T) {
	const n = 200
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	b := testBinding(t, cfg)

	p, err := NewPublisher(ctx, cfg)
	require.NoError(t, err)
	defer p.Close()
	ids := publishN(ctx, t, p, b, n, "closs")
	require.NoError(t, p.Flush(ctx))

	c, err := NewConsumer(ctx, cfg, b.Queue())
	require.NoError(t, err)
	defer c.Close()

	// Receive everything without acking.
	var first []Delivery
	for len(first) < n {
		select {
		case d := <-c.Deliveries():
			assert.False(t, d.Redelivered)
			first = append(first, d)
		case <-ctx.Done():
			t.Fatalf("received %d of %d", len(first), n)
		}
	}
	gen := first[0].Generation
	require.NoError(t, c.Ack(first[0], false), "ack on the live channel works")
	acked := first[0].MessageID

	require.Equal(t, 1, closeConnections(t, cfg.ConnectionName+"/consumer"))
	select {
	case <-c.Reconnects():
	case <-ctx.Done():
		t.Fatal("no reconnect signal")
	}
	assert.Greater(t, c.Generation(), gen)

	err = c.Ack(first[1], false)
	require.ErrorIs(t, err, ErrStaleDelivery)
	require.ErrorIs(t, c.Nack(first[2], false, true), ErrStaleDelivery)

	// Every unacked delivery comes back, flagged as redelivered.
	again := make(map[string]bool, n-1)
	var last Delivery
	for len(again) < n-1 {
		select {
		case d := <-c.Deliveries():
			if d.Generation == gen {
				continue // was in flight when the channel died
			}
			assert.True(t, d.Redelivered, "delivery %s", d.MessageID)
			assert.True(t, ids[d.MessageID])
			assert.NotEqual(t, acked, d.MessageID, "acked delivery came back")
			again[d.MessageID] = true
			last = d
		case <-ctx.Done():
			t.Fatalf("redelivered %d of %d", len(again), n-1)
		}
	}
	require.NoError(t, c.Ack(last, true))
	require.Eventually(t, func() bool {
		depth, err := c.QueueDepth(ctx)
		return err == nil && depth == 0
	}, 5*time.Second, 50*time.Millisecond)

	require.NoError(t, c.Close())
	_, open := <-c.Deliveries()
	assert.False(t, open, "Deliveries is closed after Close")
	assert.ErrorIs(t, c.Ack(last, false), ErrClosed)
}

func TestConsumerStopsWithContext(t *testing.T) {
	cfg := testConfig(t)
	b := testBinding(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	c, err := NewConsumer(ctx, cfg, b.Queue())
	require.NoError(t, err)
	cancel()
	select {
	case _, open := <-c.Deliveries():
		assert.False(t, open)
	case <-time.After(5 * time.Second):
		t.Fatal("Deliveries not closed after ctx done")
	}
	require.NoError(t, c.Close())
}

func TestConsumerMissingQueue(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := NewConsumer(ctx, cfg, "no_such_queue_"+randSuffix(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NOT_FOUND")
}
