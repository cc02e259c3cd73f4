package broker

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkPublishConsume publishes b.N persistent messages through a quorum
// queue while a consumer drains it (acking every 500), and reports msgs/s.
func BenchmarkPublishConsume(b *testing.B) {
	cfg := testConfig(b)
	bind := testBinding(b, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	p, err := NewPublisher(ctx, cfg)
	require.NoError(b, err)
	defer p.Close()
	c, err := NewConsumer(ctx, cfg, bind.Queue())
	require.NoError(b, err)
	defer c.Close()
	body := fmt.Appendf(nil, `{"event_id":"x","pad":"%s"}`, strings.Repeat("x", 260))

	b.ResetTimer()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		got := 0
		var last Delivery
		for got < b.N {
			select {
			case d := <-c.Deliveries():
				got++
				last = d
				if got%500 == 0 || got == b.N {
					if err := c.Ack(last, true); err != nil {
						done <- err
						return
					}
				}
			case <-ctx.Done():
				done <- ctx.Err()
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < b.N; i++ {
		if err := p.Publish(ctx, Message{
			Exchange: ExchangeName(bind.Domain), RoutingKey: bind.RoutingKey(),
			Body: body, MessageID: fmt.Sprint(i),
		}); err != nil {
			b.Fatal(err)
		}
	}
	require.NoError(b, p.Flush(ctx))
	require.NoError(b, <-done)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkConsume drains b.N persistent messages, published beforehand,
// through a Consumer (acking every 500), and reports the consumer's rate and
// the CPU time of this process per message: the consumer's own overhead on
// top of amqp091's, without a publisher running beside it.
func BenchmarkConsume(b *testing.B) {
	cfg := testConfig(b)
	bind := testBinding(b, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := NewPublisher(ctx, cfg)
	require.NoError(b, err)
	body := fmt.Appendf(nil, `{"event_id":"x","pad":"%s"}`, strings.Repeat("x", 260))
	for i := 0; i < b.N; i++ {
		require.NoError(b, p.Publish(ctx, Message{
			Exchange: ExchangeName(bind.Domain), RoutingKey: bind.RoutingKey(), Body: body, MessageID: fmt.Sprint(i),
		}))
	}
	require.NoError(b, p.Flush(ctx))
	require.NoError(b, p.Close())

	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	c, err := NewConsumer(ctx, cfg, bind.Queue())
	require.NoError(b, err)
	defer c.Close()
	for got := 1; got <= b.N; got++ {
		select {
		case d := <-c.Deliveries():
			if got%500 == 0 || got == b.N {
				require.NoError(b, c.Ack(d, true))
			}
		case <-ctx.Done():
			b.Fatal(ctx.Err())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-us/msg")
}

// cpuTime is the CPU time (user + system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
