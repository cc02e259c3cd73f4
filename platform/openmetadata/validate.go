package openmetadata

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema
var schemaFS embed.FS

// schemaBase is the URL prefix of the schemas' $ids; a resource is added
// under schemaBase + its path, whatever $id the file declares.
const schemaBase = "https://open-metadata.org/schema/"

// Validator checks request bodies against the pinned release's JSON Schemas.
// It is safe for concurrent use.
type Validator struct {
	schemas map[string]*jsonschema.Schema // by Type.Name
}

var (
	defaultValidator     *Validator
	defaultValidatorErr  error
	defaultValidatorOnce sync.Once
)

// DefaultValidator returns the validator of every Type, compiled once.
func DefaultValidator() (*Validator, error) {
	defaultValidatorOnce.Do(func() {
		defaultValidator, defaultValidatorErr = NewValidator()
	})
	return defaultValidator, defaultValidatorErr
}

// NewValidator compiles the schema of every Type from the embedded tree.
func NewValidator() (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.UseRegexpEngine(compileRegexp)
	err := fs.WalkDir(schemaFS, "schema", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		data, err := schemaFS.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("reading schema %s: %w", p, err)
		}
		rel := strings.TrimPrefix(p, "schema/")
		// Upstream resolves $refs by file path; some files declare an
		// $id that is not their path, which would resolve their
		// relative $refs elsewhere.
		if m, ok := doc.(map[string]any); ok {
			m["$id"] = schemaBase + rel
		}
		return c.AddResource(schemaBase+rel, doc)
	})
	if err != nil {
		return nil, fmt.Errorf("loading the OpenMetadata schemas: %w", err)
	}
	v := &Validator{schemas: map[string]*jsonschema.Schema{}}
	for _, t := range Types {
		s, err := c.Compile(schemaBase + t.Schema)
		if err != nil {
			return nil, fmt.Errorf("compiling %s: %w", t.Schema, err)
		}
		v.schemas[t.Name] = s
	}
	if err := v.compileStatus(c); err != nil { // status.go
		return nil, err
	}
	return v, nil
}

// Validate checks one body (a JSON document) of the given entity type. The
// error wraps ErrInvalidBody and names the type, the entity and every
// failing field.
func (v *Validator) Validate(entityType, name string, body []byte) error {
	s, ok := v.schemas[entityType]
	if !ok {
		return fmt.Errorf("%w: unknown entity type %q", ErrInvalidBody, entityType)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %s %s: not JSON: %v", ErrInvalidBody, entityType, name, err)
	}
	if err := s.Validate(doc); err != nil {
		return fmt.Errorf("%w: %s %s against %s: %v", ErrInvalidBody, entityType, name, schemaOf(entityType), err)
	}
	return nil
}

func schemaOf(entityType string) string {
	t, _ := TypeByName(entityType)
	return path.Join("schema", t.Schema)
}

// compileRegexp compiles a schema pattern with Go's RE2, and the one
// upstream pattern RE2 cannot (a negative look-ahead: a name holding no
// "::") as the equivalent check.
func compileRegexp(s string) (jsonschema.Regexp, error) {
	if s == noDoubleColon {
		return noDoubleColonRegexp{}, nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, err
	}
	return re, nil
}

// noDoubleColon is type/basic.json#/definitions/entityName's pattern.
const noDoubleColon = `^((?!::).)*$`

type noDoubleColonRegexp struct{}

// MatchString is the pattern's meaning: no "::" anywhere, and no line
// terminator (which "." does not match).
func (noDoubleColonRegexp) MatchString(s string) bool {
	return !strings.Contains(s, "::") && !strings.ContainsAny(s, "\n\r\u0085\u2028\u2029")
}

func (noDoubleColonRegexp) String() string { return noDoubleColon }
