package magekit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

func init() { registerInteropCheck(InteropCheck{Name: "notebooks", Run: interopNotebooks}) }

// What interop:notebooks runs: every notebook of NotebooksDir, on the data of
// a demo of its own, with the kernel of the pinned notebooks environment.
const (
	// NotebooksDir holds the notebooks, relative to the repository root.
	NotebooksDir = "notebooks/forecasting"
	// EnvWriteFigures names the directory the notebooks save their figures
	// to (notebooks/forecasting/meshsql.py reads it). The check sets it to
	// its run directory unless it is set, relative to the repository root.
	EnvWriteFigures = "MESH_WRITE_FIGURES"
	// ReadmeFigure is the figure of the README, saved by the forecast vs
	// actual notebook.
	ReadmeFigure = "forecast_vs_actual.png"

	notebooksTool     = "notebooks"
	notebooksVhost    = "mesh-interop-notebooks"
	notebooksDemoTime = 30 * time.Minute // the demo, cold Go caches included
	notebookCellLimit = 600              // seconds, one cell (nbclient's timeout)
	notebookTimeLimit = 30 * time.Minute // one notebook
)

// interopNotebooks fails when a committed notebook holds outputs, runs the
// demo into a data directory of its own (MESH_DATA_DIR under the interop
// cache, a RabbitMQ virtual host of its own), then executes every notebook
// top to bottom with jupyter nbconvert --execute. A failure names the
// notebook and the cell, with the end of the error.
func interopNotebooks(root string, w io.Writer) error {
	nbs, err := Notebooks(root)
	if err != nil {
		return err
	}
	for _, nb := range nbs {
		if err := CheckNotebookClean(nb); err != nil {
			return fmt.Errorf("%s: %w", rel(root, nb), err)
		}
	}
	fmt.Fprintf(w, "%s: %d notebooks, committed without outputs\n", NotebooksDir, len(nbs))
	venv, err := EnsureVenv(root, notebooksTool)
	if err != nil {
		return err
	}
	// Fresh each run, kept afterwards when a check failed, for its logs.
	dir, err := interopRunDir(notebooksTool)
	if err != nil {
		return err
	}
	executed, err := interopOutputDir(root, "notebooks")
	if err != nil {
		return err
	}
	data, figures := filepath.Join(dir, "mesh"), filepath.Join(dir, "figures")
	if f := os.Getenv(EnvWriteFigures); f != "" {
		figures = f
		if !filepath.IsAbs(f) {
			figures = filepath.Join(root, f)
		}
	}
	for _, d := range []string{data, executed, figures} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	amqpURL, err := interopVhost(notebooksVhost)
	if err != nil {
		return err
	}
	env := []string{
		"MESH_DOTENV=off", "MESH_LOG_LEVEL=warn", "MESH_DEMO_SCALE=1",
		"MESH_DATA_DIR=" + data, "MESH_AMQP_URL=" + amqpURL,
		"MESH_CATALOG_NAME=mesh", "MESH_CATALOG=sqlite", "MESH_CATALOG_URI=" + filepath.Join(data, "catalog.db"),
		"MESH_WAREHOUSE=" + filepath.Join(data, "warehouse"),
		"MESH_BIN_DIR=" + filepath.Join(root, "bin"), "MESH_REPO_ROOT=" + root,
	}
	start := time.Now()
	demoLog := filepath.Join(dir, "demo.log")
	if err := runLogged(root, demoLog, env, notebooksDemoTime, "go", "run", "mage.go", "demo"); err != nil {
		return fmt.Errorf("making the demo's data: %w", err)
	}
	fmt.Fprintf(w, "demo data in %s (log %s) ready in %s\n", data, demoLog, time.Since(start).Round(time.Second))

	// Jupyter's and matplotlib's own directories in the run, so that no
	// user-level kernel spec or configuration takes part; no __pycache__ in
	// the repository.
	env = append(env,
		"JUPYTER_CONFIG_DIR="+filepath.Join(dir, "jupyter", "config"),
		"JUPYTER_DATA_DIR="+filepath.Join(dir, "jupyter", "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "jupyter", "runtime"),
		"IPYTHONDIR="+filepath.Join(dir, "ipython"),
		"MPLCONFIGDIR="+filepath.Join(dir, "matplotlib"), "MPLBACKEND=Agg",
		"PYTHONDONTWRITEBYTECODE=1",
		EnvWriteFigures+"="+figures,
	)
	env = append(venv.Env(), env...)
	for _, nb := range nbs {
		t := time.Now()
		log := filepath.Join(dir, strings.TrimSuffix(filepath.Base(nb), ".ipynb")+".log")
		err := runLogged(filepath.Dir(nb), log, env, notebookTimeLimit, venv.Bin("jupyter"), "nbconvert",
			"--to", "notebook", "--execute", "--output-dir", executed,
			"--ExecutePreprocessor.kernel_name=python3",
			fmt.Sprintf("--ExecutePreprocessor.timeout=%d", notebookCellLimit), nb)
		if err != nil {
			out, _ := os.ReadFile(log)
			return fmt.Errorf("%s: %s (log: %s)", rel(root, nb), NotebookFailure(nb, string(out)), log)
		}
		fmt.Fprintf(w, "%s: ran top to bottom in %s\n", rel(root, nb), time.Since(t).Round(time.Second))
	}
	fig := filepath.Join(figures, ReadmeFigure)
	if st, err := os.Stat(fig); err != nil || st.ModTime().Before(start) {
		return fmt.Errorf("no %s written by this run in %s (%s)", ReadmeFigure, figures, EnvWriteFigures)
	}
	fmt.Fprintf(w, "executed notebooks in %s; figures in %s\n", executed, figures)
	return nil
}

// runLogged runs a program in dir with the process environment plus env,
// its output into the file log; a failure carries the output's last lines.
func runLogged(dir, log string, env []string, limit time.Duration, name string, args ...string) error {
	f, err := os.Create(log)
	if err != nil {
		return err
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w after %s", ctx.Err(), limit)
		}
		out, _ := os.ReadFile(log)
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, lastLines(string(out), 15))
	}
	return nil
}

// Notebooks returns the notebooks of NotebooksDir, in name order (the
// order they run in).
func Notebooks(root string) ([]string, error) {
	nbs, err := filepath.Glob(filepath.Join(root, NotebooksDir, "*.ipynb"))
	if err != nil {
		return nil, err
	}
	if len(nbs) == 0 {
		return nil, fmt.Errorf("no notebook in %s", NotebooksDir)
	}
	return nbs, nil
}

// ErrNotebookOutputs reports a notebook committed with outputs.
var ErrNotebookOutputs = errors.New("notebook committed with outputs")

// notebook is the part of the nbformat 4 JSON the checks read.
type notebook struct {
	Cells []struct {
		CellType       string            `json:"cell_type"`
		Source         notebookSource    `json:"source"`
		Outputs        []json.RawMessage `json:"outputs"`
		ExecutionCount *int              `json:"execution_count"`
	} `json:"cells"`
}

// notebookSource is a cell's source: a string or a list of lines.
type notebookSource string

func (s *notebookSource) UnmarshalJSON(b []byte) error {
	var lines []string
	if err := json.Unmarshal(b, &lines); err == nil {
		*s = notebookSource(strings.Join(lines, ""))
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return fmt.Errorf("cell source: want a string or a list of strings: %w", err)
	}
	*s = notebookSource(one)
	return nil
}

func readNotebook(path string) (notebook, error) {
	var nb notebook
	b, err := os.ReadFile(path)
	if err != nil {
		return nb, err
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		return nb, fmt.Errorf("reading %s as a notebook: %w", filepath.Base(path), err)
	}
	return nb, nil
}

// CheckNotebookClean fails with ErrNotebookOutputs when a code cell of the
// notebook at path has outputs or an execution count: notebooks are
// committed cleared, their outputs made by running them.
func CheckNotebookClean(path string) error {
	nb, err := readNotebook(path)
	if err != nil {
		return err
	}
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		if len(c.Outputs) > 0 || c.ExecutionCount != nil {
			return fmt.Errorf("%w: cell %d (%s): clear them with jupyter nbconvert --clear-output --inplace %s",
				ErrNotebookOutputs, i+1, firstLine(string(c.Source)), filepath.Base(path))
		}
	}
	return nil
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// nbclient's CellExecutionError starts with this line, then the cell's
// source between two rules.
const (
	cellErrorHeader = "An error occurred while executing the following cell:\n"
	cellErrorRule   = "------------------\n"
)

// NotebookFailure describes nbconvert's failure output for the notebook at
// path: the cell that failed (its number among all cells, counting from 1,
// and first line) and the error's last lines, or the output's last lines
// when no cell error is in it.
func NotebookFailure(path, output string) string {
	output = ansiEscape.ReplaceAllString(output, "")
	i := strings.LastIndex(output, cellErrorHeader+cellErrorRule)
	if i < 0 {
		return "nbconvert failed:\n" + lastLines(output, 15)
	}
	rest := output[i+len(cellErrorHeader)+len(cellErrorRule):]
	src, after, ok := strings.Cut(rest, "\n"+cellErrorRule)
	if !ok {
		return "nbconvert failed:\n" + lastLines(output, 15)
	}
	cell := "an unknown cell"
	if nb, err := readNotebook(path); err == nil {
		for n, c := range nb.Cells {
			if c.CellType == "code" && strings.TrimSpace(string(c.Source)) == strings.TrimSpace(src) {
				cell = fmt.Sprintf("cell %d of %d", n+1, len(nb.Cells))
				break
			}
		}
	}
	return fmt.Sprintf("%s (%s) failed:\n%s", cell, firstLine(src), pythonError(after))
}

// exceptionLine starts the last line of a Python traceback: the exception
// and its message.
var exceptionLine = regexp.MustCompile(`^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b`)

// tracebackArrow marks the line that raised in an IPython traceback: its
// dashes shorten as the line number widens (----> 2, ---> 14).
var tracebackArrow = regexp.MustCompile(`^\s*-{2,}>\s*\d+`)

// pythonError returns, from an IPython traceback, the line of the cell that
// raised (marked with an arrow) and the exception with its message (at most 6
// lines); the last lines when there is no exception line.
func pythonError(traceback string) string {
	lines := strings.Split(strings.TrimSpace(traceback), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if !exceptionLine.MatchString(lines[i]) {
			continue
		}
		out := lines[i:min(i+6, len(lines))]
		for j := i - 1; j >= 0; j-- {
			if tracebackArrow.MatchString(lines[j]) {
				out = append([]string{strings.TrimSpace(lines[j])}, out...)
				break
			}
		}
		return strings.Join(out, "\n")
	}
	return lastLines(strings.TrimSpace(traceback), 6)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if len(line) > 80 {
		line = line[:77] + "..."
	}
	return line
}
