// Package filelock takes exclusive locks on files that other processes
// respect: the operating system's flock where there is one, so a process
// that dies holding a lock releases it, and a stale lock file never blocks.
// The serving publish and the interop caches use it to keep concurrent runs
// from writing the same file.
package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrTimeout is returned by Lock when another holder kept the lock longer
// than the timeout.
var ErrTimeout = errors.New("lock held by another process")

// poll is how often a waiting Lock tries again.
const poll = 50 * time.Millisecond

// Lock takes an exclusive lock on the file at path, creating it and its
// directory if needed, and returns its release. It waits while another
// process (or another Lock in this one) holds it: at most timeout, or until
// ctx ends when timeout is 0.
func Lock(ctx context.Context, path string, timeout time.Duration) (release func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating the directory of lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", path, err)
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if ok {
			return func() { unlock(f); f.Close() }, nil
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w: %s, gave up after %s", ErrTimeout, path, timeout)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}
