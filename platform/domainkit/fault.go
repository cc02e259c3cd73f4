package domainkit

// FaultTag is the build tag that compiles fault injection into a domain
// binary. Shipped binaries are built without it; the tests that crash an
// ingester on purpose build theirs with `go build -tags meshfault`
// (domaintest.Build does).
const FaultTag = "meshfault"

// EnvFaultKillAfterCommit makes an ingester SIGKILL itself after the Nth commit,
// before acknowledging it: the worst moment to crash. Tests use it to prove
// that such a crash neither loses nor duplicates events. Only a binary built
// with the FaultTag build tag reads it; any other ignores it, and does not even
// contain its name.
const EnvFaultKillAfterCommit = "MESH_FAULT_KILL_AFTER_COMMIT"
