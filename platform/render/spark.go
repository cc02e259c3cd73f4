package render

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// sparkLevels are the marks of a sparkline, lowest first.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// Spark prints a query result as sparklines, one line per series, for trends
// people would rather see than read. The first column names the series, the
// last holds its values in row order (NULL leaves a gap), and any columns in
// between are the x axis, whose first and last values the header shows. All
// series share one scale, from zero to the largest value, so that their
// heights compare; each line ends with the series' total, min and max.
func Spark(w io.Writer, columns []string, rows [][]any) error {
	if len(columns) < 2 {
		return fmt.Errorf("--format spark needs at least two columns (series, value), got %d", len(columns))
	}
	type series struct {
		name   string
		values []float64 // NaN for NULL
	}
	var all []*series
	byName := map[string]*series{}
	var top float64
	valueCol := len(columns) - 1
	for r, row := range rows {
		if len(row) != len(columns) {
			return fmt.Errorf("--format spark: row %d has %d values for %d columns", r+1, len(row), len(columns))
		}
		name := Cell(row[0])
		s, ok := byName[name]
		if !ok {
			s = &series{name: name}
			byName[name] = s
			all = append(all, s)
		}
		v, err := sparkValue(row[valueCol])
		if err != nil {
			return fmt.Errorf("--format spark: row %d, column %q: %w", r+1, columns[valueCol], err)
		}
		if v < 0 {
			return fmt.Errorf("--format spark: row %d, column %q: %v is negative; the scale starts at zero", r+1, columns[valueCol], v)
		}
		s.values = append(s.values, v)
		if !math.IsNaN(v) {
			top = max(top, v)
		}
	}
	width := utf8.RuneCountInString(columns[0])
	for _, s := range all {
		width = max(width, utf8.RuneCountInString(s.name))
	}
	header := columns[valueCol]
	if len(columns) > 2 && len(rows) > 0 {
		header += fmt.Sprintf(" by %s, %s to %s", strings.Join(columns[1:valueCol], ", "), axis(rows[0][1:valueCol]), axis(rows[len(rows)-1][1:valueCol]))
	}
	fmt.Fprintf(w, "%s  %s (scale 0 to %s)\n", pad(columns[0], width), header, Cell(top))
	for _, s := range all {
		var line strings.Builder
		total, low, high := 0.0, math.Inf(1), math.Inf(-1)
		for _, v := range s.values {
			if math.IsNaN(v) {
				line.WriteRune(' ')
				continue
			}
			level := 0
			if top > 0 {
				level = int(math.Round(v / top * float64(len(sparkLevels)-1)))
			}
			line.WriteRune(sparkLevels[level])
			total += v
			low, high = min(low, v), max(high, v)
		}
		if math.IsInf(low, 1) {
			low, high = 0, 0
		}
		fmt.Fprintf(w, "%s  %s  total %s, min %s, max %s\n", pad(s.name, width), line.String(), Cell(total), Cell(low), Cell(high))
	}
	_, err := fmt.Fprintf(w, "(%d series, %d points)\n", len(all), len(rows))
	return err
}

func pad(s string, width int) string {
	return s + strings.Repeat(" ", width-utf8.RuneCountInString(s))
}

func axis(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = Cell(v)
	}
	return strings.Join(parts, " ")
}

// sparkValue returns a cell as a number, NaN for NULL.
func sparkValue(v any) (float64, error) {
	if v == nil {
		return math.NaN(), nil
	}
	if x, ok := number(v); ok {
		return x, nil
	}
	return 0, fmt.Errorf("%q (%T) is not a number; CAST it to DOUBLE or BIGINT", Cell(v), v)
}
