package broker

import (
	"context"
	"fmt"
)

// Purge removes every ready message from the named queues and returns how
// many were removed per queue. Queues that do not exist are skipped. The demo
// uses it for a fresh start; production code never should.
func Purge(ctx context.Context, cfg Config, queues ...string) (map[string]int, error) {
	cfg, err := cfg.prepare()
	if err != nil {
		return nil, err
	}
	conn, err := dial(ctx, cfg, "purge")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	out := map[string]int{}
	for _, q := range queues {
		ch, err := conn.Channel()
		if err != nil {
			return out, fmt.Errorf("opening channel: %w", err)
		}
		if _, err := ch.QueueDeclarePassive(q, true, false, false, false, nil); err != nil {
			// A missing queue closes the channel: nothing to purge.
			continue
		}
		n, err := ch.QueuePurge(q, false)
		_ = ch.Close()
		if err != nil {
			return out, fmt.Errorf("purging %s: %w", q, err)
		}
		out[q] = n
	}
	return out, nil
}
