package magekit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/meshterious/warehouse/platform/filelock"
)

// Names of an interop run. Two runs at once (two `go run mage.go interop`,
// or two clones in CI on one machine) must not share a run directory, a
// RabbitMQ virtual host or a PostgreSQL database, or one would delete the
// other's data under it. Each process therefore suffixes every name with its
// own run id, "<pid>-<random>", and removes what it made when it ends
// (cleanupInteropRun); only the caches (venvs, npm packages, Maven jars) are
// shared.

// interopRunID is this process's run id.
var interopRunID = sync.OnceValue(func() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
})

// interopMade is what this process's interop run created, removed at its end.
var interopMade struct {
	sync.Mutex
	dirs      []string
	vhosts    []string
	databases []string // DSNs of the server's maintenance database, then the name: "dsn\x00name"
}

// interopOutputDir returns the empty directory build/interop/<name> of the
// repository at root for what a check makes for people to look at
// (screenshots, executed notebooks). It outlives the run directory, which
// is removed when the checks pass, and it is the clone's own, so two clones
// do not share it.
func interopOutputDir(root, name string) (string, error) {
	dir := filepath.Join(root, "build", "interop", name)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// interopRunDir returns a new, empty directory <cache>/runs/<name>-<run id>
// for one check's data and logs. The first call also removes the run
// directories that runs which died without cleaning up left behind.
func interopRunDir(name string) (string, error) {
	cache, err := InteropCache()
	if err != nil {
		return "", err
	}
	runs := filepath.Join(cache, "runs")
	sweepInteropRuns.Do(func() { removeDeadRuns(runs) })
	dir := filepath.Join(runs, name+"-"+interopRunID())
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	interopMade.Lock()
	interopMade.dirs = append(interopMade.dirs, dir)
	interopMade.Unlock()
	return dir, nil
}

var sweepInteropRuns sync.Once

// removeDeadRuns removes the directories under runs whose name ends with
// the run id of a process that no longer exists on this machine (a run that
// was interrupted); it returns what it removed.
func removeDeadRuns(runs string) []string {
	entries, err := os.ReadDir(runs)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		pid, ok := runIDPid(e.Name())
		if !ok || processAlive(pid) {
			continue
		}
		if os.RemoveAll(filepath.Join(runs, e.Name())) == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}

// runIDPid returns the process id in a name ending with "-<pid>-<6 hex>".
func runIDPid(name string) (int, bool) {
	parts := strings.Split(name, "-")
	if len(parts) < 3 {
		return 0, false
	}
	suffix := parts[len(parts)-1]
	if _, err := hex.DecodeString(suffix); err != nil || len(suffix) != 6 {
		return 0, false
	}
	pid, err := strconv.Atoi(parts[len(parts)-2])
	return pid, err == nil && pid > 0
}

// processAlive reports whether a process with this id exists (signal 0 only
// checks; EPERM means it exists under another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// interopVhostName is the virtual host of this run for base.
func interopVhostName(base string) string { return base + "-" + interopRunID() }

// interopDatabaseName is the PostgreSQL database of this run for base.
func interopDatabaseName(base string) string {
	return base + "_" + strings.ReplaceAll(interopRunID(), "-", "_")
}

// cleanupInteropRun deletes the virtual hosts and databases this run made
// and, unless keep (a check failed: its logs are worth a look), its run
// directories; it prints what it did in one line.
func cleanupInteropRun(w io.Writer, keep bool) {
	interopMade.Lock()
	defer interopMade.Unlock()
	var failed []string
	if ctl, err := exec.LookPath("rabbitmqctl"); err == nil {
		for _, vhost := range interopMade.vhosts {
			if out, err := exec.Command(ctl, "delete_vhost", vhost).CombinedOutput(); err != nil {
				failed = append(failed, fmt.Sprintf("vhost %s: %v: %s", vhost, err, strings.TrimSpace(string(out))))
			}
		}
	}
	for _, db := range interopMade.databases {
		dsn, name, _ := strings.Cut(db, "\x00")
		stmt := "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"
		if out, err := exec.Command("psql", dsn, "-v", "ON_ERROR_STOP=1", "-q", "-c", stmt).CombinedOutput(); err != nil {
			failed = append(failed, fmt.Sprintf("database %s: %v: %s", name, err, strings.TrimSpace(string(out))))
		}
	}
	dirs := 0
	if keep && len(interopMade.dirs) > 0 {
		fmt.Fprintf(w, "interop: kept the run directories for a look: %s\n", strings.Join(interopMade.dirs, " "))
	} else {
		for _, dir := range interopMade.dirs {
			if err := os.RemoveAll(dir); err != nil {
				failed = append(failed, err.Error())
			}
		}
		dirs = len(interopMade.dirs)
	}
	if dirs+len(interopMade.vhosts)+len(interopMade.databases) > 0 {
		fmt.Fprintf(w, "interop: removed this run's directories: %d, RabbitMQ virtual hosts: %d, PostgreSQL databases: %d\n",
			dirs, len(interopMade.vhosts), len(interopMade.databases))
	}
	for _, f := range failed {
		fmt.Fprintf(w, "interop: could not remove %s\n", f)
	}
	interopMade.dirs, interopMade.vhosts, interopMade.databases = nil, nil, nil
}

// lockCache takes an exclusive lock on the cache entry at path (a venv or an
// npm directory), waiting while another run builds it, so that two runs at
// once never build one entry over each other; the caller checks again
// whether the entry is complete once it holds the lock. unlock releases it.
func lockCache(path string) (unlock func(), err error) {
	return filelock.Lock(context.Background(), path+".lock", 0)
}
