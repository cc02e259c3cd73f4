package broker

import (
	"context"
	"fmt"
	"strings"
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
