package domainkit

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/dbtpkg"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/transform"
)

// dbtDir is where a domain keeps its dbt project, relative to the domain folder.
const dbtDir = "dbt"

// DBTProject loads the domain's dbt project from its embedded files.
func (d *Domain) DBTProject(vars map[string]any) (*dbt.Project, error) {
	sub, err := fs.Sub(d.Files, dbtDir)
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "dbt_project.yml"); err != nil {
		return nil, fmt.Errorf("domain %s has no dbt project (%s/dbt_project.yml): %w", d.Name(), dbtDir, err)
	}
	return dbt.Load(sub, dbt.LoadOptions{Vars: vars, Packages: dbtpkg.Packages()})
}

func runTransform(ctx context.Context, a *App, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("usage: %s transform run|test|build|seed [--select X] [--full-refresh]", a.Domain.Name())
	}
	command := args[0]
	if command == "bench" {
		return runTransformBench(ctx, a, args[1:])
	}
	fs := a.flagSet("transform " + command)
	sel := fs.String("select", "", "dbt selector: model, +model, model+, tag:x, path:models/marts (space-separated union)")
	fullRefresh := fs.Bool("full-refresh", false, "rebuild incremental models from scratch")
	targetPath := fs.String("target-path", "", "where manifest.json, run_results.json and catalog.json go (default $MESH_DATA_DIR/dbt/<domain>/target)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	project, err := a.Domain.DBTProject(nil)
	if err != nil {
		return err
	}
	rt, err := mesh.Load(a.Stderr)
	if err != nil {
		return err
	}
	lh, err := rt.OpenLakehouse(ctx)
	if err != nil {
		return err
	}
	defer lh.Close()
	// Sources are the domain's raw tables: make sure they exist, even empty,
	// so that a transform before the first ingest builds empty models.
	for _, ev := range a.Domain.Events() {
		if _, err := a.EnsureRawTable(ctx, lh, ev); err != nil {
			return err
		}
	}
	target := *targetPath
	if target == "" {
		target = filepath.Join(rt.Config.DataDir, "dbt", a.Domain.Name(), "target")
	}
	x, err := transform.New(ctx, project, lh, transform.Config{
		Command: command, Select: *sel, FullRefresh: *fullRefresh, TargetDir: target,
		Database: rt.Config.CatalogName, Progress: a.Stdout, Logger: rt.Logger,
	})
	if err != nil {
		return err
	}
	defer x.Close()
	_, err = x.Execute(ctx)
	if errors.Is(err, transform.ErrFailed) {
		return fmt.Errorf("%w (artifacts in %s)", err, target)
	}
	return err
}

func writeCSV(path string, header []string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.Write(header); err != nil {
		f.Close()
		return err
	}
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
