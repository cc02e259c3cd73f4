package dbt

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Property files (schema.yml): version 2, with models, sources and seeds.

type columnYAML struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	DataType    string         `yaml:"data_type"`
	Meta        map[string]any `yaml:"meta"`
	Tags        any            `yaml:"tags"`
	Config      map[string]any `yaml:"config"`
	Tests       []yaml.Node    `yaml:"tests"`
	DataTests   []yaml.Node    `yaml:"data_tests"`
}

type nodeYAML struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Config      map[string]any `yaml:"config"`
	Meta        map[string]any `yaml:"meta"`
	Tags        any            `yaml:"tags"`
	Columns     []columnYAML   `yaml:"columns"`
	Tests       []yaml.Node    `yaml:"tests"`
	DataTests   []yaml.Node    `yaml:"data_tests"`
}

type sourceYAML struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Schema      string         `yaml:"schema"`
	Database    string         `yaml:"database"`
	Loader      string         `yaml:"loader"`
	Meta        map[string]any `yaml:"meta"`
	Tags        any            `yaml:"tags"`
	Config      map[string]any `yaml:"config"`
	Tables      []struct {
		nodeYAML   `yaml:",inline"`
		Identifier string `yaml:"identifier"`
	} `yaml:"tables"`
}

// propertyEntry is one models:/seeds:/sources: item with where it was written.
type propertyEntry struct {
	file string // display path
	path string // package-relative path
	line int
	node yaml.Node
}

type propertyFiles struct {
	models, seeds, sources []propertyEntry
}

func (p *Project) loadProperties(k *pkg) (*propertyFiles, error) {
	out := &propertyFiles{}
	dirs := append(append([]string{}, k.project.ModelPaths...), k.project.SeedPaths...)
	seen := map[string]bool{}
	for _, dir := range dirs {
		files, err := walkFiles(k.fsys, dir, ".yml", ".yaml")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if seen[f] {
				continue
			}
			seen[f] = true
			b, err := fs.ReadFile(k.fsys, f)
			if err != nil {
				return nil, fmt.Errorf("%w: reading %s: %v", ErrProject, k.display(f), err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(b, &doc); err != nil {
				return nil, yamlError(k.display(f), err)
			}
			if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
				continue
			}
			top := doc.Content[0]
			for i := 0; i+1 < len(top.Content); i += 2 {
				key, val := top.Content[i].Value, top.Content[i+1]
				var dst *[]propertyEntry
				switch key {
				case "models":
					dst = &out.models
				case "seeds":
					dst = &out.seeds
				case "sources":
					dst = &out.sources
				default:
					continue
				}
				if val.Kind != yaml.SequenceNode {
					return nil, fmt.Errorf("%w: %s:%d: %s must be a list", ErrProject, k.display(f), val.Line, key)
				}
				for _, item := range val.Content {
					*dst = append(*dst, propertyEntry{file: k.display(f), path: f, line: item.Line, node: *item})
				}
			}
		}
	}
	return out, nil
}

func decodeEntry(e propertyEntry, v any) error {
	if err := e.node.Decode(v); err != nil {
		return yamlError(e.file, err)
	}
	return nil
}

func buildColumns(cols []columnYAML) []Column {
	out := make([]Column, 0, len(cols))
	for _, c := range cols {
		col := Column{Name: c.Name, Description: c.Description, DataType: c.DataType, Meta: map[string]any{}}
		for k, v := range c.Meta {
			col.Meta[k] = v
		}
		col.Tags = toStrings(c.Tags)
		if c.Config != nil {
			if m, ok := c.Config["meta"].(map[string]any); ok {
				for k, v := range m {
					col.Meta[k] = v
				}
			}
			col.Tags = mergeTags(col.Tags, toStrings(c.Config["tags"]))
		}
		out = append(out, col)
	}
	return out
}

func (p *Project) applyProperties(k *pkg, pf *propertyFiles) error {
	for _, e := range pf.models {
		var ny nodeYAML
		if err := decodeEntry(e, &ny); err != nil {
			return err
		}
		m, ok := p.Models[ny.Name]
		if !ok || m.Package != k.name {
			return fmt.Errorf("%w: %s:%d: model %q is documented but has no SQL file%s", ErrProject, e.file, e.line, ny.Name, p.nearest(ny.Name))
		}
		m.Description = ny.Description
		m.PatchPath = e.path
		m.Columns = buildColumns(ny.Columns)
		mergeConfig(m.unrendered, ny.Config)
		if ny.Tags != nil {
			mergeConfig(m.unrendered, map[string]any{"tags": ny.Tags})
		}
		if ny.Meta != nil {
			mergeConfig(m.unrendered, map[string]any{"meta": ny.Meta})
		}
	}
	for _, e := range pf.seeds {
		var ny nodeYAML
		if err := decodeEntry(e, &ny); err != nil {
			return err
		}
		s, ok := p.Seeds[ny.Name]
		if !ok || s.Package != k.name {
			return fmt.Errorf("%w: %s:%d: seed %q is documented but has no CSV file", ErrProject, e.file, e.line, ny.Name)
		}
		s.Description = ny.Description
		s.PatchPath = e.path
		s.Columns = buildColumns(ny.Columns)
		s.applyConfig(ny.Config)
		s.Tags = mergeTags(s.Tags, toStrings(ny.Tags))
		for kk, v := range ny.Meta {
			s.Meta[kk] = v
		}
	}
	for _, e := range pf.sources {
		var sy sourceYAML
		if err := decodeEntry(e, &sy); err != nil {
			return err
		}
		if sy.Name == "" {
			return fmt.Errorf("%w: %s:%d: source without a name", ErrProject, e.file, e.line)
		}
		for _, t := range sy.Tables {
			key := sy.Name + "." + t.Name
			if _, dup := p.Sources[key]; dup {
				return fmt.Errorf("%w: %s:%d: source %s is declared twice", ErrProject, e.file, e.line, key)
			}
			s := &Source{
				Name: sy.Name, Table: t.Name, UniqueID: "source." + k.name + "." + key,
				Schema: sy.Schema, Database: sy.Database, Identifier: t.Identifier,
				Description: t.Description, SourceDescription: sy.Description, Loader: sy.Loader,
				Columns: buildColumns(t.Columns), Meta: map[string]any{}, Package: k.name, Path: e.path,
			}
			if s.Schema == "" {
				s.Schema = sy.Name
			}
			if s.Identifier == "" {
				s.Identifier = t.Name
			}
			for kk, v := range sy.Meta {
				s.Meta[kk] = v
			}
			for kk, v := range t.Meta {
				s.Meta[kk] = v
			}
			s.Tags = mergeTags(toStrings(sy.Tags), toStrings(t.Tags))
			p.Sources[key] = s
		}
	}
	return nil
}

// ---- generic tests ------------------------------------------------------------

var (
	reRefArg    = regexp.MustCompile(`^\s*ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*$`)
	reSourceArg = regexp.MustCompile(`^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$`)
	reNonWord   = regexp.MustCompile(`[^0-9a-zA-Z_]+`)
)

var testKinds = map[string]bool{"unique": true, "not_null": true, "accepted_values": true, "relationships": true}

func (p *Project) buildTests(k *pkg, pf *propertyFiles) error {
	type target struct {
		id, name   string
		model      string // how the test macro reaches it: ref('x') or source('s', 't')
		isSource   bool
		file, path string
	}
	add := func(tg target, column string, n yaml.Node) error {
		t, err := p.parseTest(tg.file, n)
		if err != nil {
			return err
		}
		if column != "" {
			t.Column = column
		}
		if t.Column == "" && (t.Kind != "") {
			return fmt.Errorf("%w: %s:%d: %s test on %s needs a column (declare it under columns: or pass column_name)", ErrProject, tg.file, n.Line, t.Kind, tg.name)
		}
		t.Model, t.Package, t.Path = tg.id, k.name, tg.path
		t.DependsOn = []string{tg.id}
		if t.Kind == "relationships" {
			to := fmt.Sprint(t.Args["to"])
			id, err := p.resolveTestTarget(to)
			if err != nil {
				return fmt.Errorf("%s:%d: relationships test on %s.%s: %w", tg.file, n.Line, tg.name, t.Column, err)
			}
			if t.Args["field"] == nil {
				return fmt.Errorf("%w: %s:%d: relationships test on %s.%s needs field", ErrProject, tg.file, n.Line, tg.name, t.Column)
			}
			if id != tg.id {
				t.DependsOn = append(t.DependsOn, id)
			}
		}
		if t.Kind == "accepted_values" {
			if _, ok := t.Args["values"].([]any); !ok {
				return fmt.Errorf("%w: %s:%d: accepted_values test on %s.%s needs a values list", ErrProject, tg.file, n.Line, tg.name, t.Column)
			}
		}
		prefix := t.Kind
		if tg.isSource {
			prefix = "source_" + t.Kind
		}
		// As dbt-core's TestBuilder: the arguments, column_name when the
		// test has a column, then model; the name is synthesized from all
		// but model unless the entry names the test.
		t.Kwargs = map[string]any{}
		for kk, v := range t.Args {
			t.Kwargs[kk] = v
		}
		if t.Column != "" {
			t.Kwargs["column_name"] = t.Column
		}
		full, short := t.Name, t.Name
		if full == "" {
			full, short = testName(prefix, tg.name, t.Kwargs)
		}
		t.Kwargs["model"] = "{{ get_where_subquery(" + tg.model + ") }}"
		t.Name, t.Alias = full, short
		t.UniqueID = "test." + k.name + "." + full + "." + testHash(full, t.Kind, t.Kwargs)
		p.Tests = append(p.Tests, t)
		return nil
	}
	for _, e := range pf.models {
		var ny nodeYAML
		if err := decodeEntry(e, &ny); err != nil {
			return err
		}
		m := p.Models[ny.Name]
		if m == nil {
			continue // disabled
		}
		tg := target{id: m.UniqueID, name: m.Name, model: "ref('" + m.Name + "')", file: e.file, path: e.path}
		for _, n := range append(ny.Tests, ny.DataTests...) {
			if err := add(tg, "", n); err != nil {
				return err
			}
		}
		for ci, c := range ny.Columns {
			for _, n := range append(c.Tests, c.DataTests...) {
				if err := add(tg, c.Name, n); err != nil {
					return err
				}
				m.Columns[ci].Tests = append(m.Columns[ci].Tests, p.Tests[len(p.Tests)-1].Name)
			}
		}
	}
	for _, e := range pf.seeds {
		var ny nodeYAML
		if err := decodeEntry(e, &ny); err != nil {
			return err
		}
		s := p.Seeds[ny.Name]
		tg := target{id: s.UniqueID, name: s.Name, model: "ref('" + s.Name + "')", file: e.file, path: e.path}
		for ci, c := range ny.Columns {
			for _, n := range append(c.Tests, c.DataTests...) {
				if err := add(tg, c.Name, n); err != nil {
					return err
				}
				s.Columns[ci].Tests = append(s.Columns[ci].Tests, p.Tests[len(p.Tests)-1].Name)
			}
		}
	}
	for _, e := range pf.sources {
		var sy sourceYAML
		if err := decodeEntry(e, &sy); err != nil {
			return err
		}
		for _, tb := range sy.Tables {
			s := p.Sources[sy.Name+"."+tb.Name]
			tg := target{id: s.UniqueID, name: sy.Name + "_" + tb.Name, model: "source('" + sy.Name + "', '" + tb.Name + "')", isSource: true, file: e.file, path: e.path}
			for _, n := range append(tb.Tests, tb.DataTests...) {
				if err := add(tg, "", n); err != nil {
					return err
				}
			}
			for ci, c := range tb.Columns {
				for _, n := range append(c.Tests, c.DataTests...) {
					if err := add(tg, c.Name, n); err != nil {
						return err
					}
					s.Columns[ci].Tests = append(s.Columns[ci].Tests, p.Tests[len(p.Tests)-1].Name)
				}
			}
		}
	}
	return nil
}

// parseTest reads "unique" or {accepted_values: {values: [...], config: {severity: warn}}}.
func (p *Project) parseTest(file string, n yaml.Node) (*Test, error) {
	t := &Test{Args: map[string]any{}, Severity: "ERROR"}
	var body map[string]any
	switch n.Kind {
	case yaml.ScalarNode:
		t.Kind = n.Value
	case yaml.MappingNode:
		if len(n.Content) != 2 {
			return nil, fmt.Errorf("%w: %s:%d: a test entry must have exactly one key (the test name)", ErrProject, file, n.Line)
		}
		t.Kind = n.Content[0].Value
		if err := n.Content[1].Decode(&body); err != nil {
			return nil, yamlError(file, err)
		}
	default:
		return nil, fmt.Errorf("%w: %s:%d: invalid test entry", ErrProject, file, n.Line)
	}
	if !testKinds[t.Kind] {
		return nil, fmt.Errorf("%w: %s:%d: generic test %q (supported: unique, not_null, accepted_values, relationships)", ErrUnsupported, file, n.Line, t.Kind)
	}
	cfg := map[string]any{}
	for k, v := range body {
		switch k {
		case "config":
			if m, ok := v.(map[string]any); ok {
				for kk, vv := range m {
					cfg[kk] = vv
				}
			}
		case "arguments":
			if m, ok := v.(map[string]any); ok {
				for kk, vv := range m {
					t.Args[kk] = vv
				}
			}
		case "severity", "where", "tags", "meta", "enabled", "store_failures", "store_failures_as", "limit",
			"warn_if", "error_if", "fail_calc", "database", "schema", "alias":
			cfg[k] = v // dbt-core's TestBuilder.CONFIG_ARGS: configs, not arguments
		case "column_name":
			t.Column = fmt.Sprint(v)
		case "name":
			t.Name = fmt.Sprint(v) // names the test instead of the synthesized name
		case "description":
		default:
			t.Args[k] = v
		}
	}
	if sev, ok := cfg["severity"]; ok {
		s := strings.ToUpper(fmt.Sprint(sev))
		if s != "WARN" && s != "ERROR" {
			return nil, fmt.Errorf("%w: %s:%d: severity %q: want warn or error", ErrProject, file, n.Line, fmt.Sprint(sev))
		}
		t.Severity, t.severityConfig = s, fmt.Sprint(sev)
	}
	if w, ok := cfg["where"]; ok && w != nil {
		t.Where = fmt.Sprint(w)
	}
	return t, nil
}

// resolveTestTarget resolves "ref('x')" or "source('a','b')" to a unique id.
func (p *Project) resolveTestTarget(to string) (string, error) {
	if m := reRefArg.FindStringSubmatch(to); m != nil {
		name := m[1]
		if m[2] != "" {
			name = m[2]
		}
		if mm, ok := p.Models[name]; ok {
			return mm.UniqueID, nil
		}
		if s, ok := p.Seeds[name]; ok {
			return s.UniqueID, nil
		}
		return "", fmt.Errorf("%w: ref('%s') not found%s", ErrCompile, name, p.nearest(name))
	}
	if m := reSourceArg.FindStringSubmatch(to); m != nil {
		if s, ok := p.Sources[m[1]+"."+m[2]]; ok {
			return s.UniqueID, nil
		}
		return "", fmt.Errorf("%w: source('%s', '%s') not found", ErrCompile, m[1], m[2])
	}
	return "", fmt.Errorf("%w: to: %q must be ref('name') or source('name', 'table')", ErrProject, to)
}

// testName follows dbt's synthesize_generic_test_names: the full name is
// <type>_<target>_<args...>; names of 64 characters or more get a short
// alias made of 30 characters and an MD5 of the full name.
func testName(testType, target string, args map[string]any) (full, short string) {
	keys := make([]string, 0, len(args))
	for k := range args {
		if k != "model" && !strings.HasPrefix(k, "__") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var flat []string
	for _, k := range keys {
		switch v := args[k].(type) {
		case map[string]any:
			vk := make([]string, 0, len(v))
			for kk := range v {
				vk = append(vk, kk)
			}
			sort.Strings(vk)
			for _, kk := range vk {
				flat = append(flat, pyStr(v[kk]))
			}
		case []any:
			for _, e := range v {
				flat = append(flat, pyStr(e))
			}
		default:
			flat = append(flat, pyStr(v))
		}
	}
	for i, f := range flat {
		flat[i] = reNonWord.ReplaceAllString(f, "_")
	}
	ident := testType + "_" + target
	full = ident + "_" + strings.Join(flat, "__")
	short = full
	if len(full) >= 64 {
		sum := md5.Sum([]byte(full))
		if len(ident) > 30 {
			ident = ident[:30]
		}
		short = ident + "_" + hex.EncodeToString(sum[:])
	}
	return full, short
}

// testHash is the suffix dbt-core gives a generic test's unique id
// (parser/schema_generic_tests.py, create_test_node): the last 10 hex digits
// of the MD5 of the test's name followed by the Python repr of its
// test_metadata, with every dict sorted by key and every scalar made a str.
func testHash(name, kind string, kwargs map[string]any) string {
	md := map[string]any{"name": kind, "kwargs": kwargs, "namespace": nil}
	sum := md5.Sum([]byte(name + pyHashableRepr(md)))
	h := hex.EncodeToString(sum[:])
	return h[len(h)-10:]
}

// pyHashableRepr is repr(get_hashable_md(v)) of that function.
func pyHashableRepr(v any) string {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyHashableRepr(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = pyHashableRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return pyRepr(pyStr(v))
}

// pyRepr is Python's repr of a str: single quotes unless the string holds a
// single quote and no double quote, backslash escapes for the quote, the
// backslash, \t, \n, \r and characters that are not printable.
func pyRepr(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteRune('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x80 || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteRune(quote)
	return b.String()
}

// pyStr is Python's str of a YAML scalar.
func pyStr(v any) string {
	switch t := v.(type) {
	case bool:
		if t {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case float64:
		return pyFloat(t)
	case float32:
		return pyFloat(float64(t))
	}
	return fmt.Sprint(v)
}

// pyFloat is Python's repr of a float: the shortest digits that read back,
// positional for exponents from -4 to 15 (always with a fraction), otherwise
// d.ddde+XX.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	if exp >= -4 && exp < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	return fmt.Sprintf("%se%s%02d", mant, sign, exp)
}
