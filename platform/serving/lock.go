package serving

import (
	"context"
	"fmt"
	"os"
	"time"
)

// lockPoll is how often a waiting publish tries the lock again.
const lockPoll = 50 * time.Millisecond

// lockFile takes an exclusive lock on the file at path (created if needed),
// waiting at most timeout, and returns its release. The lock is the
// operating system's (flock where there is one), so a process that dies
// holding it releases it.
func lockFile(ctx context.Context, path string, timeout time.Duration) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the publish lock %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if ok {
			return func() { unlock(f); f.Close() }, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("waiting for another publish of the same file to finish (lock %s): gave up after %s", path, timeout)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}
