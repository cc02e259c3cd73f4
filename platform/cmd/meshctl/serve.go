package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/query"
	"github.com/meshterious/warehouse/platform/serve"
)

func init() {
	commands = append(commands,
		command{"serve", "a read-only web view of the mesh and a SQL endpoint (POST /api/sql) on localhost", runServe},
	)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", serve.DefaultAddr, "listen address host:port (a non-loopback host exposes the view and the SQL endpoint to the network)")
	maxRows := fs.Int("max-rows", serve.DefaultMaxRows, "rows a query returns at most")
	timeout := fs.Duration("timeout", serve.DefaultQueryTimeout, "time a query may run before it is interrupted")
	refresh := fs.Duration("refresh", serve.DefaultRefresh, "how often to look for new commits and reload the snapshot (negative: never)")
	role := fs.String("role", "", "governance role whose PII masks apply to every page and query, as in meshctl sql (default $MESH_ROLE, else the default role)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags: --addr, --max-rows, --timeout, --refresh)", strings.Join(fs.Args(), " "))
	}
	rt, lh, err := openLakehouse(ctx, stderr)
	if err != nil {
		return err
	}
	defer lh.Close()
	root, err := config.RepoRoot()
	if err != nil {
		return fmt.Errorf("finding the repository root (domains/, metadata/; set %s): %w", config.EnvRepoRoot, err)
	}
	// The same masks as meshctl sql's, applied where the snapshot is loaded.
	masks, err := sqlMasks(ctx, rt, *role)
	if err != nil {
		return err
	}
	srv, err := serve.New(lh, serve.Config{
		Addr: *addr, Root: root, DataDir: rt.Config.DataDir, MaxRows: *maxRows, QueryTimeout: *timeout,
		Refresh: *refresh, Logger: rt.Logger, Loader: query.Config{Masks: masks, Logger: rt.Logger},
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on --addr %s: %w", *addr, err)
	}
	fmt.Fprintf(stderr, "loading the lakehouse snapshot...\n")
	start := time.Now()
	return srv.Serve(ctx, l, func(a string) {
		_, tables := srv.Sandbox().Loaded()
		fmt.Fprintf(stdout, "serving http://%s/ (%d tables loaded in %s; Ctrl+C stops)\n", a, tables, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(stdout, "  pages: %s\n  SQL:   curl -s -H 'Content-Type: application/json' -d '{\"sql\": \"SELECT 42\"}' http://%s/api/sql\n", strings.Join(serve.Pages, " "), a)
	})
}
