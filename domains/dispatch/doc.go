// Package dispatch is the dispatch domain: the journey of every order line
// from the warehouse shelf to the customer's door, logged one status at a
// time.
//
// # Causality
//
// Dispatch logs react to the orders data product, never to the orders code:
// the event's upstream query (domain.yaml events[].upstream) reads
// orders.fact_orders of the region from the lakehouse. Each order line gets
// one dispatch whose whole journey is derived from its order_id alone
// (picked, packed, loaded, in_transit, sometimes delayed or a
// failed_attempt, then delivered), with a promised ETA per region and a
// vehicle of the fleet based at the order's warehouse (the fleet domain's
// published fleet.vehicles, pinned in masterdata/).
// The generator logs the next status of some dispatch whose status time has
// come, so a dispatch's statuses are published in sequence and never from
// the future; two producers agree on every dispatch they both log.
//
// The dbt project checks every dispatch against orders.fact_orders and its
// vehicle against fleet.dim_vehicle (depends_on: orders, fleet).
//
// fact_dispatch_logs keeps the latest status of each dispatch and derives
// delivered_on_time in SQL from status_ts and eta.
package dispatch
