package magekit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Variables that place and choose what the interop checks install.
const (
	// EnvInteropCache is the directory holding the virtual environments and
	// Java artifacts of the interop checks (default: the user cache directory).
	EnvInteropCache = "MESH_INTEROP_CACHE"
	// EnvPython is the Python interpreter the environments are built with.
	EnvPython = "MESH_PYTHON"
)

// InteropDir is where each tool's lock, input requirements and checks live,
// relative to the repository root: internal/interop/<tool>/.
const InteropDir = "internal/interop"

// InteropCache returns the cache directory of the interop checks, outside the
// repository so that a fresh clone reuses it.
func InteropCache() (string, error) {
	if d := os.Getenv(EnvInteropCache); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a cache directory (set %s): %w", EnvInteropCache, err)
	}
	return filepath.Join(d, "mesh-warehouse", "interop"), nil
}

// Python returns the interpreter the virtual environments are built with.
func Python() (string, error) {
	if p := os.Getenv(EnvPython); p != "" {
		return p, nil
	}
	for _, name := range []string{"python3.11", "python3"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("python3 not found: install Python 3.11 (Debian: apt-get install -y python3 python3-venv) or set %s", EnvPython)
}

// Venv is a Python virtual environment of one tool, built from its lock.
type Venv struct {
	Tool string
	Dir  string
}

// Bin returns the path of an executable installed in the environment.
func (v Venv) Bin(name string) string { return filepath.Join(v.Dir, "bin", name) }

// Env returns the environment variables that run a command inside v.
func (v Venv) Env() []string {
	return []string{
		"VIRTUAL_ENV=" + v.Dir,
		"PATH=" + filepath.Join(v.Dir, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
	}
}

// Run runs a program of the environment in dir with extra environment
// variables, streaming its output to w.
func (v Venv) Run(w io.Writer, dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(v.Bin(name), args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = w, w
	cmd.Env = append(append(os.Environ(), v.Env()...), env...)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s (%s environment): %w", name, strings.Join(args, " "), v.Tool, err)
	}
	return nil
}

// completeMarker is written last into a finished environment: a directory
// without it is a half-built environment and is rebuilt.
const completeMarker = ".mesh-complete"

// lockPath is the committed, fully pinned requirements file of a tool.
func lockPath(root, tool string) string {
	return filepath.Join(root, InteropDir, tool, "requirements.lock")
}

// EnsureVenv returns the virtual environment of tool, building it from
// internal/interop/<tool>/requirements.lock when no environment of that exact
// lock exists in the cache. Every package comes from the lock (pip --no-deps),
// so nothing unpinned is ever resolved; pip check then proves the lock is whole.
func EnsureVenv(root, tool string) (Venv, error) {
	lock := lockPath(root, tool)
	body, err := os.ReadFile(lock)
	if err != nil {
		return Venv{}, fmt.Errorf("reading the %s lock: %w (regenerate it: go run mage.go interop:lock %s)", tool, err, tool)
	}
	cache, err := InteropCache()
	if err != nil {
		return Venv{}, err
	}
	sum := sha256.Sum256(body)
	v := Venv{Tool: tool, Dir: filepath.Join(cache, "venvs", tool+"-"+hex.EncodeToString(sum[:6]))}
	if _, err := os.Stat(filepath.Join(v.Dir, completeMarker)); err == nil {
		return v, nil
	}
	unlock, err := lockCache(v.Dir)
	if err != nil {
		return Venv{}, err
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(v.Dir, completeMarker)); err == nil {
		return v, nil // another run built it meanwhile
	}
	fmt.Printf("building the %s environment from %s into %s (once per lock)...\n", tool, rel(root, lock), v.Dir)
	start := time.Now()
	if err := createVenv(v.Dir); err != nil {
		return Venv{}, err
	}
	if err := v.Run(os.Stdout, root, nil, "pip", "install", "--no-deps", "--progress-bar", "off", "-q", "-r", lock); err != nil {
		return Venv{}, err
	}
	if err := v.Run(os.Stdout, root, nil, "pip", "check"); err != nil {
		return Venv{}, fmt.Errorf("%s's lock misses a dependency (regenerate it: go run mage.go interop:lock %s): %w", tool, tool, err)
	}
	if err := os.WriteFile(filepath.Join(v.Dir, completeMarker), nil, 0o644); err != nil {
		return Venv{}, err
	}
	fmt.Printf("%s environment ready in %s\n", tool, time.Since(start).Round(time.Second))
	return v, nil
}

func createVenv(dir string) error {
	py, err := Python()
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if out, err := exec.Command(py, "-m", "venv", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("%s -m venv %s: %w: %s", py, dir, err, out)
	}
	return nil
}

// LockVenv regenerates a tool's lock: it installs internal/interop/<tool>/requirements.in
// (the tool's top-level pins) into a scratch environment with pip's resolver
// and writes every installed package, pinned, to requirements.lock.
func LockVenv(root, tool string) error {
	in := filepath.Join(root, InteropDir, tool, "requirements.in")
	if _, err := os.Stat(in); err != nil {
		return fmt.Errorf("%s: %w", rel(root, in), err)
	}
	scratch, err := os.MkdirTemp("", "mesh-lock-"+tool+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	v := Venv{Tool: tool, Dir: filepath.Join(scratch, "venv")}
	if err := createVenv(v.Dir); err != nil {
		return err
	}
	fmt.Printf("resolving %s...\n", rel(root, in))
	if err := v.Run(os.Stdout, root, nil, "pip", "install", "--progress-bar", "off", "-q", "-r", in); err != nil {
		return err
	}
	var frozen bytes.Buffer
	// setuptools stays in the lock: a tool may require a newer one than the
	// venv's (openmetadata-ingestion asks >= 78.1.1), and pip check fails then.
	if err := v.Run(&frozen, root, nil, "pip", "freeze", "--all", "--exclude", "pip", "--exclude", "wheel"); err != nil {
		return err
	}
	py, _ := Python()
	version, _ := exec.Command(py, "-c", "import platform; print(platform.python_version())").Output()
	var out bytes.Buffer
	fmt.Fprintf(&out, "# Generated by 'go run mage.go interop:lock %s' from requirements.in on Python %s: do not edit.\n", tool, strings.TrimSpace(string(version)))
	sc := bufio.NewScanner(&frozen)
	n := 0
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out.WriteString(line + "\n")
			n++
		}
	}
	if err := os.WriteFile(lockPath(root, tool), out.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d packages pinned\n", rel(root, lockPath(root, tool)), n)
	return nil
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return r
	}
	return path
}
