// Package render prints query results and summaries for people and for
// programs: an aligned text table, CSV or JSON lines.
package render
