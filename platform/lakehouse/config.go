package lakehouse

import (
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/meshterious/warehouse/platform/config"
)

// Catalog kinds accepted by Config.CatalogKind.
const (
	CatalogSQLite   = "sqlite"
	CatalogPostgres = "postgres"
)

// Defaults applied by Config.WithDefaults.
const (
	DefaultCatalogKind   = CatalogSQLite
	DefaultCatalogName   = "mesh"
	DefaultDataDir       = ".mesh"
	DefaultCommitRetries = 20
)

// S3Config holds the object-store settings used when Warehouse is an s3:// URL.
type S3Config struct {
	Endpoint        string // e.g. http://127.0.0.1:9000; empty means AWS
	Region          string // required for s3 warehouses
	AccessKeyID     string
	SecretAccessKey string
}

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
		c.CatalogURI = filepath.Join(c.DataDir, "catalog.db")
	}
	if c.Warehouse == "" {
		c.Warehouse = filepath.Join(c.DataDir, "warehouse")
	}
	if c.CommitRetries == 0 {
		c.CommitRetries = DefaultCommitRetries
	}
	return c
}

// IsS3 reports whether the warehouse lives in an S3 bucket.
func (c Config) IsS3() bool { return strings.HasPrefix(c.Warehouse, "s3://") }

// Validate checks a Config (call WithDefaults first). Messages name the
// environment variable that sets the offending field.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	switch c.CatalogKind {
	case CatalogSQLite:
		if c.CatalogURI == "" {
			return bad("%s (catalog uri) is required", config.EnvCatalogURI)
		}
		if strings.Contains(c.CatalogURI, "://") {
			return bad("%s must be a file path for the sqlite catalog, got %q", config.EnvCatalogURI, c.CatalogURI)
		}
	case CatalogPostgres:
		if c.CatalogURI == "" {
			return bad("%s is required when %s=postgres", config.EnvCatalogURI, config.EnvCatalog)
		}
		u, err := url.Parse(c.CatalogURI)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return bad("%s must be a postgres:// DSN when %s=postgres", config.EnvCatalogURI, config.EnvCatalog)
		}
	default:
		return bad("%s must be %q or %q, got %q", config.EnvCatalog, CatalogSQLite, CatalogPostgres, c.CatalogKind)
	}
	if c.CatalogName == "" {
		return bad("%s (catalog name) is required", config.EnvCatalogName)
	}
	if c.Warehouse == "" {
		return bad("%s (warehouse) is required", config.EnvWarehouse)
	}
	if strings.Contains(c.Warehouse, "://") && !c.IsS3() && !strings.HasPrefix(c.Warehouse, "file://") {
		return bad("%s must be a local directory or s3://bucket/prefix, got %q", config.EnvWarehouse, c.Warehouse)
	}
	if c.IsS3() {
		u, err := url.Parse(c.Warehouse)
		if err != nil || u.Host == "" {
			return bad("%s must look like s3://bucket/prefix, got %q", config.EnvWarehouse, c.Warehouse)
		}
		if c.S3.Region == "" {
			return bad("%s is required for an s3:// warehouse", config.EnvS3Region)
		}
		if c.S3.Endpoint != "" {
			eu, err := url.Parse(c.S3.Endpoint)
			if err != nil || (eu.Scheme != "http" && eu.Scheme != "https") || eu.Host == "" {
				return bad("%s must be an http(s)://host:port URL, got %q", config.EnvS3Endpoint, c.S3.Endpoint)
			}
		}
		if (c.S3.AccessKeyID == "") != (c.S3.SecretAccessKey == "") {
			return bad("%s and %s must be set together", config.EnvS3AccessKeyID, config.EnvS3SecretKey)
		}
	}
	if c.CommitRetries < 0 {
		return bad("%s must be >= 0, got %d", config.EnvCommitRetries, c.CommitRetries)
	}
	return nil
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}
