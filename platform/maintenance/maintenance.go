package maintenance

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/iceberg-go/table"
	"github.com/apache/iceberg-go/table/compaction"

	"github.com/meshterious/warehouse/platform/lakehouse"
)

// Defaults of the maintenance operations.
const (
	DefaultTargetFileSize = 128 << 20 // bytes
	DefaultMinInputFiles  = 2
	DefaultOlderThan      = 7 * 24 * time.Hour
	DefaultRetainLast     = 10
	DefaultOrphanGrace    = 72 * time.Hour
	DefaultCommitRetries  = 5
)

// CompactConfig configures Compact.
type CompactConfig struct {
	// TargetFileSize is the size of the files compaction writes; files from
	// 75% to 180% of it are left alone. DefaultTargetFileSize when 0.
	TargetFileSize int64
	// MinInputFiles is the fewest small files of a partition worth rewriting
	// (DefaultMinInputFiles when 0).
	MinInputFiles int
	// CommitRetries bounds the retries after a conflicting commit (DefaultCommitRetries when 0).
	CommitRetries int
}

func (c CompactConfig) withDefaults() CompactConfig {
	if c.TargetFileSize == 0 {
		c.TargetFileSize = DefaultTargetFileSize
	}
	if c.MinInputFiles == 0 {
		c.MinInputFiles = DefaultMinInputFiles
	}
	if c.CommitRetries == 0 {
		c.CommitRetries = DefaultCommitRetries
	}
	return c
}

// Validate checks the configuration.
func (c CompactConfig) Validate() error {
	switch {
	case c.TargetFileSize < 0:
		return fmt.Errorf("%w: compact.target_file_size must be >= 0 bytes (0: %d), got %d", ErrInvalidConfig, DefaultTargetFileSize, c.TargetFileSize)
	case c.MinInputFiles < 0:
		return fmt.Errorf("%w: compact.min_input_files must be >= 0 (0: %d), got %d", ErrInvalidConfig, DefaultMinInputFiles, c.MinInputFiles)
	case c.CommitRetries < 0:
		return fmt.Errorf("%w: compact.commit_retries must be >= 0 (0: %d), got %d", ErrInvalidConfig, DefaultCommitRetries, c.CommitRetries)
	}
	return nil
}

// CompactResult tells what Compact did.
type CompactResult struct {
	Groups       int // partitions (or bins within one) rewritten
	FilesBefore  int // live data files before
	RemovedFiles int
	AddedFiles   int
	BytesBefore  int64
	BytesAfter   int64
	SnapshotID   int64 // the rewrite snapshot; 0 when nothing was rewritten
}

// Compact rewrites the small data files of every partition of table id.
func Compact(ctx context.Context, lh *lakehouse.Lakehouse, id lakehouse.Ident, cfg CompactConfig) (CompactResult, error) {
	if err := cfg.Validate(); err != nil {
		return CompactResult{}, err
	}
	cfg = cfg.withDefaults()
	ccfg := compaction.DefaultConfig()
	ccfg.TargetFileSizeBytes = cfg.TargetFileSize
	ccfg.MinFileSizeBytes = cfg.TargetFileSize * 3 / 4
	ccfg.MaxFileSizeBytes = cfg.TargetFileSize * 9 / 5
	ccfg.MinInputFiles = uint(cfg.MinInputFiles)
	var res CompactResult
	_, err := lh.Commit(ctx, id, "compacting", func(tbl *table.Table) (*table.Table, error) {
		res = CompactResult{}
		if tbl.CurrentSnapshot() == nil {
			return tbl, nil
		}
		plan, err := compaction.Analyze(ctx, tbl, ccfg)
		if err != nil {
			return nil, fmt.Errorf("planning the compaction: %w", err)
		}
		res.FilesBefore = plan.TotalInputFiles
		if len(plan.Groups) == 0 {
			return tbl, nil
		}
		groups := make([]table.CompactionTaskGroup, len(plan.Groups))
		for i, g := range plan.Groups {
			groups[i] = table.CompactionTaskGroup{PartitionKey: g.PartitionKey, Tasks: g.Tasks, TotalSizeBytes: g.TotalSizeBytes}
		}
		rr, err := tbl.RewriteDataFiles(ctx, groups, table.RewriteDataFilesOptions{})
		if err != nil {
			return nil, err
		}
		res.Groups, res.RemovedFiles, res.AddedFiles = rr.RewrittenGroups, rr.RemovedDataFiles, rr.AddedDataFiles
		res.BytesBefore, res.BytesAfter = rr.BytesBefore, rr.BytesAfter
		if rr.Table == nil {
			return tbl, nil
		}
		if rr.Table.CurrentSnapshot() != nil {
			res.SnapshotID = rr.Table.CurrentSnapshot().SnapshotID
		}
		return rr.Table, nil
	}, lakehouse.WithRetries(cfg.CommitRetries))
	return res, err
}

// ExpireConfig configures ExpireSnapshots.
type ExpireConfig struct {
	// OlderThan: snapshots older than this may expire (DefaultOlderThan when 0).
	OlderThan time.Duration
	// RetainLast: the newest snapshots always kept (DefaultRetainLast when 0).
	RetainLast int
	// KeepFiles keeps the files of expired snapshots (for RemoveOrphans to
	// delete later) instead of deleting them after the commit.
	KeepFiles bool
	// CommitRetries bounds the retries after a conflicting commit (DefaultCommitRetries when 0).
	CommitRetries int
}

// Validate checks the configuration.
func (c ExpireConfig) Validate() error {
	switch {
	case c.OlderThan < 0:
		return fmt.Errorf("%w: expire.older_than must be >= 0 (0: %s), got %s", ErrInvalidConfig, DefaultOlderThan, c.OlderThan)
	case c.RetainLast < 0:
		return fmt.Errorf("%w: expire.retain_last must be >= 0 (0: %d), got %d", ErrInvalidConfig, DefaultRetainLast, c.RetainLast)
	case c.CommitRetries < 0:
		return fmt.Errorf("%w: expire.commit_retries must be >= 0 (0: %d), got %d", ErrInvalidConfig, DefaultCommitRetries, c.CommitRetries)
	}
	return nil
}

// ExpireResult tells what ExpireSnapshots did.
type ExpireResult struct {
	Before, After int // snapshots in the metadata
}

// ExpireSnapshots removes the snapshots of table id that are older than
// cfg.OlderThan, keeping at least the last cfg.RetainLast (and every snapshot
// a branch or tag points at).
func ExpireSnapshots(ctx context.Context, lh *lakehouse.Lakehouse, id lakehouse.Ident, cfg ExpireConfig) (ExpireResult, error) {
	if err := cfg.Validate(); err != nil {
		return ExpireResult{}, err
	}
	if cfg.OlderThan == 0 {
		cfg.OlderThan = DefaultOlderThan
	}
	if cfg.RetainLast == 0 {
		cfg.RetainLast = DefaultRetainLast
	}
	if cfg.CommitRetries == 0 {
		cfg.CommitRetries = DefaultCommitRetries
	}
	var res ExpireResult
	_, err := lh.Commit(ctx, id, "expiring snapshots of", func(tbl *table.Table) (*table.Table, error) {
		res = ExpireResult{Before: len(tbl.Metadata().Snapshots())}
		res.After = res.Before
		if res.Before <= cfg.RetainLast {
			return tbl, nil
		}
		tx := tbl.NewTransaction()
		if err := tx.ExpireSnapshots(table.WithOlderThan(cfg.OlderThan), table.WithRetainLast(cfg.RetainLast),
			table.WithPostCommit(!cfg.KeepFiles)); err != nil {
			return nil, err
		}
		committed, err := tx.Commit(ctx)
		if err != nil {
			return nil, err
		}
		res.After = len(committed.Metadata().Snapshots())
		return committed, nil
	}, lakehouse.WithRetries(cfg.CommitRetries))
	return res, err
}

// OrphanConfig configures RemoveOrphans.
type OrphanConfig struct {
	// Grace: only files older than this are candidates (DefaultOrphanGrace
	// when 0), so that files of commits in flight are never touched.
	Grace time.Duration
	// DryRun lists the orphans without deleting them.
	DryRun bool
}

// OrphanResult tells what RemoveOrphans found and deleted.
type OrphanResult struct {
	Orphans []string
	Deleted []string
	Bytes   int64
}

// RemoveOrphans deletes the files under the location of table id that no
// snapshot or metadata of the table references and that are older than cfg.Grace.
func RemoveOrphans(ctx context.Context, lh *lakehouse.Lakehouse, id lakehouse.Ident, cfg OrphanConfig) (OrphanResult, error) {
	if cfg.Grace < 0 {
		return OrphanResult{}, fmt.Errorf("%w: orphans.grace must be >= 0 (0: %s), got %s", ErrInvalidConfig, DefaultOrphanGrace, cfg.Grace)
	}
	if cfg.Grace == 0 {
		cfg.Grace = DefaultOrphanGrace
	}
	tbl, err := lh.LoadTable(ctx, id)
	if err != nil {
		return OrphanResult{}, err
	}
	r, err := tbl.DeleteOrphanFiles(ctx, table.WithFilesOlderThan(cfg.Grace), table.WithDryRun(cfg.DryRun),
		table.WithCleanupMaxConcurrency(4))
	if err != nil {
		return OrphanResult{}, fmt.Errorf("removing orphan files of %s: %w", id, err)
	}
	return OrphanResult{Orphans: r.OrphanFileLocations, Deleted: r.DeletedFiles, Bytes: r.TotalSizeBytes}, nil
}
