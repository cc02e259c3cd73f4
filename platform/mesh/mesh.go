package mesh

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/meshterious/warehouse/platform/broker"
	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// Runtime is the loaded configuration plus a logger.
type Runtime struct {
	Config config.Config
	Logger *slog.Logger
}

// Load reads the configuration (environment, then .env) and builds a logger
// writing to w at the configured level.
func Load(w io.Writer) (*Runtime, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	return New(cfg, w), nil
}

// New wraps an already loaded configuration.
func New(cfg config.Config, w io.Writer) *Runtime {
	if w == nil {
		w = os.Stderr
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel)))
	return &Runtime{Config: cfg, Logger: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))}
}

// Broker returns the broker configuration.
func (r *Runtime) Broker() broker.Config {
	return broker.Config{URL: r.Config.AMQPURL, Logger: r.Logger}.WithDefaults()
}

// LakehouseConfig returns the lakehouse configuration.
func (r *Runtime) LakehouseConfig() lakehouse.Config {
	c := r.Config
	return lakehouse.Config{
		CatalogKind: c.Catalog,
		CatalogURI:  c.CatalogURI,
		CatalogName: c.CatalogName,
		Warehouse:   c.Warehouse,
		DataDir:     c.DataDir,
		S3: lakehouse.S3Config{
			Endpoint: c.S3Endpoint, Region: c.S3Region,
			AccessKeyID: c.S3AccessKeyID, SecretAccessKey: c.S3SecretAccessKey,
		},
		CommitRetries: c.CommitRetries,
		Logger:        r.Logger,
	}
}

// OpenLakehouse opens the configured catalog and warehouse.
func (r *Runtime) OpenLakehouse(ctx context.Context) (*lakehouse.Lakehouse, error) {
	lh, err := lakehouse.Open(ctx, r.LakehouseConfig())
	if err != nil {
		return nil, fmt.Errorf("opening the lakehouse (%s catalog, warehouse %s): %w", r.Config.Catalog, r.Config.Warehouse, err)
	}
	return lh, nil
}
