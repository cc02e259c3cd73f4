// Package orders is the orders domain: customer order lines placed on every
// sales channel and served by a warehouse of the customer's region.
//
// The domain owns its declaration (domain.yaml), its contracts (contracts/),
// and its generator rules (generator.go): which products sell (long-tail
// popularity over the shared catalogue), how many units, through which
// channel, with which delivery priority and promotion. Everything else, from
// publishing to Iceberg commits, is the platform's.
package orders
