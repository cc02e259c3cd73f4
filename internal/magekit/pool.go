package magekit

import (
	"bytes"
	"fmt"
	"io"
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
// that the output of jobs running side by side never interleaves; a line
// says when each job starts.
func RunPool(jobs []Job, workers int, out io.Writer) []Result {
	results := make([]Result, len(jobs))
	next := make(chan int)
	var mu sync.Mutex // serializes writes to out
	var wg sync.WaitGroup
	for range max(1, min(workers, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				mu.Lock()
				fmt.Fprintf(out, "\n==> %s: started\n", j.Name)
				mu.Unlock()
				var buf bytes.Buffer
				start := time.Now()
				err := j.Run(&buf)
				results[i] = Result{Name: j.Name, Err: err, Elapsed: time.Since(start)}
				status := "ok"
				if err != nil {
					status = "FAILED"
				}
				mu.Lock()
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
