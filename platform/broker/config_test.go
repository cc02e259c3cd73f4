package broker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigValidate(t *testing.T) {
	const url = "amqp://guest:guest@127.0.0.1:5672/"
	tests := []struct {
		name        string
		cfg         Config
		errContains string
	}{
		{name: "defaults", cfg: Config{URL: url}},
		{name: "amqps", cfg: Config{URL: "amqps://u:p@host/vh"}},
		{name: "missing url", cfg: Config{}, errContains: "MESH_AMQP_URL is required"},
		{name: "bad scheme", cfg: Config{URL: "http://u:secret@host"}, errContains: "must be an amqp:// or amqps:// URL with a host"},
		{name: "no host", cfg: Config{URL: "amqp://u:secret@/vh"}, errContains: "must be an amqp:// or amqps:// URL with a host"},
		{name: "negative prefetch", cfg: Config{URL: url, Prefetch: -1}, errContains: "prefetch"},
		{name: "huge prefetch", cfg: Config{URL: url, Prefetch: 70000}, errContains: "prefetch"},
		{name: "negative window", cfg: Config{URL: url, ConfirmWindow: -5}, errContains: "confirm window"},
		{name: "negative delivery limit", cfg: Config{URL: url, DeliveryLimit: -1}, errContains: "delivery limit"},
		{name: "backoff inverted", cfg: Config{URL: url, ReconnectMin: time.Second, ReconnectMax: time.Millisecond}, errContains: "reconnect min"},
		{name: "negative retries", cfg: Config{URL: url, PublishRetries: -1}, errContains: "publish retries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.WithDefaults().Validate()
			if tt.errContains == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), tt.errContains)
			assert.NotContains(t, err.Error(), "secret")
		})
	}
}

func TestConfigWithDefaults(t *testing.T) {
	c := Config{URL: "amqp://localhost"}.WithDefaults()
	assert.Equal(t, 2000, c.Prefetch)
	assert.Equal(t, 1000, c.ConfirmWindow)
	assert.Equal(t, 20, c.DeliveryLimit)
	assert.Equal(t, 100*time.Millisecond, c.ReconnectMin)
	assert.Equal(t, 5*time.Second, c.ReconnectMax)
	assert.Equal(t, 10, c.PublishRetries)
	kept := Config{URL: "amqp://x", Prefetch: 7, ConfirmWindow: 8}.WithDefaults()
	assert.Equal(t, 7, kept.Prefetch)
	assert.Equal(t, 8, kept.ConfirmWindow)

	assert.Equal(t, 100*time.Millisecond, c.backoff(0))
	assert.Equal(t, 400*time.Millisecond, c.backoff(2))
	assert.Equal(t, 5*time.Second, c.backoff(30))
}

func TestNames(t *testing.T) {
	assert.Equal(t, "orders", ExchangeName("orders"))
	assert.Equal(t, "orders.dlx", DeadLetterExchangeName("orders"))
	assert.Equal(t, "order_placed.eu", RoutingKey("order_placed", "eu"))
	assert.Equal(t, "ingest_order_placed_eu", QueueName("order_placed", "eu"))
	assert.Equal(t, "ingest_order_placed_eu.dlq", DLQName("order_placed", "eu"))
	b := Binding{Domain: "orders", Event: "order_placed", Region: "eu"}
	assert.Equal(t, QueueName("order_placed", "eu"), b.Queue())
	assert.Equal(t, DLQName("order_placed", "eu"), b.DLQ())
}

func TestRedactErr(t *testing.T) {
	err := redactErr(assert.AnError, "amqp://u:topsecret@h/")
	assert.Same(t, assert.AnError, err, "an error without the password is kept as is")
	inner := &wrapErr{msg: "dial amqp://u:topsecret@h/ failed"}
	err = redactErr(inner, "amqp://u:topsecret@h/")
	assert.NotContains(t, err.Error(), "topsecret")
	assert.ErrorIs(t, err, inner)
}

type wrapErr struct{ msg string }

func (e *wrapErr) Error() string { return e.msg }
