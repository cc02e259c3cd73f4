package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/dags"
	"github.com/meshterious/warehouse/platform/freshness"
	"github.com/meshterious/warehouse/platform/render"
)

func init() {
	commands = append(commands, command{"freshness",
		"compare the age of each table's last data with its freshness SLA; exit 1 when one is stale", runFreshness})
}

// runFreshness checks every table with a freshness SLA (see package
// freshness): the age of its last data, not of its last snapshot, and
// whether its inputs had anything newer.
func runFreshness(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl freshness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	domain := fs.String("domain", "", "only this domain's tables")
	format := fs.String("format", "table", "output format: table, csv or json")
	atFlag := fs.String("at", "", "check as of this time, RFC 3339 (default now): later snapshots are ignored")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var at time.Time
	if *atFlag != "" {
		var err error
		if at, err = time.Parse(time.RFC3339Nano, *atFlag); err != nil {
			return fmt.Errorf("--at %q: want RFC 3339 like 2026-01-31T00:00:00Z", *atFlag)
		}
	}
	all, domains, _, err := loadDAGs()
	if err != nil {
		return err
	}
	slas := dags.TableSLAs(domains, all)
	rt, lh, err := openLakehouse(ctx, stderr)
	if err != nil {
		return err
	}
	defer lh.Close()

	// A table's inputs: the reads of the DAGs writing it, and the dbt
	// lineage of its model from the manifest of the domain's last transform
	// (domainkit's default target path).
	inputs := []map[string][]string{freshness.DAGInputs(all)}
	for _, d := range domains {
		path := filepath.Join(rt.Config.DataDir, "dbt", d.Name, "target", "manifest.json")
		m, err := readManifest(path)
		if err != nil {
			fmt.Fprintf(stderr, "meshctl freshness: warning: %v; the lineage of %s's models is not used\n", err, d.Name)
			continue
		}
		inputs = append(inputs, m)
	}
	lineage := freshness.MergeInputs(inputs...)

	var checks []freshness.Check
	for t, sla := range slas {
		if ns, _, _ := strings.Cut(t, "."); *domain == "" || ns == *domain {
			checks = append(checks, freshness.Check{Table: t, SLA: sla, Inputs: lineage[t]})
		}
	}
	if len(checks) == 0 {
		where := ""
		if *domain != "" {
			where = " in domain " + *domain
		}
		return fmt.Errorf("no table with a freshness SLA%s (domain.yaml tables[].freshness or a DAG's sla)", where)
	}
	sort.Slice(checks, func(i, j int) bool { return checks[i].Table < checks[j].Table })
	results, err := freshness.Run(ctx, lh, checks, at)
	if err != nil {
		return err
	}
	stale := 0
	rows := make([][]any, 0, len(results))
	for _, r := range results {
		if r.Status == freshness.Stale {
			stale++
		}
		age := ""
		if !r.LastData.IsZero() {
			age = fmtDuration(r.Age.Round(time.Second))
		}
		rows = append(rows, []any{r.Table, fmtDuration(r.SLA), timeCell(r.LastData), age, r.String()})
	}
	if err := render.Write(stdout, *format, []string{"table", "sla", "last_data", "age", "status"}, rows); err != nil {
		return err
	}
	if stale > 0 {
		return fmt.Errorf("%d of %d tables are stale", stale, len(results))
	}
	return nil
}

// readManifest reads the table lineage of a dbt manifest; a domain that has
// not been transformed yet has none.
func readManifest(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := freshness.ManifestInputs(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
