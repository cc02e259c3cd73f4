//go:build meshfault

package domainkit

const faultCompiled = true
