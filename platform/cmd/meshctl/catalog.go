package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/catalog"
	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/render"
)

const catalogUsage = `Usage:
  meshctl catalog list    [--domain d] [--offline] [--format table|csv|json]
  meshctl catalog show    <entity> [--role r] [--offline]
  meshctl catalog search  <text> [--format table|csv|json]
  meshctl catalog lineage <entity> [--format text|dot|svg|png] [-o file] [--offline]

An entity is a table (namespace.table), a dashboard (its id, e.g.
orders_sales), a chart or a dataset (<dashboard>.<name>), or any of them as
kind:name (serving:orders.fact_orders is the serving copy of a table).

The catalog is built from the domains' declarations (domain.yaml, contracts,
dbt projects, DAGs, dashboards), metadata/glossary.yaml, metadata/governance.yaml
and, unless --offline, the lakehouse (rows, last commit, freshness against the SLA).
Lineage runs from the RabbitMQ queues through the tables and the serving
database (meshctl publish) to the dashboards' datasets, charts and dashboards.
svg and png need Graphviz's dot (Debian/Ubuntu: apt-get install graphviz).
`

// runCatalog is meshctl catalog: the local catalog, no server needed.
func runCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, args, stdout, stderr, catalogUsage,
		subcommand{"list", catalogList}, subcommand{"show", catalogShow},
		subcommand{"search", catalogSearch}, subcommand{"lineage", catalogLineage})
}

// buildCatalog builds the catalog of the repository, with the lakehouse
// unless offline.
func buildCatalog(ctx context.Context, offline bool, stderr io.Writer) (*catalog.Catalog, error) {
	root, err := config.RepoRoot()
	if err != nil {
		return nil, err
	}
	cfg := catalog.Config{Root: root}
	if !offline {
		rt, lh, err := openLakehouse(ctx, stderr)
		if err != nil {
			return nil, fmt.Errorf("%w (or use --offline for the declarations only)", err)
		}
		defer lh.Close()
		cfg.Lakehouse, cfg.Logger = lh, rt.Logger
	}
	return catalog.Build(ctx, cfg)
}

// parseInterleaved parses flags that may come before or after the
// positional arguments (meshctl catalog show orders.fact_orders --offline).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func catalogList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl catalog list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	domain := fs.String("domain", "", "only this domain's tables")
	offline := fs.Bool("offline", false, "declarations only: do not read the lakehouse")
	format := fs.String("format", "table", "output format: table, csv or json")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	c, err := buildCatalog(ctx, *offline, stderr)
	if err != nil {
		return err
	}
	var rows [][]any
	for _, t := range c.Tables {
		if *domain != "" && t.Domain != *domain {
			continue
		}
		product := ""
		if t.DataProduct {
			product = "yes"
		}
		var pii []string
		for _, col := range t.Columns {
			if col.PII != "" {
				pii = append(pii, col.Name)
			}
		}
		var rowsCell, last any
		if t.Live != nil && t.Live.Exists {
			rowsCell = t.Live.Rows
			if !t.Live.LastCommit.IsZero() {
				last = t.Live.LastCommit.UTC().Format(time.RFC3339)
			}
		}
		rows = append(rows, []any{t.ID(), t.Domain, t.Owner, string(t.Layer), product, rowsCell, last,
			fmtDuration(t.Freshness.SLA), t.Freshness.Status, strings.Join(t.Glossary, ", "), strings.Join(pii, ", ")})
	}
	if len(rows) == 0 {
		return fmt.Errorf("no table of domain %q", *domain)
	}
	if err := render.Write(stdout, *format, []string{"table", "domain", "owner", "layer", "product", "rows",
		"last_commit", "sla", "freshness", "glossary", "pii"}, rows); err != nil {
		return err
	}
	if *format == "table" {
		fmt.Fprintf(stdout, "\n%d tables of %d domains, %d topics, %d pipelines, %d served tables, %d dashboards (%d datasets, %d charts), %d lineage edges, %d glossary terms\n",
			len(rows), len(c.Domains), len(c.Topics), len(c.Pipelines), len(c.Serving.Tables), len(c.Consumers), len(c.Datasets), len(c.Charts),
			len(c.Edges), len(c.Glossary.Terms))
	}
	return nil
}

func catalogShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl catalog show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	offline := fs.Bool("offline", false, "declarations only: do not read the lakehouse")
	role := fs.String("role", "", "say which columns this role sees (default $"+config.EnvRole+", else the default role)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: meshctl catalog show <entity>")
	}
	c, err := buildCatalog(ctx, *offline, stderr)
	if err != nil {
		return err
	}
	ref, err := c.Resolve(pos[0])
	if err != nil {
		return err
	}
	if ref.Kind != catalog.KindTable {
		return showEntity(stdout, c, ref)
	}
	t, err := c.Table(ref.Name)
	if err != nil {
		return err
	}
	if *role == "" {
		cfg, err := config.Load()
		if err != nil {
			return err
		}
		*role = cfg.Role
	}
	r, err := c.Role(*role)
	if err != nil {
		return err
	}
	w := &bytes.Buffer{}
	kind := string(t.Layer)
	if t.DataProduct {
		kind += ", data product"
	}
	fmt.Fprintf(w, "%s  (%s)\n", t.ID(), kind)
	if t.Description != "" {
		fmt.Fprintf(w, "  %s\n", t.Description)
	}
	fmt.Fprintln(w)
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-11s %s\n", k, v)
		}
	}
	if d := c.Domain(t.Domain); d != nil {
		line("domain", fmt.Sprintf("%s (owner %s, %s, %s)", d.Name, d.Team, strings.Join(d.GitHub, " "), d.Email))
	} else {
		line("domain", "none: only the lakehouse knows this table")
	}
	origin := t.Origin
	switch {
	case t.DBT != nil:
		origin += fmt.Sprintf(" %s (%s, %s)", t.DBT.UniqueID, t.DBT.Path, t.DBT.Materialized)
	case t.Contract != "":
		origin += " " + t.Contract
	}
	line("declared", origin)
	line("glossary", strings.Join(t.Glossary, ", "))
	line("tags", strings.Join(t.Tags, ", "))
	line("partition", strings.Join(t.Partitioning, ", "))
	if t.Live != nil {
		if t.Live.Exists {
			line("data", fmt.Sprintf("%d rows in %d files, %d snapshots, last commit %s", t.Live.Rows, t.Live.Files,
				t.Live.Snapshots, timeOrNever(t.Live.LastCommit)))
		} else {
			line("data", "not in the lakehouse yet")
		}
	}
	switch {
	case t.Freshness.SLA == 0:
		line("freshness", "no SLA declared")
	case t.Freshness.Status == "":
		line("freshness", "SLA "+fmtDuration(t.Freshness.SLA)+" (not judged: --offline)")
	default:
		age := ""
		if t.Freshness.Age > 0 {
			age = ", age " + fmtDuration(t.Freshness.Age.Round(time.Second))
		}
		line("freshness", "SLA "+fmtDuration(t.Freshness.SLA)+": "+t.Freshness.Detail+age)
	}
	if t.DBT != nil {
		line("tests", strings.Join(t.DBT.Tests, ", "))
	}
	ref = catalog.TableRef(t.ID())
	up, down := neighbours(c, ref)
	line("upstream", up)
	line("downstream", down)
	fmt.Fprintf(w, "\ncolumns (role %s sees %s):\n", r.Name, strings.Join(r.Reads, ", "))
	var rows [][]any
	for _, col := range t.Columns {
		seen := "yes"
		if !r.Sees(col) {
			seen = "masked (seen by " + strings.Join(c.RolesSeeing(col), ", ") + ")"
		}
		rows = append(rows, []any{col.Name, col.Type, col.PII, col.Access, seen,
			strings.Join(col.Glossary, ", "), strings.Join(col.Tests, ", "), col.Description})
	}
	if err := render.Table(w, []string{"column", "type", "pii", "access", "visible", "glossary", "tests", "description"}, rows); err != nil {
		return err
	}
	_, err = stdout.Write(w.Bytes())
	return err
}

// neighbours are ref's direct upstream and downstream, as show prints them.
func neighbours(c *catalog.Catalog, ref catalog.Ref) (string, string) {
	var up, down []string
	for _, e := range c.Edges {
		if e.To == ref {
			up = append(up, edgeText(e.From, e))
		}
		if e.From == ref {
			down = append(down, edgeText(e.To, e))
		}
	}
	return strings.Join(up, "; "), strings.Join(down, "; ")
}

// showEntity prints what the catalog knows of an entity that is not a table:
// a dashboard, chart, dataset, serving table or topic.
func showEntity(stdout io.Writer, c *catalog.Catalog, ref catalog.Ref) error {
	w := &bytes.Buffer{}
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-11s %s\n", k, v)
		}
	}
	head := func(title, desc string) {
		fmt.Fprintf(w, "%s  (%s)\n", ref.Name, title)
		if desc != "" {
			fmt.Fprintf(w, "  %s\n", desc)
		}
		fmt.Fprintln(w)
	}
	owner := func(domain, team string) {
		if domain != "" {
			line("domain", fmt.Sprintf("%s (owner %s)", domain, team))
		}
	}
	var cols []catalog.Column
	switch ref.Kind {
	case catalog.KindDashboard:
		x := c.Consumer(ref.Name)
		kind := "dashboard"
		if x.Tool != "" {
			kind = x.Tool + " dashboard"
		}
		head(kind, joinNonEmpty(": ", x.Title, x.Description))
		owner(x.Domain, x.Owner)
		line("declared", orDash(x.File, catalog.ConsumersFile))
		line("url", x.URL)
		line("reads", strings.Join(x.Reads, ", "))
		line("datasets", strings.Join(x.Datasets, ", "))
		line("charts", strings.Join(x.Charts, ", "))
	case catalog.KindChart:
		x := c.Chart(ref.Name)
		head(x.Type+" chart of dashboard "+x.Dashboard, joinNonEmpty(": ", x.Title, x.Description))
		owner(x.Domain, x.Owner)
		line("declared", x.File)
		line("dataset", x.Dataset)
	case catalog.KindDataset:
		x := c.Dataset(ref.Name)
		head("dataset of dashboard "+x.Dashboard, x.Description)
		owner(x.Domain, x.Owner)
		line("declared", x.File)
		line("reads", strings.Join(x.Reads, ", ")+" (their copies in the serving database)")
		line("sql", strings.Join(strings.Fields(x.SQL), " "))
		cols = x.Columns
	case catalog.KindServing:
		sv := c.Serving
		head(fmt.Sprintf("serving copy, in the %s database %s", sv.Engine, sv.Path), sv.Description)
		if t, err := c.Table(ref.Name); err == nil {
			owner(t.Domain, t.Owner)
			cols = t.Columns
		}
		line("copy of", "table "+ref.Name)
	case catalog.KindTopic:
		x := c.Topic(ref.Name)
		head("RabbitMQ "+string(x.Kind), x.Description)
		owner(x.Domain, x.Owner)
		line("contract", x.Contract)
		line("binding", strings.TrimSpace(x.Exchange+" "+x.RoutingKey))
	}
	up, down := neighbours(c, ref)
	line("upstream", up)
	line("downstream", down)
	if len(cols) > 0 {
		fmt.Fprintln(w, "\ncolumns:")
		rows := make([][]any, len(cols))
		for i, col := range cols {
			rows[i] = []any{col.Name, col.Type, col.PII, col.Description}
		}
		if err := render.Table(w, []string{"column", "type", "pii", "description"}, rows); err != nil {
			return err
		}
	}
	_, err := stdout.Write(w.Bytes())
	return err
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func orDash(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func edgeText(r catalog.Ref, e catalog.Edge) string {
	name := r.Name
	if r.Kind != catalog.KindTable {
		name = string(r.Kind) + " " + r.Name
	}
	how := e.Via
	switch {
	case e.Pipeline != "":
		how += ", " + e.Pipeline
	case e.Command != "":
		how += ", " + e.Command // no DAG runs it: the operator or the demo does
	}
	return name + " (" + how + ")"
}

func timeOrNever(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

func catalogSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl catalog search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "table", "output format: table, csv or json")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errors.New("usage: meshctl catalog search <text>")
	}
	c, err := buildCatalog(ctx, true, stderr)
	if err != nil {
		return err
	}
	text := strings.Join(pos, " ")
	hits := c.Search(text)
	if len(hits) == 0 {
		return fmt.Errorf("nothing in the catalog matches %q", text)
	}
	rows := make([][]any, len(hits))
	for i, h := range hits {
		rows[i] = []any{string(h.Kind), h.Name, h.Match, h.Text}
	}
	return render.Write(stdout, *format, []string{"kind", "name", "matched", "text"}, rows)
}

func catalogLineage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl catalog lineage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "text, dot (Graphviz source), svg or png (drawn by Graphviz's dot)")
	out := fs.String("o", "", "write to this file instead of stdout")
	offline := fs.Bool("offline", true, "declarations only (lineage needs no lakehouse); --offline=false adds tables only the lakehouse knows")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: meshctl catalog lineage <entity> [--format text|dot|svg|png]")
	}
	switch *format {
	case "text", "dot", "svg", "png":
	default:
		return fmt.Errorf("--format %q: want text, dot, svg or png", *format)
	}
	c, err := buildCatalog(ctx, *offline, stderr)
	if err != nil {
		return err
	}
	ref, err := c.Resolve(pos[0])
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch *format {
	case "text":
		writeLineageText(&buf, c, ref)
	default:
		if err := c.WriteDot(&buf, c.LineageOf(ref), ref); err != nil {
			return err
		}
		if *format != "dot" {
			drawn, err := graphviz(ctx, *format, buf.Bytes())
			if err != nil {
				return err
			}
			buf.Reset()
			buf.Write(drawn)
		}
	}
	if *out == "" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d bytes)\n", *out, buf.Len())
	return nil
}

// writeLineageText prints the upstream and downstream edges, nearest first.
func writeLineageText(w io.Writer, c *catalog.Catalog, ref catalog.Ref) {
	print := func(title string, edges []catalog.Edge) {
		fmt.Fprintf(w, "%s (%d edges):\n", title, len(edges))
		for _, e := range edges {
			how := e.Via
			if e.Pipeline != "" {
				how += ", pipeline " + e.Pipeline
			}
			if e.Command != "" {
				how += ", `" + e.Command + "`"
			}
			if len(e.Columns) > 0 {
				how += fmt.Sprintf(", %d columns", len(e.Columns))
			}
			fmt.Fprintf(w, "  %-50s -> %-50s %s\n", e.From, e.To, how)
		}
	}
	up, down := c.Upstream(ref), c.Downstream(ref)
	print("upstream of "+ref.Name, up)
	fmt.Fprintln(w)
	print("downstream of "+ref.Name, down)
	reach := map[string]bool{}
	for _, e := range down {
		if d := c.DomainOf(e.To); d != "" {
			reach[d] = true
		}
	}
	var ds []string
	for _, d := range c.Domains {
		if reach[d.Name] {
			ds = append(ds, d.Name)
		}
	}
	fmt.Fprintf(w, "\n%d upstream and %d downstream edges; downstream reaches the domains %s\n", len(up), len(down), strings.Join(ds, ", "))
}

// graphviz renders dot source with Graphviz's dot.
func graphviz(ctx context.Context, format string, src []byte) ([]byte, error) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return nil, fmt.Errorf("--format %s needs Graphviz's dot, which is not installed: on Debian/Ubuntu run `apt-get install graphviz` (or use --format dot and draw it elsewhere)", format)
	}
	cmd := exec.CommandContext(ctx, bin, "-T"+format)
	cmd.Stdin = bytes.NewReader(src)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running dot -T%s: %v: %s", format, err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

// sqlMasks are the columns meshctl sql masks for the role (--role, else
// MESH_ROLE, else the governance's default role): the catalog's PII columns
// the role may not see. Without the declarations there is no knowing which
// columns are PII, so that is an error, not an unmasked query.
func sqlMasks(ctx context.Context, rt *mesh.Runtime, role string) (map[lakehouse.Ident][]string, error) {
	if role == "" {
		role = rt.Config.Role
	}
	root, err := config.RepoRoot()
	if err != nil {
		return nil, fmt.Errorf("masking PII needs the domains' declarations: %w", err)
	}
	c, err := catalog.Build(ctx, catalog.Config{Root: root, Logger: rt.Logger})
	if err != nil {
		return nil, fmt.Errorf("masking PII needs the catalog: %w", err)
	}
	masks, err := c.Masks(role)
	if err != nil {
		return nil, fmt.Errorf("--role/%s: %w", config.EnvRole, err)
	}
	out := make(map[lakehouse.Ident][]string, len(masks))
	for id, cols := range masks {
		ident, err := lakehouse.ParseIdent(id)
		if err != nil {
			return nil, err
		}
		out[ident] = cols
	}
	return out, nil
}
