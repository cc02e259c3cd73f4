package lakehouse

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/meshterious/warehouse/platform/config"
)

// Catalog kinds accepted by Config.CatalogKind (package config's).
const (
	CatalogSQLite   = config.CatalogSQLite
	CatalogPostgres = config.CatalogPostgres
)

// Defaults applied by Config.WithDefaults. The catalog, warehouse and data
// directory defaults are package config's, so a program configured in code
// and one configured by the environment agree.
const (
	DefaultCatalogKind   = CatalogSQLite
	DefaultCatalogName   = config.DefaultCatalogName
	DefaultDataDir       = config.DefaultDataDirName
	DefaultCommitRetries = 20
)

// S3Config holds the object-store settings used when Warehouse is an s3:// URL
// (the same type as config.S3Settings).
type S3Config = config.S3Settings

// Config configures a Lakehouse.
type Config struct {
	// CatalogKind is "sqlite" (default) or "postgres".
	CatalogKind string
	// CatalogURI is the SQLite file path (default <DataDir>/catalog.db) or a
	// PostgreSQL DSN postgres://...
	CatalogURI string
	// CatalogName is the catalog_name column of the JDBC-layout tables (default "mesh").
	CatalogName string
	// Warehouse is a local directory (default <DataDir>/warehouse) or s3://bucket/prefix.
	Warehouse string
	// DataDir is the root of local state (default ".mesh").
	DataDir string
	// S3 configures the object store for s3:// warehouses.
	S3 S3Config
	// CommitRetries is how often a commit that lost an optimistic-concurrency race
	// is rebuilt on the fresh table state and retried (default 20).
	CommitRetries int
	// Logger receives diagnostics; nil means slog.Default().
	Logger *slog.Logger
}

// WithDefaults returns c with every empty field set to its default.
func (c Config) WithDefaults() Config {
	if c.CatalogKind == "" {
		c.CatalogKind = DefaultCatalogKind
	}
	c.CatalogKind = strings.ToLower(c.CatalogKind)
	if c.CatalogName == "" {
		c.CatalogName = DefaultCatalogName
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.CatalogURI == "" && c.CatalogKind == CatalogSQLite {
		c.CatalogURI = config.DefaultCatalogURI(c.DataDir)
	}
	if c.Warehouse == "" {
		c.Warehouse = config.DefaultWarehouse(c.DataDir)
	}
	if c.CommitRetries == 0 {
		c.CommitRetries = DefaultCommitRetries
	}
	return c
}

// IsS3 reports whether the warehouse lives in an S3 bucket.
func (c Config) IsS3() bool { return config.IsS3Warehouse(c.Warehouse) }

// Validate checks a Config (call WithDefaults first) with package config's
// rules for the catalog, the warehouse and S3 (config.CheckCatalog,
// config.CheckWarehouse, config.CheckCommitRetries), so that a program
// configured in code is held to the same rules as one configured by the
// environment. Errors wrap ErrInvalidConfig and name the environment variable
// that sets the offending field; values that may hold a password are
// redacted.
func (c Config) Validate() error {
	for _, err := range []error{
		config.CheckCatalog(c.CatalogKind, c.CatalogURI, c.CatalogName),
		config.CheckWarehouse(c.Warehouse, c.S3),
		config.CheckCommitRetries(c.CommitRetries),
	} {
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
	}
	return nil
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}
