// Package domaintest specifies, once, the behaviour every domain must have,
// and runs it against the real broker and lakehouse. A domain's tests hold
// only what is particular to the domain; what every domain shares lives here.
//
// A domain's test package declares a Suite and runs it:
//
//	var suite = domaintest.Suite{Domain: returns.Domain, Upstream: domaintest.Orders(domaintest.OrdersOptions{})}
//
//	func TestMain(m *testing.M) { domaintest.Main(m) }
//
//	func TestConformance(t *testing.T) { suite.Run(t) }
//
// Suite.Run runs the ingestion guarantees (RunIngestGuarantees: nothing lost
// or duplicated across kill -9, bad input dead-lettered with its reason,
// concurrent ingesters, the same answers on every backend; at full scale and
// across a broker restart in the reference domain, Suite.Reference),
// the dbt project checks (CheckDBTProject) and, for a domain whose data
// products other domains read, checks that the stand-ins of those products
// (Suite.StandIns) have the real products' columns and types. The tests build
// the domain's binary (Build, once per test process, with the fault-injection
// build tag domainkit.FaultTag) and drive it as a separate process, so that a
// kill -9 is a real kill -9. Main stops the servers the harnesses started.
//
// A domain's transformation test starts from Suite.Transform, which produces
// a Burst, ingests it and runs `transform build`, and checks what every
// domain's transformation must do: the build passes its tests, staging holds
// exactly the valid events (replayed duplicates and invalid events never get
// past it), a second run commits nothing. The test then asserts the domain's
// own known answers, with Harness.AssertRows (row counts), Harness.AssertNone
// (counts of rows that must not exist: orphan keys, effects before their
// cause) and queries (Harness.Int, Harness.Query).
//
// Generator tests call Generate, which drives the generator a domain
// registers the way `<domain> produce` does, without a broker, and fails the
// test for an event that is missing, invalid under its contract, or not the
// same on a second pass from the same seed; AssertGeneratesNothing checks that
// a reacting generator makes nothing without a cause.
//
// A domain's tests never run another domain's code: a domain that reads
// another's data product (events[].upstream in domain.yaml) reads a stand-in.
// SeedOrders (or Orders, as a Suite.Upstream) loads the one stand-in of
// orders.fact_orders, shaped by OrdersOptions (lines per region, time window,
// channel mix), on the master data's products and warehouses so that
// relationships hold; OrderLines gives the same lines as a generator's
// upstream rows. SeedVehicles stands in for fleet.dim_vehicle.
//
// Each harness gets a private RabbitMQ vhost and a private data directory, so
// it never sees a demo's queues or another test's tables. Times are anchored
// to FixedUntil so that every run sees the same data.
package domaintest
