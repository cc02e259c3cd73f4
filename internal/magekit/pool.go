package magekit

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Job is one piece of work RunPool runs: Run writes its output to w and
// returns whether it failed.
type Job struct {
	Name string
	Run  func(w io.Writer) error
}

// Result is how a Job ended.
type Result struct {
	Name    string
	Err     error
	Elapsed time.Duration
}

// RunPool runs jobs on the given number of workers, taking them in order, and
// returns their results in that order. Each job's output is kept and written
// to out in one piece when the job ends, after a line saying how it ended, so
// that the output of jobs running side by side never interleaves. A line says
// when each job starts and, every heartbeat (0: never), which jobs are still
// running and for how long.
func RunPool(jobs []Job, workers int, heartbeat time.Duration, out io.Writer) []Result {
	results := make([]Result, len(jobs))
	next := make(chan int)
	var mu sync.Mutex // serializes writes to out and guards running
	running := map[string]time.Time{}
	var wg sync.WaitGroup
	if heartbeat > 0 {
		tick := time.NewTicker(heartbeat)
		done := make(chan struct{})
		defer func() { tick.Stop(); close(done) }()
		go func() {
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					mu.Lock()
					var parts []string
					for _, j := range jobs {
						if start, ok := running[j.Name]; ok {
							parts = append(parts, fmt.Sprintf("%s (%s)", j.Name, time.Since(start).Round(time.Second)))
						}
					}
					if len(parts) > 0 {
						fmt.Fprintf(out, "    ... still running: %s\n", strings.Join(parts, ", "))
					}
					mu.Unlock()
				}
			}
		}()
	}
	for range max(1, min(workers, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				start := time.Now()
				mu.Lock()
				running[j.Name] = start
				fmt.Fprintf(out, "\n==> %s: started\n", j.Name)
				mu.Unlock()
				var buf bytes.Buffer
				err := j.Run(&buf)
				results[i] = Result{Name: j.Name, Err: err, Elapsed: time.Since(start)}
				status := "ok"
				if err != nil {
					status = "FAILED"
				}
				mu.Lock()
				delete(running, j.Name)
				fmt.Fprintf(out, "\n==> %s: %s in %s\n", j.Name, status, results[i].Elapsed.Round(time.Second))
				out.Write(buf.Bytes())
				if err != nil {
					fmt.Fprintln(out, err)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}
