package freshness

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/apache/iceberg-go/table"

	"github.com/meshterious/warehouse/platform/lakehouse"
)

// Iceberg snapshot summary keys that tell whether a snapshot added data.
const (
	SummaryAddedRecords   = "added-records"
	SummaryAddedDataFiles = "added-data-files"
)

// Snapshot is what freshness needs of one Iceberg snapshot.
type Snapshot struct {
	ID        int64
	ParentID  int64 // 0 without a parent
	Time      time.Time
	Operation string            // append, overwrite, replace, delete
	Summary   map[string]string // the snapshot summary's properties
}

// AddsData reports whether the snapshot added data: an append or overwrite
// with added records (or added data files when records are not counted).
// A replace (compaction) and a delete never do.
func AddsData(s Snapshot) bool {
	if s.Operation != string(table.OpAppend) && s.Operation != string(table.OpOverwrite) {
		return false
	}
	if v, ok := s.Summary[SummaryAddedRecords]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		return err == nil && n > 0
	}
	n, err := strconv.ParseInt(s.Summary[SummaryAddedDataFiles], 10, 64)
	return err == nil && n > 0
}

// State is what freshness knows of one table.
type State struct {
	// Exists is false for a table the catalog does not have.
	Exists bool
	// LastSnapshot is the time of the current snapshot, whatever it did
	// (zero without snapshots).
	LastSnapshot time.Time
	// LastData is the time of the last snapshot that added data (zero when
	// none did).
	LastData time.Time
	// Expired is set when no retained snapshot added data but older ones were
	// expired: LastData is then the oldest retained snapshot's time.
	Expired bool
}

// StateOf follows the lineage of the current snapshot (current, 0 for none)
// back to the last snapshot that added data, ignoring snapshots committed
// after at (zero: none ignored).
func StateOf(current int64, snaps []Snapshot, at time.Time) State {
	byID := make(map[int64]Snapshot, len(snaps))
	for _, s := range snaps {
		byID[s.ID] = s
	}
	st := State{Exists: true}
	var oldest Snapshot
	for id, steps := current, 0; id != 0 && steps <= len(snaps); steps++ {
		s, ok := byID[id]
		if !ok {
			break
		}
		id = s.ParentID
		if !at.IsZero() && s.Time.After(at) {
			continue
		}
		if st.LastSnapshot.IsZero() {
			st.LastSnapshot = s.Time
		}
		oldest = s
		if AddsData(s) {
			st.LastData = s.Time
			return st
		}
	}
	if oldest.ParentID != 0 { // the lineage goes on in expired snapshots
		if _, ok := byID[oldest.ParentID]; !ok {
			st.LastData, st.Expired = oldest.Time, true
		}
	}
	return st
}

// TableState reads the state of a table of the lakehouse as of at (zero: now).
func TableState(ctx context.Context, lh *lakehouse.Lakehouse, id lakehouse.Ident, at time.Time) (State, error) {
	tbl, err := lh.LoadTable(ctx, id)
	if errors.Is(err, lakehouse.ErrNoSuchTable) {
		return State{}, nil
	}
	if err != nil {
		return State{}, err
	}
	cur := tbl.CurrentSnapshot()
	if cur == nil {
		return State{Exists: true}, nil
	}
	var snaps []Snapshot
	for _, s := range tbl.Metadata().Snapshots() {
		snap := Snapshot{ID: s.SnapshotID, Time: time.UnixMilli(s.TimestampMs).UTC()}
		if s.ParentSnapshotID != nil {
			snap.ParentID = *s.ParentSnapshotID
		}
		if s.Summary != nil {
			snap.Operation, snap.Summary = string(s.Summary.Operation), s.Summary.Properties
		}
		snaps = append(snaps, snap)
	}
	return StateOf(cur.SnapshotID, snaps, at), nil
}

// Check is one table to check.
type Check struct {
	Table string        // namespace.table
	SLA   time.Duration // the largest age its data may have
	// Inputs are the tables it is made from (see package doc); none for a
	// table fed from outside the lakehouse, like a raw table.
	Inputs []string
}

// Status is the verdict on a table.
type Status string

// Statuses, see the package doc.
const (
	Fresh     Status = "fresh"
	Unchanged Status = "unchanged"
	Stale     Status = "STALE"
)

// Result is the verdict on one Check.
type Result struct {
	Check
	State
	// Age is how old the last data is at the time of the check (zero without data).
	Age    time.Duration
	Status Status
	// Reason says more about a stale table: "table missing", "no data yet",
	// or that its age is a lower bound (State.Expired).
	Reason string
	// UpstreamSince is, for Unchanged, the time of the newest data of the
	// table's inputs (zero when none of them has data).
	UpstreamSince time.Time
}

// String is the status as meshctl freshness prints it.
func (r Result) String() string {
	switch {
	case r.Status == Unchanged && r.UpstreamSince.IsZero():
		return "unchanged (upstream has no data)"
	case r.Status == Unchanged:
		return "unchanged (upstream had nothing new since " + r.UpstreamSince.UTC().Format(time.RFC3339) + ")"
	case r.Reason != "":
		return string(r.Status) + ": " + r.Reason
	}
	return string(r.Status)
}

// Evaluate judges every check at time now from the states of the tables
// (which must hold each check's table; inputs without a state, or missing,
// are ignored). Results come in the order of the checks.
func Evaluate(checks []Check, states map[string]State, now time.Time) []Result {
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		r := Result{Check: c, State: states[c.Table], Status: Fresh}
		switch {
		case !r.Exists:
			r.Status, r.Reason = Stale, "table missing"
		case r.LastData.IsZero():
			r.Status, r.Reason = Stale, "no data yet"
		default:
			r.Age = now.Sub(r.LastData)
			if r.Age <= c.SLA {
				break
			}
			r.Status = Stale
			known := 0
			var newest time.Time
			for _, in := range c.Inputs {
				st, ok := states[in]
				if !ok || !st.Exists || in == c.Table {
					continue
				}
				known++
				if st.LastData.After(newest) {
					newest = st.LastData
				}
			}
			switch {
			case known > 0 && !newest.After(r.LastData):
				r.Status, r.UpstreamSince = Unchanged, newest
			case r.Expired:
				r.Reason = "the snapshot of its last data expired; it is at least this old"
			}
		}
		out = append(out, r)
	}
	return out
}

// Run reads the state of every checked table and of its inputs from the
// lakehouse as of at, and evaluates the checks then (zero at: now).
func Run(ctx context.Context, lh *lakehouse.Lakehouse, checks []Check, at time.Time) ([]Result, error) {
	now := at
	if now.IsZero() {
		now = time.Now()
	}
	states := map[string]State{}
	var names []string
	for _, c := range checks {
		names = append(names, c.Table)
		names = append(names, c.Inputs...)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := states[name]; ok {
			continue
		}
		id, err := lakehouse.ParseIdent(name)
		if err != nil {
			return nil, fmt.Errorf("checking freshness: table %q: %w", name, err)
		}
		st, err := TableState(ctx, lh, id, at)
		if err != nil {
			return nil, fmt.Errorf("reading the snapshots of %s: %w", name, err)
		}
		states[name] = st
	}
	return Evaluate(checks, states, now), nil
}
