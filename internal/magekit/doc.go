// Package magekit holds the logic behind the mage targets (magefile.go):
// generating the files derived from domain.yaml (CODEOWNERS, go.work),
// checking that no domain imports another and the platform imports none
// (CheckImports, run by `go run mage.go check`), finding the modules to test,
// and starting the local services a command needs. It lives in a normal
// package so that it is tested like any code.
package magekit
