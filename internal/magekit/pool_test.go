package magekit

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunPoolRunsSideBySideWithoutInterleaving(t *testing.T) {
	var running, most atomic.Int32
	job := func(name string, fail bool) Job {
		return Job{Name: name, Run: func(w io.Writer) error {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			for i := range 3 {
				fmt.Fprintf(w, "%s line %d\n", name, i)
				time.Sleep(20 * time.Millisecond)
			}
			if fail {
				return errors.New(name + " broke")
			}
			return nil
		}}
	}
	var out strings.Builder
	results := RunPool([]Job{job("a", false), job("b", true), job("c", false), job("d", false)}, 2, 0, &out)

	require.Len(t, results, 4)
	for i, name := range []string{"a", "b", "c", "d"} {
		assert.Equal(t, name, results[i].Name, "results keep the order of the jobs")
	}
	assert.NoError(t, results[0].Err)
	assert.EqualError(t, results[1].Err, "b broke")
	assert.Equal(t, int32(2), most.Load(), "two workers run two jobs at once, never more")
	for _, name := range []string{"a", "b", "c", "d"} {
		block := name + " line 0\n" + name + " line 1\n" + name + " line 2\n"
		assert.Contains(t, out.String(), block, "the output of %s is written in one piece", name)
	}
	assert.Contains(t, out.String(), "==> b: FAILED in")
	assert.Contains(t, out.String(), "b broke")
	assert.NotContains(t, out.String(), "still running", "no heartbeat asked for")
}

func TestRunPoolHeartbeatNamesTheRunningJobs(t *testing.T) {
	slow := Job{Name: "slow", Run: func(io.Writer) error { time.Sleep(250 * time.Millisecond); return nil }}
	var out syncBuilder
	RunPool([]Job{slow}, 2, 50*time.Millisecond, &out)
	assert.Regexp(t, `    \.\.\. still running: slow \(0s\)\n`, out.String())
}

// syncBuilder is a strings.Builder safe for the pool's writers.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
