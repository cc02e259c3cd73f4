package lakehouse

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"
)

// stagingSuffix marks the name under which StageTable builds a table before
// it becomes visible. Tables does not list such tables.
const stagingSuffix = "__mesh_staging"

// StagingIdent returns the name under which StageTable builds id.
func StagingIdent(id Ident) Ident {
	return Ident{Namespace: id.Namespace, Name: id.Name + stagingSuffix}
}

// IsStaging reports whether id names a table that StageTable is building (or
// that a killed build left behind): no reader should take it for a table.
func IsStaging(id Ident) bool { return strings.HasSuffix(id.Name, stagingSuffix) }

// StagedTable returns the table that the staging table id is building, and
// false when id is not a staging table.
func StagedTable(id Ident) (Ident, bool) {
	name, ok := strings.CutSuffix(id.Name, stagingSuffix)
	return Ident{Namespace: id.Namespace, Name: name}, ok
}

// StageTable creates a table that readers see complete or not at all. A
// table that a writer creates and then fills is visible, empty, between the
// two commits, and stays so if the writer dies in between; instead,
// StageTable creates it as StagingIdent(id) (first dropping a staging table
// that an earlier, killed build left there), lets fill commit its data to
// that name, and then renames it to id in the catalog, dropping what id held
// before (a rebuild with other columns). If fill fails the staging table is
// dropped. Between the drop and the rename of a rebuild, id is briefly
// missing, never half written.
//
// schema and props are those of a new table as for EnsureTable; fill gets
// the staging identifier. StageTable returns the table under its final name.
// Two StageTable calls for one table at once are not supported: the later
// takes the earlier one's staging table for stale, and the earlier one then
// fails with ErrStagingReplaced.
func (l *Lakehouse) StageTable(ctx context.Context, id Ident, schema *iceberg.Schema, props map[string]string, fill func(staging Ident) error) (*table.Table, error) {
	if IsStaging(id) {
		return nil, fmt.Errorf("%w: %s ends with the staging suffix %s", ErrInvalidIdent, id, stagingSuffix)
	}
	staging := StagingIdent(id)
	if err := l.EnsureNamespace(ctx, id.Namespace); err != nil {
		return nil, err
	}
	if err := l.DropTable(ctx, staging); err != nil {
		return nil, fmt.Errorf("removing the stale staging table of %s: %w", id, err)
	}
	opts, err := createOptions(id, schema, props)
	if err != nil {
		return nil, err
	}
	location, err := l.defaultLocation(ctx, id)
	if err != nil {
		return nil, err
	}
	opts = append(opts, catalog.WithLocation(location))
	created, err := l.cat.CreateTable(ctx, staging.identifier(), schema, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating staging table %s: %w", staging, err)
	}
	if err := fill(staging); err != nil {
		if derr := l.DropTable(context.WithoutCancel(ctx), staging); derr != nil {
			l.log.Warn("lakehouse: dropping a staging table after a failed build", "table", staging.String(), "err", derr)
		}
		return nil, err
	}
	// Another StageTable of the same table (a second build at once) drops
	// the staging table it takes for stale and makes its own: publishing
	// that one would publish the other build's rows, or a mix.
	filled, err := l.LoadTable(ctx, staging)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrStagingReplaced, staging, err)
	}
	if filled.Metadata().TableUUID() != created.Metadata().TableUUID() {
		return nil, fmt.Errorf("%w: %s was dropped and created again while this build filled it", ErrStagingReplaced, staging)
	}
	if err := l.DropTable(ctx, id); err != nil {
		return nil, err
	}
	tbl, err := l.cat.RenameTable(ctx, staging.identifier(), id.identifier())
	if err != nil {
		return nil, fmt.Errorf("renaming staging table %s to %s: %w", staging, id, err)
	}
	return tbl, nil
}

// defaultLocation is where the catalog would put a new table id, as
// iceberg-go's SQL catalog computes it: under the namespace's location
// property, else <warehouse>/<namespace>.db/<name>. A staged table is created
// there rather than under its staging name, so its files sit where its name
// says, as those of any other table.
func (l *Lakehouse) defaultLocation(ctx context.Context, id Ident) (string, error) {
	nsprops, err := l.cat.LoadNamespaceProperties(ctx, table.Identifier{id.Namespace})
	if err != nil {
		return "", fmt.Errorf("reading the properties of namespace %s: %w", id.Namespace, err)
	}
	if loc := nsprops.Get("location", ""); loc != "" {
		return url.JoinPath(loc, id.Name)
	}
	return url.JoinPath(l.props.Get("warehouse", ""), id.Namespace+".db", id.Name)
}

// DropStaging drops the staging table of id that a killed StageTable left
// behind, and reports whether there was one.
// The check comes first: a drop takes the catalog's write lock, which every
// model of every build would otherwise contend for.
func (l *Lakehouse) DropStaging(ctx context.Context, id Ident) (bool, error) {
	staging := StagingIdent(id)
	if ok, err := l.TableExists(ctx, staging); err != nil || !ok {
		return false, err
	}
	err := l.cat.DropTable(ctx, staging.identifier())
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, catalog.ErrNoSuchTable), errors.Is(err, catalog.ErrNoSuchNamespace):
		return false, nil
	}
	return false, fmt.Errorf("dropping %s: %w", staging, err)
}
