package ingest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/ingest"
	"github.com/meshterious/warehouse/platform/internal/testenv"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/produce"
	"github.com/meshterious/warehouse/platform/query"
)

type fixture struct {
	bcfg  broker.Config
	lh    *lakehouse.Lakehouse
	c     *contract.Contract
	table lakehouse.Ident
	b     broker.Binding
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	c, err := contract.Load(filepath.Join("..", "contract", "testdata", "orders.v1.json"))
	require.NoError(t, err)
	f := &fixture{
		bcfg:  broker.Config{URL: testenv.AMQPVhost(t)}.WithDefaults(),
		c:     c,
		table: lakehouse.Ident{Namespace: "orders", Name: "raw_orders"},
		b:     broker.Binding{Domain: "orders", Event: "orders", Region: "eu-central"},
	}
	f.bcfg.Prefetch = 4000
	require.NoError(t, broker.Declare(ctx, f.bcfg, f.b))
	dir := t.TempDir()
	f.lh, err = lakehouse.Open(ctx, lakehouse.Config{DataDir: dir})
	require.NoError(t, err)
	t.Cleanup(func() { f.lh.Close() })
	require.NoError(t, f.lh.EnsureNamespace(ctx, "orders"))
	_, err = f.lh.EnsureTable(ctx, f.table, c.IcebergSchema(), ingest.RawTableProperties())
	require.NoError(t, err)
	return f
}

func (f *fixture) orderFields(c *produce.Context) map[string]any {
	lat, lon := c.Region.Point(c.Rand)
	return map[string]any{
		"order_id": c.Rand.UUID().String(), "customer_id": "C-000001", "product_id": "P-00001",
		"warehouse_id": "WH-EUC-01", "region": c.Region.Name, "order_ts": produce.Timestamp(c.Time),
		"qty": int64(2), "unit_price": 9.99, "currency": "EUR", "channel": "web",
		"customer_lat": lat, "customer_lon": lon,
	}
}

// publish produces n events and then publishes the first dup of them again, as a
// publisher retry after a lost confirm would.
func (f *fixture) publish(t *testing.T, n, dup int, run uint64) {
	t.Helper()
	ctx := context.Background()
	pub, err := broker.NewPublisher(ctx, f.bcfg)
	require.NoError(t, err)
	defer pub.Close()
	p, err := produce.New(produce.Config{Domain: "orders", Event: "orders", Region: f.b.Region, Burst: n, Run: run,
		Until: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Since: 72 * time.Hour}, f.c, f.orderFields, pub)
	require.NoError(t, err)
	_, err = p.Run(ctx)
	require.NoError(t, err)
	if dup == 0 {
		return
	}
	// Read back dup bodies through a throwaway queue bound to the same key.
	cons, err := broker.NewConsumer(ctx, f.bcfg, f.b.Queue())
	require.NoError(t, err)
	var bodies [][]byte
	for d := range cons.Deliveries() {
		bodies = append(bodies, d.Body)
		require.NoError(t, cons.Nack(d, false, true))
		if len(bodies) == dup {
			break
		}
	}
	require.NoError(t, cons.Close())
	for i, b := range bodies {
		require.NoError(t, pub.Publish(ctx, broker.Message{Exchange: broker.ExchangeName("orders"), RoutingKey: f.b.RoutingKey(), Body: b, MessageID: fmt.Sprint("dup-", i)}))
	}
	require.NoError(t, pub.Flush(ctx))
}

func (f *fixture) run(t *testing.T, ctx context.Context, cfg ingest.Config) ingest.Stats {
	t.Helper()
	cons, err := broker.NewConsumer(context.Background(), f.bcfg, f.b.Queue())
	require.NoError(t, err)
	defer cons.Close()
	dlq, err := broker.NewPublisher(context.Background(), f.bcfg)
	require.NoError(t, err)
	defer dlq.Close()
	cfg.Domain, cfg.Event, cfg.Region, cfg.Table = "orders", "orders", f.b.Region, f.table
	in, err := ingest.New(cfg, f.c, f.lh, cons, dlq)
	require.NoError(t, err)
	st, err := in.Run(ctx)
	require.NoError(t, err)
	return st
}

func (f *fixture) count(t *testing.T, sql string) int64 {
	t.Helper()
	eng, err := query.NewEngine(context.Background(), f.lh, query.Config{})
	require.NoError(t, err)
	defer eng.Close()
	res, err := eng.Query(context.Background(), sql)
	require.NoError(t, err)
	return res.Rows[0][0].(int64)
}

func TestPublisherDuplicatesAreDroppedAcrossBatches(t *testing.T) {
	f := newFixture(t)
	f.publish(t, 6000, 700, 0)
	st := f.run(t, context.Background(), ingest.Config{BatchSize: 500, UntilIdle: true, IdleTimeout: time.Second})
	assert.Equal(t, 6000, st.Committed)
	assert.Equal(t, 700, st.Duplicates)
	assert.Greater(t, st.Commits, 10, "small batches commit while the next one is decoded")
	assert.Equal(t, int64(6000), f.count(t, "SELECT count(DISTINCT event_id) FROM orders.raw_orders"))
	assert.Equal(t, int64(6000), f.count(t, "SELECT count(*) FROM orders.raw_orders"))
}

func TestStopCommitsTheBatchInHandAndRestartResumes(t *testing.T) {
	f := newFixture(t)
	f.publish(t, 8000, 0, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var first ingest.Stats
	done := make(chan struct{})
	go func() {
		defer close(done)
		first = f.run(t, ctx, ingest.Config{BatchSize: 700, FlushInterval: time.Hour, Linger: time.Hour,
			OnCommit: func(c ingest.Commit) {
				if c.SnapshotID != 0 {
					cancel() // "SIGTERM" right after the first commit, with a half-built batch in hand
				}
			}})
	}()
	<-done
	require.Greater(t, first.Committed, 0)
	require.Less(t, first.Committed, 8000)
	assert.Equal(t, int64(first.Committed), f.count(t, "SELECT count(*) FROM orders.raw_orders"), "stopping commits what it acknowledged")
	second := f.run(t, context.Background(), ingest.Config{UntilIdle: true, IdleTimeout: time.Second})
	assert.Equal(t, 8000, first.Committed+second.Committed)
	assert.Equal(t, int64(8000), f.count(t, "SELECT count(DISTINCT event_id) FROM orders.raw_orders"))
	assert.Equal(t, int64(8000), f.count(t, "SELECT count(*) FROM orders.raw_orders"))
}
