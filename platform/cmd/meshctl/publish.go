package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/dashboards"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/query"
	"github.com/meshterious/warehouse/platform/render"
	"github.com/meshterious/warehouse/platform/serving"
)

// runPublish writes the serving DuckDB file BI tools read (Superset through
// duckdb-engine), or with --check reports how far it is behind the lakehouse.
func runPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the serving DuckDB file (default $MESH_DATA_DIR/"+serving.DefaultFile+")")
	tables := fs.String("tables", "", "comma-separated <namespace>.<table> to refresh, keeping the file's other tables as published (default: publish every table but raw_*, and only those)")
	check := fs.Bool("check", false, "publish nothing: compare the serving file with the lakehouse, exit 1 when a table is behind by more than --max-lag")
	maxLag := fs.Duration("max-lag", 15*time.Minute, "with --check: how long a new commit may wait to be published")
	bundle := fs.String("bundle", "", "also write Superset's import bundle of every domain's dashboards here, reading the published file (default <dir of --out>/superset-bundle.zip; \"none\" to skip)")
	role := fs.String("role", "", "the governance role whose view is published: PII columns it may not see are masked in the file (default $MESH_ROLE, else the catalog's default role)")
	lockTimeout := fs.Duration("lock-timeout", serving.DefaultLockTimeout, "how long to wait for another publish of the same file to finish")
	bundleURI := fs.String("bundle-uri", "", "the SQLAlchemy URI of the published file as Superset sees it (default duckdb:///<--out, absolute>)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", strings.Join(fs.Args(), " "))
	}
	rt, lh, err := openLakehouse(ctx, stderr)
	if err != nil {
		return err
	}
	defer lh.Close()
	path := *out
	if path == "" {
		path = filepath.Join(rt.Config.DataDir, filepath.FromSlash(serving.DefaultFile))
	}
	if *check {
		lags, err := serving.Check(ctx, lh, path, *maxLag, time.Now())
		rows := make([][]any, 0, len(lags))
		for _, l := range lags {
			state := "fresh"
			if l.Behind > 0 {
				state = "behind " + l.Behind.Round(time.Second).String()
			}
			rows = append(rows, []any{l.Table.String(), l.Published.Rows, l.Published.SnapshotID, l.CurrentSnapshot,
				l.Published.PublishedAt.Format(time.RFC3339), state})
		}
		if len(rows) > 0 {
			if werr := render.Write(stdout, "table", []string{"table", "rows", "published_snapshot", "current_snapshot", "published_at", "state"}, rows); werr != nil {
				return werr
			}
		}
		return err
	}
	// BI users see what the role may see: the file holds masked values, not
	// the PII itself.
	masks, err := sqlMasks(ctx, rt, *role)
	if err != nil {
		return err
	}
	cfg := serving.Config{Path: path, Query: query.Config{Logger: rt.Logger, Masks: masks}, Progress: stdout, LockTimeout: *lockTimeout}
	if *tables != "" {
		for _, s := range strings.Split(*tables, ",") {
			id, err := lakehouse.ParseIdent(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("--tables: %w", err)
			}
			cfg.Tables = append(cfg.Tables, id)
		}
	}
	start := time.Now()
	fmt.Fprintf(stdout, "publishing into %s\n", path)
	pub, err := serving.Publish(ctx, lh, cfg)
	if err != nil {
		return err
	}
	if len(pub) == 0 {
		return errors.New("nothing to publish: the lakehouse has no table with data (run a domain's ingest and transform first)")
	}
	var rows int64
	for _, p := range pub {
		rows += p.Rows
	}
	fmt.Fprintf(stdout, "published %d tables, %d rows, in %s: %s\n", len(pub), rows, time.Since(start).Round(time.Millisecond), path)
	if *bundle == "none" {
		return nil
	}
	return writeBundle(path, *bundle, *bundleURI, stdout)
}

// writeBundle writes Superset's import bundle of every domain's dashboards,
// reading the serving file at path.
func writeBundle(path, out, uri string, stdout io.Writer) error {
	root, err := config.RepoRoot()
	if err != nil {
		return fmt.Errorf("writing the dashboards' bundle (--bundle none to skip): %w", err)
	}
	all, err := dashboards.LoadAll(root)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(filepath.Dir(abs), "superset-bundle.zip")
	}
	if uri == "" {
		uri = "duckdb:///" + filepath.ToSlash(abs)
	}
	var buf bytes.Buffer
	if err := dashboards.Bundle(&buf, all, dashboards.BundleConfig{DatabaseURI: uri}); err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	charts := 0
	for _, d := range all {
		charts += len(d.Charts)
	}
	fmt.Fprintf(stdout, "wrote %s: %d dashboards, %d charts for Superset %s, reading %s\n", out, len(all), charts, dashboards.SupersetVersion, uri)
	return nil
}
