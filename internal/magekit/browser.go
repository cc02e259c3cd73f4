package magekit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// EnsureChromium returns the headless browser for the serve browser test
// (platform/serve): MESH_CHROMIUM, else chromium on PATH, else Debian's
// chromium installed with apt when running as root, else an error saying how
// to get one (under CI=true the test fails without it).
func EnsureChromium() (string, error) {
	return ensureTool(tool{
		env: "MESH_CHROMIUM", binaries: []string{"chromium", "chromium-browser"}, debian: "chromium",
		why: "the meshctl serve browser test", macOS: "brew install --cask chromium",
		elsewhere: "set MESH_CHROMIUM to a Chromium or Chrome binary",
	})
}

// EnsureGraphviz returns Graphviz's dot, which meshctl catalog lineage
// --format svg|png runs: on PATH, else Debian's graphviz installed with apt
// when running as root, else an error saying how to get it.
func EnsureGraphviz() (string, error) {
	return ensureTool(tool{
		binaries: []string{"dot"}, debian: "graphviz",
		why: "meshctl catalog lineage --format svg|png and its test", macOS: "brew install graphviz",
		elsewhere: "install Graphviz from https://graphviz.org/download/",
	})
}

// tool is a program the tests run that the distribution packages.
type tool struct {
	env                   string   // a variable naming the binary, if any
	binaries              []string // names looked up on PATH
	debian                string   // the Debian package
	why, macOS, elsewhere string
}

func ensureTool(t tool) (string, error) {
	if t.env != "" {
		if p := os.Getenv(t.env); p != "" {
			return p, nil
		}
	}
	look := func() (string, bool) {
		for _, name := range t.binaries {
			if p, err := exec.LookPath(name); err == nil {
				return p, true
			}
		}
		return "", false
	}
	if p, ok := look(); ok {
		return p, nil
	}
	if canInstallPackages() {
		if err := aptInstall(t.debian); err != nil {
			return "", fmt.Errorf("installing %s: %w", t.debian, err)
		}
		if p, ok := look(); ok {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s is not installed (%s needs it).\n"+
		"  Debian/Ubuntu: sudo apt-get install -y %s\n"+
		"  macOS:         %s\n"+
		"  Elsewhere:     %s", t.binaries[0], t.why, t.debian, t.macOS, t.elsewhere)
}

// WebDir is where meshctl serve's npm packages are pinned, and VendorDir
// where their built files are committed, relative to the repository root.
const (
	WebDir    = "platform/serve/web"
	VendorDir = "platform/serve/assets/vendor"
)

// BuildWebAssets installs the pinned npm packages (npm ci, from
// package-lock.json), builds the vendored browser files into a temporary
// directory and compares them with the committed ones. Files that differ are
// rewritten and reported as an error, so a stale commit fails like check's
// drift does.
func BuildWebAssets(root string) error {
	web := filepath.Join(root, WebDir)
	start := time.Now()
	fmt.Printf("npm ci in %s (package-lock.json)...\n", WebDir)
	ci := exec.Command("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	ci.Dir, ci.Stdout, ci.Stderr = web, os.Stdout, os.Stderr
	if err := ci.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w", WebDir, err)
	}
	tmp, err := os.MkdirTemp("", "mesh-web-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	build := exec.Command("node", "build.mjs", tmp)
	build.Dir, build.Stdout, build.Stderr = web, os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("node build.mjs in %s: %w", WebDir, err)
	}
	built, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	vendor := filepath.Join(root, VendorDir)
	var changed []string
	want := map[string]bool{}
	for _, e := range built {
		want[e.Name()] = true
		data, err := os.ReadFile(filepath.Join(tmp, e.Name()))
		if err != nil {
			return err
		}
		old, err := os.ReadFile(filepath.Join(vendor, e.Name()))
		if err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.MkdirAll(vendor, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(vendor, e.Name()), data, 0o644); err != nil {
			return err
		}
		changed = append(changed, e.Name())
	}
	have, err := os.ReadDir(vendor)
	if err != nil {
		return err
	}
	for _, e := range have {
		if !want[e.Name()] {
			if err := os.Remove(filepath.Join(vendor, e.Name())); err != nil {
				return err
			}
			changed = append(changed, e.Name()+" (removed)")
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		return fmt.Errorf("%s did not match package-lock.json; rewrote %s: commit them", VendorDir, strings.Join(changed, ", "))
	}
	fmt.Printf("%s matches package-lock.json (%d files, %s)\n", VendorDir, len(built), time.Since(start).Round(time.Second))
	return nil
}
