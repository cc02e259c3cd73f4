package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/meshterious/warehouse/platform/config"
)

// dialAttempts is how many times dial tries a handshake that timed out: a
// broker starved of CPU can miss one deadline and answer the next, while a
// refused connection or a wrong password fails at once.
const dialAttempts = 3

// dial opens one AMQP connection, honouring ctx while the handshake runs, and
// tries again after a timeout (dialAttempts). Errors never contain the URL
// password.
func dial(ctx context.Context, cfg Config, role string) (*amqp.Connection, error) {
	for attempt := 1; ; attempt++ {
		conn, err := dialOnce(ctx, cfg, role)
		if err == nil || attempt == dialAttempts || !isTimeout(err) || ctx.Err() != nil {
			return conn, err
		}
		cfg.logger().Warn("broker handshake timed out, trying again", "role", role, "attempt", attempt, "err", err)
		if !sleepCtx(ctx, cfg.ReconnectMin) {
			return nil, err
		}
	}
}

// isTimeout reports whether a dial failed on a network deadline, which
// amqp091 reports as a frame error (501) whose reason is the read's "i/o timeout".
func isTimeout(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var ae *amqp.Error
	return errors.As(err, &ae) && strings.Contains(ae.Reason, "i/o timeout")
}

func dialOnce(ctx context.Context, cfg Config, role string) (*amqp.Connection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName(cfg.ConnectionName + "/" + role)
	acfg := amqp.Config{
		Heartbeat:  cfg.Heartbeat,
		Properties: props,
		Dial:       amqp.DefaultDial(cfg.DialTimeout),
	}
	type result struct {
		conn *amqp.Connection
		err  error
	}
	done := make(chan result, 1)
	go func() {
		c, err := amqp.DialConfig(cfg.URL, acfg)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("connecting to %s: %w", config.RedactURL(cfg.URL), redactErr(r.err, cfg.URL))
		}
		return r.conn, nil
	case <-ctx.Done():
		go func() { // do not leak a connection that completes late
			if r := <-done; r.conn != nil {
				_ = r.conn.Close()
			}
		}()
		return nil, fmt.Errorf("connecting to %s: %w", config.RedactURL(cfg.URL), ctx.Err())
	}
}

// sleepCtx waits d or until ctx is done; it reports whether the full delay elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// classify maps AMQP errors to the package sentinels where one fits.
func classify(err error) error {
	var ae *amqp.Error
	if errors.As(err, &ae) && ae.Code == amqp.PreconditionFailed {
		return fmt.Errorf("%w: %w", ErrTopologyMismatch, err)
	}
	return err
}
