package magekit

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// InteropCheck is one part of 'go run mage.go interop': it runs a real tool
// against the project and fails with the first difference from the known
// answer, printing what it compared.
type InteropCheck struct {
	Name string
	Run  func(root string, w io.Writer) error
}

// interopChecks are registered by the files that implement them, in the order
// interop runs them.
var interopChecks []InteropCheck

// registerInteropCheck adds a check; registering a name twice panics.
func registerInteropCheck(c InteropCheck) {
	for _, have := range interopChecks {
		if have.Name == c.Name {
			panic("magekit: interop check " + c.Name + " registered twice")
		}
	}
	interopChecks = append(interopChecks, c)
}

// InteropChecks returns every interop check in run order.
func InteropChecks() []InteropCheck { return interopChecks }

// InteropCheckNamed returns the check called name, or one that fails naming
// the checks that exist.
func InteropCheckNamed(name string) InteropCheck {
	var names []string
	for _, c := range interopChecks {
		if c.Name == name {
			return c
		}
		names = append(names, c.Name)
	}
	return InteropCheck{Name: name, Run: func(string, io.Writer) error {
		return fmt.Errorf("no interop check %q; checks: %s", name, strings.Join(names, ", "))
	}}
}

// RunInterop runs checks one after another, all of them even when one fails,
// and ends with a table of each check's result and time.
func RunInterop(root string, w io.Writer, checks ...InteropCheck) error {
	type result struct {
		name string
		err  error
		took time.Duration
	}
	var results []result
	start := time.Now()
	for _, c := range checks {
		fmt.Fprintf(w, "\n==> interop:%s\n", c.Name)
		t := time.Now()
		err := c.Run(root, w)
		results = append(results, result{c.Name, err, time.Since(t)})
		if err != nil {
			fmt.Fprintf(w, "interop:%s FAILED: %v\n", c.Name, err)
		}
	}
	var failed []string
	for _, r := range results {
		if r.err != nil {
			failed = append(failed, r.name)
		}
	}
	fmt.Fprintln(w)
	CloseInteropRuns(w, len(failed) > 0)
	fmt.Fprintf(w, "\ninterop summary\n")
	for _, r := range results {
		state := "ok"
		if r.err != nil {
			state = "FAILED"
		}
		fmt.Fprintf(w, "  %-10s %-6s %s\n", r.name, state, r.took.Round(time.Second))
	}
	fmt.Fprintf(w, "  %-10s %-6s %s\n", "total", "", time.Since(start).Round(time.Second))
	if len(failed) > 0 {
		return fmt.Errorf("interop failed: %s", strings.Join(failed, ", "))
	}
	return nil
}
