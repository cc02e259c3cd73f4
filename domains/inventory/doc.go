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
// order (movement of -qty, reference_id = order_id). Returned items,
// cycle-count adjustments and transfers are drawn from the same order lines.
// Replenishment follows an order-up-to policy on a per-region stock book (see
// Stock): a product a movement took below its normal level (its opening stock)
// is queued, and each restock brings the product due longest back to that
// level in whole supplier cases (pack size by category). A pick the shelf
// cannot cover waits for an expedited delivery, so no warehouse holds less
// than nothing of a product.
//
// The generator rules are in generator.go; publishing, ingestion and the
// Iceberg commits are the platform's.
package inventory
