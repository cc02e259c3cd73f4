package lakehouse

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/apache/iceberg-go/table"
)

// Backoff bounds of the commit retry loop; each wait is drawn uniformly from
// [d/2, d] where d doubles from retryBaseWait up to retryMaxWait.
const (
	retryBaseWait = 10 * time.Millisecond
	retryMaxWait  = 1 * time.Second
)

// IsConflict reports whether err means "another writer committed first;
// nothing of ours was committed", so that the same commit may be rebuilt on
// the fresh table state and tried again:
//
//   - table.ErrCommitFailed: the catalog's compare-and-swap on
//     metadata_location failed, or a conflict validator fired;
//   - a failed table requirement: iceberg-go checks AssertRefSnapshotID
//     against the freshly loaded metadata before the swap and returns an
//     unwrapped "requirement failed: branch "main" has changed / was created
//     concurrently" error;
//   - ErrCommitConflict: Commit gave up after its retries.
//
// It is the one conflict test of the mesh: whoever retries commits asks it.
func IsConflict(err error) bool {
	if err == nil {
		return false
	}
	return errors.Is(err, ErrCommitConflict) || errors.Is(err, table.ErrCommitFailed) ||
		strings.Contains(err.Error(), "requirement failed:")
}

// CommitOption tunes one Commit.
type CommitOption func(*commitOptions)

type commitOptions struct {
	retries int
}

// WithRetries bounds the retries of one Commit to n instead of
// Config.CommitRetries (for operations whose attempts are expensive, such
// as a compaction that rewrites data files each time).
func WithRetries(n int) CommitOption {
	return func(o *commitOptions) { o.retries = max(n, 0) }
}

// Commit runs attempt on a freshly loaded table until it commits, and returns
// the table attempt returned. attempt builds and commits one transaction on
// the table it is given (or returns that table unchanged when there is nothing
// to commit). An attempt that fails with a conflict (IsConflict) is retried on
// the new table state after a jittered exponential backoff (10 ms doubling to
// 1 s), at most Config.CommitRetries times (see WithRetries); then Commit gives
// up with an error wrapping ErrCommitConflict and the last conflict. Any
// other error ends it at once. Errors are prefixed with op (a gerund such as
// "compacting") and the table.
//
// Append, Overwrite, Upsert and AddFiles commit through it; so does any other
// package that commits to a lakehouse table (maintenance).
func (l *Lakehouse) Commit(ctx context.Context, id Ident, op string, attempt func(tbl *table.Table) (*table.Table, error), opts ...CommitOption) (*table.Table, error) {
	o := commitOptions{retries: l.cfg.CommitRetries}
	for _, opt := range opts {
		opt(&o)
	}
	for n := 0; ; n++ {
		tbl, err := l.LoadTable(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", op, id, err)
		}
		committed, err := attempt(tbl)
		if err == nil {
			if n > 0 {
				l.log.Debug("lakehouse commit succeeded after retries", "table", id.String(), "op", op, "retries", n)
			}
			return committed, nil
		}
		if !IsConflict(err) {
			return nil, fmt.Errorf("%s %s: %w", op, id, err)
		}
		if n >= o.retries {
			l.log.Warn("lakehouse commit conflict, retries exhausted", "table", id.String(), "op", op, "retries", n, "err", err)
			return nil, fmt.Errorf("%s %s: %w after %d retries: %w", op, id, ErrCommitConflict, n, err)
		}
		l.log.Debug("lakehouse commit conflict, retrying", "table", id.String(), "op", op, "attempt", n+1, "err", err)
		if err := sleepBackoff(ctx, n); err != nil {
			return nil, fmt.Errorf("%s %s: %w", op, id, err)
		}
	}
}

// commitLoop is Commit returning the committed snapshot id (0 for a table
// without snapshots).
func (l *Lakehouse) commitLoop(ctx context.Context, id Ident, op string, attempt func(tbl *table.Table) (*table.Table, error)) (int64, error) {
	committed, err := l.Commit(ctx, id, op, attempt)
	if err != nil {
		return 0, err
	}
	return currentSnapshotID(committed), nil
}

func sleepBackoff(ctx context.Context, attempt int) error {
	d := retryBaseWait << min(attempt, 10)
	if d > retryMaxWait {
		d = retryMaxWait
	}
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
