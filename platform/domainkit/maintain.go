package domainkit

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/maintenance"
	"github.com/meshterious/warehouse/platform/mesh"
)

const maintainUsage = "compact | expire-snapshots | remove-orphans | all"

// runMaintain is `<domain> maintain <operation>`: Iceberg maintenance of the
// domain's tables (every table of its namespace, or --table), run by the
// domain's maintenance DAG.
func runMaintain(ctx context.Context, a *App, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(a.Stderr, "Usage: %s maintain %s [flags]\n", a.Domain.Name(), maintainUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return fmt.Errorf("which operation? %s", maintainUsage)
	}
	op := args[0]
	ops := map[string][]string{
		"compact": {"compact"}, "expire-snapshots": {"expire-snapshots"}, "remove-orphans": {"remove-orphans"},
		"all": {"compact", "expire-snapshots", "remove-orphans"},
	}
	steps, ok := ops[op]
	if !ok {
		return fmt.Errorf("unknown operation %q: %s", op, maintainUsage)
	}
	fs := a.flagSet("maintain " + op)
	tableFlag := fs.String("table", "", "one table of the domain (default: every table of its namespace)")
	targetSize := fs.Int64("target-file-size", maintenance.DefaultTargetFileSize, "compact: bytes per rewritten data file")
	minFiles := fs.Int("min-input-files", maintenance.DefaultMinInputFiles, "compact: fewest small files of a partition worth rewriting")
	olderThan := fs.String("older-than", "7d", "expire-snapshots: expire snapshots older than this")
	retainLast := fs.Int("retain-last", maintenance.DefaultRetainLast, "expire-snapshots: always keep the newest N snapshots")
	grace := fs.String("grace", "72h", "remove-orphans: only files older than this (commits in flight are younger)")
	dryRun := fs.Bool("dry-run", false, "remove-orphans: list orphan files, delete nothing")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	age, err := domainspec.ParseDuration(*olderThan)
	if err != nil {
		return fmt.Errorf("--older-than: %w", err)
	}
	graceD, err := domainspec.ParseDuration(*grace)
	if err != nil {
		return fmt.Errorf("--grace: %w", err)
	}
	rt, err := mesh.Load(a.Stderr)
	if err != nil {
		return err
	}
	lh, err := rt.OpenLakehouse(ctx)
	if err != nil {
		return err
	}
	defer lh.Close()
	tables, err := a.maintainedTables(ctx, lh, *tableFlag)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		fmt.Fprintf(a.Stdout, "no table in namespace %s yet: nothing to maintain\n", a.Domain.Name())
		return nil
	}
	var errs []error
	for _, id := range tables {
		for _, step := range steps {
			start := time.Now()
			var line string
			switch step {
			case "compact":
				r, err := maintenance.Compact(ctx, lh, id, maintenance.CompactConfig{TargetFileSize: *targetSize, MinInputFiles: *minFiles})
				if err != nil {
					errs = append(errs, err)
					continue
				}
				line = fmt.Sprintf("%d of %d data files rewritten into %d (%d groups)", r.RemovedFiles, r.FilesBefore, r.AddedFiles, r.Groups)
			case "expire-snapshots":
				r, err := maintenance.ExpireSnapshots(ctx, lh, id, maintenance.ExpireConfig{OlderThan: age, RetainLast: *retainLast})
				if err != nil {
					errs = append(errs, err)
					continue
				}
				line = fmt.Sprintf("%d snapshots -> %d (older than %s, keeping the last %d)", r.Before, r.After, *olderThan, *retainLast)
			case "remove-orphans":
				r, err := maintenance.RemoveOrphans(ctx, lh, id, maintenance.OrphanConfig{Grace: graceD, DryRun: *dryRun})
				if err != nil {
					errs = append(errs, err)
					continue
				}
				line = fmt.Sprintf("%d orphan files (%d bytes) older than %s, %d deleted", len(r.Orphans), r.Bytes, *grace, len(r.Deleted))
			}
			fmt.Fprintf(a.Stdout, "%-16s %-28s %s in %s\n", step, id, line, time.Since(start).Round(time.Millisecond))
		}
	}
	return errors.Join(errs...)
}

// maintainedTables lists the tables of the domain's namespace, or the one named.
func (a *App) maintainedTables(ctx context.Context, lh *lakehouse.Lakehouse, name string) ([]lakehouse.Ident, error) {
	if name != "" {
		id := lakehouse.Ident{Namespace: a.Domain.Name(), Name: name}
		if strings.Contains(name, ".") {
			var err error
			if id, err = lakehouse.ParseIdent(name); err != nil {
				return nil, err
			}
		}
		if id.Namespace != a.Domain.Name() {
			return nil, fmt.Errorf("--table %s: the %s domain maintains only its own tables (%s.*)", id, a.Domain.Name(), a.Domain.Name())
		}
		return []lakehouse.Ident{id}, nil
	}
	infos, err := lh.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []lakehouse.Ident
	for _, ti := range infos {
		if ti.Ident.Namespace == a.Domain.Name() {
			out = append(out, ti.Ident)
		}
	}
	return out, nil
}
