package ingest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

func TestRecentSetForgetsOldestFirst(t *testing.T) {
	s := newRecentSet(3)
	for i := 0; i < 5; i++ {
		s.Add(fmt.Sprint(i))
	}
	s.Add("4") // re-adding must not evict anything
	assert.Equal(t, 3, s.Len())
	for id, want := range map[string]bool{"0": false, "1": false, "2": true, "3": true, "4": true} {
		assert.Equal(t, want, s.Has(id), id)
	}
}

func TestReasonKind(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("x: %w", contract.ErrTooLarge), "too_large"},
		{fmt.Errorf("x: %w", contract.ErrInvalidUTF8), "invalid_utf8"},
		{fmt.Errorf("x: %w", contract.ErrMalformed), "malformed_json"},
		{fmt.Errorf("x: %w", contract.ErrUnknownEventType), "unknown_event_type"},
		{&contract.ViolationError{Contract: "orders.v1"}, "contract_violation"},
		{fmt.Errorf("something else"), "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) { assert.Equal(t, tt.want, ReasonKind(tt.err)) })
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Domain: "orders", Event: "orders", Region: "us-east", Table: lakehouse.Ident{Namespace: "orders", Name: "raw_orders"}}
	tests := []struct {
		name        string
		mutate      func(*Config)
		errContains string
	}{
		{name: "valid", mutate: func(*Config) {}},
		{name: "batch size", mutate: func(c *Config) { c.BatchSize = -1 }, errContains: "--batch-size must be at least 1"},
		{name: "flush interval", mutate: func(c *Config) { c.FlushInterval = -time.Second }, errContains: "--flush-interval must be positive"},
		{name: "no table", mutate: func(c *Config) { c.Table = lakehouse.Ident{} }, errContains: "table is required"},
		{name: "commit retry budget", mutate: func(c *Config) { c.CommitRetryFor = -time.Second }, errContains: "--commit-retry-for must be positive, got -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			err := c.WithDefaults().Validate()
			if tt.errContains == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.errContains)
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

func TestRetryableSkipsConflicts(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{name: "success", ctx: context.Background(), err: nil, want: false},
		{name: "transient", ctx: context.Background(), err: errors.New("dial tcp: connection refused"), want: true},
		{name: "conflict retries exhausted", ctx: context.Background(),
			err: fmt.Errorf("appending to o.raw: %w after 20 retries: %w", lakehouse.ErrCommitConflict, table.ErrCommitFailed), want: false},
		{name: "conflict", ctx: context.Background(), err: fmt.Errorf("x: %w", table.ErrCommitFailed), want: false},
		{name: "context done", ctx: canceled, err: errors.New("dial tcp: connection refused"), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, retryable(tt.ctx, tt.err))
		})
	}
}

func TestRetryCommitWithinBudget(t *testing.T) {
	transient := errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	conflict := fmt.Errorf("appending: %w", table.ErrCommitFailed)
	// failFor fails with err for the first n attempts, then succeeds.
	failFor := func(n int, err error) func() error {
		calls := 0
		return func() error {
			calls++
			if calls <= n {
				return err
			}
			return nil
		}
	}
	tests := []struct {
		name         string
		budget       time.Duration
		commit       func() error
		wantAttempts int
		wantErr      error
	}{
		{name: "first attempt", budget: time.Second, commit: failFor(0, transient), wantAttempts: 1},
		// pauses 200+400+600 ms: well inside 5 s
		{name: "a restart ridden out", budget: 5 * time.Second, commit: failFor(3, transient), wantAttempts: 4},
		// the pause after the first failure (200 ms) would end past the budget
		{name: "budget spent", budget: 100 * time.Millisecond, commit: failFor(3, transient), wantAttempts: 1, wantErr: transient},
		// 200 ms, then 400 ms would end past 500 ms
		{name: "budget spent after retries", budget: 500 * time.Millisecond, commit: failFor(10, transient), wantAttempts: 2, wantErr: transient},
		{name: "conflicts are the lakehouse's to retry", budget: 5 * time.Second, commit: failFor(3, conflict), wantAttempts: 1, wantErr: table.ErrCommitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var retried []int
			attempts, err := retryCommit(context.Background(), tt.budget, func(n int, _ error) { retried = append(retried, n) }, tt.commit)
			assert.Equal(t, tt.wantAttempts, attempts)
			assert.Len(t, retried, tt.wantAttempts-1, "every retried failure is reported")
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}
