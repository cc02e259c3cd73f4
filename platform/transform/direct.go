package transform

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/meshterious/warehouse/platform/lakehouse"
)

// buildDirect materializes a full build on a local warehouse without moving
// rows through Go: DuckDB writes the final Parquet files (zstd, one file per
// event_date partition) straight into the table's data directory, and the
// files are committed as they are with lakehouse.AddFiles. This is what keeps
// a full build close to DuckDB's own speed; S3 warehouses, which DuckDB cannot
// write to offline, and incremental merges take the Arrow path instead.
func (x *Executor) buildDirect(ctx context.Context, id lakehouse.Ident, name, sql string, summary map[string]string, recreate bool) (int64, int64, error) {
	if err := x.engine.AttachMentioned(ctx, sql); err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	schema, err := x.schemaOf(ctx, name, sql)
	x.log.Debug("transform: schema", "model", name, "took", time.Since(t0))
	if err != nil {
		return 0, 0, err
	}
	exists, err := x.lh.TableExists(ctx, id)
	if err != nil {
		return 0, 0, err
	}
	if exists && !recreate {
		tbl, err := x.lh.LoadTable(ctx, id)
		if err != nil {
			return 0, 0, err
		}
		if sameColumns(tbl.Schema(), schema) {
			return x.copyFiles(ctx, id, name, sql, summary, schema, true)
		}
	}
	// A new table becomes visible only with its rows (StageTable), so a
	// build killed in between leaves no empty model behind.
	// The rename keeps the snapshot ids.
	var snap, rows int64
	_, err = x.lh.StageTable(ctx, id, schema, tableProperties(summary), func(staging lakehouse.Ident) error {
		snap, rows, err = x.copyFiles(ctx, staging, name, sql, summary, schema, false)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return snap, rows, nil
}

// copyFiles has DuckDB write the query's rows as Parquet files into the data
// directory of table id and commits them, replacing the table's current files
// when replaceAll is set.
func (x *Executor) copyFiles(ctx context.Context, id lakehouse.Ident, name, sql string, summary map[string]string, schema *iceberg.Schema, replaceAll bool) (int64, int64, error) {
	location, err := x.lh.Location(ctx, id)
	if err != nil {
		return 0, 0, err
	}
	scheme := ""
	if strings.HasPrefix(location, "file://") {
		scheme = "file://"
	}
	dir := filepath.Join(strings.TrimPrefix(location, "file://"), "data", fmt.Sprintf("%s-%s", summary[SummaryInvocation], name))
	_, partitioned := schema.FindFieldByName(lakehouse.PartitionColumn)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return 0, 0, err
	}
	var stmt string
	if partitioned {
		stmt = fmt.Sprintf("COPY (%s\n) TO %s (%s, PARTITION_BY (%s), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-{uuid}')",
			sql, quoteString(dir), ParquetOptions, lakehouse.PartitionColumn)
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, 0, err
		}
		stmt = fmt.Sprintf("COPY (%s\n) TO %s (%s)", sql, quoteString(filepath.Join(dir, "part-0.parquet")), ParquetOptions)
	}
	t1 := time.Now()
	res, err := x.engine.DB().ExecContext(ctx, stmt)
	if err != nil {
		return 0, 0, err
	}
	x.log.Debug("transform: copy", "model", name, "took", time.Since(t1))
	rows, _ := res.RowsAffected()
	var paths []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			paths = append(paths, scheme+p)
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		return 0, 0, err
	}
	if len(paths) == 0 {
		// No rows: a replace still empties the table.
		if replaceAll {
			snap, err := x.lh.Overwrite(ctx, id, iceberg.AlwaysTrue{}, nil, summary)
			return snap, 0, err
		}
		return 0, 0, nil
	}
	t2 := time.Now()
	snap, err := x.lh.AddFiles(ctx, id, paths, replaceAll, summary)
	x.log.Debug("transform: add files", "model", name, "files", len(paths), "took", time.Since(t2))
	if err != nil {
		os.RemoveAll(dir)
		return 0, 0, err
	}
	return snap, rows, nil
}

// ParquetOptions are DuckDB's COPY options for model files: zstd at its
// fastest level, as for raw tables (a third less CPU than the default level
// for files a few percent larger); readable by every Iceberg engine.
const ParquetOptions = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1"

// schemaOf returns the Iceberg schema of a query's result without running it
// to completion: DuckDB plans it and writes an empty file.
func (x *Executor) schemaOf(ctx context.Context, name, sql string) (*iceberg.Schema, error) {
	recs, _, err := x.evaluate(ctx, name+"-schema", "SELECT * FROM (\n"+sql+"\n) AS model LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer release(recs)
	return table.ArrowSchemaToIcebergWithFreshIDs(recs[0].Schema(), true)
}
