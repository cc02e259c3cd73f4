//go:build !meshfault

package domainkit

// faultKillAfterCommit is the shipped build's: no fault injection, whatever
// the environment says.
func faultKillAfterCommit() (func(int), error) { return nil, nil }
