package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// DefaultMaxBodyBytes is the largest message body Decode accepts when
// Contract.MaxBodyBytes is zero: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Names of the envelope fields every contract declares, and of the columns the
// platform derives when it writes events to Iceberg.
const (
	FieldEventID    = "event_id"
	FieldEventTS    = "event_ts"
	FieldEventType  = "event_type"
	FieldEventDate  = "event_date"
	FieldIngestedAt = "ingested_at"
)

// Values of Field.PII, from the property keyword "x-pii".
const (
	PIINone      = ""          // no "x-pii", or "x-pii": false
	PIISensitive = "sensitive" // "x-pii": true or "sensitive" (OpenMetadata PII.Sensitive)
	PIIPersonal  = "personal"  // "x-pii": "personal" (OpenMetadata PersonalData.Personal)
)

// DraftURL is the only JSON Schema dialect contracts may declare in "$schema".
const DraftURL = "https://json-schema.org/draft/2020-12/schema"

// FieldType is the platform type of a contract field, derived from the JSON
// Schema "type" and "format" of its property.
type FieldType int

// Field types. The zero value is String.
const (
	String    FieldType = iota // "type": "string"
	UUID                       // "type": "string", "format": "uuid"
	Timestamp                  // "type": "string", "format": "date-time"
	Date                       // "type": "string", "format": "date"
	Int64                      // "type": "integer"
	Float64                    // "type": "number"
	Bool                       // "type": "boolean"
)

var fieldTypeNames = [...]string{"string", "uuid", "timestamp", "date", "int64", "float64", "bool"}

// String returns the lower-case name of the type ("timestamp", "int64", ...).
func (t FieldType) String() string {
	if t < 0 || int(t) >= len(fieldTypeNames) {
		return "FieldType(" + strconv.Itoa(int(t)) + ")"
	}
	return fieldTypeNames[t]
}

// Field is one property of a contract.
type Field struct {
	Name        string
	Type        FieldType
	Required    bool
	Description string
	Enum        []string // allowed values of a string field; nil when unrestricted
	PII         string   // PIINone, PIISensitive or PIIPersonal

	// rules is the canonical JSON of the property's validation keywords
	// (everything but annotations and enum), compared by CheckCompatible.
	rules string
}

// Contract is a parsed, compiled data contract: one version of one event type
// of one domain. A Contract is safe for concurrent use once loaded; set
// MaxBodyBytes before sharing it.
type Contract struct {
	Domain  string
	Event   string
	Version int
	Path    string
	// Fields in the file's property order, the envelope (event_id, event_ts,
	// event_type) first.
	Fields []Field
	// MaxBodyBytes bounds the size of a message body Decode accepts; zero
	// means DefaultMaxBodyBytes. Larger bodies fail with ErrTooLarge before
	// any parsing.
	MaxBodyBytes int

	schema      *jsonschema.Schema
	fast        *fastValidator // nil: always use schema
	index       map[string]int // field name -> index in Fields
	interned    interned       // names and enum values parseBody does not allocate again
	iceSchema   *iceberg.Schema
	arrowSchema *arrow.Schema
}

// Name returns "<event>.v<version>", e.g. "orders.v1".
func (c *Contract) Name() string { return c.Event + ".v" + strconv.Itoa(c.Version) }

// String returns "<domain>/<event>.v<version>".
func (c *Contract) String() string { return c.Domain + "/" + c.Name() }

// Field returns the field with the given name.
func (c *Contract) Field(name string) (Field, bool) {
	i, ok := c.index[name]
	if !ok {
		return Field{}, false
	}
	return c.Fields[i], true
}

func (c *Contract) maxBody() int {
	if c.MaxBodyBytes > 0 {
		return c.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// fileNameRE matches contract file names: <event>.v<N>.json.
var fileNameRE = regexp.MustCompile(`^([a-z][a-z0-9_]*)\.v([1-9][0-9]*)\.json$`)

// nameRE is what domain, event and field names must look like, so that they are
// valid, unquoted identifiers in Iceberg, DuckDB and dbt.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Load reads and parses the contract file at path.
func Load(path string) (*Contract, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading contract %s: %w", path, err)
	}
	return Parse(path, data)
}

// LoadDir loads every <event>.v<N>.json file of dir and returns, for each event
// type, its highest version. When an event has several versions, each must be
// backward compatible with the one before it (CheckCompatible). A directory
// without contracts is an error wrapping ErrNoContracts.
func LoadDir(dir string) (map[string]*Contract, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("loading contracts from %s: %w", dir, err)
	}
	versions := map[string][]*Contract{}
	for _, e := range entries {
		if e.IsDir() || !fileNameRE.MatchString(e.Name()) {
			continue
		}
		c, err := Load(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		versions[c.Event] = append(versions[c.Event], c)
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("%w: no <event>.v<N>.json file in %s", ErrNoContracts, dir)
	}
	out := make(map[string]*Contract, len(versions))
	for event, cs := range versions {
		sort.Slice(cs, func(i, j int) bool { return cs[i].Version < cs[j].Version })
		for i := 1; i < len(cs); i++ {
			if err := CheckCompatible(cs[i-1], cs[i]); err != nil {
				return nil, fmt.Errorf("loading contracts from %s: %w", dir, err)
			}
		}
		out[event] = cs[len(cs)-1]
	}
	return out, nil
}

// Parse parses and compiles a contract. path names the contract in errors and,
// when its base name has the form <event>.v<N>.json, must agree with the
// "x-mesh" event and version.
func Parse(path string, data []byte) (*Contract, error) {
	c, err := parse(path, data)
	if err != nil {
		return nil, fmt.Errorf("parsing contract %s: %w", path, err)
	}
	return c, nil
}

// Keywords a contract may use at the top level and in a property. Anything
// else is rejected, so that a typo ("maxLenght") cannot silently disable a rule.
var (
	topKeywords = set("$schema", "$id", "$comment", "title", "description", "type",
		"properties", "required", "additionalProperties", "x-mesh", "examples")
	propKeywords = set("type", "format", "enum", "const", "minimum", "maximum",
		"exclusiveMinimum", "exclusiveMaximum", "multipleOf", "pattern", "minLength",
		"maxLength", "description", "title", "examples", "deprecated", "$comment", "x-pii")
	// annotations do not change which values are valid.
	annotations = set("description", "title", "examples", "deprecated", "$comment", "x-pii")
	stringOnly  = set("format", "pattern", "minLength", "maxLength", "enum", "const")
	numberOnly  = set("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
)

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidContract}, args...)...)
}

func parse(path string, data []byte) (*Contract, error) {
	top, err := orderedObject(data)
	if err != nil {
		return nil, invalid("not a JSON object: %v", err)
	}
	raw := map[string]json.RawMessage{}
	for _, kv := range top {
		if !topKeywords[kv.key] {
			return nil, invalid("/%s: keyword not allowed in a contract", escapePtr(kv.key))
		}
		raw[kv.key] = kv.val
	}

	if s, ok := raw["$schema"]; ok {
		var u string
		if json.Unmarshal(s, &u) != nil || strings.TrimSuffix(u, "#") != DraftURL {
			return nil, invalid("/$schema: must be %q, got %s", DraftURL, s)
		}
	}
	if !jsonEquals(raw["type"], `"object"`) {
		return nil, invalid(`/type: must be "object"`)
	}
	if !jsonEquals(raw["additionalProperties"], `false`) {
		return nil, invalid("/additionalProperties: must be false")
	}

	c := &Contract{Path: path}
	var mesh struct {
		Domain  string `json:"domain"`
		Event   string `json:"event"`
		Version int    `json:"version"`
	}
	if m, ok := raw["x-mesh"]; !ok {
		return nil, invalid(`/x-mesh: missing (want {"domain": ..., "event": ..., "version": N})`)
	} else if err := strictUnmarshal(m, &mesh); err != nil {
		return nil, invalid("/x-mesh: %v", err)
	}
	c.Domain, c.Event, c.Version = mesh.Domain, mesh.Event, mesh.Version
	switch {
	case !nameRE.MatchString(c.Domain):
		return nil, invalid("/x-mesh/domain: %q must match %s", c.Domain, nameRE)
	case !nameRE.MatchString(c.Event):
		return nil, invalid("/x-mesh/event: %q must match %s", c.Event, nameRE)
	case c.Version < 1:
		return nil, invalid("/x-mesh/version: must be an integer >= 1, got %d", c.Version)
	}
	if m := fileNameRE.FindStringSubmatch(filepath.Base(path)); m != nil {
		if m[1] != c.Event || m[2] != strconv.Itoa(c.Version) {
			return nil, invalid("file name %s does not match x-mesh event %q version %d (want %s)",
				filepath.Base(path), c.Event, c.Version, c.Name()+".json")
		}
	}

	var required []string
	if r, ok := raw["required"]; ok {
		if err := json.Unmarshal(r, &required); err != nil {
			return nil, invalid("/required: must be an array of property names: %v", err)
		}
	}
	isRequired := set(required...)

	props, err := orderedObject(raw["properties"])
	if err != nil {
		return nil, invalid("/properties: %v", err)
	}
	var fields []Field
	byName := map[string]Field{}
	for _, kv := range props {
		f, err := parseField(kv.key, kv.val, c.Event)
		if err != nil {
			return nil, err
		}
		if _, dup := byName[f.Name]; dup {
			return nil, invalid("/properties/%s: duplicate property", escapePtr(f.Name))
		}
		f.Required = isRequired[f.Name]
		byName[f.Name] = f
		fields = append(fields, f)
	}
	for _, r := range required {
		if _, ok := byName[r]; !ok {
			return nil, invalid("/required: %q is not a property", r)
		}
	}
	// The envelope first, in canonical order, then the domain fields in file order.
	envelope := []struct {
		name string
		typ  FieldType
	}{{FieldEventID, UUID}, {FieldEventTS, Timestamp}, {FieldEventType, String}}
	for _, w := range envelope {
		f, ok := byName[w.name]
		switch {
		case !ok:
			return nil, invalid("/properties/%s: missing envelope property", w.name)
		case f.Type != w.typ:
			return nil, invalid("/properties/%s: envelope property must be of type %s, got %s", w.name, w.typ, f.Type)
		case !f.Required:
			return nil, invalid("/required: envelope property %q must be required", w.name)
		}
		c.Fields = append(c.Fields, f)
	}
	for _, f := range fields {
		if f.Name != FieldEventID && f.Name != FieldEventTS && f.Name != FieldEventType {
			c.Fields = append(c.Fields, f)
		}
	}
	c.index = make(map[string]int, len(c.Fields))
	for i, f := range c.Fields {
		c.index[f.Name] = i
	}
	c.interned.add(c)

	if c.schema, err = compile(path, data); err != nil {
		return nil, invalid("%v", err)
	}
	c.fast = newFastValidator(c, c.schema)
	if c.iceSchema, c.arrowSchema, err = deriveSchemas(c); err != nil {
		return nil, invalid("deriving Iceberg/Arrow schemas: %v", err)
	}
	return c, nil
}

func parseField(name string, data json.RawMessage, event string) (Field, error) {
	ptr := "/properties/" + escapePtr(name)
	if !nameRE.MatchString(name) {
		return Field{}, invalid("%s: property name must match %s", ptr, nameRE)
	}
	if name == FieldEventDate || name == FieldIngestedAt {
		return Field{}, invalid("%s: %q is a column derived by the platform and cannot be a property", ptr, name)
	}
	kws, err := orderedObject(data)
	if err != nil {
		return Field{}, invalid("%s: %v", ptr, err)
	}
	f := Field{Name: name}
	kw := map[string]json.RawMessage{}
	rules := map[string]json.RawMessage{}
	for _, k := range kws {
		if !propKeywords[k.key] {
			return Field{}, invalid("%s/%s: keyword not allowed (flat scalar fields only: type, format, enum, const, minimum, maximum, pattern, maxLength, ...)", ptr, escapePtr(k.key))
		}
		kw[k.key] = k.val
		if !annotations[k.key] && k.key != "enum" {
			rules[k.key] = k.val
		}
	}

	typ := "string" // a property with only "const"/"enum" of strings is a string
	if t, ok := kw["type"]; ok {
		if err := json.Unmarshal(t, &typ); err != nil {
			return Field{}, invalid(`%s/type: must be one of "string", "integer", "number", "boolean"`, ptr)
		}
	} else if _, hasConst := kw["const"]; !hasConst {
		if _, hasEnum := kw["enum"]; !hasEnum {
			return Field{}, invalid(`%s: missing "type"`, ptr)
		}
	}
	switch typ {
	case "string":
		f.Type = String
	case "integer":
		f.Type = Int64
	case "number":
		f.Type = Float64
	case "boolean":
		f.Type = Bool
	default:
		return Field{}, invalid(`%s/type: %q not supported (flat scalar fields only: "string", "integer", "number", "boolean")`, ptr, typ)
	}
	for k := range kw {
		if f.Type != String && stringOnly[k] {
			return Field{}, invalid("%s/%s: only allowed on string properties", ptr, k)
		}
		if (f.Type != Int64 && f.Type != Float64) && numberOnly[k] {
			return Field{}, invalid("%s/%s: only allowed on integer and number properties", ptr, k)
		}
	}
	if fm, ok := kw["format"]; ok {
		var format string
		_ = json.Unmarshal(fm, &format)
		switch format {
		case "uuid":
			f.Type = UUID
		case "date-time":
			f.Type = Timestamp
		case "date":
			f.Type = Date
		default:
			return Field{}, invalid(`%s/format: %s not supported (want "uuid", "date-time" or "date")`, ptr, fm)
		}
	}
	if e, ok := kw["enum"]; ok {
		if err := json.Unmarshal(e, &f.Enum); err != nil || len(f.Enum) == 0 {
			return Field{}, invalid("%s/enum: must be a non-empty array of strings", ptr)
		}
	}
	if _, ok := kw["const"]; !ok && name == FieldEventType {
		return Field{}, invalid(`%s: must have "const": %q`, ptr, event)
	}
	if cv, ok := kw["const"]; ok {
		var s string
		if err := json.Unmarshal(cv, &s); err != nil {
			return Field{}, invalid("%s/const: must be a string", ptr)
		}
		if name == FieldEventType && s != event {
			return Field{}, invalid("%s/const: %q must equal x-mesh event %q", ptr, s, event)
		}
	}
	if d, ok := kw["description"]; ok {
		if err := json.Unmarshal(d, &f.Description); err != nil {
			return Field{}, invalid("%s/description: must be a string", ptr)
		}
	}
	if p, ok := kw["x-pii"]; ok {
		var v any
		_ = json.Unmarshal(p, &v)
		switch v {
		case false:
			f.PII = PIINone
		case true, PIISensitive:
			f.PII = PIISensitive
		case PIIPersonal:
			f.PII = PIIPersonal
		default:
			return Field{}, invalid(`%s/x-pii: must be true, false, "sensitive" or "personal", got %s`, ptr, p)
		}
	}
	canon, err := json.Marshal(rules) // map keys sorted: canonical
	if err != nil {
		return Field{}, invalid("%s: %v", ptr, err)
	}
	f.rules = string(canon)
	return f, nil
}

// compile compiles the contract with format assertions on, so that "uuid",
// "date-time" and "date" are validated and not merely annotations.
func compile(path string, data []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	url := "mem:///contract/" + filepath.ToSlash(strings.TrimPrefix(path, "/"))
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	comp.AssertFormat()
	// Never fetch anything from the network or the file system.
	comp.UseLoader(noLoader{})
	if err := comp.AddResource(url, doc); err != nil {
		return nil, err
	}
	return comp.Compile(url)
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("contracts are self-contained: cannot load %s", url)
}

// kv is one member of a JSON object, in document order.
type kv struct {
	key string
	val json.RawMessage
}

type members []kv

// orderedObject returns the members of a JSON object in document order.
func orderedObject(data []byte) (members, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("missing, want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want a JSON object, got %v", tok)
	}
	var out members
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // object keys are always strings
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, kv{key, val})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("unexpected data after the JSON object")
	}
	return out, nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func jsonEquals(raw json.RawMessage, want string) bool {
	return raw != nil && strings.TrimSpace(string(raw)) == want
}

// escapePtr escapes a JSON pointer token (RFC 6901).
func escapePtr(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}
