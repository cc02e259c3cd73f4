package query

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Value is one non-NULL value of a QueryText result, as DuckDB prints it.
// String is DuckDB's own text of the value (CAST(v AS VARCHAR), what the
// DuckDB CLI prints); MarshalJSON is its JSON form (see QueryText).
type Value struct {
	text   string
	json   string // empty: the JSON string of text
	number bool
}

// String returns DuckDB's text of the value.
func (v Value) String() string { return v.text }

// IsNumber reports whether the value is of a numeric DuckDB type (integers,
// HUGEINT, BIGNUM, DECIMAL, FLOAT, DOUBLE).
func (v Value) IsNumber() bool { return v.number }

// MarshalJSON returns the value's JSON form.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.json != "" {
		return []byte(v.json), nil
	}
	return jsonString(v.text)
}

// jsonString encodes s as a JSON string, leaving <, > and & as they are.
func jsonString(s string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// kind is how a column's values become JSON.
type kind int

const (
	kindText   kind = iota // a JSON string of DuckDB's text
	kindNumber             // a JSON number; NaN and infinities as strings
	kindBool               // true or false
	kindNested             // DuckDB's to_json: lists, structs, maps, unions, JSON, VARIANT, other types
)

// textTypes are the DuckDB types whose to_json is the JSON string of their text.
var textTypes = map[string]bool{
	"VARCHAR": true, "BLOB": true, "UUID": true, "BIT": true, "GEOMETRY": true, "INTERVAL": true,
	"DATE": true, "TIME": true, "TIME_NS": true, "TIME WITH TIME ZONE": true, "TIMETZ": true,
	"TIMESTAMP": true, "TIMESTAMP_S": true, "TIMESTAMP_MS": true, "TIMESTAMP_NS": true,
	"TIMESTAMP WITH TIME ZONE": true, "TIMESTAMPTZ": true,
}

var numberTypes = map[string]bool{
	"TINYINT": true, "SMALLINT": true, "INTEGER": true, "BIGINT": true, "HUGEINT": true,
	"UTINYINT": true, "USMALLINT": true, "UINTEGER": true, "UBIGINT": true, "UHUGEINT": true,
	"FLOAT": true, "DOUBLE": true, "BIGNUM": true, "VARINT": true,
}

// kindOf classifies a DuckDB type name as DESCRIBE or the driver spells it.
func kindOf(typ string) kind {
	t := strings.ToUpper(strings.TrimSpace(typ))
	switch {
	case t == "BOOLEAN":
		return kindBool
	case numberTypes[t], strings.HasPrefix(t, "DECIMAL"):
		return kindNumber
	case textTypes[t], strings.HasPrefix(t, "ENUM"):
		return kindText
	}
	return kindNested
}

// jsonNumberRE matches what JSON accepts as a number.
var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// newValue builds the Value of a column of kind k from DuckDB's text and,
// for nested kinds, DuckDB's to_json text.
func newValue(k kind, text, toJSON string) Value {
	v := Value{text: text}
	switch k {
	case kindNumber:
		v.number = true
		n := text
		if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "-.") { // DECIMAL(3,3) prints .500
			n = strings.Replace(n, ".", "0.", 1)
		}
		if jsonNumberRE.MatchString(n) {
			v.json = n
		}
	case kindBool:
		if text == "true" || text == "false" {
			v.json = text
		}
	case kindNested:
		if j := cleanJSON(toJSON); json.Valid([]byte(j)) {
			v.json = j
		}
	}
	return v
}

// cleanJSON turns the NaN, Infinity and -Infinity that DuckDB's to_json
// writes for non-finite floats (not JSON) into the strings "nan", "inf" and
// "-inf", DuckDB's text of them.
func cleanJSON(s string) string {
	if !strings.Contains(s, "NaN") && !strings.Contains(s, "Infinity") {
		return s
	}
	var b strings.Builder
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			b.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
			b.WriteByte(c)
		case strings.HasPrefix(s[i:], "NaN"):
			b.WriteString(`"nan"`)
			i += len("NaN") - 1
		case strings.HasPrefix(s[i:], "-Infinity"):
			b.WriteString(`"-inf"`)
			i += len("-Infinity") - 1
		case strings.HasPrefix(s[i:], "Infinity"):
			b.WriteString(`"inf"`)
			i += len("Infinity") - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// QueryText runs sqlText like Query and returns each value the way DuckDB's
// own CLI prints it: Rows hold nil for NULL and a Value otherwise, Types the
// DuckDB type names. A single query statement (SELECT, WITH, VALUES, FROM,
// SHOW, DESCRIBE, SUMMARIZE) runs wrapped in a query that has DuckDB cast
// every column to VARCHAR, and to_json the nested ones; anything else (PIVOT,
// EXPLAIN, PRAGMA, several statements) runs as it is and its values are
// converted in Go with DuckDB's rules.
func (e *Engine) QueryText(ctx context.Context, sqlText string) (*Result, error) {
	if err := e.AttachMentioned(ctx, sqlText); err != nil {
		return nil, err
	}
	if e.singleQuery(ctx, sqlText) {
		res, err := e.queryAsText(ctx, queryBody(sqlText))
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("running query: %w", err)
		}
		// The error of the statement as the user wrote it (positions in
		// their text, not in the wrapper) comes from running it as it is.
		e.log.Debug("query: DuckDB text conversion failed, running the statement as it is", "err", err)
	}
	res, err := e.run(ctx, sqlText)
	if err != nil {
		return nil, err
	}
	return e.textOf(ctx, res)
}

// singleQuery reports whether sqlText is exactly one statement that DuckDB
// parses as a query (and so has no side effects and can be a subquery).
func (e *Engine) singleQuery(ctx context.Context, sqlText string) bool {
	var failed sql.NullBool
	var n sql.NullInt64
	err := e.db.QueryRowContext(ctx, `SELECT CAST(j->>'error' AS BOOLEAN), json_array_length(j->'statements')
		FROM (SELECT json_serialize_sql(CAST(? AS VARCHAR)) AS j)`, sqlText).Scan(&failed, &n)
	return err == nil && failed.Valid && !failed.Bool && n.Int64 == 1
}

// queryBody returns a single statement without its terminating semicolon
// and what follows it (whitespace and comments), so that it can stand inside
// parentheses.
func queryBody(s string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return s
			}
			i += j + 1 // a doubled quote reopens at the next iteration
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return s
			}
			i += j
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return s
			}
			i += j + 3
		case c == '$':
			m := dollarTagRE.FindString(s[i:])
			if m == "" {
				continue
			}
			j := strings.Index(s[i+len(m):], m)
			if j < 0 {
				return s
			}
			i += len(m) + j + len(m) - 1
		case c == ';':
			return s[:i]
		}
	}
	return s
}

var dollarTagRE = regexp.MustCompile(`^\$[A-Za-z_]*\$`)

// describe returns the names and DuckDB types of the columns of a query.
func (e *Engine) describe(ctx context.Context, body string) (names, types []string, err error) {
	names, types, err = e.describeStmt(ctx, "DESCRIBE "+body)
	if err != nil {
		// SHOW, DESCRIBE and SUMMARIZE are queries DESCRIBE does not take.
		var err2 error
		if names, types, err2 = e.describeStmt(ctx, "DESCRIBE SELECT * FROM (\n"+body+"\n)"); err2 != nil {
			return nil, nil, err
		}
	}
	return names, types, nil
}

func (e *Engine) describeStmt(ctx context.Context, stmt string) (names, types []string, err error) {
	rows, err := e.db.QueryContext(ctx, stmt)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		names = append(names, vals[0].String)
		types = append(types, vals[1].String)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("describing %q: no columns", stmt)
	}
	return names, types, nil
}

// queryAsText runs one query statement wrapped so that DuckDB converts
// every value to its text, and nested ones to JSON as well.
func (e *Engine) queryAsText(ctx context.Context, body string) (*Result, error) {
	names, types, err := e.describe(ctx, body)
	if err != nil {
		return nil, err
	}
	kinds := make([]kind, len(types))
	aliases := make([]string, len(names))
	var sel []string
	for i, t := range types {
		kinds[i] = kindOf(t)
		aliases[i] = quoteIdent("c" + strconv.Itoa(i+1))
		sel = append(sel, "CAST("+aliases[i]+" AS VARCHAR)")
		if kinds[i] == kindNested {
			sel = append(sel, "CAST(to_json("+aliases[i]+") AS VARCHAR)")
		}
	}
	stmt := "SELECT " + strings.Join(sel, ", ") + " FROM (\n" + body + "\n) AS q(" + strings.Join(aliases, ", ") + ")"
	rows, err := e.db.QueryContext(ctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cells := make([]sql.NullString, len(sel))
	ptrs := make([]any, len(sel))
	for i := range cells {
		ptrs[i] = &cells[i]
	}
	res := &Result{Columns: names, Types: types, Rows: [][]any{}}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, len(names))
		c := 0
		for i, k := range kinds {
			text := cells[c]
			c++
			var toJSON string
			if k == kindNested {
				toJSON = cells[c].String
				c++
			}
			if text.Valid {
				row[i] = newValue(k, text.String, toJSON)
			}
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return res, nil
}
