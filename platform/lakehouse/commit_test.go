package lakehouse_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/lakehouse/lakehousetest"
)

func TestIsConflict(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "nil", err: nil, want: false},
		{name: "compare-and-swap lost", err: fmt.Errorf("committing: %w", table.ErrCommitFailed), want: true},
		{name: "requirement failed", err: errors.New(`requirement failed: branch "main" has changed: expected id 1, found 2`), want: true},
		{name: "retries exhausted", err: fmt.Errorf("appending to a.b: %w after 20 retries", lakehouse.ErrCommitConflict), want: true},
		{name: "other", err: errors.New("connection refused"), want: false},
		{name: "canceled", err: context.Canceled, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, lakehouse.IsConflict(tt.err))
		})
	}
}

// TestCommitRetriesOnlyConflicts drives Commit with attempts that fail in
// known ways and counts how often each runs.
func TestCommitRetriesOnlyConflicts(t *testing.T) {
	ctx := context.Background()
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: t.TempDir(), CommitRetries: 3})
	require.NoError(t, err)
	defer lh.Close()
	id := lakehouse.Ident{Namespace: "c", Name: "events"}
	_, err = lh.EnsureTable(ctx, id, lakehousetest.Schema(), nil)
	require.NoError(t, err)
	boom := errors.New("boom")
	conflict := fmt.Errorf("wrapped: %w", table.ErrCommitFailed)

	tests := []struct {
		name         string
		fails        []error // what the attempts return, in order; then success
		opts         []lakehouse.CommitOption
		wantAttempts int
		wantErr      error
		errContains  string
	}{
		{name: "first try", wantAttempts: 1},
		{name: "two conflicts then success", fails: []error{conflict, conflict}, wantAttempts: 3},
		{name: "other error is not retried", fails: []error{boom}, wantAttempts: 1, wantErr: boom, errContains: "testing c.events: boom"},
		{name: "conflicts exhaust Config.CommitRetries", fails: []error{conflict, conflict, conflict, conflict, conflict},
			wantAttempts: 4, wantErr: lakehouse.ErrCommitConflict, errContains: "after 3 retries"},
		{name: "WithRetries bounds one commit", fails: []error{conflict, conflict, conflict}, opts: []lakehouse.CommitOption{lakehouse.WithRetries(1)},
			wantAttempts: 2, wantErr: table.ErrCommitFailed, errContains: "after 1 retries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			got, err := lh.Commit(ctx, id, "testing", func(tbl *table.Table) (*table.Table, error) {
				n++
				if n <= len(tt.fails) {
					return nil, tt.fails[n-1]
				}
				return tbl, nil
			}, tt.opts...)
			assert.Equal(t, tt.wantAttempts, n, "attempts")
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.NotNil(t, got)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.errContains)
		})
	}
}
