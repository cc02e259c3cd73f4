package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/meshterious/warehouse/platform/config"
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
  meshctl metadata push [--live] [--url URL] [--retries N] [--domain D] [--if-configured]
      create or update every entity on the server (URL default $%s),
      authenticating with the bot token in $%s; --domain sends one
      domain's refresh (its metadata_<domain> DAG); --if-configured succeeds
      without pushing when no server is configured
  --live reads the lakehouse too (column types, partitioning, tables only it
  knows); without it the catalog comes from the declarations alone.
`

func runMetadata(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stderr, metadataUsage, config.EnvOpenMetadataURL, config.EnvOpenMetadataToken)
		if len(args) == 0 {
			return errors.New("export or push?")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "export":
		return runMetadataExport(ctx, args[1:], stdout, stderr)
	case "push":
		return runMetadataPush(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, metadataUsage, config.EnvOpenMetadataURL, config.EnvOpenMetadataToken)
	return fmt.Errorf("unknown subcommand %q: export or push", args[0])
}

// metadataBodies builds and validates the bodies of the repository's
// catalog, printing the count per entity type.
func metadataBodies(ctx context.Context, live bool, stderr io.Writer) ([]openmetadata.Body, error) {
	start := time.Now()
	root, err := config.RepoRoot()
	if err != nil {
		return nil, err
	}
	rt, err := mesh.Load(stderr)
	if err != nil {
		return nil, err
	}
	var lh *lakehouse.Lakehouse
	if live {
		if lh, err = rt.OpenLakehouse(ctx); err != nil {
			return nil, err
		}
		defer lh.Close()
	}
	fmt.Fprintf(stderr, "building the catalog of %s%s\n", root, map[bool]string{true: " with the lakehouse", false: ""}[live])
	cat, err := openmetadata.LoadCatalog(ctx, root, lh, rt.Logger)
	if err != nil {
		return nil, err
	}
	opts := openmetadata.DefaultOptions()
	opts.Database = rt.Config.CatalogName
	bodies, err := openmetadata.Build(cat, opts)
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
	bodies, err := metadataBodies(ctx, *live, stderr)
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
	ifConfigured := fs.Bool("if-configured", false, "succeed without pushing when no server URL is configured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("push takes no arguments, got %q", fs.Args())
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
	bodies, err := metadataBodies(ctx, *live, stderr)
	if err != nil {
		return err
	}
	if *domain != "" {
		if bodies = openmetadata.ForDomain(bodies, *domain); !hasDomain(bodies, *domain) {
			return fmt.Errorf("--domain %q: no such domain in the catalog", *domain)
		}
		fmt.Fprintf(stderr, "%d bodies of domain %s\n", len(bodies), *domain)
	}
	sum, err := openmetadata.Push(ctx, *url, token, bodies, openmetadata.WithRetries(*retries), openmetadata.WithProgress(stderr))
	if sum != nil {
		sum.Write(stdout)
	}
	return err
}

func hasDomain(bodies []openmetadata.Body, domain string) bool {
	for _, b := range bodies {
		if b.Type == openmetadata.TypeDomain && b.FQN == openmetadata.FQN(domain) {
			return true
		}
	}
	return false
}
