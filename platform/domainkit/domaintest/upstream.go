package domaintest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/iceberg-go/table"
	_ "github.com/duckdb/duckdb-go/v2" // database/sql driver "duckdb"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/transform"
)

// Options adapt the conformance suite to a domain.
type Options struct {
	// Upstream, when set, runs on every fresh harness before anything is
	// produced: a domain whose events react to another domain's data product
	// (events[].upstream) loads that product here, e.g. with LoadSQL, since a
	// domain's tests never run another domain's code.
	Upstream func(h *Harness)
	// Reference runs the guarantees at full scale and adds the broker
	// restart (see RunIngestGuarantees). One domain, orders, is the
	// reference: the ingester is the same shared code in every domain.
	Reference bool
}

// LoadSQL creates (or replaces) a lakehouse table from the rows of a DuckDB
// query, e.g. `SELECT ... FROM range(500)`, to stand in for another domain's
// data product in a test.
func (h *Harness) LoadSQL(id lakehouse.Ident, query string) {
	h.T.Helper()
	ctx := h.T.Context()
	db, err := sql.Open("duckdb", "")
	require.NoError(h.T, err)
	defer db.Close()
	path := filepath.Join(h.T.TempDir(), strings.ReplaceAll(id.String(), ".", "_")+".parquet")
	_, err = db.ExecContext(ctx, fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", query, path))
	require.NoError(h.T, err, query)
	recs, _, err := transform.ReadParquet(ctx, path)
	require.NoError(h.T, err)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	os.Remove(path)
	schema, err := table.ArrowSchemaToIcebergWithFreshIDs(recs[0].Schema(), true)
	require.NoError(h.T, err)
	lh := h.Lakehouse()
	require.NoError(h.T, lh.DropTable(ctx, id))
	require.NoError(h.T, lh.EnsureNamespace(ctx, id.Namespace))
	_, err = lh.EnsureTable(ctx, id, schema, nil)
	require.NoError(h.T, err)
	_, err = lh.Append(ctx, id, recs, nil)
	require.NoError(h.T, err)
}
