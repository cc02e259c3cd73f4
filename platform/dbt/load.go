// Loading a project from files: dbt_project.yml, packages.yml, macros,
// models and seeds.

package dbt

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadOptions are the knobs of Load.
type LoadOptions struct {
	// Packages resolves packages.yml entries, keyed by package name or by the
	// basename of a local path (embedded filesystems cannot reach ../).
	Packages map[string]fs.FS
	// Vars overrides project vars, like dbt's --vars.
	Vars map[string]any
	// Env looks up env_var(); nil means os.LookupEnv.
	Env func(string) (string, bool)
}

// ---- dbt_project.yml --------------------------------------------------------

type projectFile struct {
	Name        string         `yaml:"name"`
	Version     any            `yaml:"version"`
	Profile     string         `yaml:"profile"`
	ModelPaths  []string       `yaml:"model-paths"`
	SourcePaths []string       `yaml:"source-paths"`
	MacroPaths  []string       `yaml:"macro-paths"`
	SeedPaths   []string       `yaml:"seed-paths"`
	DataPaths   []string       `yaml:"data-paths"`
	Vars        map[string]any `yaml:"vars"`
	Models      map[string]any `yaml:"models"`
	Seeds       map[string]any `yaml:"seeds"`
}

type pkg struct {
	name    string
	fsys    fs.FS
	project projectFile
	root    bool
}

func (k *pkg) display(p string) string {
	if k.root {
		return p
	}
	return k.name + "/" + p
}

// yamlError rewrites a yaml.v3 error as "<file>:<line>: <message>".
func yamlError(file string, err error) error {
	msg := err.Error()
	line := ""
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j > 0 {
			line = rest[:j]
			msg = strings.TrimSpace(strings.TrimPrefix(rest[j:], ":"))
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if line != "" {
		return fmt.Errorf("%w: %s:%s: invalid YAML: %s", ErrProject, file, line, msg)
	}
	return fmt.Errorf("%w: %s: invalid YAML: %s", ErrProject, file, msg)
}

func readProject(fsys fs.FS, display string) (projectFile, error) {
	var pf projectFile
	b, err := fs.ReadFile(fsys, "dbt_project.yml")
	if err != nil {
		return pf, fmt.Errorf("%w: reading %s: %v", ErrProject, display, err)
	}
	if err := yaml.Unmarshal(b, &pf); err != nil {
		return pf, yamlError(display, err)
	}
	if pf.Name == "" {
		return pf, fmt.Errorf("%w: %s: name is required", ErrProject, display)
	}
	if len(pf.ModelPaths) == 0 {
		pf.ModelPaths = pf.SourcePaths
	}
	if len(pf.ModelPaths) == 0 {
		pf.ModelPaths = []string{"models"}
	}
	if len(pf.MacroPaths) == 0 {
		pf.MacroPaths = []string{"macros"}
	}
	if len(pf.SeedPaths) == 0 {
		pf.SeedPaths = pf.DataPaths
	}
	if len(pf.SeedPaths) == 0 {
		pf.SeedPaths = []string{"seeds"}
	}
	return pf, nil
}

type packagesFile struct {
	Packages []map[string]any `yaml:"packages"`
}

// Load parses a dbt project from fsys, whose root is the project directory.
func Load(fsys fs.FS, opts LoadOptions) (*Project, error) {
	rootPF, err := readProject(fsys, "dbt_project.yml")
	if err != nil {
		return nil, err
	}
	env := opts.Env
	if env == nil {
		env = os.LookupEnv
	}
	p := &Project{
		Name:        rootPF.Name,
		ProfileName: rootPF.Profile,
		Version:     fmt.Sprint(orDefault(rootPF.Version, "")),
		Models:      map[string]*Model{},
		Sources:     map[string]*Source{},
		Seeds:       map[string]*Seed{},
		Macros:      map[string]*Macro{},
		env:         env,
		cliVars:     opts.Vars,
		pkgVars:     map[string]map[string]any{},
		pkgMacros:   map[string]map[string]*Macro{},
		rootPF:      rootPF,
	}
	root := &pkg{name: rootPF.Name, fsys: fsys, project: rootPF, root: true}
	pkgs, err := resolvePackages(fsys, opts.Packages)
	if err != nil {
		return nil, err
	}
	// dbt_project.yml may use env_var() and var(): render its strings.
	all := append(pkgs, root)
	for _, k := range all {
		if err := p.renderProjectStrings(k); err != nil {
			return nil, err
		}
	}
	p.Vars = p.varsFor(p.Name)
	for _, k := range pkgs {
		p.Packages = append(p.Packages, k.name)
	}
	sort.Strings(p.Packages)

	// Macros first: packages, then the root project, whose macros win.
	for _, k := range all {
		if err := p.loadMacros(k); err != nil {
			return nil, err
		}
	}
	props := map[string]*propertyFiles{}
	for _, k := range all {
		if err := p.loadModels(k); err != nil {
			return nil, err
		}
		if err := p.loadSeeds(k); err != nil {
			return nil, err
		}
		pf, err := p.loadProperties(k)
		if err != nil {
			return nil, err
		}
		props[k.name] = pf
	}
	for _, k := range all {
		if err := p.applyProperties(k, props[k.name]); err != nil {
			return nil, err
		}
	}
	if err := p.checkCalls(); err != nil {
		return nil, err
	}
	if err := p.discover(all, root); err != nil {
		return nil, err
	}
	for _, k := range all {
		if err := p.buildTests(k, props[k.name]); err != nil {
			return nil, err
		}
	}
	sort.Slice(p.Tests, func(i, j int) bool { return p.Tests[i].UniqueID < p.Tests[j].UniqueID })
	return p, nil
}

func orDefault(v any, d any) any {
	if v == nil {
		return d
	}
	return v
}

// resolvePackages reads packages.yml and returns the packages it names.
func resolvePackages(fsys fs.FS, provided map[string]fs.FS) ([]*pkg, error) {
	b, err := fs.ReadFile(fsys, "packages.yml")
	if errors.Is(err, fs.ErrNotExist) {
		b, err = fs.ReadFile(fsys, "dependencies.yml")
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading packages.yml: %v", ErrPackage, err)
	}
	var pf packagesFile
	if err := yaml.Unmarshal(b, &pf); err != nil {
		return nil, yamlError("packages.yml", err)
	}
	keys := make([]string, 0, len(provided))
	for k := range provided {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []*pkg
	seen := map[string]bool{}
	for _, entry := range pf.Packages {
		var ref, kind string
		switch {
		case entry["local"] != nil:
			kind, ref = "local", fmt.Sprint(entry["local"])
		case entry["package"] != nil:
			kind, ref = "package", fmt.Sprint(entry["package"])
		case entry["git"] != nil:
			kind, ref = "git", fmt.Sprint(entry["git"])
		default:
			return nil, fmt.Errorf("%w: packages.yml: entry %v has no local, package or git key", ErrPackage, entry)
		}
		base := path.Base(strings.TrimSuffix(strings.TrimSuffix(ref, "/"), ".git"))
		pfs, ok := provided[ref]
		if !ok {
			pfs, ok = provided[base]
		}
		if !ok {
			return nil, fmt.Errorf("%w: packages.yml: %s package %q is not provided (LoadOptions.Packages has %v; key it by package name or %q)", ErrPackage, kind, ref, keys, base)
		}
		ppf, err := readProject(pfs, base+"/dbt_project.yml")
		if err != nil {
			return nil, fmt.Errorf("packages.yml: %s package %q: %w", kind, ref, err)
		}
		if seen[ppf.Name] {
			continue
		}
		seen[ppf.Name] = true
		out = append(out, &pkg{name: ppf.Name, fsys: pfs, project: ppf})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// renderProjectStrings renders Jinja in dbt_project.yml string values
// (env_var, var), as dbt does.
func (p *Project) renderProjectStrings(k *pkg) error {
	var walk func(v any) (any, error)
	walk = func(v any) (any, error) {
		switch t := v.(type) {
		case string:
			if !strings.Contains(t, "{{") && !strings.Contains(t, "{%") {
				return t, nil
			}
			tp, err := parseTemplate(k.display("dbt_project.yml"), t)
			if err != nil {
				return nil, err
			}
			r := &renderer{p: p, pkg: k.name, vars: k.project.Vars}
			return r.render(tp)
		case map[string]any:
			for kk, vv := range t {
				nv, err := walk(vv)
				if err != nil {
					return nil, err
				}
				t[kk] = nv
			}
		case []any:
			for i, vv := range t {
				nv, err := walk(vv)
				if err != nil {
					return nil, err
				}
				t[i] = nv
			}
		}
		return v, nil
	}
	if _, err := walk(k.project.Vars); err != nil {
		return err
	}
	p.pkgVars[k.name] = k.project.Vars
	if _, err := walk(k.project.Models); err != nil {
		return err
	}
	if _, err := walk(k.project.Seeds); err != nil {
		return err
	}
	return nil
}

// walkFiles lists files under dir with one of the extensions, sorted.
func walkFiles(fsys fs.FS, dir string, exts ...string) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				out = append(out, p)
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: listing %s: %v", ErrProject, dir, err)
	}
	sort.Strings(out)
	return out, nil
}

func (p *Project) loadMacros(k *pkg) error {
	if p.pkgMacros[k.name] == nil {
		p.pkgMacros[k.name] = map[string]*Macro{}
	}
	for _, dir := range k.project.MacroPaths {
		files, err := walkFiles(k.fsys, dir, ".sql")
		if err != nil {
			return err
		}
		for _, f := range files {
			b, err := fs.ReadFile(k.fsys, f)
			if err != nil {
				return fmt.Errorf("%w: reading %s: %v", ErrProject, k.display(f), err)
			}
			tp, err := parseTemplate(k.display(f), string(b))
			if err != nil {
				return err
			}
			names := make([]string, 0, len(tp.t.Macros()))
			for name := range tp.t.Macros() {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				node := tp.t.Macros()[name]
				m := &Macro{Name: name, UniqueID: "macro." + k.name + "." + name, Package: k.name, Path: f, file: tp, SQL: macroSource(string(b), name)}
				for _, kw := range node.Kwargs {
					m.Arguments = append(m.Arguments, dottedName(kw.Key))
				}
				sc := scanNode(node)
				m.calls, m.defined = sc.calls, sc.defined
				if prev, dup := p.pkgMacros[k.name][name]; dup {
					return fmt.Errorf("%w: macro %q is defined twice in package %s: %s and %s", ErrProject, name, k.name, prev.Path, f)
				}
				p.pkgMacros[k.name][name] = m
				p.Macros[name] = m // the root project comes last and wins
			}
		}
	}
	return nil
}

// macroSource extracts the {% macro name(...) %}...{% endmacro %} block.
func macroSource(src, name string) string {
	idx := -1
	for off := 0; ; {
		i := strings.Index(src[off:], "{%")
		if i < 0 {
			break
		}
		i += off
		rest := strings.TrimLeft(src[i+2:], "-+ \t\n")
		if strings.HasPrefix(rest, "macro") && strings.HasPrefix(strings.TrimLeft(rest[5:], " \t\n"), name) {
			idx = i
			break
		}
		off = i + 2
	}
	if idx < 0 {
		return src
	}
	end := strings.Index(src[idx:], "endmacro")
	if end < 0 {
		return src[idx:]
	}
	end += idx
	if close := strings.Index(src[end:], "%}"); close >= 0 {
		return src[idx : end+close+2]
	}
	return src[idx:]
}

func checksum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (p *Project) loadModels(k *pkg) error {
	for _, dir := range k.project.ModelPaths {
		files, err := walkFiles(k.fsys, dir, ".sql", ".py")
		if err != nil {
			return err
		}
		for _, f := range files {
			if strings.HasSuffix(f, ".py") {
				return fmt.Errorf("%w: %s: Python models are not supported", ErrUnsupported, k.display(f))
			}
			b, err := fs.ReadFile(k.fsys, f)
			if err != nil {
				return fmt.Errorf("%w: reading %s: %v", ErrProject, k.display(f), err)
			}
			name := strings.TrimSuffix(path.Base(f), ".sql")
			if prev, dup := p.Models[name]; dup {
				return fmt.Errorf("%w: model %q is defined twice: %s (%s) and %s (%s)", ErrProject, name, prev.Path, prev.Package, f, k.name)
			}
			tp, err := parseTemplate(k.display(f), string(b))
			if err != nil {
				return err
			}
			m := &Model{
				Name: name, UniqueID: "model." + k.name + "." + name, Path: f, RawSQL: string(b),
				Package: k.name, tpl: tp, Meta: map[string]any{},
			}
			// dbt_project.yml config for the folder, root project last.
			cfg := map[string]any{}
			rel := strings.Split(strings.TrimSuffix(strings.TrimPrefix(f, dir+"/"), ".sql"), "/")
			mergeConfig(cfg, treeConfig(k.project.Models, k.name, rel))
			if !k.root {
				mergeConfig(cfg, treeConfig(p.rootModelsTree(), k.name, rel))
			}
			m.unrendered = cfg
			p.Models[name] = m
		}
	}
	return nil
}

func (p *Project) rootModelsTree() map[string]any { return p.rootPF.Models }

// loadSeeds reads the CSV files under the seed paths.
func (p *Project) loadSeeds(k *pkg) error {
	for _, dir := range k.project.SeedPaths {
		files, err := walkFiles(k.fsys, dir, ".csv")
		if err != nil {
			return err
		}
		for _, f := range files {
			b, err := fs.ReadFile(k.fsys, f)
			if err != nil {
				return fmt.Errorf("%w: reading %s: %v", ErrProject, k.display(f), err)
			}
			name := strings.TrimSuffix(path.Base(f), ".csv")
			if _, dup := p.Seeds[name]; dup {
				return fmt.Errorf("%w: seed %q is defined twice", ErrProject, name)
			}
			if _, clash := p.Models[name]; clash {
				return fmt.Errorf("%w: %s: seed %q has the name of a model", ErrProject, k.display(f), name)
			}
			r := csv.NewReader(bytes.NewReader(b))
			recs, err := r.ReadAll()
			if err != nil {
				return fmt.Errorf("%w: %s: %v", ErrProject, k.display(f), err)
			}
			s := &Seed{Name: name, UniqueID: "seed." + k.name + "." + name, Path: f, Package: k.name, Meta: map[string]any{}, Checksum: checksum(b), RawCSV: string(b)}
			if len(recs) > 0 {
				s.Header, s.Rows = recs[0], recs[1:]
			}
			rel := strings.Split(strings.TrimSuffix(strings.TrimPrefix(f, dir+"/"), ".csv"), "/")
			cfg := treeConfig(k.project.Seeds, k.name, rel)
			if !k.root {
				mergeConfig(cfg, treeConfig(p.rootPF.Seeds, k.name, rel))
			}
			s.applyConfig(cfg)
			p.Seeds[name] = s
		}
	}
	return nil
}
