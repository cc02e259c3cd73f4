package serving

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLockFile: a second holder waits for the first to release, gives up
// after its timeout naming the lock, and stops waiting when its context ends.
func TestLockFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mesh.duckdb.lock")
	release, err := lockFile(ctx, path, time.Second)
	require.NoError(t, err)

	_, err = lockFile(ctx, path, 120*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "waiting for another publish of the same file to finish (lock "+path+")")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = lockFile(cctx, path, time.Minute)
	require.ErrorIs(t, err, context.Canceled)

	got := make(chan error, 1)
	go func() {
		r, err := lockFile(ctx, path, time.Minute)
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	release()
	require.NoError(t, <-got, "the waiting publish takes the lock once it is released")
}
