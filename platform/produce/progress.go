package produce

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress prints a throttled progress line for long work: count, total,
// rate. It writes nothing when w is nil.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total int
	start time.Time
	last  time.Time
}

// NewProgress starts a progress line; total 0 means unknown.
func NewProgress(w io.Writer, label string, total int) *Progress {
	now := time.Now()
	return &Progress{w: w, label: label, total: total, start: now, last: now}
}

// Set reports the current count; lines are printed at most twice a second.
func (p *Progress) Set(n int) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 500*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.print(n, false)
}

// Done prints the final line.
func (p *Progress) Done(n int) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(n, true)
}

func (p *Progress) print(n int, done bool) {
	el := time.Since(p.start)
	rate := 0.0
	if el > 0 {
		rate = float64(n) / el.Seconds()
	}
	total := ""
	if p.total > 0 {
		total = fmt.Sprintf("/%d (%3.0f%%)", p.total, 100*float64(n)/float64(p.total))
	}
	state := "..."
	if done {
		state = "done"
	}
	fmt.Fprintf(p.w, "  %-34s %8d%s  %7.0f/s  %5.1fs %s\n", p.label, n, total, rate, el.Seconds(), state)
}
