package serve

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/meshterious/warehouse/platform/query"
)

// Defaults applied by Config.WithDefaults.
const (
	DefaultAddr         = "127.0.0.1:8090"
	DefaultMaxRows      = 10000
	DefaultQueryTimeout = 30 * time.Second
	DefaultRefresh      = 30 * time.Second
	DefaultMaxSQLBytes  = 64 << 10
	DefaultMemory       = "1GB"
	DefaultThreads      = 2
)

// Config configures a Server.
type Config struct {
	// Addr is the listen address, host:port (default 127.0.0.1:8090).
	Addr string
	// Root is the repository root, where domains/ and metadata/ are read.
	Root string
	// DataDir is the mesh's data directory (the DAG run history lives there).
	DataDir string
	// MaxRows caps the rows a query returns (default 10000); more are cut
	// and the answer says so.
	MaxRows int
	// QueryTimeout interrupts a query that runs longer (default 30s).
	QueryTimeout time.Duration
	// Refresh is how often the snapshot is checked for new commits and
	// reloaded (default 30s; negative: never).
	Refresh time.Duration
	// MaxSQLBytes caps the SQL text of a request (default 64 KiB).
	MaxSQLBytes int
	// Loader configures the engine that reads the lakehouse into the
	// snapshot; its Masks (PII) apply to everything the endpoint answers.
	Loader query.Config
	// Memory and Threads bound the DuckDB that answers queries (defaults
	// 1GB and 2); they are locked with the rest of its configuration.
	Memory  string
	Threads int
	// TempDir holds the snapshot's transfer files while it loads (default os.TempDir()).
	TempDir string
	// Logger receives diagnostics; nil means slog.Default().
	Logger *slog.Logger
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxRows == 0 {
		c.MaxRows = DefaultMaxRows
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = DefaultQueryTimeout
	}
	if c.Refresh == 0 {
		c.Refresh = DefaultRefresh
	}
	if c.MaxSQLBytes == 0 {
		c.MaxSQLBytes = DefaultMaxSQLBytes
	}
	if c.Memory == "" {
		c.Memory = DefaultMemory
	}
	if c.Threads == 0 {
		c.Threads = DefaultThreads
	}
	return c
}

// Validate checks the configuration; messages name the field.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("%w: serve.addr %q is not host:port: %v", ErrInvalidConfig, c.Addr, err)
	}
	if c.MaxRows < 0 {
		return fmt.Errorf("%w: serve.max_rows must be > 0, got %d", ErrInvalidConfig, c.MaxRows)
	}
	if c.QueryTimeout < 0 {
		return fmt.Errorf("%w: serve.query_timeout must be > 0, got %s", ErrInvalidConfig, c.QueryTimeout)
	}
	if c.MaxSQLBytes < 0 {
		return fmt.Errorf("%w: serve.max_sql_bytes must be > 0, got %d", ErrInvalidConfig, c.MaxSQLBytes)
	}
	if c.Threads < 0 {
		return fmt.Errorf("%w: serve.threads must be >= 0, got %d", ErrInvalidConfig, c.Threads)
	}
	return c.Loader.Validate()
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}
