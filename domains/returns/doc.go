// Package returns is the returns domain: order lines that customers send back
// to the warehouse that served them, days after delivery.
//
// # Causality
//
// Returns react to the orders data product, never to the orders code: the
// event's upstream query (domain.yaml events[].upstream) reads
// orders.fact_orders of the region from the lakehouse, and the generator picks
// one of those order lines per return. How likely an order line is to come
// back depends on its product category (apparel often, grocery almost never)
// and on how long ago it was ordered: a return is received 2 to 30 days after
// its order, mostly in the first week after the region's delivery time. The
// return is received at the moment being produced (event_ts = order_ts plus
// that delay), so returns follow the burst's daily and weekly profile and
// never refer to an order that was not delivered by then.
//
// The domain owns its vocabularies (return reasons per category, item
// conditions and the refund share each condition earns) and its SQL; the
// dbt project checks every return against orders.fact_orders.
package returns
