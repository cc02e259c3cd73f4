// Package errors is the errors domain: problems detected while processing
// customer order lines, and the error-code catalogue as a dimension.
//
// # Causality
//
// Errors react to orders through the lakehouse, never through the orders
// code: the event's upstream query (domain.yaml) reads the region's order
// lines from orders.fact_orders, oldest first, and each error is detected on
// one of them. For an error detected at the event time, the generator draws
// the code by its catalogued frequency (more address errors in ap-southeast)
// and the detection delay typical of the code (seconds for payment, hours for
// warehouse problems, about a day for undeliverable addresses); the order
// line is then one placed just before the event time minus that delay,
// accepted with a chance proportional to its sales channel's error rate
// (marketplace and mobile orders fail more often than store sales) and to the
// code's weight for the channel (no address errors for store sales, few
// payment declines for invoiced b2b orders). Errors are thus spread over time
// like the burst and never detected after the event time. The code catalogue
// (codes, severities, frequencies) is this domain's master data (ErrorCodes),
// published as the seed error_codes that dim_error_code is built from.
package errors
