package lakehouse

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

func toProps(m map[string]string) iceberg.Properties {
	p := make(iceberg.Properties, len(m))
	for k, v := range m {
		p[k] = v
	}
	return p
}

// retainingSeq yields recs, retaining each one first: iceberg-go's writers
// release the batches they consume, the caller keeps ownership of recs.
func retainingSeq(recs []arrow.RecordBatch) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		for _, r := range recs {
			r.Retain()
			if !yield(r, nil) {
				r.Release()
				return
			}
		}
	}
}

func nonEmpty(recs []arrow.RecordBatch) []arrow.RecordBatch {
	out := make([]arrow.RecordBatch, 0, len(recs))
	for _, r := range recs {
		if r != nil && r.NumRows() > 0 {
			out = append(out, r)
		}
	}
	return out
}

// writeDataFiles writes recs as Parquet data files of tbl without committing them.
func writeDataFiles(ctx context.Context, tbl *table.Table, recs []arrow.RecordBatch) ([]iceberg.DataFile, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	var want, got int64
	for _, r := range recs {
		want += r.NumRows()
	}
	var files []iceberg.DataFile
	for df, err := range table.WriteRecords(ctx, tbl, recs[0].Schema(), retainingSeq(recs)) {
		if err != nil {
			return nil, fmt.Errorf("writing data files: %w", err)
		}
		files = append(files, df)
		got += df.Count()
	}
	// A batch whose write failed before (e.g. no space left on device) can
	// come back with fewer rows or none; committing that would acknowledge
	// rows that are not in the table.
	if got != want {
		return nil, fmt.Errorf("%w: writing data files under %s: %d of %d rows written (is it full or unreachable?)", ErrIncompleteWrite, tbl.Location(), got, want)
	}
	return files, nil
}

// removeFiles deletes data files that never made it into a snapshot.
func (l *Lakehouse) removeFiles(ctx context.Context, tbl *table.Table, files []iceberg.DataFile) {
	fs, err := tbl.FS(ctx)
	if err != nil {
		return
	}
	for _, f := range files {
		if err := fs.Remove(f.FilePath()); err != nil {
			l.log.Debug("lakehouse: removing uncommitted file", "path", f.FilePath(), "err", err)
		}
	}
}

// Append commits recs as one snapshot carrying summary in its summary
// properties (e.g. mesh.ingester, mesh.run_id) and returns the snapshot id.
// The data files are written once; when another writer commits first the table
// is reloaded and the same files are committed on top of the new snapshot, up
// to Config.CommitRetries times. With no rows it commits nothing and returns
// the current snapshot id.
func (l *Lakehouse) Append(ctx context.Context, id Ident, recs []arrow.RecordBatch, summary map[string]string) (int64, error) {
	recs = nonEmpty(recs)
	tbl, err := l.LoadTable(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("appending to %s: %w", id, err)
	}
	if len(recs) == 0 {
		return currentSnapshotID(tbl), nil
	}
	files, err := writeDataFiles(ctx, tbl, recs)
	if err != nil {
		return 0, fmt.Errorf("appending to %s: %w", id, err)
	}
	props := toProps(summary)
	snap, err := l.commitLoop(ctx, id, "appending to", func(tbl *table.Table) (*table.Table, error) {
		tx := tbl.NewTransaction()
		if err := tx.AddDataFiles(ctx, files, props, table.WithoutDuplicateCheck()); err != nil {
			return nil, err
		}
		return tx.Commit(ctx)
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		l.removeFiles(ctx, tbl, files)
	}
	return snap, err
}

func currentSnapshotID(tbl *table.Table) int64 {
	if s := tbl.CurrentSnapshot(); s != nil {
		return s.SnapshotID
	}
	return 0
}

// Overwrite deletes the rows matching filter (e.g. one partition:
// iceberg.EqualTo(iceberg.Reference("event_date"), d)) and adds recs, in one
// commit. Files wholly inside the filter are dropped, files partly inside it
// are rewritten (copy-on-write). A conflicting concurrent commit makes it start
// over on the fresh table state.
func (l *Lakehouse) Overwrite(ctx context.Context, id Ident, filter iceberg.BooleanExpression, recs []arrow.RecordBatch, summary map[string]string) (int64, error) {
	recs = nonEmpty(recs)
	if filter == nil {
		filter = iceberg.AlwaysTrue{}
	}
	props := toProps(summary)
	return l.commitLoop(ctx, id, "overwriting", func(tbl *table.Table) (*table.Table, error) {
		tx := tbl.NewTransaction()
		if len(recs) == 0 {
			if err := tx.Delete(ctx, filter, props); err != nil {
				return nil, err
			}
		} else {
			rdr, err := array.NewRecordReader(recs[0].Schema(), recs)
			if err != nil {
				return nil, err
			}
			err = tx.Overwrite(ctx, rdr, props, table.WithOverwriteFilter(filter))
			rdr.Release()
			if err != nil {
				return nil, err
			}
		}
		return tx.Commit(ctx)
	})
}

// Upsert replaces rows by key: every existing row whose keyColumns equal those
// of an incoming row is deleted, and recs are appended, in one snapshot.
// Incoming rows are not deduplicated among themselves.
//
// It is copy-on-write, so that every Iceberg reader sees the same rows
// (PyIceberg, for one, cannot apply equality deletes): when no incoming key
// exists yet the new data files are simply appended; otherwise the data files
// holding the replaced keys are rewritten without them, whatever their
// partition, in the same overwrite snapshot that adds the new rows. The scan
// that finds the replaced keys prunes files by the key column's statistics.
func (l *Lakehouse) Upsert(ctx context.Context, id Ident, keyColumns []string, recs []arrow.RecordBatch, summary map[string]string) (int64, error) {
	recs = nonEmpty(recs)
	if len(keyColumns) == 0 {
		return 0, fmt.Errorf("upserting into %s: %w: no key columns", id, ErrNoColumn)
	}
	tbl, err := l.LoadTable(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("upserting into %s: %w", id, err)
	}
	if len(recs) == 0 {
		return currentSnapshotID(tbl), nil
	}
	for _, c := range keyColumns {
		if _, ok := tbl.Schema().FindFieldByName(c); !ok {
			return 0, fmt.Errorf("upserting into %s: %w: key column %q", id, ErrNoColumn, c)
		}
		if recs[0].Schema().FieldIndices(c) == nil {
			return 0, fmt.Errorf("upserting into %s: %w: key column %q missing from records", id, ErrNoColumn, c)
		}
	}
	props := toProps(summary)
	// files are the incoming rows written once for the append path, reused
	// by its retries; an overwrite writes the rows itself.
	var files []iceberg.DataFile
	appended := false
	snap, err := l.commitLoop(ctx, id, "upserting into", func(tbl *table.Table) (*table.Table, error) {
		replaced, err := replacedKeys(ctx, tbl, keyColumns, recs)
		if err != nil {
			return nil, err
		}
		tx := tbl.NewTransaction()
		if replaced == nil {
			if files == nil {
				if files, err = writeDataFiles(ctx, tbl, recs); err != nil {
					return nil, err
				}
			}
			if err := tx.AddDataFiles(ctx, files, props, table.WithoutDuplicateCheck()); err != nil {
				return nil, err
			}
			appended = true
		} else {
			rdr, err := array.NewRecordReader(recs[0].Schema(), recs)
			if err != nil {
				return nil, err
			}
			err = tx.Overwrite(ctx, rdr, props, table.WithOverwriteFilter(replaced))
			rdr.Release()
			if err != nil {
				return nil, err
			}
			appended = false
		}
		return tx.Commit(ctx)
	})
	if len(files) > 0 && (err != nil || !appended) && !errors.Is(err, context.Canceled) {
		l.removeFiles(ctx, tbl, files)
	}
	if err != nil {
		return 0, err
	}
	return snap, nil
}

// replacedKeys returns a filter matching exactly the existing rows of tbl
// whose keyColumns equal those of an incoming row, or nil when there is none.
func replacedKeys(ctx context.Context, tbl *table.Table, keyColumns []string, recs []arrow.RecordBatch) (iceberg.BooleanExpression, error) {
	if tbl.CurrentSnapshot() == nil {
		return nil, nil
	}
	in := recs[0].Schema()
	fields := make([]arrow.Field, len(keyColumns))
	for i, c := range keyColumns {
		f := in.Field(in.FieldIndices(c)[0])
		fields[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: f.Nullable, Metadata: f.Metadata}
	}
	keySchema := arrow.NewSchema(fields, nil)
	incoming := map[string]struct{}{}
	for _, r := range recs {
		p, err := project(ctx, r, keySchema)
		if err != nil {
			return nil, err
		}
		for i := range int(p.NumRows()) {
			incoming[rowKey(p, len(keyColumns), i)] = struct{}{}
		}
		p.Release()
	}
	lookup, err := inFilter(keyColumns[0], recs)
	if err != nil {
		return nil, err
	}
	_, it, err := tbl.Scan(table.WithRowFilter(lookup), table.WithSelectedFields(keyColumns...)).ToArrowRecords(ctx)
	if err != nil {
		return nil, fmt.Errorf("looking up existing keys: %w", err)
	}
	var terms []iceberg.BooleanExpression
	var single []iceberg.Literal
	seen := map[string]struct{}{}
	for r, err := range it {
		if err != nil {
			return nil, fmt.Errorf("looking up existing keys: %w", err)
		}
		p, err := project(ctx, r, keySchema)
		r.Release()
		if err != nil {
			return nil, err
		}
		for i := range int(p.NumRows()) {
			k := rowKey(p, len(keyColumns), i)
			if _, ok := incoming[k]; !ok || hasNull(p, i) {
				continue // a NULL key equals nothing, as in SQL's MERGE
			}
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			var and iceberg.BooleanExpression
			for c, name := range keyColumns {
				lit, err := literalAt(p.Column(c), i)
				if err != nil {
					p.Release()
					return nil, fmt.Errorf("key column %q: %w", name, err)
				}
				if len(keyColumns) == 1 {
					single = append(single, lit)
					continue
				}
				eq := iceberg.LiteralPredicate(iceberg.OpEQ, iceberg.Reference(name), lit)
				if and == nil {
					and = eq
				} else {
					and = iceberg.NewAnd(and, eq)
				}
			}
			if and != nil {
				terms = append(terms, and)
			}
		}
		p.Release()
	}
	switch {
	case len(single) > 0:
		return iceberg.SetPredicate(iceberg.OpIn, iceberg.Reference(keyColumns[0]), single), nil
	case len(terms) > 0:
		or := terms[0]
		for _, t := range terms[1:] {
			or = iceberg.NewOr(or, t)
		}
		return or, nil
	}
	return nil, nil
}

// project selects the columns of out from r by name, casting where the types differ.
func project(ctx context.Context, r arrow.RecordBatch, out *arrow.Schema) (arrow.RecordBatch, error) {
	arrs := make([]arrow.Array, out.NumFields())
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, f := range out.Fields() {
		idx := r.Schema().FieldIndices(f.Name)
		if idx == nil {
			return nil, fmt.Errorf("%w: column %q", ErrNoColumn, f.Name)
		}
		col := r.Column(idx[0])
		if arrow.TypeEqual(col.DataType(), f.Type) {
			col.Retain()
			arrs[i] = col
			continue
		}
		c, err := compute.CastArray(ctx, col, compute.SafeCastOptions(f.Type))
		if err != nil {
			return nil, fmt.Errorf("casting column %q: %w", f.Name, err)
		}
		arrs[i] = c
	}
	return array.NewRecordBatch(out, arrs, r.NumRows()), nil
}

func rowKey(r arrow.RecordBatch, n, row int) string {
	var b strings.Builder
	for c := range n {
		col := r.Column(c)
		if col.IsNull(row) {
			b.WriteString("\x00null")
		} else {
			b.WriteString(col.ValueStr(row))
		}
		b.WriteByte(0x1f)
	}
	return b.String()
}

func hasNull(r arrow.RecordBatch, row int) bool {
	for _, col := range r.Columns() {
		if col.IsNull(row) {
			return true
		}
	}
	return false
}

// errNoLiteral means a column type has no Iceberg literal here: such a
// column cannot be pushed down as a filter.
var errNoLiteral = errors.New("no Iceberg literal for this column type")

// literalAt returns the Iceberg literal of a non-null value of col.
func literalAt(col arrow.Array, i int) (iceberg.Literal, error) {
	if col.IsNull(i) {
		return nil, fmt.Errorf("%w: null", errNoLiteral)
	}
	switch a := col.(type) {
	case *array.String:
		return iceberg.NewLiteral(a.Value(i)), nil
	case *array.LargeString:
		return iceberg.NewLiteral(a.Value(i)), nil
	case *array.Int64:
		return iceberg.NewLiteral(a.Value(i)), nil
	case *array.Int32:
		return iceberg.NewLiteral(a.Value(i)), nil
	case *array.Date32:
		return iceberg.NewLiteral(iceberg.Date(a.Value(i))), nil
	}
	return nil, fmt.Errorf("%w: %s", errNoLiteral, col.DataType())
}

// inFilter builds "column IN (values of column in recs)" to prune a scan, or
// AlwaysTrue (scan everything) when the column's type has no literal.
func inFilter(column string, recs []arrow.RecordBatch) (iceberg.BooleanExpression, error) {
	var lits []iceberg.Literal
	seen := map[string]struct{}{}
	for _, r := range recs {
		idx := r.Schema().FieldIndices(column)
		if idx == nil {
			return nil, fmt.Errorf("%w: column %q", ErrNoColumn, column)
		}
		col := r.Column(idx[0])
		for i := range col.Len() {
			if col.IsNull(i) {
				continue
			}
			s := col.ValueStr(i)
			if _, ok := seen[s]; ok {
				continue
			}
			seen[s] = struct{}{}
			lit, err := literalAt(col, i)
			if err != nil {
				return iceberg.AlwaysTrue{}, nil
			}
			lits = append(lits, lit)
		}
	}
	if len(lits) == 0 {
		return iceberg.AlwaysFalse{}, nil
	}
	return iceberg.SetPredicate(iceberg.OpIn, iceberg.Reference(column), lits), nil
}

// ExistingValues reports which of values already appear in the string column
// of the table. The scan filters on column IN values, and on prune when it is
// not nil (e.g. event_date IN dates, so only those partitions are read).
// Ingesters use it to drop redelivered events that were already committed.
func (l *Lakehouse) ExistingValues(ctx context.Context, id Ident, column string, values []string, prune iceberg.BooleanExpression) (map[string]struct{}, error) {
	found := map[string]struct{}{}
	if len(values) == 0 {
		return found, nil
	}
	tbl, err := l.LoadTable(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("looking up %s values in %s: %w", column, id, err)
	}
	if _, ok := tbl.Schema().FindFieldByName(column); !ok {
		return nil, fmt.Errorf("looking up %s values in %s: %w: %q", column, id, ErrNoColumn, column)
	}
	if tbl.CurrentSnapshot() == nil {
		return found, nil
	}
	var filter iceberg.BooleanExpression = iceberg.IsIn(iceberg.Reference(column), values...)
	if prune != nil {
		filter = iceberg.NewAnd(filter, prune)
	}
	_, it, err := tbl.Scan(table.WithRowFilter(filter), table.WithSelectedFields(column)).ToArrowRecords(ctx)
	if err != nil {
		return nil, fmt.Errorf("looking up %s values in %s: %w", column, id, err)
	}
	for r, err := range it {
		if err != nil {
			return nil, fmt.Errorf("looking up %s values in %s: %w", column, id, err)
		}
		col := r.Column(0)
		for i := range col.Len() {
			if col.IsNull(i) {
				continue
			}
			switch a := col.(type) {
			case *array.String:
				found[a.Value(i)] = struct{}{}
			case *array.LargeString:
				found[a.Value(i)] = struct{}{}
			case *array.StringView:
				found[a.Value(i)] = struct{}{}
			default:
				found[col.ValueStr(i)] = struct{}{}
			}
		}
		r.Release()
	}
	return found, nil
}
