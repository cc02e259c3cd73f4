// The graph between DAGs: validation across domains, ordering by reads and
// writes, lookups and table SLAs.

package dags

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// Validate checks the DAGs of all domains together: unique ids, every table an
// on_update DAG reads is written by some DAG, and no cycle between DAGs.
func Validate(all []*DAG) error {
	var errs []error
	bad := func(g *DAG, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, g.Source, fmt.Sprintf(format, args...)))
	}
	ids := map[string]*DAG{}
	writers := map[string][]*DAG{}
	for _, g := range all {
		if o, ok := ids[g.ID]; ok {
			bad(g, "dag id %q is also declared at %s", g.ID, o.Source)
		}
		ids[g.ID] = g
		for _, w := range g.Writes {
			writers[w] = append(writers[w], g)
		}
	}
	for _, g := range all {
		if g.Schedule.OnUpdate {
			if len(g.Reads) == 0 {
				bad(g, "%s: schedule on_update needs reads", g.ID)
			}
			for _, r := range g.Reads {
				if len(writers[r]) == 0 {
					bad(g, "%s: schedule on_update reads %s, which no DAG writes: it would never run", g.ID, r)
				}
			}
		}
	}
	if _, err := Order(all); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Upstream returns the DAGs among all that write a table g reads (not g itself), sorted by id.
func Upstream(all []*DAG, g *DAG) []*DAG {
	var out []*DAG
	for _, o := range all {
		if o == g {
			continue
		}
		for _, w := range o.Writes {
			if slices.Contains(g.Reads, w) {
				out = append(out, o)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Order sorts dags so that every DAG comes after the DAGs writing what it
// reads (ties by domain and id); a cycle is an error.
func Order(dags []*DAG) ([]*DAG, error) {
	sorted := slices.Clone(dags)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Domain != sorted[j].Domain {
			return sorted[i].Domain < sorted[j].Domain
		}
		return sorted[i].ID < sorted[j].ID
	})
	done := map[*DAG]bool{}
	var out []*DAG
	for len(out) < len(sorted) {
		progressed := false
		for _, g := range sorted {
			if done[g] {
				continue
			}
			ready := true
			for _, u := range Upstream(sorted, g) {
				if !done[u] {
					ready = false
					break
				}
			}
			if ready {
				done[g] = true
				out = append(out, g)
				progressed = true
				break // restart: keep the order stable and domain-grouped
			}
		}
		if !progressed {
			var cyc []string
			for _, g := range sorted {
				if !done[g] {
					cyc = append(cyc, g.ID)
				}
			}
			return nil, fmt.Errorf("%w: the reads and writes of these DAGs form a cycle: %s", ErrInvalid, strings.Join(cyc, ", "))
		}
	}
	return out, nil
}

// Find returns the DAG called id.
func Find(all []*DAG, id string) (*DAG, error) {
	for _, g := range all {
		if g.ID == id {
			return g, nil
		}
	}
	return nil, fmt.Errorf("no DAG %q (meshctl dag list shows them)", id)
}

// TableSLAs returns, for every table with a declared freshness, the allowed
// age of its last snapshot: the smaller of domain.yaml's tables[].freshness
// and the sla of the DAGs writing it.
func TableSLAs(domains []*domainspec.Domain, all []*DAG) map[string]time.Duration {
	out := map[string]time.Duration{}
	set := func(table string, d time.Duration) {
		if d <= 0 {
			return
		}
		if cur, ok := out[table]; !ok || d < cur {
			out[table] = d
		}
	}
	for _, d := range domains {
		for _, t := range d.Tables {
			set(d.Name+"."+t.Name, time.Duration(t.Freshness))
		}
	}
	for _, g := range all {
		for _, w := range g.Writes {
			set(w, g.SLA)
		}
	}
	return out
}
