// Package inventory is the inventory domain: every change of stock of a
// product in a warehouse, and the product, warehouse and employee master data
// as dimensions.
//
// # Causality
//
// Outbound movements react to orders through the lakehouse, never through the
// orders code: the event's upstream query (domain.yaml) reads the region's
// order lines from orders.fact_orders, and the generator picks each line once,
// in an order spread over the whole period, a few minutes to hours after the
// order (movement of -qty, reference_id = order_id). Restocks, returned items,
// cycle-count adjustments and transfers are drawn from the same order lines, so
// stock is replenished where demand is: a restock delivers whole supplier cases
// (pack size by category) covering several cycles of demand (more for far-away
// suppliers), which keeps per warehouse and product balances plausible.
//
// The generator rules are in generator.go; publishing, ingestion and the
// Iceberg commits are the platform's.
package inventory
