package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allTypes is one value of every DuckDB type with what DuckDB's CLI prints
// for it (text: table and CSV) and its JSON in --format json; number marks
// the right-aligned numeric columns of a table.
var allTypes = []struct {
	name, expr, text, json string
	number                 bool
}{
	{"boolean", "true", "true", "true", false},
	{"tinyint", "-7::TINYINT", "-7", "-7", true},
	{"smallint", "-300::SMALLINT", "-300", "-300", true},
	{"integer", "70000::INTEGER", "70000", "70000", true},
	{"bigint", "-9007199254740993::BIGINT", "-9007199254740993", "-9007199254740993", true},
	{"hugeint", "170141183460469231731687303715884105727::HUGEINT", "170141183460469231731687303715884105727", "170141183460469231731687303715884105727", true},
	{"utinyint", "200::UTINYINT", "200", "200", true},
	{"usmallint", "60000::USMALLINT", "60000", "60000", true},
	{"uinteger", "4000000000::UINTEGER", "4000000000", "4000000000", true},
	{"ubigint", "18446744073709551615::UBIGINT", "18446744073709551615", "18446744073709551615", true},
	{"uhugeint", "340282366920938463463374607431768211455::UHUGEINT", "340282366920938463463374607431768211455", "340282366920938463463374607431768211455", true},
	{"bignum", "'-12345678901234567890123456789012345678901234567890'::BIGNUM", "-12345678901234567890123456789012345678901234567890", "-12345678901234567890123456789012345678901234567890", true},
	{"float", "0.1::FLOAT", "0.1", "0.1", true},
	{"double", "1/3", "0.3333333333333333", "0.3333333333333333", true},
	{"double integral", "100::DOUBLE", "100.0", "100.0", true},
	{"double large", "1e20::DOUBLE", "1e+20", "1e+20", true},
	{"double nan", "'nan'::DOUBLE", "nan", `"nan"`, true},
	{"double -inf", "'-inf'::DOUBLE", "-inf", `"-inf"`, true},
	{"decimal", "1.50::DECIMAL(5,2)", "1.50", "1.50", true},
	{"decimal(38)", "-12345678901234567890123456789.123456789::DECIMAL(38,9)", "-12345678901234567890123456789.123456789", "-12345678901234567890123456789.123456789", true},
	{"decimal(3,3)", "0.5::DECIMAL(3,3)", ".500", "0.500", true},
	{"varchar", `'it''s "q", <b> & é'`, `it's "q", <b> & é`, `"it's \"q\", <b> & é"`, false},
	{"blob", `'\xAA\x00a'::BLOB`, `\xAA\x00a`, `"\\xAA\\x00a"`, false},
	{"date", "DATE '2026-01-02'", "2026-01-02", `"2026-01-02"`, false},
	{"date BC", "DATE '0001-01-01' - 1", "0001-12-31 (BC)", `"0001-12-31 (BC)"`, false},
	{"time", "TIME '03:04:05.123456'", "03:04:05.123456", `"03:04:05.123456"`, false},
	{"time_ns", "'03:04:05.123456789'::TIME_NS", "03:04:05.123456789", `"03:04:05.123456789"`, false},
	{"timetz", "'03:04:05+05:30'::TIMETZ", "03:04:05+05:30", `"03:04:05+05:30"`, false},
	{"timestamp", "TIMESTAMP '2026-01-02 03:04:05.1'", "2026-01-02 03:04:05.1", `"2026-01-02 03:04:05.1"`, false},
	{"timestamp_s", "'2026-01-02 03:04:05'::TIMESTAMP_S", "2026-01-02 03:04:05", `"2026-01-02 03:04:05"`, false},
	{"timestamp_ms", "'2026-01-02 03:04:05.123'::TIMESTAMP_MS", "2026-01-02 03:04:05.123", `"2026-01-02 03:04:05.123"`, false},
	{"timestamp_ns", "'2026-01-02 03:04:05.123456789'::TIMESTAMP_NS", "2026-01-02 03:04:05.123456789", `"2026-01-02 03:04:05.123456789"`, false},
	{"timestamptz", "TIMESTAMPTZ '2026-01-02 03:04:05.5+01'", "2026-01-02 02:04:05.5+00", `"2026-01-02 02:04:05.5+00"`, false},
	{"interval", "INTERVAL '1 year 2 months 3 days 04:05:06.789'", "1 year 2 months 3 days 04:05:06.789", `"1 year 2 months 3 days 04:05:06.789"`, false},
	{"interval days", "INTERVAL 3 DAY", "3 days", `"3 days"`, false},
	{"uuid", "'6f1b9c1e-6c3a-4f0b-9d1e-0a1b2c3d4e5f'::UUID", "6f1b9c1e-6c3a-4f0b-9d1e-0a1b2c3d4e5f", `"6f1b9c1e-6c3a-4f0b-9d1e-0a1b2c3d4e5f"`, false},
	{"json", `'{"a": [1, 2], "b": "x"}'::JSON`, `{"a": [1, 2], "b": "x"}`, `{"a":[1,2],"b":"x"}`, false},
	{"enum", "'b'::ENUM('a', 'b')", "b", `"b"`, false},
	{"list", "[1, 2, NULL]", "[1, 2, NULL]", "[1,2,null]", false},
	{"list of varchar", "['a', 'b c', NULL, '', 'x,y', 'it''s']", `[a, b c, NULL, '', 'x,y', 'it\'s']`, `["a","b c",null,"","x,y","it's"]`, false},
	{"array", "[1.5, 2]::DOUBLE[2]", "[1.5, 2.0]", "[1.5,2.0]", false},
	{"struct", "{'a': 1, 'b': 'x y', 'c': [TIMESTAMP '2026-01-02 03:04:05']}", "{'a': 1, 'b': x y, 'c': ['2026-01-02 03:04:05']}", `{"a":1,"b":"x y","c":["2026-01-02 03:04:05"]}`, false},
	{"map", "MAP {'k1': 1, 'k 2': NULL}", "{k1=1, k 2=NULL}", `{"k1":1,"k 2":null}`, false},
	{"union", "union_value(num := 2)::UNION(num INTEGER, str VARCHAR)", "2", `{"num":2}`, false},
	{"bit", "'0101'::BIT", "0101", `"0101"`, false},
	{"geometry", "'POINT (1 2)'::GEOMETRY", "POINT (1 2)", `"POINT (1 2)"`, false},
	{"variant", "42::VARIANT", "42", `"42"`, false},
	{"null", "NULL", "NULL", "null", false}, // no value to right-align by
}

// TestSQLPrintsEveryTypeAsDuckDB is the known answer of meshctl sql: one
// value of every DuckDB type and a NULL of it, in a table, CSV and JSON.
func TestSQLPrintsEveryTypeAsDuckDB(t *testing.T) {
	seed(t)
	t.Setenv("TZ", "UTC") // TIMESTAMP WITH TIME ZONE prints in DuckDB's TimeZone
	for _, tc := range allTypes {
		t.Run(tc.name, func(t *testing.T) {
			sql := fmt.Sprintf("SELECT * FROM (SELECT 1 AS n, %s AS v UNION ALL SELECT 2, NULL) ORDER BY n", tc.expr)
			width := max(len([]rune(tc.text)), len("NULL"))
			align := func(s string) string { return fmt.Sprintf("%-*s", width, s) }
			if tc.number {
				align = func(s string) string { return fmt.Sprintf("%*s", width, s) }
			}
			var csvLine bytes.Buffer
			w := csv.NewWriter(&csvLine)
			require.NoError(t, w.Write([]string{"1", tc.text}))
			w.Flush()
			if tc.expr == "NULL" {
				csvLine.Reset()
				csvLine.WriteString("1,\n")
			}
			for format, want := range map[string]string{
				"table": strings.TrimRight("n  "+align("v"), " ") + "\n" +
					"-  " + strings.Repeat("-", width) + "\n" +
					strings.TrimRight("1  "+align(tc.text), " ") + "\n" +
					strings.TrimRight("2  "+align("NULL"), " ") + "\n(2 rows)\n",
				"csv":  "n,v\n" + csvLine.String() + "2,\n",
				"json": `{"n":1,"v":` + tc.json + "}\n" + `{"n":2,"v":null}` + "\n",
			} {
				var out, errOut bytes.Buffer
				require.Equal(t, 0, run(context.Background(), []string{"sql", "--format", format, sql}, &out, &errOut), "%s: %s", format, errOut.String())
				assert.Equal(t, want, out.String(), "--format %s", format)
			}
		})
	}
}
