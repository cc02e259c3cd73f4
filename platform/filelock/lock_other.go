//go:build !unix

package filelock

import (
	"os"
	"sync"
)

// Without flock, locks keep holders apart within a process only:
// processes locking the same file at once are not kept apart.
var (
	localMu   sync.Mutex
	localHeld = map[string]bool{}
)

func tryLock(f *os.File) (bool, error) {
	localMu.Lock()
	defer localMu.Unlock()
	if localHeld[f.Name()] {
		return false, nil
	}
	localHeld[f.Name()] = true
	return true, nil
}

func unlock(f *os.File) {
	localMu.Lock()
	defer localMu.Unlock()
	delete(localHeld, f.Name())
}
