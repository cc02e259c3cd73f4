// Package render prints query results and summaries for people and for
// programs: an aligned text table, CSV, JSON lines or sparklines.
//
// # Cells
//
// A Formatted cell (meshctl sql passes query.Value, which DuckDB converted
// itself) prints as it is: its String in a table and in CSV, exactly what
// DuckDB's CLI prints, and its MarshalJSON in JSON lines. Other cells are Go
// values the platform made (table listings, DAG runs): Cell formats them.
// NULL (nil) is NULL in a table, an empty field in CSV and null in JSON.
// Numeric columns are right-aligned in a table.
//
// # JSON lines
//
// One object per row, with the columns in their order (a repeated column
// name repeats the key). A query.Value is a JSON number for numeric types, a
// boolean for BOOLEAN, an array or object for nested types and JSON, and a
// string of DuckDB's text otherwise (package query has the rules).
package render
