//go:build meshfault

package domainkit

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// faultKillAfterCommit returns the ingester's BeforeAck hook that SIGKILLs
// the process after commit $MESH_FAULT_KILL_AFTER_COMMIT, or nil when the
// variable is unset.
func faultKillAfterCommit() (func(int), error) {
	v := os.Getenv(EnvFaultKillAfterCommit)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("%s=%q: want a commit number >= 1", EnvFaultKillAfterCommit, v)
	}
	return func(commits int) {
		if commits >= n {
			fmt.Fprintf(os.Stderr, "%s=%d: killing the ingester after commit %d, before its ack\n", EnvFaultKillAfterCommit, n, commits)
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}, nil
}
