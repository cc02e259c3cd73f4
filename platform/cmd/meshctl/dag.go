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
	"github.com/meshterious/warehouse/platform/dags/runner"
	"github.com/meshterious/warehouse/platform/domainspec"
	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/render"
)

func init() {
	commands = append(commands,
		command{"dag", "list, run and inspect the declared DAGs locally: dag list|run|status", runDAG},
	)
}

const dagUsage = `Usage:
  meshctl dag list   [--domain d] [--format table|csv|json]
  meshctl dag run    <dag_id>... | --all | --domain d   [--retry-delay 0s]
  meshctl dag status [--dag id] [--limit N] [--format table|csv|json]

DAGs are declared in domains/<d>/dags/*.yaml (see platform/dags). Tasks run as
subprocesses; binaries come from $MESH_BIN_DIR, else the repository's bin/ and
the directory of meshctl, else PATH. Logs: $MESH_DATA_DIR/dags/logs/<dag>/<run>/<task>.log;
history: $MESH_DATA_DIR/dags/history.db.
`

func runDAG(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	list := func(_ context.Context, args []string, stdout, stderr io.Writer) error {
		return dagList(args, stdout, stderr)
	}
	return dispatch(ctx, args, stdout, stderr, dagUsage,
		subcommand{"list", list}, subcommand{"run", dagRun}, subcommand{"status", dagStatus})
}

// loadDAGs loads and validates every domain's declarations.
func loadDAGs() ([]*dags.DAG, []*domainspec.Domain, string, error) {
	root, err := dags.Root()
	if err != nil {
		return nil, nil, "", err
	}
	all, domains, err := dags.LoadAll(root)
	if err != nil {
		return nil, nil, "", err
	}
	return all, domains, root, nil
}

func ofDomain(all []*dags.DAG, domain string) ([]*dags.DAG, error) {
	var out []*dags.DAG
	for _, g := range all {
		if g.Domain == domain {
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no DAG of domain %q", domain)
	}
	return out, nil
}

func fmtDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

func dagList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl dag list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	domain := fs.String("domain", "", "only this domain's DAGs")
	format := fs.String("format", "table", "output format: table, csv or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	all, _, _, err := loadDAGs()
	if err != nil {
		return err
	}
	if *domain != "" {
		if all, err = ofDomain(all, *domain); err != nil {
			return err
		}
	}
	ordered, err := dags.Order(all)
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(ordered))
	for _, g := range ordered {
		var tasks []string
		for _, t := range g.TaskOrder() {
			tasks = append(tasks, t.ID)
		}
		rows = append(rows, []any{g.ID, g.Domain, g.Type, g.Schedule.String(), strings.Join(tasks, " > "),
			strings.Join(g.Reads, " "), strings.Join(g.Writes, " "), fmtDuration(g.SLA), g.Owner})
	}
	return render.Write(stdout, *format, []string{"dag", "domain", "type", "schedule", "tasks", "reads", "writes", "sla", "owner"}, rows)
}

// binDirs are where the runner looks for binaries before PATH.
func binDirs(root string) []string {
	var out []string
	if d := os.Getenv(runner.EnvBinDir); d != "" {
		out = append(out, d)
	}
	if root != "" {
		if st, err := os.Stat(filepath.Join(root, "bin")); err == nil && st.IsDir() {
			out = append(out, filepath.Join(root, "bin"))
		}
	}
	if exe, err := os.Executable(); err == nil {
		dir := filepath.Dir(exe)
		if len(out) == 0 || out[len(out)-1] != dir {
			out = append(out, dir)
		}
	}
	return out
}

func dagRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl dag run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	all := fs.Bool("all", false, "run every DAG of every domain, in the order of their reads and writes")
	domain := fs.String("domain", "", "run every DAG of this domain")
	retryDelay := fs.Duration("retry-delay", -1, "override every DAG's retry delay (e.g. 0s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	decl, _, root, err := loadDAGs()
	if err != nil {
		return err
	}
	var selected []*dags.DAG
	switch {
	case *all && (*domain != "" || fs.NArg() > 0), *domain != "" && fs.NArg() > 0:
		return errors.New("give dag ids, --all or --domain, not several")
	case *all:
		selected = decl
	case *domain != "":
		if selected, err = ofDomain(decl, *domain); err != nil {
			return err
		}
	case fs.NArg() > 0:
		for _, id := range fs.Args() {
			g, err := dags.Find(decl, id)
			if err != nil {
				return err
			}
			selected = append(selected, g)
		}
	default:
		return errors.New("which DAGs? meshctl dag run <dag_id>... | --all | --domain d (meshctl dag list shows them)")
	}
	rt, err := mesh.Load(stderr)
	if err != nil {
		return err
	}
	cfg := runner.Config{DataDir: rt.Config.DataDir, BinDirs: binDirs(root), Progress: stdout, Logger: rt.Logger}
	if *retryDelay >= 0 {
		cfg.RetryDelay = retryDelay
	}
	r, err := runner.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer r.Close()
	runs, runErr := r.Run(ctx, selected)
	fmt.Fprintln(stdout)
	if err := writeRuns(stdout, "table", runs); err != nil {
		return err
	}
	if runErr != nil {
		failed := 0
		for _, run := range runs {
			if run.State != runner.StateSuccess {
				failed++
			}
		}
		return fmt.Errorf("%w: %d of %d DAGs did not succeed (meshctl dag status --dag <id> shows their tasks)", runErr, failed, len(runs))
	}
	return nil
}

func deadlineCell(r runner.DAGRun) string {
	switch {
	case r.SLA == 0:
		return ""
	case r.DeadlineMissed:
		return fmt.Sprintf("MISSED (sla %s)", fmtDuration(r.SLA))
	case r.State == runner.StateSuccess:
		return fmt.Sprintf("met (sla %s)", fmtDuration(r.SLA))
	}
	return fmt.Sprintf("sla %s", fmtDuration(r.SLA))
}

func timeCell(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func writeRuns(w io.Writer, format string, runs []runner.DAGRun) error {
	rows := make([][]any, 0, len(runs))
	for _, r := range runs {
		rows = append(rows, []any{r.DAGID, r.RunID, r.State, timeCell(r.Started), fmtDuration(r.Duration()), deadlineCell(r), r.Reason})
	}
	return render.Write(w, format, []string{"dag", "run", "state", "started", "duration", "deadline", "reason"}, rows)
}

func dagStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshctl dag status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dagID := fs.String("dag", "", "one DAG: its last runs with their tasks")
	limit := fs.Int("limit", 1, "runs per DAG")
	format := fs.String("format", "table", "output format: table, csv or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rt, err := mesh.Load(stderr)
	if err != nil {
		return err
	}
	st, err := runner.OpenStore(ctx, runner.HistoryPath(rt.Config.DataDir))
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.Runs(ctx, *dagID, *limit)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintln(stderr, "no runs recorded yet: meshctl dag run <dag_id> | --all")
		return nil
	}
	if *dagID == "" {
		sort.SliceStable(runs, func(i, j int) bool { return runs[i].Started.After(runs[j].Started) })
		return writeRuns(stdout, *format, runs)
	}
	var rows [][]any
	for _, r := range runs {
		rows = append(rows, []any{r.RunID, "(dag)", r.State, nil, timeCell(r.Started), fmtDuration(r.Duration()), deadlineCell(r), r.Reason})
		for _, t := range r.Tasks {
			rows = append(rows, []any{r.RunID, t.TaskID, t.State, t.Attempts, timeCell(t.Started), fmtDuration(t.Duration()), "", t.Reason})
		}
	}
	return render.Write(stdout, *format, []string{"run", "task", "state", "attempts", "started", "duration", "deadline", "reason"}, rows)
}
