// Package masterdata is the mechanism by which a domain publishes its
// reference entities (products, warehouses, vehicles, error codes...) and
// other domains read them. The entities themselves live in the domain that
// owns them.
//
// # Publishing
//
// An owner domain generates its entities deterministically from Seed in its
// own Go package, registers each table by name (Register) and lists the names
// in its domain.yaml (masterdata: [...]). The tables are committed as the dbt
// seeds dbt/seeds/<name>.csv of its project, which its dimensions are built
// from; the owner's tests compare the committed seeds with the generator
// (CheckSeeds), so a change to the generator is a visible change of the
// published data.
//
// # Consuming
//
// A consumer names a published table by identifier, "<owner>.<table>" (e.g.
// inventory.products), and never imports the owner's code. Its binaries read
// a pinned copy, <domain>/masterdata/<owner>.<table>.csv, embedded with
// go:embed (Open): `go run mage.go check` refreshes every pinned copy from the
// owner's seed and fails when a committed one was stale, as a consumer pins a
// contract version. Tests and tools inside the repository may
// read the owner's seed directly (Load). Either way every producer and every
// dimension name the same ids.
package masterdata
