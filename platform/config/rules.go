package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// The rules of the catalog, warehouse and S3 settings live here once: Config
// applies them to the environment, and lakehouse.Config.Validate to the
// values a program passes in code. Each returns nil or an error naming the
// environment variable to fix, not wrapped in a sentinel: the caller wraps it
// in its own (ErrInvalid here, lakehouse.ErrInvalidConfig there). Values that
// may hold credentials are quoted through RedactURL.

// S3Settings are the object-store settings used when the warehouse is an
// s3:// location.
type S3Settings struct {
	Endpoint        string // e.g. http://127.0.0.1:9000; empty means AWS
	Region          string // required for s3 warehouses
	AccessKeyID     string
	SecretAccessKey string
}

// DefaultCatalogURI is the SQLite catalog file of the embedded default under dataDir.
func DefaultCatalogURI(dataDir string) string { return filepath.Join(dataDir, "catalog.db") }

// DefaultWarehouse is the warehouse directory of the embedded default under dataDir.
func DefaultWarehouse(dataDir string) string { return filepath.Join(dataDir, "warehouse") }

// IsS3Warehouse reports whether a warehouse location is an S3 bucket.
func IsS3Warehouse(warehouse string) bool { return strings.HasPrefix(warehouse, "s3://") }

// CheckAMQPURL checks the broker URL: amqp:// or amqps:// with a host.
func CheckAMQPURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("%s is required (e.g. %s)", EnvAMQPURL, "amqp://guest:guest@127.0.0.1:5672/")
	}
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") || u.Host == "" {
		return fmt.Errorf("%s must be an amqp:// or amqps:// URL with a host, got %q", EnvAMQPURL, RedactURL(raw))
	}
	return nil
}

// CheckCatalog checks a catalog kind (sqlite or postgres), its URI (a file
// path, or a postgres:// URL) and its name.
func CheckCatalog(kind, uri, name string) error {
	switch kind {
	case CatalogSQLite:
		if uri == "" {
			return fmt.Errorf("%s is required for %s=sqlite (a file path)", EnvCatalogURI, EnvCatalog)
		}
		if strings.Contains(uri, "://") {
			return fmt.Errorf("%s must be a file path for %s=sqlite, got %q", EnvCatalogURI, EnvCatalog, RedactURL(uri))
		}
	case CatalogPostgres:
		if uri == "" {
			return fmt.Errorf("%s is required for %s=postgres (e.g. postgres://user@host:5432/db)", EnvCatalogURI, EnvCatalog)
		}
		if u, err := url.Parse(uri); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return fmt.Errorf("%s must be a postgres://user@host:5432/db URL for %s=postgres, got %q", EnvCatalogURI, EnvCatalog, RedactURL(uri))
		}
	default:
		return fmt.Errorf("%s must be %q or %q, got %q", EnvCatalog, CatalogSQLite, CatalogPostgres, kind)
	}
	if name == "" {
		return fmt.Errorf("%s (the catalog name) is empty", EnvCatalogName)
	}
	return nil
}

// CheckWarehouse checks a warehouse location (a directory, file:// or
// s3://bucket/prefix) and, for s3://, the S3 settings: a region, an
// http(s)://host endpoint when one is set, and both keys or neither.
func CheckWarehouse(warehouse string, s3 S3Settings) error {
	if warehouse == "" {
		return fmt.Errorf("%s (the warehouse) is empty", EnvWarehouse)
	}
	if !IsS3Warehouse(warehouse) {
		if strings.Contains(warehouse, "://") && !strings.HasPrefix(warehouse, "file://") {
			return fmt.Errorf("%s must be a directory, file:// or s3://bucket/prefix location, got %q", EnvWarehouse, RedactURL(warehouse))
		}
		return nil
	}
	var errs []error
	if u, err := url.Parse(warehouse); err != nil || u.Host == "" {
		errs = append(errs, fmt.Errorf("%s must look like s3://bucket/prefix, got %q", EnvWarehouse, RedactURL(warehouse)))
	}
	if s3.Region == "" {
		errs = append(errs, fmt.Errorf("%s is required when %s is an s3:// location (MinIO accepts us-east-1)", EnvS3Region, EnvWarehouse))
	}
	if s3.Endpoint != "" {
		if u, err := url.Parse(s3.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s must be an http(s)://host:port URL, got %q", EnvS3Endpoint, RedactURL(s3.Endpoint)))
		}
	}
	if (s3.AccessKeyID == "") != (s3.SecretAccessKey == "") {
		errs = append(errs, fmt.Errorf("%s and %s must be set together", EnvS3AccessKeyID, EnvS3SecretKey))
	}
	return errors.Join(errs...)
}

// CheckCommitRetries checks the retries of a conflicting commit (0 means the
// lakehouse's default).
func CheckCommitRetries(n int) error {
	if n < 0 {
		return fmt.Errorf("%s must be a whole number >= 0", EnvCommitRetries)
	}
	return nil
}
