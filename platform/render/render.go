package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Formats accepted by Write.
const (
	FormatTable = "table"
	FormatCSV   = "csv"
	FormatJSON  = "json"
	FormatSpark = "spark"
)

// Write prints columns and rows in the given format.
func Write(w io.Writer, format string, columns []string, rows [][]any) error {
	switch format {
	case FormatTable, "":
		return Table(w, columns, rows)
	case FormatCSV:
		return CSV(w, columns, rows)
	case FormatJSON:
		return JSON(w, columns, rows)
	case FormatSpark:
		return Spark(w, columns, rows)
	default:
		return fmt.Errorf("--format %q: want table, csv, json or spark", format)
	}
}

// Formatted is a value that knows how it prints, such as a query.Value that
// DuckDB converted: its String in tables and CSV, its MarshalJSON in JSON
// lines, and a column of values whose IsNumber is true is right-aligned.
type Formatted interface {
	fmt.Stringer
	json.Marshaler
	IsNumber() bool
}

// Cell formats one value for text output.
func Cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case Formatted:
		return x.String()
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.UTC().Format("2006-01-02 15:04:05.000000Z")
	case float64:
		return formatFloat(x)
	case float32:
		return formatFloat(float64(x))
	default:
		return fmt.Sprint(x)
	}
}

func isNumeric(v any) bool {
	if f, ok := v.(Formatted); ok {
		return f.IsNumber()
	}
	_, ok := number(v)
	return ok
}

// number returns a numeric cell as a float64; ok is false for anything else.
func number(v any) (x float64, ok bool) {
	switch n := v.(type) {
	case Formatted:
		if !n.IsNumber() {
			return 0, false
		}
		f, err := strconv.ParseFloat(n.String(), 64)
		return f, err == nil
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// Table prints an aligned table with a header rule and a row count.
func Table(w io.Writer, columns []string, rows [][]any) error {
	widths := make([]int, len(columns))
	right := make([]bool, len(columns))
	for i, c := range columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	cells := make([][]string, len(rows))
	for r, row := range rows {
		cells[r] = make([]string, len(columns))
		for i := range columns {
			var v any
			if i < len(row) {
				v = row[i]
			}
			s := Cell(v)
			cells[r][i] = s
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
			if isNumeric(v) {
				right[i] = true
			}
		}
	}
	line := func(vals []string) {
		parts := make([]string, len(vals))
		for i, s := range vals {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s))
			if right[i] {
				parts[i] = pad + s
			} else {
				parts[i] = s + pad
			}
		}
		fmt.Fprintln(w, strings.TrimRight(strings.Join(parts, "  "), " "))
	}
	line(columns)
	rule := make([]string, len(columns))
	for i := range rule {
		rule[i] = strings.Repeat("-", widths[i])
	}
	line(rule)
	for _, c := range cells {
		line(c)
	}
	noun := "rows"
	if len(rows) == 1 {
		noun = "row"
	}
	_, err := fmt.Fprintf(w, "(%d %s)\n", len(rows), noun)
	return err
}

// CSV prints a header and one record per row.
func CSV(w io.Writer, columns []string, rows [][]any) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	rec := make([]string, len(columns))
	for _, row := range rows {
		for i := range columns {
			if i < len(row) && row[i] != nil {
				rec[i] = Cell(row[i])
			} else {
				rec[i] = ""
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// JSON prints one JSON object per row (JSON lines), with the columns in
// their order. A Formatted value is its own JSON; others are encoded by
// encoding/json. NULL is null.
func JSON(w io.Writer, columns []string, rows [][]any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	encode := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode ends with a newline
		return nil
	}
	for r, row := range rows {
		b.Reset()
		b.WriteByte('{')
		for i, c := range columns {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encode(c); err != nil {
				return err
			}
			b.WriteByte(':')
			var v any
			if i < len(row) {
				v = row[i]
			}
			if err := encode(v); err != nil {
				return fmt.Errorf("row %d, column %q: %w", r+1, c, err)
			}
		}
		b.WriteString("}\n")
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// formatFloat prints a float in plain notation with at most six decimals:
// money keeps its cents and coordinates their precision.
func formatFloat(x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 6 {
		s = strings.TrimRight(strconv.FormatFloat(x, 'f', 6, 64), "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}
