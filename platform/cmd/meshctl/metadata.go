package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/dags/runner"
	"github.com/meshterious/warehouse/platform/freshness"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/openmetadata"
)

func init() {
	commands = append(commands, command{"metadata",
		"OpenMetadata " + openmetadata.Version + ": metadata export DIR (request bodies as files) | push --url URL (token from " + config.EnvOpenMetadataToken + ")",
		runMetadata})
}

const metadataUsage = `usage:
  meshctl metadata export [--live] DIR
      write every OpenMetadata request body, one JSON file per entity in a
      folder per entity type, validated against the pinned schemas
  meshctl metadata push [--live] [--url URL] [--retries N] [--domain D | --table NS.TABLE]
                        [--runs N] [--if-configured]
      create or update every entity on the server (URL default $%s),
      authenticating with the bot token in $%s; --domain sends one
      domain's refresh (its metadata_<domain> DAG), --table one table's
      registration (its ingest DAG's register task); --if-configured succeeds
      without pushing when no server is configured. After the entities it
      sends, per table, its freshness (with --live: the last commit that
      added data, as a table profile with the row count) and, per pipeline,
      the latest --runs runs of the local run history as pipeline statuses
  --live reads the lakehouse too (column types, partitioning, tables only it
  knows); without it the catalog comes from the declarations alone.
`

func runMetadata(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := fmt.Sprintf(metadataUsage, config.EnvOpenMetadataURL, config.EnvOpenMetadataToken)
	return dispatch(ctx, args, stdout, stderr, usage,
		subcommand{"export", runMetadataExport}, subcommand{"push", runMetadataPush})
}

// openCatalogSources loads the runtime and, with live, opens the lakehouse
// (nil otherwise); close releases it.
func openCatalogSources(ctx context.Context, live bool, stderr io.Writer) (rt *mesh.Runtime, lh *lakehouse.Lakehouse, close func(), err error) {
	if rt, err = mesh.Load(stderr); err != nil {
		return nil, nil, nil, err
	}
	if !live {
		return rt, nil, func() {}, nil
	}
	if lh, err = rt.OpenLakehouse(ctx); err != nil {
		return nil, nil, nil, err
	}
	return rt, lh, func() { lh.Close() }, nil
}

// metadataOptions are the push's names, the database being the catalog's.
func metadataOptions(rt *mesh.Runtime) openmetadata.Options {
	opts := openmetadata.DefaultOptions()
	opts.Database = rt.Config.CatalogName
	return opts
}

// metadataBodies builds and validates the bodies of the repository's
// catalog (with the lakehouse when lh is not nil), printing the count per
// entity type.
func metadataBodies(ctx context.Context, rt *mesh.Runtime, lh *lakehouse.Lakehouse, stderr io.Writer) ([]openmetadata.Body, error) {
	start := time.Now()
	root, err := config.RepoRoot()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "building the catalog of %s%s\n", root, map[bool]string{true: " with the lakehouse", false: ""}[lh != nil])
	cat, err := openmetadata.LoadCatalog(ctx, root, lh, rt.Logger)
	if err != nil {
		return nil, err
	}
	bodies, err := openmetadata.Build(cat, metadataOptions(rt))
	if err != nil {
		return nil, err
	}
	v, err := openmetadata.DefaultValidator()
	if err != nil {
		return nil, err
	}
	if err := openmetadata.ValidateAll(v, bodies); err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "%d bodies valid against the OpenMetadata %s JSON Schemas (%s):\n", len(bodies), openmetadata.Version, time.Since(start).Round(time.Millisecond))
	for _, c := range openmetadata.CountByType(bodies) {
		fmt.Fprintf(stderr, "  %-17s %5d\n", c.Type, c.N)
	}
	return bodies, nil
}

func runMetadataExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl metadata export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	live := fs.Bool("live", false, "read the lakehouse too")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("export needs one directory: meshctl metadata export DIR")
	}
	dir := fs.Arg(0)
	rt, lh, closeSources, err := openCatalogSources(ctx, *live, stderr)
	if err != nil {
		return err
	}
	defer closeSources()
	bodies, err := metadataBodies(ctx, rt, lh, stderr)
	if err != nil {
		return err
	}
	if err := openmetadata.Export(dir, bodies); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d files to %s, one folder per entity type\n", len(bodies), dir)
	return nil
}

func runMetadataPush(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl metadata push", flag.ContinueOnError)
	fs.SetOutput(stderr)
	live := fs.Bool("live", false, "read the lakehouse too")
	url := fs.String("url", os.Getenv(config.EnvOpenMetadataURL), "the OpenMetadata server, e.g. http://localhost:8585 (default $"+config.EnvOpenMetadataURL+")")
	retries := fs.Int("retries", 5, "retries of a request answered 429 or 5xx")
	domain := fs.String("domain", "", "only this domain's entities and the lineage into them (and the mesh-wide ones)")
	table := fs.String("table", "", "only this table <namespace>.<table>, the lineage into it and what they refer to (an ingest's registration)")
	runs := fs.Int("runs", 10, "the latest runs per pipeline sent from the local run history as pipeline statuses (0: none)")
	ifConfigured := fs.Bool("if-configured", false, "succeed without pushing when no server URL is configured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("push takes no arguments, got %q", fs.Args())
	}
	if *domain != "" && *table != "" {
		return errors.New("give --domain or --table, not both")
	}
	if *runs < 0 {
		return fmt.Errorf("--runs %d: want 0 or more", *runs)
	}
	var tableID lakehouse.Ident
	if *table != "" {
		id, err := lakehouse.ParseIdent(*table)
		if err != nil {
			return fmt.Errorf("--table: %w", err)
		}
		tableID = id
	}
	if *url == "" && *ifConfigured {
		fmt.Fprintf(stdout, "no OpenMetadata server configured (%s): nothing pushed\n", config.EnvOpenMetadataURL)
		return nil
	}
	if *url == "" {
		return fmt.Errorf("no server: give --url or set %s", config.EnvOpenMetadataURL)
	}
	token := os.Getenv(config.EnvOpenMetadataToken)
	if token == "" {
		return fmt.Errorf("no token: set %s to the JWT token of an OpenMetadata bot (Settings > Bots)", config.EnvOpenMetadataToken)
	}
	rt, lh, closeSources, err := openCatalogSources(ctx, *live, stderr)
	if err != nil {
		return err
	}
	defer closeSources()
	bodies, err := metadataBodies(ctx, rt, lh, stderr)
	if err != nil {
		return err
	}
	opts := metadataOptions(rt)
	switch {
	case *domain != "":
		if bodies = openmetadata.ForDomain(bodies, *domain); !hasDomain(bodies, *domain) {
			return fmt.Errorf("--domain %q: no such domain in the catalog", *domain)
		}
		fmt.Fprintf(stderr, "%d bodies of domain %s\n", len(bodies), *domain)
	case *table != "":
		if bodies = openmetadata.ForTable(bodies, openmetadata.FQN(opts.DatabaseService, opts.Database, tableID.Namespace, tableID.Name)); len(bodies) == 0 {
			return fmt.Errorf("--table %q: no such table in the catalog (declared in a domain.yaml, or in the lakehouse with --live)", *table)
		}
		fmt.Fprintf(stderr, "%d bodies of table %s\n", len(bodies), tableID)
		*runs = 0 // the ingest registering its table is the run still going
	}
	statuses, err := metadataStatuses(ctx, rt, lh, opts, bodies, *runs, stderr)
	if err != nil {
		return err
	}
	pushOpts := []openmetadata.Option{openmetadata.WithRetries(*retries), openmetadata.WithProgress(stderr)}
	sum, err := openmetadata.Push(ctx, *url, token, bodies, pushOpts...)
	if sum != nil {
		sum.Write(stdout)
	}
	if err != nil || len(statuses) == 0 {
		return err
	}
	st, err := openmetadata.PushStatus(ctx, *url, token, statuses, pushOpts...)
	if st != nil {
		// The server keeps one point per entity and timestamp and does not
		// say whether it had it: a point sent again replaces itself.
		var parts []string
		for _, r := range st.Results {
			parts = append(parts, fmt.Sprintf("%d %s", r.Updated, r.Type))
		}
		fmt.Fprintf(stdout, "status points sent: %s (%d requests, %d retries)\n", strings.Join(parts, ", "), st.Requests, st.Retries)
	}
	return err
}

// metadataStatuses are the points sent after the bodies' entities: with the
// lakehouse, each table's freshness; from the local run history (when there
// is one), the latest runs of each pipeline. They are validated here, before
// anything is sent.
func metadataStatuses(ctx context.Context, rt *mesh.Runtime, lh *lakehouse.Lakehouse, opts openmetadata.Options,
	bodies []openmetadata.Body, runs int, stderr io.Writer) ([]openmetadata.Status, error) {
	var out []openmetadata.Status
	if lh != nil {
		infos, err := lh.Tables(ctx)
		if err != nil {
			return nil, err
		}
		rows := map[lakehouse.Ident]int64{}
		for _, ti := range infos {
			rows[ti.Ident] = ti.Rows
		}
		var fresh []openmetadata.TableFreshness
		for _, b := range bodies {
			if b.Type.Name != openmetadata.TypeTable.Name {
				continue
			}
			parts := openmetadata.SplitFQN(b.FQN)
			id := lakehouse.Ident{Namespace: parts[len(parts)-2], Name: parts[len(parts)-1]}
			st, err := freshness.TableState(ctx, lh, id, time.Time{})
			if err != nil {
				return nil, fmt.Errorf("reading the freshness of %s: %w", id, err)
			}
			if !st.Exists {
				continue // declared, not created yet
			}
			tbl, err := lh.LoadTable(ctx, id)
			if err != nil {
				return nil, err
			}
			fresh = append(fresh, openmetadata.TableFreshness{Table: id.String(), LastData: st.LastData, Rows: rows[id], Columns: len(tbl.Schema().Fields())})
		}
		out = append(out, openmetadata.TableStatuses(opts, fresh)...)
	}
	// The run history exists once meshctl dag run has run something.
	if path := runner.HistoryPath(rt.Config.DataDir); runs > 0 && fileExists(path) {
		st, err := runner.OpenStore(ctx, path)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		history, err := st.Runs(ctx, "", runs)
		if err != nil {
			return nil, err
		}
		out = append(out, openmetadata.RunStatuses(opts, history)...)
	}
	out = openmetadata.StatusesFor(out, bodies)
	v, err := openmetadata.DefaultValidator()
	if err != nil {
		return nil, err
	}
	if err := openmetadata.ValidateStatuses(v, out); err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, s := range out {
		n[s.Kind.Name]++
	}
	fmt.Fprintf(stderr, "%d status points valid (%d table profiles, %d pipeline statuses)\n", len(out), n[openmetadata.StatusTableProfile.Name], n[openmetadata.StatusPipeline.Name])
	return out, nil
}

func hasDomain(bodies []openmetadata.Body, domain string) bool {
	for _, b := range bodies {
		if b.Type == openmetadata.TypeDomain && b.FQN == openmetadata.FQN(domain) {
			return true
		}
	}
	return false
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
