// Command meshctl is the platform's entry point for people: query the
// lakehouse with SQL, list its tables, and show the configuration in effect.
//
//	meshctl sql "SELECT region, count(*) FROM orders.raw_orders GROUP BY 1"
//	meshctl sql --format csv "SELECT * FROM orders.raw_orders LIMIT 10"
//	meshctl tables
//	meshctl config
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/query"
	"github.com/meshterious/warehouse/platform/render"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"sql", "run SQL over the lakehouse; tables are <domain>.<table>", runSQL},
	{"tables", "list tables with row counts and last snapshot", runTables},
	{"config", "show the configuration in effect and where each value came from", runConfig},
	{"catalog", "the local catalog: catalog list|show|search|lineage (owners, glossary, PII, freshness, lineage)", runCatalog},
	{"publish", "write the serving DuckDB file for BI tools (--check: is it behind the lakehouse?)", runPublish},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		if err := c.run(ctx, args[1:], stdout, stderr); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintf(stderr, "meshctl %s: %v\n", c.name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "meshctl: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "meshctl: query and inspect The Mesh-terious Warehouse.\n\nUsage: meshctl <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

func runSQL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl sql", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "table", "output format: table, csv, json (JSON lines), or spark (a sparkline per series: first column the series, last the value); values print as DuckDB's CLI prints them")
	timing := fs.Bool("timing", false, "print the query time on stderr")
	role := fs.String("role", "", "governance role: PII columns it may not see read as **** or NULL (default $MESH_ROLE, else the default role; meshctl catalog show says who sees what)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stmt := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if stmt == "" || stmt == "-" {
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		stmt = strings.TrimSpace(string(data))
	}
	if stmt == "" {
		return errors.New(`no SQL given: meshctl sql "SELECT ..." (or pipe it on stdin)`)
	}
	rt, lh, err := openLakehouse(ctx, stderr)
	if err != nil {
		return err
	}
	defer lh.Close()
	masks, err := sqlMasks(ctx, rt, *role)
	if err != nil {
		return err
	}
	eng, err := query.NewEngine(ctx, lh, query.Config{Logger: rt.Logger, Masks: masks})
	if err != nil {
		return err
	}
	defer eng.Close()
	start := time.Now()
	// Values print as DuckDB's CLI prints them (a UUID as its text, an
	// INTERVAL as 3 days), in every format.
	res, err := eng.QueryText(ctx, stmt)
	if err != nil {
		return err
	}
	if *timing {
		fmt.Fprintf(stderr, "query took %s\n", time.Since(start).Round(time.Millisecond))
	}
	return render.Write(stdout, *format, res.Columns, res.Rows)
}

func runTables(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl tables", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "table", "output format: table, csv, json, or spark (a sparkline per series: first column the series, last the value)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, lh, err := openLakehouse(ctx, stderr)
	if err != nil {
		return err
	}
	defer lh.Close()
	infos, err := lh.Tables(ctx)
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(infos))
	for _, ti := range infos {
		var last any
		if !ti.LastCommit.IsZero() {
			last = ti.LastCommit.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []any{ti.Ident.String(), ti.Rows, ti.Files, ti.SnapshotID, last})
	}
	return render.Write(stdout, *format, []string{"table", "rows", "files", "snapshot_id", "last_snapshot"}, rows)
}

func runConfig(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	rt, err := mesh.Load(stderr)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rt.Config.String())
	return nil
}

// openLakehouse loads the configuration and opens the lakehouse it names.
func openLakehouse(ctx context.Context, stderr io.Writer) (*mesh.Runtime, *lakehouse.Lakehouse, error) {
	rt, err := mesh.Load(stderr)
	if err != nil {
		return nil, nil, err
	}
	lh, err := rt.OpenLakehouse(ctx)
	if err != nil {
		return nil, nil, err
	}
	return rt, lh, nil
}
