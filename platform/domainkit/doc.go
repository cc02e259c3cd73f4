// Package domainkit is everything a domain binary shares: loading the
// domain's declarations (domain.yaml and contracts, embedded in the binary)
// and the command line (`<domain> produce|ingest|setup|info`).
//
// A domain's main package is one line:
//
//	func main() { os.Exit(domainkit.Main(orders.Domain())) }
//
// where orders.Domain() returns the embedded files and the domain's event
// generators. Nothing in here knows any particular domain.
package domainkit
