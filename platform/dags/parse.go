// Loading and YAML decoding of declaration files: the YAML shapes, allowed
// keys, errors naming file, line and field, and Parse.

package dags

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/internal/yamlpos"
)

// file is the YAML shape of a declaration file.
type file struct {
	Defaults yaml.Node   `yaml:"defaults"`
	DAGs     []yaml.Node `yaml:"dags"`
}

// decl is the YAML shape of one DAG entry (and, without type-specific fields, of defaults).
type decl struct {
	Type             string      `yaml:"type"`
	ID               string      `yaml:"id"`
	Description      string      `yaml:"description"`
	Events           selector    `yaml:"events"`
	Regions          selector    `yaml:"regions"`
	Entity           string      `yaml:"entity"`
	Target           string      `yaml:"target"`
	Schedule         string      `yaml:"schedule"`
	SLA              string      `yaml:"sla"`
	Retries          *int        `yaml:"retries"`
	RetryDelay       string      `yaml:"retry_delay"`
	ExecutionTimeout string      `yaml:"execution_timeout"`
	DagrunTimeout    string      `yaml:"dagrun_timeout"`
	Tags             []string    `yaml:"tags"`
	Reads            []string    `yaml:"reads"`
	Writes           []string    `yaml:"writes"`
	TriggerRule      string      `yaml:"trigger_rule"`
	Tasks            []yaml.Node `yaml:"tasks"`
}

type taskDecl struct {
	ID               string   `yaml:"id"`
	Command          string   `yaml:"command"`
	DependsOn        []string `yaml:"depends_on"`
	Retries          *int     `yaml:"retries"`
	ExecutionTimeout string   `yaml:"execution_timeout"`
}

var (
	dagKeys      = []string{"type", "id", "description", "events", "regions", "entity", "target", "schedule", "sla", "retries", "retry_delay", "execution_timeout", "dagrun_timeout", "tags", "reads", "writes", "trigger_rule", "tasks"}
	defaultsKeys = []string{"retries", "retry_delay", "execution_timeout", "dagrun_timeout", "tags", "trigger_rule"}
	taskKeys     = []string{"id", "command", "depends_on", "retries", "execution_timeout"}
	types        = []string{TypeIngest, TypeStaging, TypeFact, TypeForecast, TypeMaintenance, TypeFreshness, TypeMetadata, TypeCustom}
)

// selector is "all" or a list of names.
type selector struct {
	All   bool
	Names []string
}

func (s *selector) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value == "all" {
			s.All = true
			return nil
		}
		s.Names = []string{n.Value}
		return nil
	}
	return n.Decode(&s.Names)
}

func (s selector) set() bool { return s.All || len(s.Names) > 0 }

// expand resolves the selector against the declared names.
func (s selector) expand(declared []string, what string) ([]string, error) {
	if !s.set() || s.All {
		return declared, nil
	}
	for _, n := range s.Names {
		if !slices.Contains(declared, n) {
			return nil, fmt.Errorf("%s %q is not declared in domain.yaml (declared: %s)", what, n, strings.Join(declared, ", "))
		}
	}
	return s.Names, nil
}

// checkKeys reports keys of mapping n that are not allowed.
func checkKeys(el *yamlpos.Errors, n *yaml.Node, path string, allowed []string) bool {
	if n.Kind != yaml.MappingNode {
		el.Add(n.Line, path, "want a mapping")
		return false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			el.Add(k.Line, path+"."+k.Value, "unknown field (allowed: %s)", strings.Join(allowed, ", "))
			ok = false
		}
	}
	return ok
}

// LoadAll loads the DAGs of every domain under root (domains/*/dags/*.yaml)
// and validates them together.
func LoadAll(root string) ([]*DAG, []*domainspec.Domain, error) {
	domains, err := domainspec.LoadAll(root)
	if err != nil {
		return nil, nil, err
	}
	var all []*DAG
	for _, d := range domains {
		ds, err := LoadDomain(root, d)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, ds...)
	}
	if err := Validate(all); err != nil {
		return nil, nil, err
	}
	return all, domains, nil
}

// LoadDomain loads the declaration files of one domain (d.Dir relative to root).
func LoadDomain(root string, d *domainspec.Domain) ([]*DAG, error) {
	paths, err := filepath.Glob(filepath.Join(root, d.Dir, Dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []*DAG
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = p
		}
		ds, err := Parse(filepath.ToSlash(rel), data, d)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	derived, err := Parse(DerivedFile, derivedDecls, d)
	if err != nil {
		return nil, err
	}
	for _, g := range derived {
		if !slices.ContainsFunc(out, func(o *DAG) bool { return o.Type == g.Type }) {
			out = append(out, g)
		}
	}
	finishDomain(d, out)
	return out, nil
}

// DerivedFile declares the DAGs every domain gets without declaring them
// (a type the domain declares itself is not derived), relative to the
// repository root; it is embedded, so binaries need no repository.
const DerivedFile = "platform/dags/derived.yaml"

//go:embed derived.yaml
var derivedDecls []byte

// Root returns the directory holding domains/: config.RepoRoot
// ($MESH_REPO_ROOT, else the nearest directory upwards with go.work).
func Root() (string, error) { return config.RepoRoot() }

func parseDuration(el *yamlpos.Errors, n *yaml.Node, key, path, s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, err := domainspec.ParseDuration(s)
	if err != nil || d < 0 {
		el.Add(yamlpos.ValueLine(n, key), path+"."+key, "duration %q: want e.g. 90s, 15m, 1h or 2d", s)
		return def
	}
	return d
}

// Parse reads one declaration file of domain d; path names it in errors.
func Parse(path string, data []byte, d *domainspec.Domain) ([]*DAG, error) {
	el := &yamlpos.Errors{File: path, Kind: ErrInvalid}
	var f file
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%w: %s: empty file", ErrInvalid, path)
	}
	if !checkKeys(el, root.Content[0], "(file)", []string{"defaults", "dags"}) {
		return nil, el.Err()
	}
	if err := root.Content[0].Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	var defs decl
	if f.Defaults.Kind != 0 {
		if checkKeys(el, &f.Defaults, "defaults", defaultsKeys) {
			if err := f.Defaults.Decode(&defs); err != nil {
				el.Add(f.Defaults.Line, "defaults", "%v", err)
			}
		}
	}
	if len(f.DAGs) == 0 {
		el.Add(root.Content[0].Line, "dags", "at least one DAG is required")
	}
	var out []*DAG
	for i := range f.DAGs {
		n := &f.DAGs[i]
		p := fmt.Sprintf("dags[%d]", i)
		if !checkKeys(el, n, p, dagKeys) {
			continue
		}
		var e decl
		if err := n.Decode(&e); err != nil {
			el.Add(n.Line, p, "%v", err)
			continue
		}
		out = append(out, expand(el, n, p, e, defs, &f.Defaults, d)...)
	}
	if err := el.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
