package lakehouse

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/iceberg-go/catalog"
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
