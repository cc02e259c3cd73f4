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
//
// # Fault injection
//
// An ingester built with the build tag meshfault (FaultTag) SIGKILLs itself
// after the commit numbered by MESH_FAULT_KILL_AFTER_COMMIT, before that
// commit's ack, so that tests can crash it at the worst moment. Only tests
// build with the tag (domaintest.Build); a shipped binary ignores the variable
// and does not contain its name.
package domainkit
