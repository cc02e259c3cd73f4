package broker

import (
	"context"
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Exchange kinds and queue arguments used by the topology.
const (
	ExchangeKindTopic  = "topic"
	ExchangeKindDirect = "direct"
	QueueTypeQuorum    = "quorum"

	ArgQueueType            = "x-queue-type"
	ArgDeadLetterExchange   = "x-dead-letter-exchange"
	ArgDeadLetterRoutingKey = "x-dead-letter-routing-key"
	ArgDeliveryLimit        = "x-delivery-limit"
)

// Headers set by Publisher.DeadLetter.
const (
	HeaderError    = "x-mesh-error"
	HeaderQueue    = "x-mesh-queue"
	HeaderFailedAt = "x-mesh-failed-at"
	// headerSeq correlates returned mandatory messages with their publish; internal.
	headerSeq = "x-mesh-publish-seq"
)

// ExchangeName is the durable topic exchange a domain publishes its events to.
func ExchangeName(domain string) string { return domain }

// DeadLetterExchangeName is the durable direct exchange receiving the domain's dead letters.
func DeadLetterExchangeName(domain string) string { return domain + ".dlx" }

// RoutingKey is the routing key of an event from a region: "<event>.<region>".
func RoutingKey(event, region string) string { return event + "." + region }

// QueueName is the ingester queue of one event and region: "ingest_<event>_<region>".
func QueueName(event, region string) string { return "ingest_" + event + "_" + region }

// DLQName is the dead-letter queue of QueueName(event, region).
func DLQName(event, region string) string { return QueueName(event, region) + ".dlq" }

// Binding names one ingester queue.
type Binding struct{ Domain, Event, Region string }

// Queue returns the binding's queue name.
func (b Binding) Queue() string { return QueueName(b.Event, b.Region) }

// DLQ returns the binding's dead-letter queue name.
func (b Binding) DLQ() string { return DLQName(b.Event, b.Region) }

// RoutingKey returns the binding's routing key.
func (b Binding) RoutingKey() string { return RoutingKey(b.Event, b.Region) }

// QueueArgs returns the arguments the ingester queue of b is declared with.
func QueueArgs(cfg Config, b Binding) amqp.Table {
	cfg = cfg.WithDefaults()
	return amqp.Table{
		ArgQueueType:            QueueTypeQuorum,
		ArgDeadLetterExchange:   DeadLetterExchangeName(b.Domain),
		ArgDeadLetterRoutingKey: b.DLQ(),
		ArgDeliveryLimit:        int64(cfg.DeliveryLimit),
	}
}

// Declare idempotently declares, for every binding: the domain's durable topic
// exchange, its durable direct dead-letter exchange, the quorum ingester queue
// (dead-lettering to the DLX with routing key = DLQ name, x-delivery-limit)
// bound with RoutingKey(event, region), and the quorum DLQ bound to the DLX
// with routing key = DLQ name. Declaring twice is a no-op; declaring over an
// existing entity with different arguments fails with ErrTopologyMismatch.
func Declare(ctx context.Context, cfg Config, bindings ...Binding) error {
	cfg, err := cfg.prepare()
	if err != nil {
		return err
	}
	conn, err := dial(ctx, cfg, "declare")
	if err != nil {
		return fmt.Errorf("declaring topology: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("declaring topology: opening channel: %w", err)
	}
	defer ch.Close()

	for _, b := range bindings {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("declaring topology: %w", err)
		}
		if b.Domain == "" || b.Event == "" || b.Region == "" {
			return fmt.Errorf("declaring topology: %w: binding %+v needs domain, event and region", ErrInvalidConfig, b)
		}
		if err := declareOne(ch, cfg, b); err != nil {
			return fmt.Errorf("declaring topology for %s: %w", b.Queue(), classify(err))
		}
	}
	return nil
}

func declareOne(ch *amqp.Channel, cfg Config, b Binding) error {
	ex, dlx, q, dlq := ExchangeName(b.Domain), DeadLetterExchangeName(b.Domain), b.Queue(), b.DLQ()
	if err := ch.ExchangeDeclare(ex, ExchangeKindTopic, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declaring exchange %s: %w", ex, err)
	}
	if err := ch.ExchangeDeclare(dlx, ExchangeKindDirect, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declaring dead-letter exchange %s: %w", dlx, err)
	}
	if _, err := ch.QueueDeclare(dlq, true, false, false, false, amqp.Table{ArgQueueType: QueueTypeQuorum}); err != nil {
		return fmt.Errorf("declaring dead-letter queue %s: %w", dlq, err)
	}
	if err := ch.QueueBind(dlq, dlq, dlx, false, nil); err != nil {
		return fmt.Errorf("binding %s to %s: %w", dlq, dlx, err)
	}
	if _, err := ch.QueueDeclare(q, true, false, false, false, QueueArgs(cfg, b)); err != nil {
		return fmt.Errorf("declaring queue %s: %w", q, err)
	}
	if err := ch.QueueBind(q, b.RoutingKey(), ex, false, nil); err != nil {
		return fmt.Errorf("binding %s to %s with %s: %w", q, ex, b.RoutingKey(), err)
	}
	return nil
}
