package broker

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stallingProxy forwards TCP connections to the real broker at target, but
// the first stall connections are accepted and never answered: the broker
// seen by a client whose handshake misses its deadline.
func stallingProxy(t *testing.T, target string, stall int32) (addr string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	accepted = &atomic.Int32{}
	var wg sync.WaitGroup
	var held []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range held {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
			if accepted.Add(1) <= stall {
				continue // never answered
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			mu.Lock()
			held = append(held, up)
			mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(up, c); _ = up.Close() })
			wg.Go(func() { _, _ = io.Copy(c, up); _ = c.Close() })
		}
	})
	return ln.Addr().String(), accepted
}

func TestDialRetriesAHandshakeThatTimedOut(t *testing.T) {
	base := testConfig(t)
	u, err := url.Parse(base.URL)
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		stall    int32
		ok       bool
		attempts int32
	}{
		{"answers on the last attempt", dialAttempts - 1, true, dialAttempts},
		{"gives up after every attempt", dialAttempts, false, dialAttempts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, accepted := stallingProxy(t, u.Host, tc.stall)
			cfg := base
			pu := *u
			pu.Host = addr
			cfg.URL = pu.String()
			cfg.DialTimeout, cfg.ReconnectMin = 300*time.Millisecond, 10*time.Millisecond
			conn, err := dial(context.Background(), cfg, "test")
			assert.Equal(t, tc.attempts, accepted.Load(), "connections the broker saw")
			if !tc.ok {
				require.Error(t, err)
				assert.True(t, isTimeout(err), "a timeout: %v", err)
				assert.NotContains(t, err.Error(), u.User.String(), "the password stays hidden")
				return
			}
			require.NoError(t, err)
			defer conn.Close()
			ch, err := conn.Channel()
			require.NoError(t, err, "a real broker connection")
			_ = ch.Close()
		})
	}
}

// A refused connection is not retried: nothing listens, so it fails at once.
func TestDialDoesNotRetryARefusal(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cfg := testConfig(t)
	cfg.URL = "amqp://guest:guest@" + addr + "/"
	cfg.ReconnectMin = time.Second
	start := time.Now()
	_, err = dial(context.Background(), cfg, "test")
	require.Error(t, err)
	assert.False(t, isTimeout(err))
	assert.Less(t, time.Since(start), cfg.ReconnectMin, "no wait before a second attempt")
}
