package domainkit

import (
	"fmt"
	"io/fs"
	"sort"

	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/produce"
)

// Domain is a loaded domain: its declaration, contracts and generators.
type Domain struct {
	Spec       *domainspec.Domain
	Contracts  map[string]*contract.Contract // by event name
	Generators map[string]produce.Generator  // by event name
	Files      fs.FS
}

// Load reads domain.yaml and every declared contract from files (usually an
// embed.FS of the domain folder) and attaches the generators.
func Load(files fs.FS, generators map[string]produce.Generator) (*Domain, error) {
	data, err := fs.ReadFile(files, domainspec.FileName)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", domainspec.FileName, err)
	}
	spec, err := domainspec.Parse(domainspec.FileName, data)
	if err != nil {
		return nil, err
	}
	d := &Domain{Spec: spec, Contracts: map[string]*contract.Contract{}, Generators: generators, Files: files}
	for _, ev := range spec.Events {
		raw, err := fs.ReadFile(files, ev.Contract)
		if err != nil {
			return nil, fmt.Errorf("domain %s: event %s: reading contract: %w", spec.Name, ev.Name, err)
		}
		c, err := contract.Parse(ev.Contract, raw)
		if err != nil {
			return nil, fmt.Errorf("domain %s: event %s: %w", spec.Name, ev.Name, err)
		}
		if c.Event != ev.Name {
			return nil, fmt.Errorf("domain %s: %s declares event %q, domain.yaml says %q", spec.Name, ev.Contract, c.Event, ev.Name)
		}
		d.Contracts[ev.Name] = c
	}
	for name := range generators {
		if _, ok := d.Contracts[name]; !ok {
			return nil, fmt.Errorf("domain %s: generator for undeclared event %q", spec.Name, name)
		}
	}
	return d, nil
}

// MustLoad is Load for embedded files, which cannot be wrong at run time
// without a failing test first.
func MustLoad(files fs.FS, generators map[string]produce.Generator) *Domain {
	d, err := Load(files, generators)
	if err != nil {
		panic(err)
	}
	return d
}

// Name is the domain's name, also its exchange and Iceberg namespace.
func (d *Domain) Name() string { return d.Spec.Name }

// RawTable is the raw table an event lands in.
func (d *Domain) RawTable(event string) (lakehouse.Ident, error) {
	ev, err := d.Spec.Event(event)
	if err != nil {
		return lakehouse.Ident{}, err
	}
	return lakehouse.Ident{Namespace: d.Spec.Name, Name: ev.RawTable}, nil
}

// Events lists the declared event names, sorted.
func (d *Domain) Events() []string {
	out := make([]string, 0, len(d.Contracts))
	for name := range d.Contracts {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Regions resolves a --region value: one region, or "all" for every region of the domain.
func (d *Domain) Regions(flag string) ([]string, error) {
	if flag == "all" {
		return d.Spec.Regions, nil
	}
	if !d.Spec.HasRegion(flag) {
		return nil, fmt.Errorf("--region %q: domain %s operates in %v (or use all)", flag, d.Spec.Name, d.Spec.Regions)
	}
	return []string{flag}, nil
}

// Target resolves the --event and --region flags of a command: the event's
// contract and the regions to work on.
func (d *Domain) Target(event, region string) (*contract.Contract, []string, error) {
	c, ok := d.Contracts[event]
	if !ok {
		return nil, nil, fmt.Errorf("--event %q: domain %s declares %v", event, d.Name(), d.Events())
	}
	regions, err := d.Regions(region)
	if err != nil {
		return nil, nil, err
	}
	return c, regions, nil
}
