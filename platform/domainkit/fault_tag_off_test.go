//go:build !meshfault

package domainkit

const faultCompiled = false
