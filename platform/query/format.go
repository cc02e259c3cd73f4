package query

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
)

// This file converts the Go values of duckdb-go into DuckDB's text, for the
// statements QueryText cannot have DuckDB convert (PIVOT, EXPLAIN, PRAGMA,
// several statements). It follows DuckDB 1.5's casts to VARCHAR; a
// difference from them is a bug.

// duckType is a parsed DuckDB type name: STRUCT(a INTEGER, b VARCHAR[]).
type duckType struct {
	name       string // upper case base name: INTEGER, DECIMAL, LIST, STRUCT, MAP, UNION, ...
	elem       *duckType
	fields     []typeField // STRUCT fields, UNION members
	key, value *duckType
}

type typeField struct {
	name string
	typ  duckType
}

// parseType parses a type name as DESCRIBE or the driver spell it.
func parseType(s string) duckType {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "]") {
		if i := strings.LastIndexByte(s, '['); i > 0 {
			elem := parseType(s[:i])
			return duckType{name: "LIST", elem: &elem}
		}
	}
	upper := strings.ToUpper(s)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return duckType{name: upper}
	}
	base, inner := strings.TrimSpace(upper[:open]), s[open+1:closing]
	t := duckType{name: base}
	switch base {
	case "STRUCT", "UNION":
		for _, part := range splitTop(inner) {
			name, rest := fieldName(strings.TrimSpace(part))
			t.fields = append(t.fields, typeField{name: name, typ: parseType(rest)})
		}
	case "MAP":
		if parts := splitTop(inner); len(parts) == 2 {
			k, v := parseType(parts[0]), parseType(parts[1])
			t.key, t.value = &k, &v
		}
	}
	return t
}

// splitTop splits s at the commas outside parentheses, brackets and quotes.
func splitTop(s string) []string {
	var out []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// fieldName splits `"a b" INTEGER` or `a INTEGER` into the name and the type.
func fieldName(s string) (name, rest string) {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] == '"' {
				if i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				return b.String(), s[i+1:]
			}
			b.WriteByte(s[i])
		}
		return b.String(), ""
	}
	name, rest, _ = strings.Cut(s, " ")
	return name, rest
}

// textOf converts a result read as it is into Values by DuckDB's rules.
func (e *Engine) textOf(ctx context.Context, res *Result) (*Result, error) {
	f := formatter{loc: e.sessionLocation(ctx)}
	types := make([]duckType, len(res.Types))
	kinds := make([]kind, len(res.Types))
	for i, t := range res.Types {
		types[i], kinds[i] = parseType(t), kindOf(t)
	}
	out := &Result{Columns: res.Columns, Types: res.Types, Rows: make([][]any, len(res.Rows))}
	for r, row := range res.Rows {
		o := make([]any, len(row))
		for i, v := range row {
			if v == nil || i >= len(types) {
				continue
			}
			var js string
			if kinds[i] == kindNested {
				js = f.json(v, types[i])
			}
			o[i] = newValue(kinds[i], f.text(v, types[i], false), js)
		}
		out.Rows[r] = o
	}
	return out, nil
}

// sessionLocation is DuckDB's TimeZone setting, in which it prints
// TIMESTAMP WITH TIME ZONE values; UTC when it cannot be read.
func (e *Engine) sessionLocation(ctx context.Context) *time.Location {
	var name string
	if err := e.db.QueryRowContext(ctx, "SELECT current_setting('TimeZone')").Scan(&name); err == nil {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

type formatter struct {
	loc *time.Location
}

// text returns DuckDB's text of v, of type t; nested values inside lists,
// structs and maps are quoted the way DuckDB quotes them.
func (f formatter) text(v any, t duckType, nested bool) string {
	if v == nil {
		return "NULL"
	}
	if t.name == "JSON" {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float32:
		return formatFloat(float64(x), 32)
	case float64:
		return formatFloat(x, 64)
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return formatDecimal(x)
	case duckdb.Interval:
		return quoteNested(formatInterval(x), nested)
	case duckdb.UUID:
		return formatUUID(x[:])
	case []byte:
		if t.name == "UUID" && len(x) == 16 {
			return formatUUID(x)
		}
		return formatBlob(x)
	case string:
		return quoteNested(x, nested)
	case time.Time:
		return quoteNested(f.formatTime(x, t.name), nested)
	case []any:
		parts := make([]string, len(x))
		for i, el := range x {
			parts[i] = f.text(el, elemType(t), true)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		var b strings.Builder
		b.WriteByte('{')
		for i, fd := range structFields(t, x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteAlways(fd.name) + ": " + f.text(x[fd.name], fd.typ, true))
		}
		b.WriteByte('}')
		return b.String()
	case duckdb.OrderedMap:
		keys, vals := x.Keys(), x.Values()
		parts := make([]string, len(keys))
		for i := range keys {
			parts[i] = f.text(keys[i], deref(t.key), true) + "=" + f.text(vals[i], deref(t.value), true)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case duckdb.Map:
		parts := make([]string, 0, len(x))
		for k, val := range x {
			parts = append(parts, f.text(k, deref(t.key), true)+"="+f.text(val, deref(t.value), true))
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	case duckdb.Union:
		return f.text(x.Value, memberType(t, x.Tag), nested)
	}
	return quoteNested(fmt.Sprint(v), nested)
}

// json returns the JSON form of a nested value, as DuckDB's to_json writes
// it (non-finite floats as the strings "nan", "inf", "-inf").
func (f formatter) json(v any, t duckType) string {
	if v == nil {
		return "null"
	}
	if t.name == "JSON" {
		if b, err := json.Marshal(v); err == nil {
			return string(b)
		}
	}
	str := func(s string) string {
		b, _ := jsonString(s)
		return string(b)
	}
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, el := range x {
			parts[i] = f.json(el, elemType(t))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		var parts []string
		for _, fd := range structFields(t, x) {
			parts = append(parts, str(fd.name)+":"+f.json(x[fd.name], fd.typ))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case duckdb.OrderedMap:
		keys, vals := x.Keys(), x.Values()
		parts := make([]string, len(keys))
		for i := range keys {
			parts[i] = str(f.text(keys[i], deref(t.key), false)) + ":" + f.json(vals[i], deref(t.value))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case duckdb.Map:
		keys := make([]string, 0, len(x))
		byText := map[string]any{}
		for k, val := range x {
			kt := f.text(k, deref(t.key), false)
			keys = append(keys, kt)
			byText[kt] = val
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = str(k) + ":" + f.json(byText[k], deref(t.value))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case duckdb.Union:
		return "{" + str(x.Tag) + ":" + f.json(x.Value, memberType(t, x.Tag)) + "}"
	}
	k := kindOf(t.name)
	if k != kindNumber && k != kindBool { // a textual type, or one the type name does not tell
		switch v.(type) {
		case bool:
			k = kindBool
		case float32, float64, int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, *big.Int, duckdb.Decimal:
			k = kindNumber
		default:
			return str(f.text(v, t, false))
		}
	}
	j, _ := newValue(k, f.text(v, t, false), "").MarshalJSON()
	return string(j)
}

func deref(t *duckType) duckType {
	if t == nil {
		return duckType{}
	}
	return *t
}

func elemType(t duckType) duckType { return deref(t.elem) }

func memberType(t duckType, tag string) duckType {
	for _, m := range t.fields {
		if m.name == tag {
			return m.typ
		}
	}
	return duckType{}
}

// structFields lists a struct's fields in the order of its type, or by name
// when the type does not say.
func structFields(t duckType, m map[string]any) []typeField {
	if len(t.fields) == len(m) {
		ok := true
		for _, fd := range t.fields {
			if _, in := m[fd.name]; !in {
				ok = false
				break
			}
		}
		if ok {
			return t.fields
		}
	}
	out := make([]typeField, 0, len(m))
	for k := range m {
		out = append(out, typeField{name: k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// formatFloat prints a FLOAT (bits 32) or DOUBLE as DuckDB does: the
// shortest text that reads back the same, in plain notation with at least
// one decimal from 1e-4 up to 1e16, else in scientific notation.
func formatFloat(x float64, bits int) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(x, 'e', -1, bits)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(x, 'f', -1, bits)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// formatDecimal prints a DECIMAL with all its scale digits; without an
// integer digit when the width equals the scale, as DuckDB does (.500).
func formatDecimal(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
		if d.Width == d.Scale {
			digits = strings.TrimPrefix(digits, "0")
		}
	}
	if d.Value.Sign() < 0 {
		return "-" + digits
	}
	return digits
}

// formatInterval prints an INTERVAL: years, months and days, then the time
// of day when it is not zero (1 year 2 months 3 days 04:05:06.789).
func formatInterval(iv duckdb.Interval) string {
	var parts []string
	unit := func(n int64, name string) {
		if n == 0 {
			return
		}
		if n != 1 && n != -1 {
			name += "s"
		}
		parts = append(parts, strconv.FormatInt(n, 10)+" "+name)
	}
	unit(int64(iv.Months/12), "year")
	unit(int64(iv.Months%12), "month")
	unit(int64(iv.Days), "day")
	if iv.Micros != 0 || len(parts) == 0 {
		us, sign := iv.Micros, ""
		if us < 0 {
			us, sign = -us, "-"
		}
		h, rest := us/3_600_000_000, us%3_600_000_000
		parts = append(parts, fmt.Sprintf("%s%02d:%02d:%02d%s", sign, h, rest/60_000_000, rest/1_000_000%60, fraction(int(rest%1_000_000), 6)))
	}
	return strings.Join(parts, " ")
}

// fraction returns ".ddd" for n units of 10^-digits seconds, without
// trailing zeros, or "" for zero.
func fraction(n, digits int) string {
	if n == 0 {
		return ""
	}
	return "." + strings.TrimRight(fmt.Sprintf("%0*d", digits, n), "0")
}

// formatTime prints a date or time value of the named DuckDB type.
func (f formatter) formatTime(t time.Time, typ string) string {
	date := func(t time.Time) string {
		y := t.Year()
		if y <= 0 {
			return fmt.Sprintf("%04d-%02d-%02d (BC)", 1-y, t.Month(), t.Day())
		}
		return fmt.Sprintf("%04d-%02d-%02d", y, t.Month(), t.Day())
	}
	clock := func(t time.Time, digits int) string {
		n := t.Nanosecond()
		if digits == 6 {
			n /= 1000
		}
		return fmt.Sprintf("%02d:%02d:%02d%s", t.Hour(), t.Minute(), t.Second(), fraction(n, digits))
	}
	switch typ {
	case "DATE":
		return date(t)
	case "TIME":
		return clock(t, 6)
	case "TIME_NS":
		return clock(t, 9)
	case "TIMETZ", "TIME WITH TIME ZONE":
		return clock(t, 6) + offset(t)
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS":
		return date(t) + " " + clock(t, 6)
	case "TIMESTAMP_NS":
		return date(t) + " " + clock(t, 9)
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		t = t.In(f.loc)
		return date(t) + " " + clock(t, 6) + offset(t)
	}
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return date(t)
	}
	return date(t) + " " + clock(t, 9)
}

// offset prints a UTC offset as DuckDB does: +00, +05:30.
func offset(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := fmt.Sprintf("%s%02d", sign, off/3600)
	if m, sec := off%3600/60, off%60; m != 0 || sec != 0 {
		s += fmt.Sprintf(":%02d", m)
		if sec != 0 {
			s += fmt.Sprintf(":%02d", sec)
		}
	}
	return s
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// formatBlob prints a BLOB as DuckDB does: printable ASCII as it is, every
// other byte (and \, ' and ") as \xHH.
func formatBlob(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"' {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, `\x%02X`, c)
		}
	}
	return s.String()
}

// quoteNested quotes a value printed inside a list, struct or map when
// DuckDB does: empty, NULL, surrounding spaces or a character of the nested
// syntax.
func quoteNested(s string, nested bool) string {
	if !nested {
		return s
	}
	need := s == "" || strings.EqualFold(s, "NULL") || strings.ContainsAny(s, ",[]{}()'\":=")
	if !need {
		first, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		need = unicode.IsSpace(first) || unicode.IsSpace(last)
	}
	if !need {
		return s
	}
	return quoteAlways(s)
}

// quoteAlways quotes s with single quotes, escaping \ and '.
func quoteAlways(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
