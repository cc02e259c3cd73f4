package domainkit

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2" // database/sql driver "duckdb" for the DuckDB-alone baseline

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/produce"
	"github.com/meshterious/warehouse/platform/transform"
)

// runTransformBench measures what materializing into Iceberg costs: a full
// build of the domain's models over N generated raw events, against DuckDB
// alone running the same compiled SQL over the same Parquet files into
// in-memory tables. It prints figures; it never fails on time.
func runTransformBench(ctx context.Context, a *App, args []string) error {
	fs := flag.NewFlagSet(a.Domain.Name()+" transform bench", flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	rows := fs.Int("rows", 1_000_000, "raw events to generate")
	event := a.eventFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, regions, err := a.Domain.Target(*event, "all")
	if err != nil {
		return err
	}
	g := a.Domain.Generators[*event]
	if g == nil {
		return fmt.Errorf("event %s has no generator", *event)
	}
	project, err := a.Domain.DBTProject(nil)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "mesh-transform-bench-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lh, err := lakehouse.Open(ctx, lakehouse.Config{DataDir: dir})
	if err != nil {
		return err
	}
	defer lh.Close()
	raw, err := a.EnsureRawTable(ctx, lh, *event)
	if err != nil {
		return err
	}

	fmt.Fprintf(a.Stdout, "generating %d %s events into %s...\n", *rows, *event, raw)
	start := time.Now()
	until := time.Now().UTC().Truncate(24 * time.Hour)
	// generate appends n events made from the generator's stream at offset;
	// a correction (shift > 0) replays an earlier stretch of the stream (the
	// same entities) as new events whose event_ts is shift later.
	generate := func(n int, offset uint64, shift time.Duration) error {
		const chunk = 100_000
		for done := 0; done < n; done += chunk {
			k := min(chunk, n-done)
			region, _ := gen.LookupRegion(regions[(done/chunk)%len(regions)])
			r := gen.NewRand(gen.DefaultSeed(a.Domain.Name(), *event), offset+uint64(done))
			b := c.NewBatchBuilder(nil)
			for i, t := range produce.BurstTimes(r, k, 90*24*time.Hour, until, time.UTC) {
				fields := g(&produce.Context{Rand: r, Region: region, Time: t, Seq: int64(i)})
				fields["event_id"], fields["event_ts"], fields["event_type"] = r.UUID().String(), produce.Timestamp(t.Add(shift)), *event
				if shift > 0 {
					fields["event_id"] = gen.NewRand(offset+uint64(done), uint64(i)+1).UUID().String()
				}
				ev, err := c.Decode(produce.MarshalOrdered(c, fields))
				if err != nil {
					return err
				}
				if err := b.Append(ev, time.Now().UTC()); err != nil {
					return err
				}
			}
			rec := b.NewRecordBatch()
			_, err := lh.Append(ctx, raw, []arrow.RecordBatch{rec}, nil)
			rec.Release()
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := generate(*rows, 0, 0); err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "generated in %.1fs\n\n", time.Since(start).Seconds())

	// 1. The platform: full build into Iceberg.
	x, err := transform.New(ctx, project, lh, transform.Config{Command: transform.Run, FullRefresh: true, TempDir: dir, Progress: a.Stdout, Logger: benchLogger(a)})
	if err != nil {
		return err
	}
	start = time.Now()
	rep, err := x.Execute(ctx)
	iceberg := time.Since(start)
	x.Close()
	if err != nil {
		return err
	}
	// 2. DuckDB alone: the same SQL over the same Parquet files, into memory,
	// and into Parquet files written as the platform writes them.
	duck, err := duckdbAlone(ctx, lh, project, raw, "")
	if err != nil {
		return err
	}
	duckFiles, err := duckdbAlone(ctx, lh, project, raw, filepath.Join(dir, "duckdb-alone"))
	if err != nil {
		return err
	}
	var built int64
	for _, r := range rep.Results {
		if r.Kind == "model" {
			built += r.Rows
		}
	}
	// 3. An incremental run: 5% new events and corrections of 1% of the
	// existing ones arrive, and the incremental models merge them by key.
	fresh, corrections := max(*rows/20, 1), max(*rows/100, 1)
	if err := generate(fresh, uint64(*rows), 0); err != nil {
		return err
	}
	if err := generate(corrections, 0, time.Minute); err != nil {
		return err
	}
	x, err = transform.New(ctx, project, lh, transform.Config{Command: transform.Run, TempDir: dir, Logger: benchLogger(a)})
	if err != nil {
		return err
	}
	start = time.Now()
	_, err = x.Execute(ctx)
	incremental := time.Since(start)
	x.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "full build of %d models over %d raw events (%d rows written)\n", len(project.Models), *rows, built)
	fmt.Fprintf(a.Stdout, "  platform (DuckDB + Iceberg commits)   %7.2fs\n", iceberg.Seconds())
	fmt.Fprintf(a.Stdout, "  DuckDB alone, into memory tables      %7.2fs   ratio %.2fx (target <= 1.5x)\n", duck.Seconds(), iceberg.Seconds()/duck.Seconds())
	fmt.Fprintf(a.Stdout, "  DuckDB alone, into the same Parquet   %7.2fs   ratio %.2fx (the Iceberg overhead proper)\n", duckFiles.Seconds(), iceberg.Seconds()/duckFiles.Seconds())
	fmt.Fprintf(a.Stdout, "incremental run after %d new events and %d corrections (merged by key, copy-on-write)\n", fresh, corrections)
	fmt.Fprintf(a.Stdout, "  platform                              %7.2fs   %.0f%% of the full build\n", incremental.Seconds(), 100*incremental.Seconds()/iceberg.Seconds())
	return nil
}

// benchResolver names relations for the DuckDB-alone run: sources are the raw
// table's Parquet files, models and seeds are plain in-memory tables.
type benchResolver struct{ rawFiles string }

func (r benchResolver) Ref(m *dbt.Model) (string, error) { return `"` + m.Name + `"`, nil }
func (r benchResolver) Source(*dbt.Source) (string, error) {
	return "read_parquet([" + r.rawFiles + "], hive_partitioning=false)", nil
}
func (r benchResolver) Seed(s *dbt.Seed) (string, error) { return `"` + s.Name + `"`, nil }

// duckdbAlone runs the models' SQL in a bare DuckDB: into in-memory tables, or,
// with outDir, also written to Parquet files partitioned like the platform's.
func duckdbAlone(ctx context.Context, lh *lakehouse.Lakehouse, p *dbt.Project, raw lakehouse.Ident, outDir string) (time.Duration, error) {
	tbl, err := lh.LoadTable(ctx, raw)
	if err != nil {
		return 0, err
	}
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		return 0, err
	}
	files := make([]string, len(tasks))
	for i, t := range tasks {
		files[i] = "'" + strings.TrimPrefix(t.File.FilePath(), "file://") + "'"
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: tables live in its in-memory database
	for _, s := range p.Seeds {
		csvPath := filepath.Join(os.TempDir(), fmt.Sprintf("bench-seed-%s-%d.csv", s.Name, time.Now().UnixNano()))
		if err := writeCSV(csvPath, s.Header, s.Rows); err != nil {
			return 0, err
		}
		defer os.Remove(csvPath)
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE "%s" AS SELECT * FROM read_csv('%s', header=true)`, s.Name, csvPath)); err != nil {
			return 0, err
		}
	}
	models := make([]*dbt.Model, 0, len(p.Models))
	for _, m := range p.Models {
		models = append(models, m)
	}
	ordered, err := p.Order(models)
	if err != nil {
		return 0, err
	}
	res := benchResolver{rawFiles: strings.Join(files, ", ")}
	start := time.Now()
	for _, m := range ordered {
		if m.Config.Materialized == "ephemeral" {
			continue
		}
		q, err := p.Compile(m, dbt.CompileContext{Resolver: res, This: `"` + m.Name + `"`, Target: dbt.Target{Name: "bench", Schema: "main", Type: "duckdb"}})
		if err != nil {
			return 0, err
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE "%s" AS %s`, m.Name, q)); err != nil {
			return 0, fmt.Errorf("%s: %w", m.Name, err)
		}
		if outDir != "" {
			// Partitioned by event_date as the platform's tables are; the
			// others (dim_date, seeds' dims) are one file.
			partition := ""
			var hasEventDate bool
			if err := db.QueryRowContext(ctx, `SELECT count(*) > 0 FROM information_schema.columns WHERE table_name = ? AND column_name = 'event_date'`, m.Name).Scan(&hasEventDate); err != nil {
				return 0, fmt.Errorf("%s: %w", m.Name, err)
			}
			if hasEventDate {
				partition = ", PARTITION_BY (event_date), WRITE_PARTITION_COLUMNS true"
			}
			copyStmt := fmt.Sprintf(`COPY "%s" TO '%s' (%s%s)`,
				m.Name, filepath.Join(outDir, m.Name+map[bool]string{true: "", false: ".parquet"}[hasEventDate]), transform.ParquetOptions, partition)
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return 0, err
			}
			if _, err := db.ExecContext(ctx, copyStmt); err != nil {
				return 0, fmt.Errorf("%s: %w", m.Name, err)
			}
		}
	}
	return time.Since(start), nil
}

func benchLogger(a *App) *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv(config.EnvLogLevel) == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(a.Stderr, &slog.HandlerOptions{Level: level}))
}
