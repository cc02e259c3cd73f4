package openmetadata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/meshterious/warehouse/platform/dags/runner"
)

// StatusKind is one kind of time-series point the push sends about an entity
// it registered: not an entity of its own, but a point OpenMetadata keeps by
// timestamp (sending the same timestamp again replaces the point, so a
// second push changes nothing).
type StatusKind struct {
	// Name names the kind in summaries and errors.
	Name string
	// Entity is the type of the entity the point is about.
	Entity string
	// Schema is the point's JSON Schema, relative to schema/.
	Schema string
}

// The status kinds.
var (
	// StatusTableProfile is a table's freshness and size: PUT
	// /tables/{id}/tableProfile with a CreateTableProfile body whose
	// tableProfile's timestamp is the last commit that added data.
	StatusTableProfile = StatusKind{"tableProfile", "table", "entity/data/table.json#/definitions/tableProfile"}
	// StatusPipeline is one run of a DAG: PUT /pipelines/{fqn}/status with
	// a PipelineStatus body.
	StatusPipeline = StatusKind{"pipelineStatus", "pipeline", "entity/data/pipeline.json#/definitions/pipelineStatus"}
)

// StatusKinds lists the kinds, in push order.
var StatusKinds = []StatusKind{StatusTableProfile, StatusPipeline}

// Status is one point the push sends after the entities.
type Status struct {
	Kind StatusKind
	// FQN is the fullyQualifiedName of the table or pipeline.
	FQN string
	// Data is the request body.
	Data map[string]any
}

// TableFreshness is what the lakehouse says of one table's data.
type TableFreshness struct {
	// Table is <namespace>.<name>.
	Table string
	// LastData is the commit time of the last snapshot that added data
	// (package freshness); zero when none did, and nothing is sent.
	LastData time.Time
	Rows     int64
	Columns  int
}

// TableStatuses returns a table profile per table with data: its freshness
// as the profile's timestamp, its rows and columns. The tables are named
// as the lakehouse names them; o gives their FQNs.
func TableStatuses(o Options, tables []TableFreshness) []Status {
	var out []Status
	for _, t := range tables {
		if t.LastData.IsZero() {
			continue
		}
		ns, name, _ := strings.Cut(t.Table, ".")
		out = append(out, Status{Kind: StatusTableProfile, FQN: FQN(o.DatabaseService, o.Database, ns, name), Data: map[string]any{
			"tableProfile": map[string]any{
				"timestamp": t.LastData.UnixMilli(), "rowCount": t.Rows, "columnCount": t.Columns,
			},
		}})
	}
	sortStatuses(out)
	return out
}

// executionStatus maps a local runner state to OpenMetadata's statusType,
// as OpenMetadata's Airflow connector maps Airflow's: upstream_failed is a
// failure, a run still going is pending.
func executionStatus(state string) string {
	switch state {
	case runner.StateSuccess:
		return "Successful"
	case runner.StateFailed, runner.StateUpstreamFailed:
		return "Failed"
	case runner.StateSkipped:
		return "Skipped"
	}
	return "Pending"
}

// RunStatuses returns a pipeline status per recorded DAG run (the local
// runner's history), with its tasks; a failed run says which task failed
// and why. Runs that never started nor ended are left out.
func RunStatuses(o Options, runs []runner.DAGRun) []Status {
	var out []Status
	for _, r := range runs {
		at := r.Started
		if at.IsZero() {
			at = r.Ended
		}
		if at.IsZero() {
			continue
		}
		d := map[string]any{"executionId": r.RunID, "timestamp": at.UnixMilli(), "executionStatus": executionStatus(r.State)}
		if !r.Ended.IsZero() {
			d["endTime"] = r.Ended.UnixMilli()
		}
		var tasks []any
		failed := ""
		for _, t := range r.Tasks {
			ts := map[string]any{"name": t.TaskID, "executionStatus": executionStatus(t.State)}
			if !t.Started.IsZero() {
				ts["startTime"] = t.Started.UnixMilli()
			}
			if !t.Ended.IsZero() {
				ts["endTime"] = t.Ended.UnixMilli()
			}
			if t.State == runner.StateFailed && failed == "" {
				failed = t.TaskID
			}
			tasks = append(tasks, ts)
		}
		if tasks != nil {
			d["taskStatus"] = tasks
		}
		if executionStatus(r.State) == "Failed" {
			e := map[string]any{"errorType": r.State}
			setText(e, "errorMessage", r.Reason)
			setText(e, "failedTask", failed)
			d["error"] = e
		}
		out = append(out, Status{Kind: StatusPipeline, FQN: FQN(o.PipelineService, r.DAGID), Data: d})
	}
	sortStatuses(out)
	return out
}

// sortStatuses orders points by kind, entity and time.
func sortStatuses(ss []Status) {
	ts := func(s Status) int64 {
		if s.Kind.Name == StatusTableProfile.Name {
			p, _ := s.Data["tableProfile"].(map[string]any)
			v, _ := p["timestamp"].(int64)
			return v
		}
		v, _ := s.Data["timestamp"].(int64)
		return v
	}
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].Kind.Name != ss[j].Kind.Name {
			return kindOrder(ss[i].Kind) < kindOrder(ss[j].Kind)
		}
		if ss[i].FQN != ss[j].FQN {
			return ss[i].FQN < ss[j].FQN
		}
		return ts(ss[i]) < ts(ss[j])
	})
}

func kindOrder(k StatusKind) int {
	for i, x := range StatusKinds {
		if x.Name == k.Name {
			return i
		}
	}
	return len(StatusKinds)
}

// StatusesFor keeps the points about entities among bodies (a domain's or a
// table's refresh sends the points of what it registers).
func StatusesFor(statuses []Status, bodies []Body) []Status {
	have := map[string]bool{}
	for _, b := range bodies {
		have[b.Type.Name+":"+b.FQN] = true
	}
	var out []Status
	for _, s := range statuses {
		if have[s.Kind.Entity+":"+s.FQN] {
			out = append(out, s)
		}
	}
	return out
}

// compileStatus adds the status kinds' schemas to a new Validator.
func (v *Validator) compileStatus(c *jsonschema.Compiler) error {
	for _, k := range StatusKinds {
		s, err := c.Compile(schemaBase + k.Schema)
		if err != nil {
			return fmt.Errorf("compiling %s: %w", k.Schema, err)
		}
		v.schemas["status:"+k.Name] = s
	}
	return nil
}

// ValidateStatus checks one point's body (a JSON document): a table
// profile's tableProfile against the table schema's definition (the
// CreateTableProfile wrapper holds nothing else here), a pipeline status
// against the pipeline schema's.
func (v *Validator) ValidateStatus(kind StatusKind, fqn string, body []byte) error {
	s, ok := v.schemas["status:"+kind.Name]
	if !ok {
		return fmt.Errorf("%w: unknown status kind %q", ErrInvalidBody, kind.Name)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %s of %s: not JSON: %v", ErrInvalidBody, kind.Name, fqn, err)
	}
	if kind.Name == StatusTableProfile.Name {
		m, _ := doc.(map[string]any)
		for k := range m {
			if k != "tableProfile" {
				return fmt.Errorf("%w: %s of %s: unexpected field %q (want tableProfile)", ErrInvalidBody, kind.Name, fqn, k)
			}
		}
		if doc = m["tableProfile"]; doc == nil {
			return fmt.Errorf("%w: %s of %s: tableProfile is required", ErrInvalidBody, kind.Name, fqn)
		}
	}
	if err := s.Validate(doc); err != nil {
		return fmt.Errorf("%w: %s of %s against schema/%s: %v", ErrInvalidBody, kind.Name, fqn, kind.Schema, err)
	}
	return nil
}

// ValidateStatuses checks every point; the error lists every invalid one.
func ValidateStatuses(v *Validator, statuses []Status) error {
	var errs []string
	for _, s := range statuses {
		data, err := json.Marshal(s.Data)
		if err == nil {
			err = v.ValidateStatus(s.Kind, s.FQN, data)
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %d of %d status points:\n%s", ErrInvalidBody, len(errs), len(statuses), strings.Join(errs, "\n"))
	}
	return nil
}

// PushStatus sends the points to the server at baseURL after their
// entities were pushed, with Push's retries, errors and token handling.
// OpenMetadata does not say whether a point was new, so the summary counts
// every accepted point as updated.
func PushStatus(ctx context.Context, baseURL, token string, statuses []Status, opts ...Option) (*Summary, error) {
	p, err := newPusher(baseURL, token, opts)
	if err != nil {
		return nil, err
	}
	if p.cfg.progress != nil {
		fmt.Fprintf(p.cfg.progress, "pushing %d status points (freshness and DAG runs)\n", len(statuses))
	}
	var cur *Result
	for _, s := range statuses {
		if cur == nil || cur.Type != s.Kind.Name {
			p.sum.Results = append(p.sum.Results, Result{Type: s.Kind.Name})
			cur = &p.sum.Results[len(p.sum.Results)-1]
		}
		what := s.Kind.Name + " of " + s.Kind.Entity + " " + s.FQN
		var path string
		switch s.Kind.Name {
		case StatusTableProfile.Name:
			id, err := p.id(ctx, what, refKey{"table", s.FQN})
			if err != nil {
				return p.sum, err
			}
			path = "/tables/" + url.PathEscape(id) + "/tableProfile"
		case StatusPipeline.Name:
			path = "/pipelines/" + url.PathEscape(s.FQN) + "/status"
		default:
			return p.sum, fmt.Errorf("pushing %s: unknown status kind", what)
		}
		payload, err := json.Marshal(s.Data)
		if err != nil {
			return p.sum, fmt.Errorf("encoding %s: %w", what, err)
		}
		if _, _, err := p.do(ctx, what, http.MethodPut, path, payload); err != nil {
			return p.sum, err
		}
		cur.Updated++
	}
	if p.cfg.progress != nil {
		for _, r := range p.sum.Results {
			fmt.Fprintf(p.cfg.progress, "  %-17s %5d\n", r.Type, r.Updated)
		}
	}
	return p.sum, nil
}
