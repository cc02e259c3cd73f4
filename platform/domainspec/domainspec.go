package domainspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"gopkg.in/yaml.v3"
)

// FileName is the name of the declaration file in every domain folder.
const FileName = "domain.yaml"

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid domain.yaml")

// Domain is the content of one domain.yaml.
type Domain struct {
	Name           string   `yaml:"name"`
	Description    string   `yaml:"description"`
	Owners         Owners   `yaml:"owners"`
	Regions        []string `yaml:"regions"`
	ComposeProfile string   `yaml:"compose_profile"`
	Events         []Event  `yaml:"events"`
	Tables         []Table  `yaml:"tables"`
	// DependsOn names the domains whose data products this domain reads
	// (upstream queries, dbt sources): they run first in the demo and in --all.
	DependsOn []string `yaml:"depends_on"`
	// MasterData names the master-data tables this domain owns and publishes
	// as the dbt seeds dbt/seeds/<name>.csv (see package masterdata).
	MasterData []string `yaml:"masterdata"`

	// Dir is the folder holding the file, relative to the repository root when
	// loaded with LoadAll.
	Dir string `yaml:"-"`
}

// Owners names the team owning a domain.
type Owners struct {
	Team   string   `yaml:"team"`
	GitHub []string `yaml:"github"`
	Email  string   `yaml:"email"`
}

// Event declares one event type the domain publishes.
type Event struct {
	Name        string `yaml:"name"`
	Contract    string `yaml:"contract"`
	RawTable    string `yaml:"raw_table"`
	Description string `yaml:"description"`
	// Upstream is an optional SQL query over other domains' data products
	// (e.g. orders.fact_orders) whose rows the generator reacts to, so that
	// events are causally consistent across domains. {{.Region}} is replaced
	// by the region being produced.
	Upstream string `yaml:"upstream"`
	// DemoBurst is how many events per region the demo publishes for every
	// 2,500 order lines (default 2500): a dispatch log has ~6 statuses per
	// order, returns a tenth of the orders.
	DemoBurst int `yaml:"demo_burst"`
}

// Table declares one table the domain owns.
type Table struct {
	Name        string   `yaml:"name"`
	Layer       string   `yaml:"layer"` // raw, staging, fact, dim
	Description string   `yaml:"description"`
	Freshness   Duration `yaml:"freshness"`
	// Columns are declared only for the tables the domain's Go code writes:
	// a contract declares a raw table's columns, schema.yml a dbt model's.
	Columns []Column `yaml:"columns,omitempty"`
}

// Duration is a time.Duration written as "90s", "15m", "1h" or "2d" in YAML.
type Duration time.Duration

// UnmarshalYAML accepts Go durations plus a "d" (days) suffix.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses a Go duration or a whole number of days ("90d").
func ParseDuration(s string) (time.Duration, error) {
	if m := regexp.MustCompile(`^(\d+)d$`).FindStringSubmatch(s); m != nil {
		var days int
		fmt.Sscan(m[1], &days)
		return time.Duration(days) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q: want e.g. 90s, 15m, 1h or 2d", s)
	}
	return v, nil
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Parse decodes and validates a domain.yaml; path is used in error messages,
// which name the line and the field at fault.
func Parse(path string, data []byte) (*Domain, error) {
	var d Domain
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		if errors.Is(err, io.EOF) { // yaml.v3 says only "EOF" for a file without a document
			return nil, fmt.Errorf("%w: %s: the file is empty", ErrInvalid, path)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	// The same document as a tree, for the lines of the validation errors.
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	d.Dir = filepath.Dir(path)
	if err := d.validate(path, &root); err != nil {
		return nil, err
	}
	return &d, nil
}

// Load reads and validates one domain.yaml.
func Load(path string) (*Domain, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// LoadAll loads every domains/*/domain.yaml under root, sorted by name.
func LoadAll(root string) ([]*Domain, error) {
	paths, err := filepath.Glob(filepath.Join(root, "domains", "*", FileName))
	if err != nil {
		return nil, err
	}
	var out []*Domain
	for _, p := range paths {
		d, err := Load(p)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(root, d.Dir)
		d.Dir = filepath.ToSlash(rel)
		if want := filepath.Base(d.Dir); d.Name != want {
			return nil, fmt.Errorf("%w: %s: name %q must equal its folder name %q", ErrInvalid, p, d.Name, want)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Validate checks required fields and declared columns; errors name the field.
func (d *Domain) Validate() error { return d.validate("", nil) }

// validate is Validate; with the file's name and its YAML tree the errors
// also name the file and the line.
func (d *Domain) validate(file string, root *yaml.Node) error {
	p := newProblems(file, root)
	if !nameRE.MatchString(d.Name) {
		p.add(at("name"), "%q must match %s", d.Name, nameRE)
	}
	if d.Description == "" {
		p.add(at("description"), "is required")
	}
	if d.Owners.Team == "" {
		p.add(at("owners", "team"), "is required")
	}
	if len(d.Owners.GitHub) == 0 {
		p.add(at("owners", "github"), "needs at least one @handle")
	}
	if len(d.Regions) == 0 {
		p.add(at("regions"), "needs at least one region")
	}
	tables := map[string]int{}
	for i, t := range d.Tables {
		if !nameRE.MatchString(t.Name) {
			p.add(at("tables", i, "name"), "%q must match %s", t.Name, nameRE)
		} else if j, dup := tables[t.Name]; dup {
			p.add(at("tables", i, "name"), "%q is declared twice (also tables[%d])", t.Name, j)
		} else {
			tables[t.Name] = i
		}
		t.validateColumns(p, at("tables", i))
	}
	for i, e := range d.Events {
		if !nameRE.MatchString(e.Name) {
			p.add(at("events", i, "name"), "%q must match %s", e.Name, nameRE)
		}
		if e.Contract == "" {
			p.add(at("events", i, "contract"), "is required")
		}
		if e.RawTable == "" {
			p.add(at("events", i, "raw_table"), "is required")
		} else if _, ok := tables[e.RawTable]; !ok {
			p.add(at("events", i, "raw_table"), "%q is not declared under tables", e.RawTable)
		}
	}
	return p.err()
}

// Event returns the declared event called name.
func (d *Domain) Event(name string) (Event, error) {
	for _, e := range d.Events {
		if e.Name == name {
			return e, nil
		}
	}
	names := make([]string, len(d.Events))
	for i, e := range d.Events {
		names[i] = e.Name
	}
	return Event{}, fmt.Errorf("domain %s has no event %q (declared: %v)", d.Name, name, names)
}

// HasRegion reports whether the domain operates in region.
func (d *Domain) HasRegion(region string) bool {
	for _, r := range d.Regions {
		if r == region {
			return true
		}
	}
	return false
}

// Table returns the declared table called name.
func (d *Domain) Table(name string) (Table, bool) {
	for _, t := range d.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// Ordered returns the domains so that each comes after the domains it depends on
// (ties by name). An unknown or cyclic dependency is an error naming it.
func Ordered(ds []*Domain) ([]*Domain, error) {
	byName := map[string]*Domain{}
	for _, d := range ds {
		byName[d.Name] = d
	}
	var (
		out   []*Domain
		state = map[string]int{} // 1 visiting, 2 done
		visit func(d *Domain, path []string) error
	)
	visit = func(d *Domain, path []string) error {
		switch state[d.Name] {
		case 1:
			return fmt.Errorf("%w: domains depend on each other in a cycle: %v", ErrInvalid, append(path, d.Name))
		case 2:
			return nil
		}
		state[d.Name] = 1
		deps := append([]string(nil), d.DependsOn...)
		sort.Strings(deps)
		for _, dep := range deps {
			up, ok := byName[dep]
			if !ok {
				return fmt.Errorf("%w: domains/%s/domain.yaml: depends_on: no domain %q", ErrInvalid, d.Name, dep)
			}
			if err := visit(up, append(path, d.Name)); err != nil {
				return err
			}
		}
		state[d.Name] = 2
		out = append(out, d)
		return nil
	}
	sorted := append([]*Domain(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, d := range sorted {
		if err := visit(d, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
