package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dags"
	"github.com/meshterious/warehouse/platform/dags/runner"
	"github.com/meshterious/warehouse/platform/domainspec"
)

const domainYAML = `name: shop
description: Shop.
owners: {team: shop-team, github: ["@s"], email: s@x}
regions: [north]
events: [{name: sales, contract: c.json, raw_table: raw_sales}]
tables: [{name: raw_sales, layer: raw, description: d}]
`

// scripts are the test's "binaries": deterministic success, failure, sleep.
var scripts = map[string]string{
	"ok":    "#!/bin/sh\necho ok \"$@\"\n",
	"fail":  "#!/bin/sh\necho broken model >&2\nexit 3\n",
	"flaky": "#!/bin/sh\n[ \"$MESH_TRY_NUMBER\" -ge 2 ] && { echo fine now; exit 0; }\necho first try fails; exit 1\n",
	"hang":  "#!/bin/sh\n# a child that ignores SIGTERM, to prove the whole process group is killed\nsh -c 'trap \"\" TERM; echo $$ > \"$1\"; sleep 30' child \"$1\" &\nsleep 30\n",
	"nap":   "#!/bin/sh\nsleep 0.3\n",
}

func setup(t *testing.T, decl string) ([]*dags.DAG, *runner.Runner, string) {
	t.Helper()
	bin := t.TempDir()
	for name, body := range scripts {
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755))
	}
	d, err := domainspec.Parse("domains/shop/domain.yaml", []byte(domainYAML))
	require.NoError(t, err)
	all, err := dags.Parse("domains/shop/dags/test.yaml", []byte(decl), d)
	require.NoError(t, err)
	require.NoError(t, dags.Validate(all))
	data := t.TempDir()
	zero := time.Duration(0)
	r, err := runner.New(context.Background(), runner.Config{DataDir: data, BinDirs: []string{bin}, RetryDelay: &zero, KillGrace: 200 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return all, r, data
}

const chain = `defaults: {retries: 2, retry_delay: 1s}
dags:
  - type: custom
    id: load
    schedule: "@hourly"
    writes: [shop.raw_sales]
    tasks: [{id: ingest, command: ok ingest}]
  - type: custom
    id: stg
    schedule: on_update
    reads: [shop.raw_sales]
    writes: [shop.stg_sales]
    tasks:
      - {id: run, command: "{{.Domain}}_MODEL"}
      - {id: test, command: ok test, depends_on: [run]}
  - type: custom
    id: fact
    schedule: on_update
    reads: [shop.stg_sales]
    writes: [shop.fact_sales]
    tasks: [{id: build, command: ok build}]
  - type: custom
    id: housekeeping
    schedule: "@daily"
    reads: [shop.fact_sales]
    trigger_rule: all_done
    tasks: [{id: tidy, command: ok tidy}]
`

func TestFailingTaskIsRetriedThenDownstreamSkipped(t *testing.T) {
	all, r, data := setup(t, strings.Replace(chain, "{{.Domain}}_MODEL", "fail", 1))
	runs, err := r.Run(context.Background(), all)
	require.ErrorIs(t, err, runner.ErrRunFailed)
	byID := map[string]runner.DAGRun{}
	var order []string
	for _, run := range runs {
		byID[run.DAGID] = run
		order = append(order, run.DAGID)
	}
	assert.Equal(t, []string{"load", "stg", "fact", "housekeeping"}, order)
	assert.Equal(t, runner.StateSuccess, byID["load"].State)

	stg := byID["stg"]
	assert.Equal(t, runner.StateFailed, stg.State)
	require.Len(t, stg.Tasks, 2)
	assert.Equal(t, 3, stg.Tasks[0].Attempts, "retries: 2 means three attempts")
	assert.Equal(t, 3, stg.Tasks[0].ExitCode)
	assert.Contains(t, stg.Reason, "task run failed: exit code 3 (attempt 3/3")
	assert.Equal(t, runner.StateUpstreamFailed, stg.Tasks[1].State)

	fact := byID["fact"]
	assert.Equal(t, runner.StateSkipped, fact.State)
	assert.Contains(t, fact.Reason, "upstream DAG stg failed: task run failed: exit code 3")
	assert.Equal(t, runner.StateSuccess, byID["housekeeping"].State, "all_done runs even after a failure upstream")

	// The log holds every attempt's output; the history keeps the reasons.
	log, err := os.ReadFile(stg.Tasks[0].LogPath)
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(log), "broken model"))
	assert.True(t, strings.HasPrefix(stg.Tasks[0].LogPath, filepath.Join(data, "dags", "logs", "stg", stg.RunID)))
	hist, err := r.Store().Runs(context.Background(), "fact", 1)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	assert.Equal(t, runner.StateSkipped, hist[0].State)
	assert.Contains(t, hist[0].Reason, "upstream DAG stg failed")
}

func TestSecondRunIsIdempotent(t *testing.T) {
	all, r, _ := setup(t, strings.Replace(chain, "{{.Domain}}_MODEL", "flaky", 1))
	for i := range 2 {
		runs, err := r.Run(context.Background(), all)
		require.NoError(t, err, "run %d", i+1)
		for _, run := range runs {
			assert.Equal(t, runner.StateSuccess, run.State, "%s run %d", run.DAGID, i+1)
		}
		assert.Equal(t, 2, runs[1].Tasks[0].Attempts, "flaky succeeds on its second attempt")
	}
	hist, err := r.Store().Runs(context.Background(), "", 0)
	require.NoError(t, err)
	assert.Len(t, hist, 8, "two runs of four DAGs")
	last, err := r.Store().Runs(context.Background(), "", 1)
	require.NoError(t, err)
	assert.Len(t, last, 4, "limit 1: the last run per DAG")
}

func TestTimeoutKillsTheTaskAndItsChildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	all, r, _ := setup(t, `dags:
  - type: custom
    id: slow
    schedule: "@daily"
    retries: 0
    tasks: [{id: wait, command: hang `+pidFile+`, execution_timeout: 500ms}]
`)
	start := time.Now()
	runs, err := r.Run(context.Background(), all)
	require.ErrorIs(t, err, runner.ErrRunFailed)
	assert.Less(t, time.Since(start), 5*time.Second)
	require.Len(t, runs, 1)
	assert.Equal(t, runner.StateFailed, runs[0].State)
	assert.Contains(t, runs[0].Tasks[0].Reason, "timed out after 500ms")
	data, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return gone(pid) }, 2*time.Second, 20*time.Millisecond,
		"the child that ignores SIGTERM is killed with the group")
}

// gone reports whether pid exited: no such process, or a zombie nobody reaped
// (in a container whose init does not reap orphans).
func gone(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

func TestDeadlineMissIsRecorded(t *testing.T) {
	all, r, _ := setup(t, `dags:
  - {type: custom, id: late, schedule: "@daily", sla: 100ms, tasks: [{id: nap, command: nap}]}
  - {type: custom, id: early, schedule: "@daily", sla: 1h, tasks: [{id: nap, command: nap}]}
`)
	runs, err := r.Run(context.Background(), all)
	require.NoError(t, err)
	got := map[string]bool{}
	for _, run := range runs {
		assert.Equal(t, runner.StateSuccess, run.State)
		got[run.DAGID] = run.DeadlineMissed
	}
	assert.Equal(t, map[string]bool{"late": true, "early": false}, got)
	hist, err := r.Store().Runs(context.Background(), "late", 1)
	require.NoError(t, err)
	assert.True(t, hist[0].DeadlineMissed)
	assert.Equal(t, 100*time.Millisecond, hist[0].SLA)
}

func TestMissingBinary(t *testing.T) {
	all, r, _ := setup(t, `dags:
  - {type: custom, id: lost, schedule: "@daily", retries: 0, tasks: [{id: a, command: no-such-binary-here}]}
`)
	runs, err := r.Run(context.Background(), all)
	require.ErrorIs(t, err, runner.ErrRunFailed)
	assert.Contains(t, runs[0].Reason, `binary "no-such-binary-here" not found`)
}
