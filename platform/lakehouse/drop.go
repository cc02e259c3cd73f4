package lakehouse

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"
)

// DropTable removes a table from the catalog; a missing table is not an error.
// Data files stay where they are (the catalog forgets them), as Iceberg's own
// DROP TABLE without PURGE does; orphan-file cleanup reclaims them.
func (l *Lakehouse) DropTable(ctx context.Context, id Ident) error {
	err := l.cat.DropTable(ctx, id.identifier())
	if err != nil && !errors.Is(err, catalog.ErrNoSuchTable) {
		return fmt.Errorf("dropping %s: %w", id, err)
	}
	return nil
}

// TableExists reports whether the table is in the catalog.
func (l *Lakehouse) TableExists(ctx context.Context, id Ident) (bool, error) {
	ok, err := l.cat.CheckTableExists(ctx, id.identifier())
	if err != nil {
		return false, fmt.Errorf("checking %s: %w", id, err)
	}
	return ok, nil
}

// AddFiles commits Parquet files that another engine (DuckDB) already wrote
// under the table's location, as one snapshot, without rewriting them. Columns
// are matched by name (the table gets a name mapping) and each file's
// event_date partition is read from its statistics, so a file must hold a
// single partition value. With replaceAll the table's current data files are
// removed in the same commit: a full replace.
func (l *Lakehouse) AddFiles(ctx context.Context, id Ident, paths []string, replaceAll bool, summary map[string]string) (int64, error) {
	props := toProps(summary)
	return l.commitLoop(ctx, id, "adding files to", func(tbl *table.Table) (*table.Table, error) {
		tx := tbl.NewTransaction()
		var old []string
		if replaceAll && tbl.CurrentSnapshot() != nil {
			tasks, err := tbl.Scan().PlanFiles(ctx)
			if err != nil {
				return nil, err
			}
			for _, t := range tasks {
				old = append(old, t.File.FilePath())
			}
		}
		var err error
		if len(old) > 0 {
			err = tx.ReplaceDataFiles(ctx, old, paths, props)
		} else {
			err = tx.AddFiles(ctx, paths, props, false)
		}
		if err != nil {
			return nil, err
		}
		return tx.Commit(ctx)
	})
}

// Location returns where the table keeps its files (a directory or s3:// URL).
func (l *Lakehouse) Location(ctx context.Context, id Ident) (string, error) {
	tbl, err := l.LoadTable(ctx, id)
	if err != nil {
		return "", err
	}
	return tbl.Location(), nil
}
