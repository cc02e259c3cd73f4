package magekit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

func init() { registerInteropCheck(InteropCheck{Name: "readers", Run: interopReaders}) }

// EnvMavenRepo is the Maven repository the interop jars are fetched from
// (default Maven Central).
const EnvMavenRepo = "MESH_MAVEN_REPO"

const defaultMavenRepo = "https://repo1.maven.org/maven2"

// readersTool is the environment (internal/interop/readers) of both Python
// readers: one lock, so the same DuckDB and pyarrow checksum what PyIceberg and
// Spark return, and only the reader differs between the columns compared.
const readersTool = "readers"

// mavenJar is a Java artifact pinned by version and by the SHA-256 of the jar,
// so a cached or downloaded file is used only if it is that exact jar.
type mavenJar struct {
	Group, Artifact, Version, SHA256 string
}

// sparkJars are the jars the Spark reader adds to pyspark's own: Iceberg ships
// Spark runtimes only for Spark 3.5, 4.0 and 4.1, and this one matches
// pyspark 4.1.x of the lock (Scala 2.13); the AWS bundle gives S3FileIO for
// MinIO; the PostgreSQL driver reads the JDBC catalog.
var sparkJars = []mavenJar{
	{"org.apache.iceberg", "iceberg-spark-runtime-4.1_2.13", "1.12.0", "3123c3798af642dd537230923548e013ef41cc28b6626e5225808cf5670a0f82"},
	{"org.apache.iceberg", "iceberg-aws-bundle", "1.12.0", "dd7e49ffa4ac9b215bed846581991259e3aec9bb2fa08d6cec029c46cd66d957"},
	{"org.postgresql", "postgresql", "42.7.14", "73914527305a40cce504b0d3d90b23caf565136912d607ae8ae7c5895512332c"},
}

// path is where the jar lives under base, in the Maven repository layout.
func (j mavenJar) path(base string) string {
	return strings.Join([]string{base, strings.ReplaceAll(j.Group, ".", "/"), j.Artifact, j.Version, j.Artifact + "-" + j.Version + ".jar"}, "/")
}

// ensureJars returns the local paths of jars, downloading into
// <interop cache>/maven those not cached yet and checking every file's SHA-256.
func ensureJars(w io.Writer, jars []mavenJar) ([]string, error) {
	cache, err := InteropCache()
	if err != nil {
		return nil, err
	}
	repo := os.Getenv(EnvMavenRepo)
	if repo == "" {
		repo = defaultMavenRepo
	}
	var paths []string
	for _, j := range jars {
		p := filepath.FromSlash(j.path(filepath.ToSlash(filepath.Join(cache, "maven"))))
		if err := checkSHA256(p, j.SHA256); err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(w, "cached %s is not the pinned jar, fetching it again: %v\n", p, err)
			}
			if err := downloadJar(w, j.path(strings.TrimSuffix(repo, "/")), p, j.SHA256); err != nil {
				return nil, fmt.Errorf("fetching %s:%s:%s: %w", j.Group, j.Artifact, j.Version, err)
			}
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func checkSHA256(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("sha256 %s, pinned %s", got, want)
	}
	return nil
}

// downloadJar fetches url into path through a temporary file renamed only once
// its SHA-256 is the pinned one: an interrupted or altered download never
// lands in the cache.
func downloadJar(w io.Writer, url, path, sha string) error {
	start := time.Now()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".download-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, resp.Body)
	if err := errors.Join(err, tmp.Close()); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if err := checkSHA256(tmp.Name(), sha); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(w, "fetched %s (%.1f MB) in %s\n", filepath.Base(path), float64(n)/1e6, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// readerReport is what internal/interop/readers/readers.py writes: one
// reader's fingerprint of every table it lists.
type readerReport struct {
	Reader   string             `json:"reader"`
	Versions map[string]string  `json:"versions"`
	Seconds  float64            `json:"seconds"`
	Tables   []tableFingerprint `json:"tables"`
}

type tableFingerprint struct {
	Table    string `json:"table"`
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"`
	// Columns holds each column's own checksum, to name where a difference is.
	Columns map[string]string `json:"columns"`
	// Types are the Arrow types the reader returned (PyIceberg, Spark).
	Types   map[string]string `json:"types"`
	Error   string            `json:"error"`
	Seconds float64           `json:"seconds"`
}

// readerCheck is one backend's readers and how to run them.
type readerCheck struct {
	backend string
	readers []string // besides meshctl, the reference
}

var readerChecks = []readerCheck{
	{BackendEmbedded, []string{"pyiceberg"}},
	{BackendPostgresMinIO, []string{"pyiceberg", "spark"}},
}

// interopReaders reads every table of a fixed-seed run (late events and
// corrections merged) with meshctl sql, PyIceberg and Spark, on the embedded
// and the PostgreSQL + MinIO backends, and fails with the first table whose
// row count or checksum a reader gets differently from meshctl.
//
// The work is pipelined, since the readers mostly wait on files, catalogs and
// JVM start-up rather than on the two cores: the environment and jars are
// made while the first backend's data is, a backend's readers run (all at
// once) while the next backend's data is made.
func interopReaders(root string, w io.Writer) error {
	w = &lockedWriter{w: w}
	type toolsResult struct {
		venv Venv
		jars []string
		err  error
	}
	tools := make(chan toolsResult, 1)
	go func() {
		start := time.Now()
		venv, err := EnsureVenv(root, readersTool)
		if err != nil {
			tools <- toolsResult{err: err}
			return
		}
		jars, err := ensureJars(w, sparkJars)
		if err == nil {
			fmt.Fprintf(w, "readers environment and Spark jars ready in %s\n", time.Since(start).Round(time.Second))
		}
		tools <- toolsResult{venv, jars, err}
	}()
	var toolsOnce sync.Once
	var tr toolsResult
	waitTools := func() toolsResult {
		toolsOnce.Do(func() { tr = <-tools })
		return tr
	}

	reps := make([][]*readerReport, len(readerChecks))
	errs := make([]error, len(readerChecks))
	var wg sync.WaitGroup
	for i, rc := range readerChecks {
		run, err := PrepareInteropRun(root, w, rc.backend)
		if err != nil {
			wg.Wait()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := waitTools()
			if t.err != nil {
				errs[i] = t.err
				return
			}
			reps[i], errs[i] = runReaders(root, w, t.venv, run, t.jars, append([]string{"meshctl"}, rc.readers...))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var diffs []string
	for i, rc := range readerChecks {
		want, got := reps[i][0], reps[i][1:]
		printReaders(w, rc.backend, want, got)
		diffs = append(diffs, compareReaders(rc.backend, want, got)...)
	}
	if len(diffs) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n%d differences:\n", len(diffs))
	for i, d := range diffs {
		if i == 20 {
			fmt.Fprintf(w, "  ... and %d more\n", len(diffs)-i)
			break
		}
		fmt.Fprintf(w, "  %s\n", d)
	}
	return errors.New(diffs[0])
}

// runReaders runs the readers against run, all at once, and returns their
// reports in the same order.
func runReaders(root string, w io.Writer, venv Venv, run *InteropRun, jars []string, readers []string) ([]*readerReport, error) {
	reps := make([]*readerReport, len(readers))
	errs := make([]error, len(readers))
	var wg sync.WaitGroup
	for i, reader := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], errs[i] = runReader(root, w, venv, run, reader, jars)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return reps, nil
}

// lockedWriter serialises the lines of readers that run at the same time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// runReader runs readers.py for one reader against run and reads its report;
// the reader's own log goes to <run>/readers-<backend>-<reader>.log, its tail
// shown when the reader fails as a whole.
func runReader(root string, w io.Writer, venv Venv, run *InteropRun, reader string, jars []string) (*readerReport, error) {
	dir := filepath.Join(run.DataDir, "readers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, reader+".json")
	logPath := filepath.Join(dir, reader+".log")
	args := []string{filepath.Join(root, InteropDir, readersTool, "readers.py"), reader, "--out", out}
	switch reader {
	case "meshctl":
		args = append(args, "--meshctl", filepath.Join(run.Bin, "meshctl"))
	default:
		args = append(args, "--catalog-uri", run.CatalogURI, "--warehouse", run.Warehouse)
		if run.S3Endpoint != "" {
			args = append(args, "--s3-endpoint", run.S3Endpoint, "--s3-region", run.S3Region,
				"--s3-access-key", run.S3AccessKey, "--s3-secret-key", run.S3SecretKey)
		}
		if reader == "spark" {
			args = append(args, "--jars", strings.Join(jars, ","))
		}
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	// The run's directory is the working directory: Spark leaves spark-warehouse/ and the like there.
	err = venv.Run(logf, dir, run.Env, "python", args...)
	logf.Close()
	if err != nil {
		return nil, fmt.Errorf("%s reader on %s: %w\n%s", reader, run.Backend, err, tail(logPath, 30))
	}
	body, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("%s reader on %s wrote no report: %w", reader, run.Backend, err)
	}
	var rep readerReport
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, fmt.Errorf("reading the %s report %s: %w", reader, out, err)
	}
	fmt.Fprintf(w, "  %-9s %s: %d tables in %s%s\n", reader, run.Backend, len(rep.Tables),
		time.Since(start).Round(100*time.Millisecond), versionsText(rep.Versions))
	return &rep, nil
}

func versionsText(v map[string]string) string {
	var keys []string
	for k := range v {
		if k != "meshctl" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + v[k]
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	body, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(body), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func byTable(rep *readerReport) map[string]tableFingerprint {
	m := make(map[string]tableFingerprint, len(rep.Tables))
	for _, t := range rep.Tables {
		m[t.Table] = t
	}
	return m
}

// compareReaders lists, in table order, every way a reader's report differs
// from meshctl's: a table one lists and the other not, a table it could not
// read, a row count or a checksum.
func compareReaders(backend string, want *readerReport, got []*readerReport) []string {
	var diffs []string
	for _, t := range want.Tables {
		if t.Error != "" {
			diffs = append(diffs, fmt.Sprintf("%s: meshctl could not read %s: %s", backend, t.Table, t.Error))
		}
	}
	wantBy := byTable(want)
	for _, rep := range got {
		gotBy := byTable(rep)
		for _, wt := range want.Tables {
			gt, ok := gotBy[wt.Table]
			switch {
			case wt.Error != "":
			case !ok:
				diffs = append(diffs, fmt.Sprintf("%s: %s does not list %s, which meshctl reads", backend, rep.Reader, wt.Table))
			case gt.Error != "":
				diffs = append(diffs, fmt.Sprintf("%s: %s could not read %s: %s", backend, rep.Reader, wt.Table, gt.Error))
			case gt.Rows != wt.Rows:
				diffs = append(diffs, fmt.Sprintf("%s: %s reads %d rows of %s, meshctl %d", backend, rep.Reader, gt.Rows, wt.Table, wt.Rows))
			case gt.Checksum != wt.Checksum:
				diffs = append(diffs, fmt.Sprintf("%s: %s reads %s with checksum %s, meshctl %s (same %d rows); columns that differ: %s",
					backend, rep.Reader, wt.Table, gt.Checksum, wt.Checksum, wt.Rows, columnDiffs(wt, gt)))
			}
		}
		for _, gt := range rep.Tables {
			if _, ok := wantBy[gt.Table]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s: %s lists %s, which meshctl tables does not", backend, rep.Reader, gt.Table))
			}
		}
	}
	return diffs
}

// columnDiffs names the columns whose checksums differ, with the Arrow type
// the reader returned, or says that only the row checksum differs (values
// that are each present but paired differently across columns).
func columnDiffs(want, got tableFingerprint) string {
	var names []string
	for name, sum := range want.Columns {
		if got.Columns[name] != sum {
			names = append(names, name)
		}
	}
	for name := range got.Columns {
		if _, ok := want.Columns[name]; !ok {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "none (the same values per column, combined into rows differently)"
	}
	sort.Strings(names)
	for i, name := range names {
		switch _, inWant := want.Columns[name]; {
		case !inWant:
			names[i] = name + " (not in meshctl's)"
		case got.Columns[name] == "":
			names[i] = name + " (missing)"
		case got.Types[name] != "":
			names[i] = name + " (read as " + got.Types[name] + ")"
		}
	}
	return strings.Join(names, ", ")
}

// printReaders prints one line per table: meshctl's row count and checksum,
// then each reader's checksum, its row count when that differs, or ERROR.
func printReaders(w io.Writer, backend string, want *readerReport, got []*readerReport) {
	width := len("table")
	for _, t := range want.Tables {
		width = max(width, len(t.Table))
	}
	fmt.Fprintf(w, "\nreaders on %s: %d tables (* differs from meshctl)\n", backend, len(want.Tables))
	fmt.Fprintf(w, "  %-*s %8s  %-17s", width, "table", "rows", "meshctl")
	gotBy := make([]map[string]tableFingerprint, len(got))
	for i, rep := range got {
		fmt.Fprintf(w, " %-17s", rep.Reader)
		gotBy[i] = byTable(rep)
	}
	fmt.Fprintln(w)
	for _, wt := range want.Tables {
		if wt.Error != "" {
			fmt.Fprintf(w, "  %-*s %8s  %-17s\n", width, wt.Table, "-", "ERROR")
			continue
		}
		fmt.Fprintf(w, "  %-*s %8d  %-17s", width, wt.Table, wt.Rows, wt.Checksum)
		for i := range got {
			gt, ok := gotBy[i][wt.Table]
			var cell string
			switch {
			case !ok:
				cell = "not listed"
			case gt.Error != "":
				cell = "ERROR"
			case gt.Rows != wt.Rows:
				cell = fmt.Sprintf("%d rows*", gt.Rows)
			case gt.Checksum != wt.Checksum:
				cell = gt.Checksum + "*"
			default:
				cell = gt.Checksum
			}
			fmt.Fprintf(w, " %-17s", cell)
		}
		fmt.Fprintln(w)
	}
}
