// Package domainspec reads domain.yaml, the single declaration a domain team
// writes about its domain: owners, description, regions, events and tables.
//
// Everything that lists domains (CODEOWNERS, go.work, the modules mage
// iterates, the compose profiles) is generated from these files, so adding a
// domain is adding a folder. The package depends on nothing heavier than a
// YAML parser so that build tooling can import it cheaply.
package domainspec
