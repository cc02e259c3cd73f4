package lakehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"
	icebergio "github.com/apache/iceberg-go/io"
	_ "github.com/apache/iceberg-go/io/gocloud/s3" // registers the s3:// file IO
	"github.com/apache/iceberg-go/table"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/meshterious/warehouse/platform/config"
)

// PartitionColumn is the column by which EnsureTable partitions new tables
// (identity transform) when their schema has it.
const PartitionColumn = "event_date"

// Ident names a table as namespace.name.
type Ident struct{ Namespace, Name string }

// String returns "namespace.name".
func (i Ident) String() string { return i.Namespace + "." + i.Name }

func (i Ident) identifier() table.Identifier { return table.Identifier{i.Namespace, i.Name} }

// ParseIdent parses "namespace.name".
func ParseIdent(s string) (Ident, error) {
	ns, name, ok := strings.Cut(s, ".")
	if !ok || ns == "" || name == "" || strings.Contains(name, ".") {
		return Ident{}, fmt.Errorf("%w: %q is not namespace.name", ErrInvalidIdent, s)
	}
	return Ident{Namespace: ns, Name: name}, nil
}

// Lakehouse is a handle on an Iceberg catalog and its warehouse.
type Lakehouse struct {
	cfg   Config
	db    *sql.DB
	cat   *sqlcat.Catalog
	props iceberg.Properties
	log   *slog.Logger
}

// Open connects to (and if needed creates) the catalog and the warehouse.
func Open(ctx context.Context, cfg Config) (*Lakehouse, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	props := iceberg.Properties{}
	if cfg.IsS3() {
		props["warehouse"] = strings.TrimSuffix(cfg.Warehouse, "/")
		props[icebergio.S3Region] = cfg.S3.Region
		if cfg.S3.Endpoint != "" {
			props[icebergio.S3EndpointURL] = cfg.S3.Endpoint
		}
		if cfg.S3.AccessKeyID != "" {
			props[icebergio.S3AccessKeyID] = cfg.S3.AccessKeyID
			props[icebergio.S3SecretAccessKey] = cfg.S3.SecretAccessKey
		}
		if err := ensureBucket(ctx, cfg); err != nil {
			return nil, err
		}
	} else {
		dir := strings.TrimPrefix(cfg.Warehouse, "file://")
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("resolving warehouse %q: %w", cfg.Warehouse, err)
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return nil, fmt.Errorf("creating warehouse directory %s: %w", abs, err)
		}
		props["warehouse"] = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}

	var (
		db      *sql.DB
		dialect sqlcat.SupportedDialect
		err     error
	)
	switch cfg.CatalogKind {
	case CatalogSQLite:
		if err := os.MkdirAll(filepath.Dir(cfg.CatalogURI), 0o755); err != nil {
			return nil, fmt.Errorf("creating catalog directory: %w", err)
		}
		db, err = sql.Open(sqliteshim.ShimName, sqliteDSN(cfg.CatalogURI))
		dialect = sqlcat.SQLite
	case CatalogPostgres:
		db, err = sql.Open("pgx", cfg.CatalogURI)
		dialect = sqlcat.Postgres
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s catalog: %w", cfg.CatalogKind, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to %s catalog: %w", cfg.CatalogKind, err)
	}
	cat, err := newCatalog(ctx, cfg, db, dialect, props)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Lakehouse{cfg: cfg, db: db, cat: cat, props: props, log: cfg.logger()}, nil
}

// newCatalog creates the catalog, retrying the table bootstrap: two processes
// opening a fresh catalog at once can race on CREATE TABLE IF NOT EXISTS.
func newCatalog(ctx context.Context, cfg Config, db *sql.DB, dialect sqlcat.SupportedDialect, props iceberg.Properties) (*sqlcat.Catalog, error) {
	var lastErr error
	for attempt := range 5 {
		cat, err := sqlcat.NewCatalog(cfg.CatalogName, db, dialect, props)
		if err == nil {
			return cat, nil
		}
		lastErr = err
		if err := sleepBackoff(ctx, attempt); err != nil {
			break
		}
	}
	return nil, fmt.Errorf("initialising %s catalog: %w", cfg.CatalogKind, lastErr)
}

// sqliteDSN enables WAL, a busy timeout and BEGIN IMMEDIATE so that several
// processes can share the catalog file without "database is locked" errors.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

func ensureBucket(ctx context.Context, cfg Config) error {
	u, err := url.Parse(cfg.Warehouse)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidConfig, config.EnvWarehouse, err)
	}
	bucket := u.Host
	endpoint, secure := "s3.amazonaws.com", true
	if cfg.S3.Endpoint != "" {
		eu, err := url.Parse(cfg.S3.Endpoint)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalidConfig, config.EnvS3Endpoint, err)
		}
		endpoint, secure = eu.Host, eu.Scheme == "https"
	}
	opts := &minio.Options{Secure: secure, Region: cfg.S3.Region}
	if cfg.S3.AccessKeyID != "" {
		opts.Creds = credentials.NewStaticV4(cfg.S3.AccessKeyID, cfg.S3.SecretAccessKey, "")
	} else {
		opts.Creds = credentials.NewEnvAWS()
	}
	mc, err := minio.New(endpoint, opts)
	if err != nil {
		return fmt.Errorf("connecting to s3 endpoint %s: %w", endpoint, err)
	}
	exists, err := mc.BucketExists(ctx, bucket)
	if err != nil {
		return fmt.Errorf("checking bucket %s: %w", bucket, err)
	}
	if exists {
		return nil
	}
	if err := mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: cfg.S3.Region}); err != nil {
		if exists, err2 := mc.BucketExists(ctx, bucket); err2 == nil && exists {
			return nil // created concurrently
		}
		return fmt.Errorf("creating bucket %s: %w", bucket, err)
	}
	return nil
}

// Config returns the effective configuration (defaults applied).
func (l *Lakehouse) Config() Config { return l.cfg }

// Catalog returns the underlying Iceberg catalog.
func (l *Lakehouse) Catalog() catalog.Catalog { return l.cat }

// Properties returns the catalog properties (warehouse, s3.*), e.g. to open file IO.
func (l *Lakehouse) Properties() iceberg.Properties {
	out := make(iceberg.Properties, len(l.props))
	for k, v := range l.props {
		out[k] = v
	}
	return out
}

// IsS3 reports whether the warehouse is in an S3 bucket.
func (l *Lakehouse) IsS3() bool { return l.cfg.IsS3() }

// Close releases the catalog connection.
func (l *Lakehouse) Close() error {
	err := l.cat.Close()
	return errors.Join(err, l.db.Close())
}

// EnsureNamespace creates ns if it does not exist. Safe under concurrent callers.
func (l *Lakehouse) EnsureNamespace(ctx context.Context, ns string) error {
	if ns == "" || strings.Contains(ns, ".") {
		return fmt.Errorf("%w: namespace %q", ErrInvalidIdent, ns)
	}
	ident := table.Identifier{ns}
	exists, err := l.cat.CheckNamespaceExists(ctx, ident)
	if err == nil && exists {
		return nil
	}
	err = l.cat.CreateNamespace(ctx, ident, nil)
	if err == nil || errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
		return nil
	}
	if exists, err2 := l.cat.CheckNamespaceExists(ctx, ident); err2 == nil && exists {
		return nil // lost a creation race
	}
	return fmt.Errorf("creating namespace %s: %w", ns, err)
}

// EnsureTable creates the table if it is missing, else loads it. A new table
// is partitioned by identity(event_date) when the schema has that field, and
// uses Iceberg format version 2 unless props say otherwise. It is idempotent
// and safe under concurrent callers (in this or other processes): losing the
// creation race loads the winner's table.
func (l *Lakehouse) EnsureTable(ctx context.Context, id Ident, schema *iceberg.Schema, props map[string]string) (*table.Table, error) {
	if tbl, err := l.LoadTable(ctx, id); err == nil {
		return tbl, nil
	} else if !errors.Is(err, ErrNoSuchTable) {
		return nil, err
	}
	if err := l.EnsureNamespace(ctx, id.Namespace); err != nil {
		return nil, err
	}
	opts, err := createOptions(id, schema, props)
	if err != nil {
		return nil, err
	}
	tbl, err := l.cat.CreateTable(ctx, id.identifier(), schema, opts...)
	if err == nil {
		return tbl, nil
	}
	// AlreadyExists, or a serialization failure from a concurrent creator:
	// whichever it is, the table may now exist.
	if tbl, lerr := l.LoadTable(ctx, id); lerr == nil {
		return tbl, nil
	}
	return nil, fmt.Errorf("creating table %s: %w", id, err)
}

// createOptions are the options of a new table: Iceberg format version 2
// unless props say otherwise, partitioned by identity(event_date) when the
// schema has that field.
func createOptions(id Ident, schema *iceberg.Schema, props map[string]string) ([]catalog.CreateTableOpt, error) {
	tprops := iceberg.Properties{table.PropertyFormatVersion: "2"}
	for k, v := range props {
		tprops[k] = v
	}
	opts := []catalog.CreateTableOpt{catalog.WithProperties(tprops)}
	if f, ok := schema.FindFieldByName(PartitionColumn); ok {
		spec, err := iceberg.NewPartitionSpecOpts(
			iceberg.AddPartitionFieldBySourceID(f.ID, PartitionColumn, iceberg.IdentityTransform{}, schema, nil))
		if err != nil {
			return nil, fmt.Errorf("building partition spec for %s: %w", id, err)
		}
		opts = append(opts, catalog.WithPartitionSpec(&spec))
	}
	return opts, nil
}

// AddMissingColumns adds every top-level column of schema that the table
// lacks, as an optional column, and returns the names added (none when the
// table has them all). It is the additive, compatible evolution a writer
// needs when its schema gains a column: older data files read the new
// columns as NULL. Columns are never dropped, retyped or made required.
func (l *Lakehouse) AddMissingColumns(ctx context.Context, id Ident, schema *iceberg.Schema) ([]string, error) {
	var added []string
	_, err := l.Commit(ctx, id, "adding columns to", func(tbl *table.Table) (*table.Table, error) {
		added = added[:0]
		have := tbl.Schema()
		tx := tbl.NewTransaction()
		update := tx.UpdateSchema(true, false)
		for _, f := range schema.Fields() {
			if _, ok := have.FindFieldByName(f.Name); !ok {
				update.AddColumn([]string{f.Name}, f.Type, f.Doc, false, nil)
				added = append(added, f.Name)
			}
		}
		if len(added) == 0 {
			return tbl, nil
		}
		if err := update.Commit(); err != nil {
			return nil, err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// LoadTable loads the table's current metadata. A missing table yields ErrNoSuchTable.
func (l *Lakehouse) LoadTable(ctx context.Context, id Ident) (*table.Table, error) {
	tbl, err := l.cat.LoadTable(ctx, id.identifier())
	if err != nil {
		if errors.Is(err, catalog.ErrNoSuchTable) || errors.Is(err, catalog.ErrNoSuchNamespace) {
			return nil, fmt.Errorf("loading table %s: %w (%v)", id, ErrNoSuchTable, err)
		}
		return nil, fmt.Errorf("loading table %s: %w", id, err)
	}
	return tbl, nil
}

// TableInfo summarises a table's current snapshot.
type TableInfo struct {
	Ident Ident
	// Rows is the snapshot summary's total-records: rows in live data files,
	// before delete files are applied.
	Rows int64
	// Files is the number of live data files.
	Files int
	// SnapshotID is the current snapshot (0 for a table without commits).
	SnapshotID int64
	// LastCommit is the current snapshot's commit time (zero without commits).
	LastCommit time.Time
	// Summary is the current snapshot's summary, including "operation".
	Summary map[string]string
}

// Tables lists every table of every namespace, sorted by namespace and name,
// leaving out the staging tables of builds under way (IsStaging).
func (l *Lakehouse) Tables(ctx context.Context) ([]TableInfo, error) {
	nss, err := l.cat.ListNamespaces(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("listing namespaces: %w", err)
	}
	var out []TableInfo
	for _, ns := range nss {
		for ident, err := range l.cat.ListTables(ctx, ns) {
			if err != nil {
				return nil, fmt.Errorf("listing tables of %s: %w", strings.Join(ns, "."), err)
			}
			if len(ident) != 2 {
				continue
			}
			id := Ident{Namespace: ident[0], Name: ident[1]}
			if IsStaging(id) {
				continue // not a table yet (StageTable)
			}
			tbl, err := l.LoadTable(ctx, id)
			if err != nil {
				if errors.Is(err, ErrNoSuchTable) {
					continue // dropped meanwhile
				}
				return nil, err
			}
			out = append(out, tableInfo(id, tbl))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Ident.Namespace != out[j].Ident.Namespace {
			return out[i].Ident.Namespace < out[j].Ident.Namespace
		}
		return out[i].Ident.Name < out[j].Ident.Name
	})
	return out, nil
}

func tableInfo(id Ident, tbl *table.Table) TableInfo {
	info := TableInfo{Ident: id, Summary: map[string]string{}}
	snap := tbl.CurrentSnapshot()
	if snap == nil {
		return info
	}
	info.SnapshotID = snap.SnapshotID
	info.LastCommit = time.UnixMilli(snap.TimestampMs).UTC()
	if snap.Summary != nil {
		for k, v := range snap.Summary.Properties {
			info.Summary[k] = v
		}
		info.Summary["operation"] = string(snap.Summary.Operation)
		info.Rows, _ = strconv.ParseInt(info.Summary["total-records"], 10, 64)
		files, _ := strconv.Atoi(info.Summary["total-data-files"])
		info.Files = files
	}
	return info
}
