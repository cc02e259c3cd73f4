package magekit

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunIDPid(t *testing.T) {
	tests := []struct {
		name string
		pid  int
		ok   bool
	}{
		{"embedded-4242-a1b2c3", 4242, true},
		{"postgres-minio-17-00ff00", 17, true},
		{"embedded", 0, false},           // a run directory of the fixed names of old
		{"airflow3-12-zzzzzz", 0, false}, // not hex
		{"airflow3-x-a1b2c3", 0, false},
		{"airflow3-12-a1b2", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pid, ok := runIDPid(tt.name)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.pid, pid)
		})
	}
	pid, ok := runIDPid("embedded-" + interopRunID())
	require.True(t, ok, "the run id parses: %s", interopRunID())
	assert.Equal(t, os.Getpid(), pid)
}

func TestRemoveDeadRuns(t *testing.T) {
	runs := t.TempDir()
	done := exec.Command("true")
	require.NoError(t, done.Run())
	dead := strconv.Itoa(done.ProcessState.Pid())
	live := strconv.Itoa(os.Getpid())
	for _, d := range []string{"embedded-" + dead + "-a1b2c3", "airflow3-" + live + "-a1b2c3", "embedded", "superset-" + dead + "-nothex"} {
		require.NoError(t, os.MkdirAll(filepath.Join(runs, d, "mesh"), 0o755))
	}
	assert.Equal(t, []string{"embedded-" + dead + "-a1b2c3"}, removeDeadRuns(runs))
	left, err := os.ReadDir(runs)
	require.NoError(t, err)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"airflow3-" + live + "-a1b2c3", "embedded", "superset-" + dead + "-nothex"}, names)
}

// TestInteropRunNames: the names of one run are its own and what it made is
// gone at its end, with the real RabbitMQ and PostgreSQL when they are here.
func TestInteropRunNames(t *testing.T) {
	t.Setenv(EnvInteropCache, t.TempDir())
	a, err := interopRunDir("embedded")
	require.NoError(t, err)
	b, err := interopRunDir("airflow3")
	require.NoError(t, err)
	assert.Equal(t, "embedded-"+interopRunID(), filepath.Base(a))
	assert.NotEqual(t, a, b)
	assert.Regexp(t, regexp.MustCompile(`^mesh_interop_[0-9]+_[0-9a-f]{6}$`), interopDatabaseName("mesh_interop"), "a PostgreSQL identifier without quotes")
	assert.Equal(t, "mesh-interop-embedded-"+interopRunID(), interopVhostName("mesh-interop-embedded"))

	var out bytes.Buffer
	cleanupInteropRun(&out, true)
	assert.DirExists(t, a, "kept after a failed check")
	assert.Contains(t, out.String(), "kept the run directories for a look: "+a)
	interopMade.dirs = []string{a, b} // as if this run went on
	out.Reset()
	cleanupInteropRun(&out, false)
	assert.NoDirExists(t, a)
	assert.NoDirExists(t, b)
	assert.Contains(t, out.String(), "removed this run's directories: 2")

	ctl, ctlErr := exec.LookPath("rabbitmqctl")
	_, psqlErr := exec.LookPath("psql")
	if ctlErr != nil || psqlErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("rabbitmqctl (%v) and psql (%v) are needed under CI", ctlErr, psqlErr)
		}
		t.Skip("no rabbitmqctl or psql: the virtual host and database are not checked")
	}
	url, err := interopVhost("mesh-interop-test")
	require.NoError(t, err)
	vhost := interopVhostName("mesh-interop-test")
	assert.True(t, strings.HasSuffix(url, "/"+vhost), url)
	dsn, err := freshPostgresDatabase("mesh_interop_test")
	require.NoError(t, err)
	db := interopDatabaseName("mesh_interop_test")
	assert.True(t, strings.Contains(dsn, "/"+db), dsn)
	vhosts := func() string {
		out, err := exec.Command(ctl, "list_vhosts", "--quiet").CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	databases := func() string {
		out, err := exec.Command("psql", strings.Replace(dsn, "/"+db, "/postgres", 1), "-Atc", "SELECT datname FROM pg_database").CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	assert.Contains(t, vhosts(), vhost)
	assert.Contains(t, databases(), db)
	out.Reset()
	cleanupInteropRun(&out, false)
	assert.Contains(t, out.String(), "RabbitMQ virtual hosts: 1, PostgreSQL databases: 1")
	assert.NotContains(t, out.String(), "could not remove")
	assert.NotContains(t, vhosts(), vhost)
	assert.NotContains(t, databases(), db)
}

// TestLockCache: a second builder of a cache entry waits for the first.
func TestLockCache(t *testing.T) {
	entry := filepath.Join(t.TempDir(), "venvs", "dbt-0123456789ab")
	unlock, err := lockCache(entry)
	require.NoError(t, err)
	got := make(chan struct{})
	go func() {
		second, err := lockCache(entry)
		assert.NoError(t, err)
		close(got)
		second()
	}()
	select {
	case <-got:
		t.Fatal("the second lock was granted while the first was held")
	case <-time.After(300 * time.Millisecond):
	}
	unlock()
	<-got
}
