package catalog

import (
	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/domainspec"
)

// addTopics adds the broker topology of one event, named as package broker
// declares it: the domain's exchange and dead-letter exchange, and per
// region the ingest queue and its DLQ, the contract as their schema.
func (b *builder) addTopics(d *domainspec.Domain, ev domainspec.Event, c *contract.Contract, contractPath, schema string, fields []Column) {
	add := func(t *Topic) {
		for _, have := range b.cat.Topics {
			if have.Name == t.Name {
				return // the exchanges are shared by the domain's events
			}
		}
		t.Domain, t.Owner = d.Name, d.Owners.Team
		b.cat.Topics = append(b.cat.Topics, t)
	}
	withSchema := func(t *Topic) *Topic {
		t.Contract, t.ContractPath, t.Schema, t.SchemaFields = c.String(), contractPath, schema, fields
		return t
	}
	ex := broker.ExchangeName(d.Name)
	dlx := broker.DeadLetterExchangeName(d.Name)
	exDesc := "Topic exchange of the " + d.Name + " domain's events, routed by <event>.<region>."
	if len(d.Events) == 1 {
		add(withSchema(&Topic{Name: ex, Kind: TopicExchange, Event: ev.Name, Description: exDesc}))
	} else {
		add(&Topic{Name: ex, Kind: TopicExchange, Description: exDesc})
	}
	add(&Topic{Name: dlx, Kind: TopicDeadLetterExchange,
		Description: "Dead-letter exchange of the " + d.Name + " domain: invalid or undeliverable events go to the DLQ of their queue."})
	for _, r := range d.Regions {
		bd := broker.Binding{Domain: d.Name, Event: ev.Name, Region: r}
		add(withSchema(&Topic{Name: bd.Queue(), Kind: TopicQueue, Event: ev.Name, Region: r,
			Exchange: ex, RoutingKey: bd.RoutingKey(),
			Description: "Ingest queue of " + ev.Name + " events from " + r + " (quorum); the ingester commits them to " + d.Name + "." + ev.RawTable + "."}))
		add(withSchema(&Topic{Name: bd.DLQ(), Kind: TopicDLQ, Event: ev.Name, Region: r,
			Exchange: dlx, RoutingKey: bd.DLQ(),
			Description: "Dead-letter queue of " + bd.Queue() + ": events that broke the contract (header " + broker.HeaderError + " says why) or hit the delivery limit."}))
	}
}
