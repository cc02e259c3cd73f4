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
	if p := os.Getenv("MESH_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	if canInstallPackages() {
		if err := aptInstall("chromium"); err != nil {
			return "", fmt.Errorf("installing chromium: %w", err)
		}
		if p, err := exec.LookPath("chromium"); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium is not installed (the meshctl serve browser test needs it).\n" +
		"  Debian/Ubuntu: sudo apt-get install -y chromium\n" +
		"  macOS:         brew install --cask chromium\n" +
		"  Elsewhere:     set MESH_CHROMIUM to a Chromium or Chrome binary")
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
