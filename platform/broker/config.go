package broker

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/meshterious/warehouse/platform/config"
)

// Defaults applied by Config.WithDefaults.
const (
	DefaultPrefetch       = 2000
	DefaultConfirmWindow  = 1000
	DefaultDeliveryLimit  = 20
	DefaultReconnectMin   = 100 * time.Millisecond
	DefaultReconnectMax   = 5 * time.Second
	DefaultPublishRetries = 10
	DefaultDialTimeout    = 10 * time.Second
	DefaultHeartbeat      = 10 * time.Second
	DefaultCloseTimeout   = 30 * time.Second
	DefaultConnectionName = "mesh-warehouse"
)

// Config configures the broker clients. The zero value of every field except
// URL means "use the default" (see WithDefaults).
type Config struct {
	// URL is the AMQP URL, e.g. amqp://user:pass@host:5672/vhost (MESH_AMQP_URL). Required.
	URL string
	// Prefetch is the consumer QoS prefetch count. Default 2000.
	Prefetch int
	// ConfirmWindow is the maximum number of unconfirmed publishes in flight. Default 1000.
	ConfirmWindow int
	// DeliveryLimit is the quorum queue x-delivery-limit: after that many
	// redeliveries the broker dead-letters a (poison) message. Default 20.
	DeliveryLimit int
	// ReconnectMin and ReconnectMax bound the exponential reconnect backoff.
	// Defaults 100ms and 5s.
	ReconnectMin, ReconnectMax time.Duration
	// PublishRetries is how many times one message is republished after a nack
	// or a lost connection before it is reported as failed. Default 10.
	PublishRetries int
	// Logger receives warnings about lost connections; nil means slog.Default()
	// at call time.
	Logger *slog.Logger

	// DialTimeout bounds one connection attempt (TCP + AMQP handshake). Default 10s.
	DialTimeout time.Duration
	// Heartbeat is the AMQP heartbeat interval. Default 10s.
	Heartbeat time.Duration
	// CloseTimeout bounds the flush done by Publisher.Close. Default 30s.
	CloseTimeout time.Duration
	// ConnectionName is advertised to the broker (shown by rabbitmqctl and the
	// management UI). Default "mesh-warehouse".
	ConnectionName string
}

// WithDefaults returns a copy of c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.Prefetch == 0 {
		c.Prefetch = DefaultPrefetch
	}
	if c.ConfirmWindow == 0 {
		c.ConfirmWindow = DefaultConfirmWindow
	}
	if c.DeliveryLimit == 0 {
		c.DeliveryLimit = DefaultDeliveryLimit
	}
	if c.ReconnectMin == 0 {
		c.ReconnectMin = DefaultReconnectMin
	}
	if c.ReconnectMax == 0 {
		c.ReconnectMax = DefaultReconnectMax
	}
	if c.PublishRetries == 0 {
		c.PublishRetries = DefaultPublishRetries
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = DefaultCloseTimeout
	}
	if c.ConnectionName == "" {
		c.ConnectionName = DefaultConnectionName
	}
	return c
}

// Validate reports the first invalid field, naming it. Call it on the result
// of WithDefaults; zero values are accepted where a default exists.
func (c Config) Validate() error {
	// The configuration's rule, so the broker accepts exactly the URLs it does.
	if err := config.CheckAMQPURL(c.URL); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	switch {
	case c.Prefetch < 0 || c.Prefetch > 65535:
		return fmt.Errorf("%w: prefetch must be between 0 and 65535, got %d", ErrInvalidConfig, c.Prefetch)
	case c.ConfirmWindow < 0:
		return fmt.Errorf("%w: confirm window must not be negative, got %d", ErrInvalidConfig, c.ConfirmWindow)
	case c.DeliveryLimit < 0:
		return fmt.Errorf("%w: delivery limit must not be negative, got %d", ErrInvalidConfig, c.DeliveryLimit)
	case c.ReconnectMin < 0 || c.ReconnectMax < 0:
		return fmt.Errorf("%w: reconnect backoff must not be negative", ErrInvalidConfig)
	case c.ReconnectMax != 0 && c.ReconnectMin > c.ReconnectMax:
		return fmt.Errorf("%w: reconnect min %s is greater than reconnect max %s", ErrInvalidConfig, c.ReconnectMin, c.ReconnectMax)
	case c.PublishRetries < 0:
		return fmt.Errorf("%w: publish retries must not be negative, got %d", ErrInvalidConfig, c.PublishRetries)
	case c.DialTimeout < 0 || c.Heartbeat < 0 || c.CloseTimeout < 0:
		return fmt.Errorf("%w: dial timeout, heartbeat and close timeout must not be negative", ErrInvalidConfig)
	}
	return nil
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

// prepare applies defaults and validates.
func (c Config) prepare() (Config, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

// backoff returns the delay before reconnect attempt n (0-based): exponential
// from ReconnectMin, capped at ReconnectMax.
func (c Config) backoff(n int) time.Duration {
	d := c.ReconnectMin
	for i := 0; i < n && d < c.ReconnectMax; i++ {
		d *= 2
	}
	if d > c.ReconnectMax {
		d = c.ReconnectMax
	}
	return d
}
