package lakehouse_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/meshterious/warehouse/platform/lakehouse"
)

// FuzzParseIdent feeds table names, as the CLI and the DAG declarations give
// them, to ParseIdent. It asserts: no panic; an error wraps ErrInvalidIdent and
// quotes the input; an accepted name has a non-empty namespace and name
// without a dot in the name, prints back to the input, and that print parses
// to the same Ident. The corpus in testdata/fuzz/FuzzParseIdent holds the
// repository's table names.
func FuzzParseIdent(f *testing.F) {
	for _, s := range []string{"orders.raw_orders", "", ".", "a.", ".b", "a.b.c", "nodot", `"a"."b"`, "a b.c;d", "é.ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := lakehouse.ParseIdent(s)
		if err != nil {
			if !errors.Is(err, lakehouse.ErrInvalidIdent) {
				t.Fatalf("error does not wrap ErrInvalidIdent: %v", err)
			}
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("error does not quote the input %q: %v", s, err)
			}
			return
		}
		if id.Namespace == "" || id.Name == "" || strings.Contains(id.Name, ".") {
			t.Fatalf("accepted %q as %+v", s, id)
		}
		if id.String() != s {
			t.Fatalf("%q prints as %q", s, id.String())
		}
		again, err := lakehouse.ParseIdent(id.String())
		if err != nil || again != id {
			t.Fatalf("%q: round trip gives %+v, %v", s, again, err)
		}
	})
}
