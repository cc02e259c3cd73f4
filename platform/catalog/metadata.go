// Reading and checking metadata/glossary.yaml, metadata/governance.yaml and
// metadata/consumers.yaml.

package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

type termYAML struct {
	Name       string   `yaml:"name"`
	Definition string   `yaml:"definition"`
	Synonyms   []string `yaml:"synonyms"`
	Related    []string `yaml:"related"`
	line       int
}

type glossaryYAML struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Terms       []termYAML `yaml:"terms"`
	// AppliesTo gives tables that no dbt model documents their terms.
	AppliesTo map[string][]string `yaml:"applies_to"`
}

type levelYAML struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Tag         string `yaml:"tag"`
	Access      string `yaml:"access"`
}

type roleYAML struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Reads       []string `yaml:"reads"`
	Edits       []string `yaml:"edits"`
}

type governanceYAML struct {
	PIILevels     []levelYAML `yaml:"pii_levels"`
	AccessLevels  []levelYAML `yaml:"access_levels"`
	DefaultAccess string      `yaml:"default_access"`
	DefaultRole   string      `yaml:"default_role"`
	// TeamReads are the access levels every domain team's role reads.
	TeamReads []string   `yaml:"team_reads"`
	Roles     []roleYAML `yaml:"roles"`
}

type consumersYAML struct {
	Consumers []Consumer `yaml:"consumers"`
}

// readYAML decodes the file rel (relative to root) strictly; a missing file
// is an error unless optional.
func readYAML(root, rel string, v any, optional bool) (bool, error) {
	data, err := os.ReadFile(filepath.Join(root, rel))
	if errors.Is(err, os.ErrNotExist) && optional {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: reading %s: %v", ErrInvalid, rel, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		// yaml.v3 lists several errors on lines of their own.
		return false, fmt.Errorf("%w: %s: %s", ErrInvalid, rel, strings.Join(strings.Fields(err.Error()), " "))
	}
	return true, nil
}

// loadGlossary reads and checks metadata/glossary.yaml: every term has a
// name and a definition, names are unique (ignoring case), and related terms
// exist.
func loadGlossary(root string) (Glossary, map[string][]string, error) {
	var gy glossaryYAML
	if _, err := readYAML(root, GlossaryFile, &gy, false); err != nil {
		return Glossary{}, nil, err
	}
	// The line of each term, for messages.
	var lines struct {
		Terms []yaml.Node `yaml:"terms"`
	}
	if data, err := os.ReadFile(filepath.Join(root, GlossaryFile)); err == nil && yaml.Unmarshal(data, &lines) == nil {
		for i := range gy.Terms {
			if i < len(lines.Terms) {
				gy.Terms[i].line = lines.Terms[i].Line
			}
		}
	}
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s:%d: "+format, append([]any{ErrInvalid, GlossaryFile, line}, args...)...))
	}
	g := Glossary{Name: gy.Name, Description: strings.TrimSpace(gy.Description)}
	if g.Name == "" {
		bad(1, "name is required")
	}
	seen := map[string]bool{}
	for i, t := range gy.Terms {
		switch {
		case t.Name == "":
			bad(t.line, "terms[%d].name is required", i)
		case seen[strings.ToLower(t.Name)]:
			bad(t.line, "terms[%d].name %q is declared twice", i, t.Name)
		}
		seen[strings.ToLower(t.Name)] = true
		if strings.TrimSpace(t.Definition) == "" {
			bad(t.line, "terms[%d] (%s).definition is required", i, t.Name)
		}
		g.Terms = append(g.Terms, Term{Name: t.Name, Definition: strings.TrimSpace(t.Definition), Synonyms: t.Synonyms, Related: t.Related})
	}
	for i, t := range gy.Terms {
		for _, r := range t.Related {
			if !seen[strings.ToLower(r)] {
				bad(t.line, "terms[%d] (%s).related: unknown term %q", i, t.Name, r)
			}
		}
	}
	sort.Slice(g.Terms, func(i, j int) bool { return g.Terms[i].Name < g.Terms[j].Name })
	return g, gy.AppliesTo, errors.Join(errs...)
}

// loadGovernance reads and checks metadata/governance.yaml and adds one role
// per domain team (which edits its domain and reads team_reads).
func loadGovernance(root string, teams map[string][]string) (Governance, error) {
	var gy governanceYAML
	if _, err := readYAML(root, GovernanceFile, &gy, false); err != nil {
		return Governance{}, err
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: "+format, append([]any{ErrInvalid, GovernanceFile}, args...)...))
	}
	g := Governance{DefaultAccess: gy.DefaultAccess, DefaultRole: gy.DefaultRole}
	access := map[string]bool{}
	for i, a := range gy.AccessLevels {
		if a.Name == "" || access[a.Name] {
			bad("access_levels[%d].name %q is empty or declared twice", i, a.Name)
		}
		if a.Tag != "" || a.Access != "" {
			bad("access_levels[%d] (%s): only name and description are allowed", i, a.Name)
		}
		access[a.Name] = true
		g.AccessLevels = append(g.AccessLevels, AccessLevel{Name: a.Name, Description: strings.TrimSpace(a.Description)})
	}
	checkAccess := func(field, v string) {
		if !access[v] {
			bad("%s: unknown access level %q (access_levels: %s)", field, v, strings.Join(slices.Sorted(maps.Keys(access)), ", "))
		}
	}
	if g.DefaultAccess == "" {
		bad("default_access is required")
	} else {
		checkAccess("default_access", g.DefaultAccess)
	}
	pii := map[string]bool{}
	for i, l := range gy.PIILevels {
		if l.Name == "" || pii[l.Name] {
			bad("pii_levels[%d].name %q is empty or declared twice", i, l.Name)
		}
		pii[l.Name] = true
		checkAccess(fmt.Sprintf("pii_levels[%d] (%s).access", i, l.Name), l.Access)
		if l.Tag == "" {
			bad("pii_levels[%d] (%s).tag is required (the classification tag, e.g. PII.Sensitive)", i, l.Name)
		}
		g.PIILevels = append(g.PIILevels, PIILevel{Name: l.Name, Description: strings.TrimSpace(l.Description), Tag: l.Tag, Access: l.Access})
	}
	roles := map[string]bool{}
	for i, r := range gy.Roles {
		if r.Name == "" || roles[r.Name] {
			bad("roles[%d].name %q is empty or declared twice", i, r.Name)
		}
		roles[r.Name] = true
		for _, a := range r.Reads {
			checkAccess(fmt.Sprintf("roles[%d] (%s).reads", i, r.Name), a)
		}
		for _, d := range r.Edits {
			if _, ok := teams[d]; !ok {
				bad("roles[%d] (%s).edits: no domain %q", i, r.Name, d)
			}
		}
		g.Roles = append(g.Roles, Role{Name: r.Name, Description: strings.TrimSpace(r.Description), Reads: r.Reads, Edits: r.Edits})
	}
	for _, a := range gy.TeamReads {
		checkAccess("team_reads", a)
	}
	// A domain's team is a role: it edits the domain's assets.
	byTeam := map[string][]string{}
	for d, ts := range teams {
		for _, t := range ts {
			byTeam[t] = append(byTeam[t], d)
		}
	}
	for _, team := range slices.Sorted(maps.Keys(byTeam)) {
		if roles[team] {
			bad("roles: %q is a domain team's name; its role is made from domain.yaml", team)
			continue
		}
		roles[team] = true
		ds := byTeam[team]
		sort.Strings(ds)
		g.Roles = append(g.Roles, Role{
			Name:        team,
			Description: "The team owning " + strings.Join(ds, ", ") + " (owners.team of domain.yaml): edits its assets.",
			Reads:       gy.TeamReads,
			Edits:       ds,
		})
	}
	if g.DefaultRole == "" {
		bad("default_role is required")
	} else if !roles[g.DefaultRole] {
		bad("default_role: unknown role %q", g.DefaultRole)
	}
	sort.Slice(g.Roles, func(i, j int) bool { return g.Roles[i].Name < g.Roles[j].Name })
	return g, errors.Join(errs...)
}

// loadConsumers reads the optional metadata/consumers.yaml.
func loadConsumers(root string) ([]Consumer, error) {
	var cy consumersYAML
	if _, err := readYAML(root, ConsumersFile, &cy, true); err != nil {
		return nil, err
	}
	return cy.Consumers, nil
}
