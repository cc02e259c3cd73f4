package magekit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// ErrForbiddenImport reports a module that depends on a domain it must not:
// a domain on another domain, or the platform on any domain. Domains share
// data through the lakehouse and the broker, never through code.
var ErrForbiddenImport = errors.New("forbidden import across domains")

// PlatformDir is the folder of the platform module.
const PlatformDir = "platform"

// ImportViolation is one package importing a package of a module it must not
// depend on.
type ImportViolation struct {
	Module   string // folder of the module whose dependencies break the rule, e.g. domains/returns
	Importer string // the importing package
	Imported string // the imported package
	Domain   string // the domain that owns Imported
}

func (v ImportViolation) String() string {
	return fmt.Sprintf("%s: %s imports %s (domain %s)", v.Module, v.Importer, v.Imported, v.Domain)
}

// CheckImports fails with ErrForbiddenImport, naming each offending import,
// when a domain module depends on another domain's module or the platform
// module depends on any domain module. It reads each module's dependency graph
// with `go list -deps -test` (tests included) in the workspace of root's
// go.work, so an indirect path through a third module counts too. A domain
// folder without a go.mod (not a module yet) has no dependencies of its own and
// is skipped.
func CheckImports(root string, domains []*domainspec.Domain) error {
	vs, err := ImportViolations(root, domains)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		return nil
	}
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = "  " + v.String()
	}
	return fmt.Errorf("%w: domains import only the platform, the platform imports no domain:\n%s",
		ErrForbiddenImport, strings.Join(lines, "\n"))
}

// ImportViolations lists the imports CheckImports forbids, sorted.
func ImportViolations(root string, domains []*domainspec.Domain) ([]ImportViolation, error) {
	owner := map[string]string{} // module path -> domain name
	type checked struct{ dir, self string }
	mods := []checked{{dir: PlatformDir}}
	for _, d := range domains {
		p, err := modulePath(filepath.Join(root, d.Dir))
		if errors.Is(err, os.ErrNotExist) {
			continue // not a module (yet): nothing of its own to check
		}
		if err != nil {
			return nil, fmt.Errorf("reading the module of domain %s: %w", d.Name, err)
		}
		owner[p] = d.Name
		mods = append(mods, checked{dir: d.Dir, self: p})
	}
	var out []ImportViolation
	seen := map[ImportViolation]bool{}
	for _, m := range mods {
		pkgs, err := listDeps(root, m.dir)
		if err != nil {
			return nil, err
		}
		forbidden := func(module string) bool {
			_, isDomain := owner[module]
			return isDomain && module != m.self
		}
		for _, p := range pkgs {
			if forbidden(p.module) {
				continue // reported where an allowed package imports it
			}
			for _, imp := range p.imports {
				im, ok := pkgs[imp]
				if !ok || !forbidden(im.module) {
					continue
				}
				v := ImportViolation{Module: m.dir, Importer: p.path, Imported: im.path, Domain: owner[im.module]}
				if !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

type listedPackage struct {
	path    string // import path without the test variant suffix
	module  string
	imports []string // as listed, test variants included
}

// listDeps runs `go list -deps -test ./...` in dir and returns every package
// of the graph by its listed import path (test variants look like
// "p [q.test]").
func listDeps(root, dir string) (map[string]listedPackage, error) {
	cmd := exec.Command("go", "list", "-e", "-deps", "-test",
		"-f", `{{.ImportPath}}{{"\t"}}{{with .Module}}{{.Path}}{{end}}{{"\t"}}{{join .Imports " "}}`, "./...")
	cmd.Dir = filepath.Join(root, dir)
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(root, "go.work"), "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the dependencies of %s: %w\n%s", dir, err, stderr.String())
	}
	pkgs := map[string]listedPackage{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			continue
		}
		path, _, _ := strings.Cut(f[0], " ")
		pkgs[f[0]] = listedPackage{path: path, module: f[1], imports: strings.Fields(f[2])}
	}
	return pkgs, sc.Err()
}

// modulePath reads the module path from dir/go.mod.
func modulePath(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", filepath.Join(dir, "go.mod"))
}
