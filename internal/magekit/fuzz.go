package magekit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ErrFuzz reports a fuzz target that failed: a crash, a broken property, or
// a seed of its corpus that no longer passes.
var ErrFuzz = errors.New("fuzzing failed")

// EnvFuzzTime is the variable `go run mage.go fuzz --time 30s` sets.
const EnvFuzzTime = "MESH_FUZZ_TIME"

// TestFunc is one fuzz test or benchmark of the tree.
type TestFunc struct {
	Module  string // folder of its Go module, relative to the root: "platform"
	Package string // its package, relative to the module: "./dbt"
	Name    string // "FuzzRender"
}

func (t TestFunc) String() string {
	return filepath.ToSlash(filepath.Join(t.Module, t.Package)) + " " + t.Name
}

// fuzzFuncRE matches the declaration of a fuzz test.
var fuzzFuncRE = regexp.MustCompile(`(?m)^func (Fuzz\w*)\(\w+ \*testing\.F\)`)

// FuzzTargets scans the _test.go files under root for fuzz tests, so a new
// one is fuzzed without being listed anywhere. Hidden folders, testdata and
// bin are skipped. The targets come sorted by module, package and name.
func FuzzTargets(root string) ([]TestFunc, error) { return scanTestFuncs(root, fuzzFuncRE) }

// scanTestFuncs returns the functions of _test.go files under root whose
// declaration re matches (its first group is the name).
func scanTestFuncs(root string, re *regexp.Regexp) ([]TestFunc, error) {
	var out []TestFunc
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "bin" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		ms := re.FindAllSubmatch(src, -1)
		if len(ms) == 0 {
			return nil
		}
		mod, err := moduleOf(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(filepath.Join(root, mod), filepath.Dir(p))
		if err != nil {
			return err
		}
		pkg := "./" + filepath.ToSlash(rel)
		if rel == "." {
			pkg = "."
		}
		for _, m := range ms {
			out = append(out, TestFunc{Module: filepath.ToSlash(mod), Package: pkg, Name: string(m[1])})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, err
}

// moduleOf returns the folder (relative to root) of the nearest go.mod at or
// above dir.
func moduleOf(root, dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Rel(root, d)
		}
		if d == root || d == filepath.Dir(d) {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
	}
}

// FuzzResult is how one target's run ended.
type FuzzResult struct {
	Target  TestFunc
	Err     error
	Elapsed time.Duration
	// Output is go test's output, kept for a failed run: it names the
	// failing input written under the package's testdata/fuzz/<Name>/.
	Output string
}

// RunFuzz fuzzes each target for `each` (go test -fuzz, after its seed
// corpus), one at a time since each uses every core. It prints a line per
// target as it goes, then a summary, and fails with ErrFuzz naming each
// failed target; a failure's output (with the input to add to the corpus as a
// regression test) is printed in full.
func RunFuzz(root string, targets []TestFunc, each time.Duration, out io.Writer) ([]FuzzResult, error) {
	start := time.Now()
	fmt.Fprintf(out, "fuzzing %d targets, %s each (plus building each test binary)\n", len(targets), each)
	var results []FuzzResult
	var failed []string
	for i, t := range targets {
		fmt.Fprintf(out, "[%d/%d] %s ... ", i+1, len(targets), t)
		began := time.Now()
		var buf bytes.Buffer
		fuzz := func() error {
			buf.Reset()
			cmd := exec.Command("go", "test", "-run", "^$", "-fuzz", "^"+t.Name+"$", "-fuzztime", each.String(), t.Package)
			cmd.Dir = filepath.Join(root, t.Module)
			cmd.Stdout, cmd.Stderr = &buf, &buf
			return cmd.Run()
		}
		err := fuzz()
		if err != nil && FuzzDeadlineRace(buf.String()) {
			fmt.Fprintf(out, "stopped by Go's fuzz deadline race (go.dev/issue/75804, no failing input), again ... ")
			err = fuzz()
		}
		r := FuzzResult{Target: t, Elapsed: time.Since(began)}
		if err != nil {
			r.Err, r.Output = err, buf.String()
			failed = append(failed, t.String())
			fmt.Fprintf(out, "FAILED in %s\n%s\n", r.Elapsed.Round(time.Second), indent(r.Output))
		} else {
			fmt.Fprintf(out, "ok in %s\n", r.Elapsed.Round(time.Second))
		}
		results = append(results, r)
	}
	fmt.Fprintf(out, "\nfuzzed %d targets in %s: %d ok, %d failed\n", len(targets), time.Since(start).Round(time.Second), len(targets)-len(failed), len(failed))
	if len(failed) > 0 {
		return results, fmt.Errorf("%w: %s (a failing input is in the package's testdata/fuzz/<target>/: fix the bug and keep the file as a regression test)", ErrFuzz, strings.Join(failed, ", "))
	}
	return results, nil
}

// FuzzDeadlineRace reports whether a failed `go test -fuzz` run is Go's
// own race at the -fuzztime deadline (go.dev/issue/75804, fixed in Go 1.27):
// the coordinator reports "context deadline exceeded" as a failure of the
// target, most often on a loaded machine, and no failing input was written.
// Such a run says nothing about the target, so RunFuzz runs it once more; a
// run that wrote a failing input is never one.
func FuzzDeadlineRace(output string) bool {
	return strings.Contains(output, "\n    context deadline exceeded\n") && !strings.Contains(output, "Failing input written to")
}

// FuzzTime reads EnvFuzzTime, def when unset.
func FuzzTime(def time.Duration) (time.Duration, error) {
	s := os.Getenv(EnvFuzzTime)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--time (%s) = %q: want a duration such as 30s", EnvFuzzTime, s)
	}
	return d, nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
