package broker

import (
	"context"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeclare(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := testBinding(t, cfg)

	t.Run("twice is a no-op", func(t *testing.T) {
		require.NoError(t, Declare(ctx, cfg, b))
		require.NoError(t, Declare(ctx, cfg, b, b))
	})

	t.Run("queues are quorum with dead-letter args", func(t *testing.T) {
		conn, err := amqp.Dial(cfg.URL)
		require.NoError(t, err)
		defer conn.Close()
		for _, q := range []string{b.Queue(), b.DLQ()} {
			ch, err := conn.Channel()
			require.NoError(t, err)
			_, err = ch.QueueDeclarePassive(q, true, false, false, false, nil)
			assert.NoError(t, err, "queue %s exists", q)
			_ = ch.Close()
		}
		// Redeclaring as a classic queue must be refused by the broker.
		ch, err := conn.Channel()
		require.NoError(t, err)
		_, err = ch.QueueDeclare(b.Queue(), true, false, false, false, amqp.Table{ArgQueueType: "classic"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "PRECONDITION_FAILED")
	})

	t.Run("different delivery limit is a mismatch", func(t *testing.T) {
		other := cfg
		other.DeliveryLimit = 3
		err := Declare(ctx, other, b)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrTopologyMismatch)
	})

	t.Run("nack without requeue lands in the DLQ", func(t *testing.T) {
		p, err := NewPublisher(ctx, cfg)
		require.NoError(t, err)
		defer p.Close()
		publishN(ctx, t, p, b, 1, "dl")
		require.NoError(t, p.Flush(ctx))

		c, err := NewConsumer(ctx, cfg, b.Queue())
		require.NoError(t, err)
		defer c.Close()
		d := <-c.Deliveries()
		require.NoError(t, c.Nack(d, false, false))

		dlq, err := NewConsumer(ctx, cfg, b.DLQ())
		require.NoError(t, err)
		defer dlq.Close()
		select {
		case got := <-dlq.Deliveries():
			assert.Equal(t, d.MessageID, got.MessageID)
			assert.Equal(t, d.Body, got.Body)
			assert.Equal(t, b.DLQ(), got.RoutingKey)
			require.NoError(t, dlq.Ack(got, false))
		case <-ctx.Done():
			t.Fatal("nothing dead-lettered")
		}
	})

	t.Run("invalid binding", func(t *testing.T) {
		err := Declare(ctx, cfg, Binding{Domain: "x"})
		assert.ErrorIs(t, err, ErrInvalidConfig)
	})
}

func TestDialErrorHidesPassword(t *testing.T) {
	cfg := testConfig(t)
	cfg.URL = strings.Replace(cfg.URL, "guest:guest@", "guest:wrongsecret@", 1)
	if !strings.Contains(cfg.URL, "wrongsecret") {
		t.Skip("test broker URL has no guest:guest credentials")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := Declare(ctx, cfg, Binding{Domain: "d", Event: "e", Region: "r"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "wrongsecret")
	assert.Contains(t, err.Error(), "xxxxx")
}
