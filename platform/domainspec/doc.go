// Package domainspec reads domain.yaml, the single declaration a domain team
// writes about its domain: owners, description, regions, events and tables.
//
// Everything that lists domains (CODEOWNERS, go.work, the modules mage
// iterates, the compose profiles) is generated from these files, so adding a
// domain is adding a folder. The package depends on nothing heavier than a
// YAML parser so that build tooling can import it cheaply.
//
// # Declared columns
//
// A table the domain's Go code writes declares its columns under
// tables[].columns (name, an Iceberg type of ColumnTypes, description, and
// the meta keys pii, access and glossary of dbt schema.yml). The code builds
// the table's schema from them with package tableschema, and the catalog
// documents them with no lakehouse: one declaration that cannot drift. Raw
// tables take their columns from their contract, dbt models from schema.yml.
//
// Parse reports what is wrong as "<file>:<line>: <field>: <message>".
package domainspec
