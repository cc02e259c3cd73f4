package masterdata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// Seed is the seed every owner derives its master data from, so that the
// published tables are the same on every machine and every run.
const Seed uint64 = 0x6d657368 // "mesh"

// Table is master data as rows of text, the shape of a dbt seed.
type Table struct {
	// Name says where the table comes from in error messages: a registered
	// name, an identifier or a file.
	Name   string
	Header []string
	Rows   [][]string
}

// CSV renders the table as a dbt seed: the header, then the rows.
func (t Table) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(t.Header) // a bytes.Buffer does not fail
	_ = w.WriteAll(t.Rows)
	return b.Bytes()
}

// ParseCSV reads a table written by CSV; name is used in error messages.
func ParseCSV(name string, data []byte) (Table, error) {
	r := csv.NewReader(bytes.NewReader(data))
	recs, err := r.ReadAll()
	if err != nil {
		return Table{}, fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
	}
	if len(recs) == 0 {
		return Table{}, fmt.Errorf("%w: %s: no header line", ErrMalformed, name)
	}
	return Table{Name: name, Header: recs[0], Rows: recs[1:]}, nil
}

// Index returns the position of column col.
func (t Table) Index(col string) (int, error) {
	if i := slices.Index(t.Header, col); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("%w: %s: no column %q (columns: %v)", ErrMalformed, t.Name, col, t.Header)
}

// Scan iterates over the rows and reads values by column name:
//
//	s := t.Scan()
//	for s.Next() {
//		out = append(out, product{ID: s.String("product_id"), Price: s.Float("list_price")})
//	}
//	if err := s.Err(); err != nil { ... }
//
// The first missing column or unparseable value stops the scan; Err names the
// table, the line of the seed file and the column.
func (t Table) Scan() *Scanner { return &Scanner{t: t, row: -1} }

// Scanner reads a Table row by row; see Table.Scan.
type Scanner struct {
	t   Table
	row int
	err error
}

// Next advances to the next row; false at the end or after an error.
func (s *Scanner) Next() bool {
	if s.err != nil || s.row+1 >= len(s.t.Rows) {
		return false
	}
	s.row++
	return true
}

// Err returns the first error met, nil when every value read was valid.
func (s *Scanner) Err() error { return s.err }

// String returns the value of col in the current row.
func (s *Scanner) String(col string) string {
	if s.err != nil {
		return ""
	}
	i, err := s.t.Index(col)
	if err != nil {
		s.err = err
		return ""
	}
	if row := s.t.Rows[s.row]; i < len(row) {
		return row[i]
	}
	s.fail(col, "missing value")
	return ""
}

// Int returns the value of col in the current row as an integer.
func (s *Scanner) Int(col string) int {
	v := s.String(col)
	if s.err != nil {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		s.fail(col, fmt.Sprintf("%q is not an integer", v))
	}
	return n
}

// Float returns the value of col in the current row as a float.
func (s *Scanner) Float(col string) float64 {
	v := s.String(col)
	if s.err != nil {
		return 0
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		s.fail(col, fmt.Sprintf("%q is not a number", v))
	}
	return x
}

func (s *Scanner) fail(col, msg string) {
	// Line 1 is the header.
	s.err = fmt.Errorf("%w: %s line %d, column %s: %s", ErrMalformed, s.t.Name, s.row+2, col, msg)
}

var (
	tablesMu sync.Mutex
	tables   = map[string]func() Table{}
)

// Register makes a table its owner generates available by name, the name the
// owner's domain.yaml lists (masterdata: [...]) and its seed file bears.
// Owners register from an init function of their package; registering a name
// twice panics.
func Register(name string, build func() Table) {
	tablesMu.Lock()
	defer tablesMu.Unlock()
	if _, dup := tables[name]; dup {
		panic("masterdata: table " + name + " registered twice")
	}
	tables[name] = build
}

// Lookup generates the registered table name.
func Lookup(name string) (Table, error) {
	tablesMu.Lock()
	build, ok := tables[name]
	tablesMu.Unlock()
	if !ok {
		return Table{}, fmt.Errorf("%w: %q is not registered (known: %v)", ErrUnknownTable, name, Names())
	}
	t := build()
	t.Name = name
	return t, nil
}

// Names lists the registered tables, sorted.
func Names() []string {
	tablesMu.Lock()
	defer tablesMu.Unlock()
	out := make([]string, 0, len(tables))
	for n := range tables {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
