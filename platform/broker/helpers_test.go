package broker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/internal/testenv"
)

func randSuffix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// testConfig returns a Config for the shared test broker with a connection
// name unique to the test, so that closeConnections hits only this test.
func testConfig(t testing.TB) Config {
	t.Helper()
	return Config{
		URL:            testenv.AMQPURL(t),
		ReconnectMin:   50 * time.Millisecond,
		ReconnectMax:   time.Second,
		ConnectionName: "mesh-test-" + randSuffix(t),
	}
}

// testBinding declares a fresh topology and deletes it when the test ends.
func testBinding(t testing.TB, cfg Config) Binding {
	t.Helper()
	s := randSuffix(t)
	b := Binding{Domain: "test_" + s, Event: "evt" + s, Region: "eu"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, Declare(ctx, cfg, b))
	t.Cleanup(func() { deleteTopology(t, cfg, b) })
	return b
}

func deleteTopology(t testing.TB, cfg Config, b Binding) {
	conn, err := amqp.Dial(cfg.URL)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer ch.Close()
	for _, q := range []string{b.Queue(), b.DLQ()} {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil {
			t.Logf("cleanup: deleting %s: %v", q, err)
		}
	}
	for _, ex := range []string{ExchangeName(b.Domain), DeadLetterExchangeName(b.Domain)} {
		if err := ch.ExchangeDelete(ex, false, false); err != nil {
			t.Logf("cleanup: deleting %s: %v", ex, err)
		}
	}
}

func deleteQueue(t testing.TB, cfg Config, queue string) {
	conn, err := amqp.Dial(cfg.URL)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer ch.Close()
	if _, err := ch.QueueDelete(queue, false, false, false); err != nil {
		t.Logf("cleanup: deleting %s: %v", queue, err)
	}
}

// connectionPIDs lists, through rabbitmqctl, the broker connections whose
// connection_name starts with name: only this test's connections, so that
// engineers sharing the broker are not disturbed.
func connectionPIDs(t testing.TB, name string) []string {
	t.Helper()
	out, err := exec.Command("rabbitmqctl", "list_connections", "-q", "--no-table-headers",
		"pid", "client_properties").CombinedOutput()
	require.NoError(t, err, "rabbitmqctl list_connections: %s", out)
	var pids []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, `"`+name) {
			pids = append(pids, strings.Fields(line)[0])
		}
	}
	return pids
}

// closeConnectionPIDs force-closes connections like
// `rabbitmqctl close_all_connections test` does, but only the given ones.
func closeConnectionPIDs(pids []string) error {
	for _, pid := range pids {
		if out, err := exec.Command("rabbitmqctl", "close_connection", pid, "test").CombinedOutput(); err != nil {
			return fmt.Errorf("rabbitmqctl close_connection %s: %w: %s", pid, err, out)
		}
	}
	return nil
}

// closeConnections force-closes this test's connections named name*; it
// returns how many it closed.
func closeConnections(t testing.TB, name string) int {
	t.Helper()
	pids := connectionPIDs(t, name)
	require.NoError(t, closeConnectionPIDs(pids))
	return len(pids)
}

func publishN(ctx context.Context, t testing.TB, p *Publisher, b Binding, n int, prefix string) map[string]bool {
	t.Helper()
	return publishRange(ctx, t, p, b, 0, n, prefix)
}

// publishRange publishes messages from..to-1 with MessageIDs prefix-%06d.
func publishRange(ctx context.Context, t testing.TB, p *Publisher, b Binding, from, to int, prefix string) map[string]bool {
	t.Helper()
	ids := make(map[string]bool, to-from)
	for i := from; i < to; i++ {
		id := fmt.Sprintf("%s-%06d", prefix, i)
		ids[id] = true
		require.NoError(t, p.Publish(ctx, Message{
			Exchange:   ExchangeName(b.Domain),
			RoutingKey: b.RoutingKey(),
			Body:       fmt.Appendf(nil, `{"event_id":%q,"n":%d,"pad":"%s"}`, id, i, strings.Repeat("x", 220)),
			MessageID:  id,
			Timestamp:  time.Now(),
		}))
	}
	return ids
}

// consumeDistinct consumes until want distinct MessageIDs arrived (acking in
// batches), then drains briefly for duplicates. It returns the count per id.
func consumeDistinct(ctx context.Context, t testing.TB, c *Consumer, want int) map[string]int {
	t.Helper()
	seen := make(map[string]int, want)
	var last Delivery
	unacked := 0
	ack := func() {
		if unacked > 0 {
			require.NoError(t, c.Ack(last, true))
			unacked = 0
		}
	}
	idle := time.NewTimer(time.Hour)
	defer idle.Stop()
	for {
		if len(seen) >= want {
			ack()
			idle.Reset(300 * time.Millisecond) // a late duplicate, if any
		}
		select {
		case d, ok := <-c.Deliveries():
			require.True(t, ok, "deliveries closed early")
			seen[d.MessageID]++
			last = d
			unacked++
			if unacked >= 500 {
				ack()
			}
		case <-idle.C:
			return seen
		case <-ctx.Done():
			ack()
			t.Fatalf("consumed %d distinct of %d: %v", len(seen), want, ctx.Err())
		}
	}
}
