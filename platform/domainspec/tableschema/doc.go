// Package tableschema turns the columns a domain declares for a table in
// domain.yaml into the table's Iceberg and Arrow schemas, so the Go code
// writing the table and the catalog documenting it read one declaration.
//
// It is apart from package domainspec, which build tooling imports, because
// it needs iceberg-go and Arrow.
package tableschema
