package masterdata

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// PinDir is the folder of a consumer domain holding its pinned copies of
// other domains' published tables, <PinDir>/<owner>.<table>.csv.
const PinDir = "masterdata"

var identRE = regexp.MustCompile(`^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$`)

// ParseIdent splits an identifier "<owner>.<table>" (e.g. inventory.products).
func ParseIdent(ident string) (owner, table string, err error) {
	m := identRE.FindStringSubmatch(ident)
	if m == nil {
		return "", "", fmt.Errorf("%w: identifier %q: want <owner domain>.<table>, e.g. inventory.products", ErrMalformed, ident)
	}
	return m[1], m[2], nil
}

// PinPath is the path of the pinned copy of ident inside a consumer domain's
// folder (and its embedded files).
func PinPath(ident string) string { return path.Join(PinDir, ident+".csv") }

// SeedPath is the path, relative to the repository root, of the seed in
// which owner publishes table.
func SeedPath(owner *domainspec.Domain, table string) string {
	return path.Join(filepath.ToSlash(owner.Dir), "dbt", "seeds", table+".csv")
}

// Published returns the owner of ident among domains and the path of the
// seed that publishes it, relative to the repository root. It fails when no
// domain of that name exists or it does not list the table in its
// domain.yaml (masterdata: [...]).
func Published(domains []*domainspec.Domain, ident string) (*domainspec.Domain, string, error) {
	owner, table, err := ParseIdent(ident)
	if err != nil {
		return nil, "", err
	}
	for _, d := range domains {
		if d.Name != owner {
			continue
		}
		if !slices.Contains(d.MasterData, table) {
			return nil, "", fmt.Errorf("%w: %s: %s/domain.yaml publishes no %q (masterdata: %v)",
				ErrUnknownTable, ident, d.Dir, table, d.MasterData)
		}
		return d, SeedPath(d, table), nil
	}
	return nil, "", fmt.Errorf("%w: %s: no domain %q", ErrUnknownTable, ident, owner)
}

// Load reads the table ident from its owner's committed seed in the
// repository at root (found through the owner's domain.yaml): for tests and
// tools that run inside the repository. Binaries read their pinned copy
// instead (Open).
func Load(root, ident string) (Table, error) {
	owner, _, err := ParseIdent(ident)
	if err != nil {
		return Table{}, err
	}
	dir := path.Join("domains", owner)
	d, err := domainspec.Load(filepath.Join(root, filepath.FromSlash(dir), domainspec.FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return Table{}, fmt.Errorf("%w: %s: no domain %q", ErrUnknownTable, ident, owner)
	}
	if err != nil {
		return Table{}, err
	}
	d.Dir = dir
	_, seed, err := Published([]*domainspec.Domain{d}, ident)
	if err != nil {
		return Table{}, err
	}
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(seed)))
	if err != nil {
		return Table{}, fmt.Errorf("reading %s: %w", ident, err)
	}
	return ParseCSV(seed, data)
}

// Open reads the pinned copy of ident from a consumer's files (its embed.FS,
// holding PinPath(ident)).
func Open(fsys fs.FS, ident string) (Table, error) {
	if _, _, err := ParseIdent(ident); err != nil {
		return Table{}, err
	}
	p := PinPath(ident)
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return Table{}, fmt.Errorf("%w: %s: no pinned copy %s (create it, embed <domain>/masterdata/*.csv and run `go run mage.go check` to fill it): %v",
			ErrUnknownTable, ident, p, err)
	}
	return ParseCSV(p, data)
}

// MustOpen is Open for the package variables of a consumer's generator: a
// missing or malformed pinned copy is a build mistake (`go run mage.go
// check` names it), so the binary refuses to start.
func MustOpen(fsys fs.FS, ident string) Table {
	t, err := Open(fsys, ident)
	if err != nil {
		panic(err)
	}
	return t
}

// CheckSeeds compares the committed seeds in dir (an owner's dbt/seeds) with
// the registered tables names and returns the names whose file differs or is
// missing. With write set it rewrites those files first, so an owner's test
// run with it publishes a changed generator's data.
func CheckSeeds(dir string, names []string, write bool) ([]string, error) {
	var stale []string
	for _, name := range names {
		t, err := Lookup(name)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, name+".csv")
		want := t.CSV()
		got, err := os.ReadFile(p)
		if err == nil && bytes.Equal(got, want) {
			continue
		}
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		stale = append(stale, name)
		if write {
			if err := os.WriteFile(p, want, 0o644); err != nil {
				return nil, fmt.Errorf("publishing %s: %w", name, err)
			}
		}
	}
	return stale, nil
}

// IdentOfPin returns the identifier of a pinned copy's file name
// ("inventory.products.csv"), or an error naming the file.
func IdentOfPin(file string) (string, error) {
	ident, ok := strings.CutSuffix(path.Base(filepath.ToSlash(file)), ".csv")
	if !ok {
		return "", fmt.Errorf("%w: %s: a pinned copy is named <owner>.<table>.csv", ErrMalformed, file)
	}
	if _, _, err := ParseIdent(ident); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return ident, nil
}
