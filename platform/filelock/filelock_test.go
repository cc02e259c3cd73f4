package filelock

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLock: a second holder waits for the first to release, gives up after
// its timeout naming the lock, and stops waiting when its context ends.
func TestLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "serving", "mesh.duckdb.lock") // the directory is created
	release, err := Lock(ctx, path, time.Second)
	require.NoError(t, err)

	_, err = Lock(ctx, path, 120*time.Millisecond)
	require.ErrorIs(t, err, ErrTimeout)
	assert.Contains(t, err.Error(), path+", gave up after 120ms")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Lock(cctx, path, time.Minute)
	require.ErrorIs(t, err, context.Canceled)

	// With no timeout a holder waits until its context ends.
	dctx, stop := context.WithTimeout(ctx, 150*time.Millisecond)
	defer stop()
	_, err = Lock(dctx, path, 0)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	got := make(chan error, 1)
	go func() {
		r, err := Lock(ctx, path, time.Minute)
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	release()
	require.NoError(t, <-got, "the waiting holder takes the lock once it is released")
}
