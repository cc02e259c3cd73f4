package magekit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// ErrBench reports a benchmark that broke (an error, not a slow figure:
// benchmarks never fail on time).
var ErrBench = errors.New("benchmark failed")

// Environment knobs of `go run mage.go bench`.
const (
	// EnvBenchRows is the raw events of the transform benchmark (default 300000).
	EnvBenchRows = "MESH_BENCH_ROWS"
	// EnvBenchTime is go test's -benchtime for the Go benchmarks (default 1s).
	EnvBenchTime = "MESH_BENCH_TIME"
)

// BenchFigure is one row of the summary table.
type BenchFigure struct {
	Name      string
	Value     float64
	Unit      string
	Baseline  string  // what the figure is compared with, "" for none
	BaseValue float64 // the baseline's figure, in Unit
}

// Ratio is Value / BaseValue, 0 without a baseline.
func (f BenchFigure) Ratio() float64 {
	if f.Baseline == "" || f.BaseValue == 0 {
		return 0
	}
	return f.Value / f.BaseValue
}

// Bench is one benchmark `go run mage.go bench` runs: a command whose
// output Parse turns into figures.
type Bench struct {
	Name  string
	Dir   string // relative to the root
	Args  []string
	Parse func(out []byte) ([]BenchFigure, error)
}

// benchFuncRE matches the declaration of a Go benchmark.
var benchFuncRE = regexp.MustCompile(`(?m)^func (Benchmark\w*)\(\w+ \*testing\.B\)`)

// Benches lists every benchmark of the project: meshbench ingest (publish
// and ingest against bare amqp091, live freshness), the reference domain's
// transform bench (our build against DuckDB alone) and, per package, the Go
// benchmarks found by scanning the tree for func Benchmark.
func Benches(root, referenceDomain string) ([]Bench, error) {
	rows := cmpEnv(EnvBenchRows, "300000")
	if n, err := strconv.Atoi(rows); err != nil || n < 1 {
		return nil, fmt.Errorf("%s = %q: want a whole number of rows >= 1", EnvBenchRows, rows)
	}
	benchTime := cmpEnv(EnvBenchTime, "1s")
	out := []Bench{
		{Name: "ingest", Dir: PlatformDir, Args: []string{"run", "./cmd/meshbench", "ingest"}, Parse: parseBenchLines},
		{Name: "transform", Dir: ".", Args: []string{"run", "./domains/" + referenceDomain + "/cmd/" + referenceDomain, "transform", "bench", "--rows", rows}, Parse: parseTransformBench},
	}
	funcs, err := scanTestFuncs(root, benchFuncRE)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range funcs {
		pkg := filepath.ToSlash(filepath.Join(f.Module, f.Package))
		if seen[pkg] {
			continue
		}
		seen[pkg] = true
		out = append(out, Bench{Name: "go " + pkg, Dir: f.Module,
			Args: []string{"test", "-run", "^$", "-bench", ".", "-benchtime", benchTime, f.Package}, Parse: parseGoBench(pkg)})
	}
	return out, nil
}

func cmpEnv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// RunBenches runs each benchmark in turn, streaming its output, then prints
// one summary table (name, figure, unit, baseline, ratio). A benchmark that
// exits non-zero, or whose figures cannot be read, fails the run with
// ErrBench after the table.
func RunBenches(root string, benches []Bench, out io.Writer) ([]BenchFigure, error) {
	start := time.Now()
	var figs []BenchFigure
	var failed []string
	for i, b := range benches {
		fmt.Fprintf(out, "\n==> [%d/%d] %s: go %s\n", i+1, len(benches), b.Name, strings.Join(b.Args, " "))
		began := time.Now()
		var buf bytes.Buffer
		cmd := exec.Command("go", b.Args...)
		cmd.Dir = filepath.Join(root, b.Dir)
		cmd.Stdout, cmd.Stderr = io.MultiWriter(out, &buf), io.MultiWriter(out, &buf)
		err := cmd.Run()
		var fs []BenchFigure
		if err == nil {
			fs, err = b.Parse(buf.Bytes())
		}
		if err != nil {
			failed = append(failed, b.Name)
			fmt.Fprintf(out, "    %s FAILED: %v\n", b.Name, err)
			continue
		}
		figs = append(figs, fs...)
		fmt.Fprintf(out, "    %s: %d figures in %s\n", b.Name, len(fs), time.Since(began).Round(time.Second))
	}
	fmt.Fprintf(out, "\nbenchmark summary (%d benchmarks in %s; figures only, never a pass/fail on time)\n\n", len(benches), time.Since(start).Round(time.Second))
	WriteBenchTable(out, figs)
	if len(failed) > 0 {
		return figs, fmt.Errorf("%w: %s", ErrBench, strings.Join(failed, ", "))
	}
	return figs, nil
}

// WriteBenchTable prints the figures as an aligned table.
func WriteBenchTable(w io.Writer, figs []BenchFigure) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tfigure\tunit\tbaseline\tratio")
	for _, f := range figs {
		base, ratio := "-", "-"
		if f.Baseline != "" {
			base = fmt.Sprintf("%s (%s)", f.Baseline, formatFigure(f.BaseValue))
			ratio = fmt.Sprintf("%.2f", f.Ratio())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Name, formatFigure(f.Value), f.Unit, base, ratio)
	}
	tw.Flush()
}

func formatFigure(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

// parseBenchLines reads the lines meshbench prints for the summary:
// BENCH<TAB>name<TAB>value<TAB>unit<TAB>baseline<TAB>baseline value.
func parseBenchLines(out []byte) ([]BenchFigure, error) {
	var figs []BenchFigure
	sc := bufio.NewScanner(bytes.NewReader(out))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.HasPrefix(line, "BENCH\t") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("output line %d: want 6 tab-separated fields, got %d: %q", n, len(f), line)
		}
		v, err1 := strconv.ParseFloat(f[2], 64)
		b, err2 := strconv.ParseFloat(f[5], 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("output line %d: %w", n, err)
		}
		figs = append(figs, BenchFigure{Name: f[1], Value: v, Unit: f[3], Baseline: f[4], BaseValue: b})
	}
	if len(figs) == 0 {
		return nil, errors.New("no BENCH lines in the output")
	}
	return figs, nil
}

// Lines of `<domain> transform bench`.
var (
	transformFullRE  = regexp.MustCompile(`(?m)^\s*platform \(DuckDB \+ Iceberg commits\)\s+([0-9.]+)s`)
	transformDuckRE  = regexp.MustCompile(`(?m)^\s*DuckDB alone, into memory tables\s+([0-9.]+)s`)
	transformFilesRE = regexp.MustCompile(`(?m)^\s*DuckDB alone, into the same Parquet\s+([0-9.]+)s`)
	transformIncrRE  = regexp.MustCompile(`(?m)^incremental run[^\n]*\n\s*platform\s+([0-9.]+)s`)
)

// parseTransformBench reads the build times of `<domain> transform bench`.
func parseTransformBench(out []byte) ([]BenchFigure, error) {
	get := func(re *regexp.Regexp, what string) (float64, error) {
		m := re.FindSubmatch(out)
		if m == nil {
			return 0, fmt.Errorf("no %q figure in the transform bench output", what)
		}
		return strconv.ParseFloat(string(m[1]), 64)
	}
	full, err1 := get(transformFullRE, "platform (DuckDB + Iceberg commits)")
	duck, err2 := get(transformDuckRE, "DuckDB alone, into memory tables")
	files, err3 := get(transformFilesRE, "DuckDB alone, into the same Parquet")
	incr, err4 := get(transformIncrRE, "incremental run ... platform")
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, err
	}
	return []BenchFigure{
		{Name: "transform: full build", Value: full, Unit: "s", Baseline: "DuckDB alone, memory", BaseValue: duck},
		{Name: "transform: full build", Value: full, Unit: "s", Baseline: "DuckDB alone, Parquet", BaseValue: files},
		{Name: "transform: incremental run", Value: incr, Unit: "s", Baseline: "full build", BaseValue: full},
	}, nil
}

// goBenchRE matches a result line of go test -bench: name-procs, iterations,
// then value/unit pairs.
var goBenchRE = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parseGoBench reads go test -bench output: per benchmark, its custom metric
// when it reports one (e.g. msgs/s), else ns/op.
func parseGoBench(pkg string) func([]byte) ([]BenchFigure, error) {
	return func(out []byte) ([]BenchFigure, error) {
		var figs []BenchFigure
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			m := goBenchRE.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			fields := strings.Fields(m[2])
			var pick BenchFigure
			for i := 0; i+1 < len(fields); i += 2 {
				v, err := strconv.ParseFloat(fields[i], 64)
				if err != nil {
					break
				}
				unit := fields[i+1]
				if unit == "B/op" || unit == "allocs/op" || unit == "MB/s" {
					continue
				}
				if pick.Unit == "" || unit != "ns/op" {
					pick = BenchFigure{Name: pkg + " " + m[1], Value: v, Unit: unit}
				}
			}
			if pick.Unit != "" {
				figs = append(figs, pick)
			}
		}
		if len(figs) == 0 {
			return nil, errors.New("no benchmark result lines in the output")
		}
		return figs, nil
	}
}
