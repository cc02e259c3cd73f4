package query

import (
	"database/sql"
	"strings"
	"testing"
	"unicode/utf8"

	_ "github.com/duckdb/duckdb-go/v2"
)

// FuzzQuoteIdent checks the quoting of the identifiers the engine puts into
// DuckDB SQL (schema, table and column names from the catalog and the CLI):
// whatever the name, `SELECT 1 AS <quoted>` is one valid statement whose only
// column is called exactly that name, so a name cannot end the identifier and
// inject SQL. Names DuckDB cannot hold (invalid UTF-8, NUL) are skipped.
func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"orders", "raw_orders", `a"b`, `"; DROP TABLE x; --`, "a.b", "select", " ", `""`, "é"} {
		f.Add(s)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	f.Fuzz(func(t *testing.T, name string) {
		if name == "" || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
			return
		}
		rows, err := db.Query("SELECT 1 AS " + quoteIdent(name))
		if err != nil {
			t.Fatalf("quoted %q does not parse: %v", name, err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil || len(cols) != 1 || cols[0] != name {
			t.Fatalf("quoted %q gives columns %q (%v)", name, cols, err)
		}
	})
}
