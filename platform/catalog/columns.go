// Columns declared in domain.yaml, and column lineage from a model's
// compiled SQL, where the SQL says it simply.

package catalog

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/domainspec"
)

// declaredColumns returns the columns domain.yaml declares for table dt (the
// tables the domain's Go code writes), their meta checked as schema.yml's.
func (b *builder) declaredColumns(d *domainspec.Domain, dt domainspec.Table) []Column {
	cols := make([]dbt.Column, len(dt.Columns))
	for i, c := range dt.Columns {
		meta := map[string]any{}
		if c.Meta.PII != "" {
			meta[MetaPII] = c.Meta.PII
		}
		if c.Meta.Access != "" {
			meta[MetaAccess] = c.Meta.Access
		}
		if len(c.Meta.Glossary) > 0 {
			meta[MetaGlossary] = anySlice(c.Meta.Glossary)
		}
		cols[i] = dbt.Column{Name: c.Name, DataType: c.Type, Description: c.Description, Meta: meta}
	}
	return b.columns(fmt.Sprintf("%s: tables[%s]", path.Join(d.Dir, domainspec.FileName), dt.Name), cols)
}

// checkDeclaredColumns refuses columns declared in domain.yaml for a table
// whose columns its contract or its dbt project declares: a table has one
// declaration of its columns.
func (b *builder) checkDeclaredColumns(d *domainspec.Domain) {
	for _, dt := range d.Tables {
		if len(dt.Columns) == 0 {
			continue
		}
		if t := b.tables[d.Name+"."+dt.Name]; t.Origin != OriginDeclared {
			b.bad("%s: tables[%s].columns: the table's columns are declared by its %s; declare them there only",
				path.Join(d.Dir, domainspec.FileName), dt.Name, t.Origin)
		}
	}
}

// resolver renders ref, source and seed as the executor names their tables.
type resolver struct{ p *dbt.Project }

func (r resolver) Ref(m *dbt.Model) (string, error) { return modelIdent(r.p, m), nil }
func (r resolver) Source(s *dbt.Source) (string, error) {
	return sourceIdent(s), nil
}
func (r resolver) Seed(s *dbt.Seed) (string, error) {
	ns := s.Schema
	if ns == "" {
		ns = r.p.Name
	}
	return ns + "." + s.Name, nil
}

// columnLineage compiles the model (a full build, not an increment) and
// returns, per input table, the columns of the model that are plain
// references to one of its columns. It also records in b.derived, for
// carrying PII down, every output column whose expression mentions a column
// of an input (lower(email) as email), and stars.
func (b *builder) columnLineage(id string, n dbtNode) map[string][]ColumnLineage {
	sql, err := n.p.Compile(n.model, dbt.CompileContext{
		Resolver: resolver{n.p}, This: id,
		Target: dbt.Target{Name: "mesh", Schema: n.p.Name, Type: "duckdb"},
	})
	if err != nil {
		b.log.Warn("catalog: compiling the model for its column lineage failed; it has table lineage only", "model", n.model.UniqueID, "err", err)
		return nil
	}
	inputs := b.dbtInputs(n.p, n.model)
	has := func(table, col string) bool {
		t, ok := b.tables[table]
		if !ok {
			return false
		}
		_, ok = t.Column(col)
		return ok
	}
	target := b.tables[id]
	out := map[string][]ColumnLineage{}
	for _, it := range selectItems(sql) {
		if it.out == "*" {
			for _, in := range inputs {
				if b.tables[in] == nil {
					continue
				}
				for _, c := range b.tables[in].Columns {
					if _, ok := target.Column(c.Name); ok {
						b.derived = append(b.derived, derivation{from: in, col: c.Name, to: id, out: c.Name})
					}
				}
			}
			continue
		}
		for _, in := range inputs {
			for _, ident := range it.idents {
				if it.out != "" && has(in, ident) {
					b.derived = append(b.derived, derivation{from: in, col: ident, to: id, out: it.out})
				}
			}
		}
		ref := it.simple
		if ref == nil {
			continue
		}
		if len(target.Columns) > 0 {
			if _, ok := target.Column(ref.Out); !ok {
				continue
			}
		}
		var from string
		if ref.Table != "" { // qualified by a relation of the FROM clause
			if has(ref.Table, ref.Column) {
				from = ref.Table
			}
		} else {
			// An unqualified (or CTE-qualified) column: the one input
			// having it.
			var cands []string
			for _, in := range inputs {
				if has(in, ref.Column) {
					cands = append(cands, in)
				}
			}
			if len(cands) == 1 {
				from = cands[0]
			}
		}
		if from != "" {
			out[from] = append(out[from], ColumnLineage{From: []string{ref.Column}, To: ref.Out})
		}
	}
	return out
}

// derivation says that column out of table to is computed from column col
// of table from ("*": every column of from passes through by name).
type derivation struct{ from, col, to, out string }

// ColumnRef is one simple item of a SELECT list: output column Out is
// column Column of the relation Table (a ns.table of the FROM clause; "" when
// unqualified or qualified by a CTE or subquery).
type ColumnRef struct {
	Table, Column, Out string
}

var (
	identPart = `(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_]*)`
	// [q.]col [[as] alias]
	plainItemRE = regexp.MustCompile(`(?is)^(?:(` + identPart + `)\s*\.\s*)?(` + identPart + `)(?:\s+(?:as\s+)?(` + identPart + `))?$`)
	// CAST([q.]col AS type) [as] alias
	castItemRE = regexp.MustCompile(`(?is)^cast\s*\(\s*(?:(` + identPart + `)\s*\.\s*)?(` + identPart + `)\s+as\s+[A-Za-z_][A-Za-z0-9_ ]*(?:\([0-9, ]*\))?\s*\)(?:\s+(?:as\s+)?(` + identPart + `))?$`)
	// ns.table [as] alias in FROM and JOIN
	relationRE = regexp.MustCompile(`(?is)^(` + identPart + `)\s*\.\s*(` + identPart + `)(?:\s+(?:as\s+)?(` + identPart + `))?`)
	keywordRE  = regexp.MustCompile(`(?i)\b(select|from|where|group|qualify|order|limit|having|window|union|intersect|except|join|on|using)\b`)
)

// SimpleColumns returns the items of the outermost SELECT of sql that are
// plain column references, possibly qualified, cast or aliased. A query
// whose top level has several SELECTs (UNION) gives none.
func SimpleColumns(sql string) []ColumnRef {
	var out []ColumnRef
	for _, it := range selectItems(sql) {
		if it.simple != nil {
			out = append(out, *it.simple)
		}
	}
	return out
}

// selectItem is one item of the outermost SELECT list: its output name
// ("" when it has none, "*" for a star), the identifiers its expression
// mentions, and the column reference when the item is a simple one.
type selectItem struct {
	out    string
	idents []string
	simple *ColumnRef
}

var (
	identRE = regexp.MustCompile(identPart)
	aliasRE = regexp.MustCompile(`(?is)\s+as\s+(` + identPart + `)\s*$`)
)

// selectItems parses the outermost SELECT list of sql (see SimpleColumns).
func selectItems(sql string) []selectItem {
	clean, depth := scanSQL(sql)
	type kw struct {
		word     string
		pos, end int
	}
	var kws []kw
	for _, m := range keywordRE.FindAllStringIndex(clean, -1) {
		if depth[m[0]] == 0 {
			kws = append(kws, kw{strings.ToLower(clean[m[0]:m[1]]), m[0], m[1]})
		}
	}
	sel, from := -1, -1
	for i, k := range kws {
		switch k.word {
		case "select":
			if sel >= 0 {
				return nil
			}
			sel = i
		case "union", "intersect", "except":
			return nil
		case "from":
			if sel >= 0 && from < 0 {
				from = i
			}
		}
	}
	if sel < 0 || from < 0 {
		return nil
	}
	// Relations of the FROM clause and its joins: alias -> ns.table.
	aliases := map[string]string{}
relations:
	for i := from; i < len(kws); i++ {
		switch kws[i].word {
		case "on", "using":
			continue
		case "from", "join":
		default:
			break relations
		}
		end := len(clean)
		if i+1 < len(kws) {
			end = kws[i+1].pos
		}
		for _, part := range splitTop(clean[kws[i].end:end], depth[kws[i].end:end]) {
			m := relationRE.FindStringSubmatch(strings.TrimSpace(part))
			if m == nil {
				continue
			}
			id := unquote(m[1]) + "." + unquote(m[2])
			aliases[id] = id
			aliases[unquote(m[2])] = id
			if m[3] != "" && !keywordRE.MatchString(m[3]) {
				aliases[unquote(m[3])] = id
			}
		}
	}
	list := clean[kws[sel].end:kws[from].pos]
	ld := depth[kws[sel].end:kws[from].pos]
	var out []selectItem
	for _, item := range splitTop(list, ld) {
		item = strings.TrimSpace(item)
		if s, ok := cutPrefixFold(item, "distinct "); ok {
			item = strings.TrimSpace(s)
		}
		it := selectItem{}
		if item == "*" || strings.HasSuffix(item, ".*") {
			it.out = "*"
		} else if m := aliasRE.FindStringSubmatch(item); m != nil {
			it.out = unquote(m[1])
		}
		for _, id := range identRE.FindAllString(item, -1) {
			it.idents = append(it.idents, unquote(id))
		}
		m := plainItemRE.FindStringSubmatch(item)
		if m == nil {
			m = castItemRE.FindStringSubmatch(item)
		}
		if m != nil {
			ref := ColumnRef{Column: unquote(m[2]), Out: unquote(m[3])}
			if ref.Out == "" {
				ref.Out = ref.Column
			}
			if q := unquote(m[1]); q != "" {
				ref.Table = aliases[q]
			}
			it.simple, it.out = &ref, ref.Out
		}
		out = append(out, it)
	}
	return out
}

// scanSQL blanks comments and returns, for each byte, its nesting depth:
// parentheses, and string literals and quoted identifiers count one more.
func scanSQL(s string) (string, []int) {
	b := []byte(s)
	depth := make([]int, len(b))
	d := 0
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '-' && i+1 < len(b) && b[i+1] == '-':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i], depth[i] = ' ', d
			}
			if i < len(b) {
				depth[i] = d
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			for ; i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/'); i++ {
				b[i], depth[i] = ' ', d
			}
			if i+1 < len(b) {
				b[i], b[i+1], depth[i], depth[i+1] = ' ', ' ', d, d
				i++
			}
		case b[i] == '\'':
			depth[i] = d + 1
			for i++; i < len(b) && b[i] != '\''; i++ {
				depth[i] = d + 1
			}
			if i < len(b) {
				depth[i] = d + 1
			}
		case b[i] == '(':
			d++
			depth[i] = d
		case b[i] == ')':
			depth[i] = d
			if d > 0 {
				d--
			}
		default:
			depth[i] = d
		}
	}
	return string(b), depth
}

// splitTop splits s at the commas of depth 0.
func splitTop(s string, depth []int) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ',' && depth[i] == 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
