// run_results.json (run_results v6): its types and writer.

package dbt

import "encoding/json"

// runResults is run_results.json.
type runResults struct {
	Metadata    artifactMetadata `json:"metadata"`
	Results     []runResult      `json:"results"`
	ElapsedTime float64          `json:"elapsed_time"`
	// Args are the invocation's arguments, free-form as in dbt.
	Args map[string]any `json:"args"`
}

// runResult is the outcome of one node.
type runResult struct {
	Status        string       `json:"status"`
	Timing        []timingInfo `json:"timing"`
	ThreadID      string       `json:"thread_id"`
	ExecutionTime float64      `json:"execution_time"`
	// AdapterResponse is free-form: _message, rows_affected, code...
	AdapterResponse map[string]any `json:"adapter_response"`
	Message         *string        `json:"message"`
	Failures        *int           `json:"failures"`
	UniqueID        string         `json:"unique_id"`
	Compiled        bool           `json:"compiled"`
	CompiledCode    *string        `json:"compiled_code"`
	RelationName    *string        `json:"relation_name"`
	// BatchResults are microbatch results, not supported: always null.
	BatchResults json.RawMessage `json:"batch_results"`
}

// timingInfo is one step (compile, execute) of a node's run.
type timingInfo struct {
	Name        string `json:"name"`
	StartedAt   string `json:"started_at"`
	CompletedAt string `json:"completed_at"`
}

// WriteRunResults writes <dir>/run_results.json (run_results v6).
func WriteRunResults(dir string, a Artifacts) error {
	doc := runResults{
		Metadata: a.metadata(RunResultsSchema), Results: []runResult{},
		ElapsedTime: a.Elapsed.Seconds(), Args: map[string]any{},
	}
	for k, v := range a.Args {
		doc.Args[k] = v
	}
	for _, r := range a.Results {
		doc.Results = append(doc.Results, a.runResult(r))
	}
	return writeJSON(dir, "run_results.json", doc)
}

func (a *Artifacts) runResult(r NodeResult) runResult {
	compiled := r.Compiled
	if compiled == "" {
		compiled = a.Compiled[r.UniqueID]
	}
	resp := map[string]any{}
	for k, v := range r.AdapterResponse {
		resp[k] = v
	}
	if _, ok := resp["_message"]; !ok && r.Status == "success" {
		resp["_message"] = "OK"
	}
	if _, ok := resp["rows_affected"]; !ok && r.Rows > 0 {
		resp["rows_affected"] = r.Rows
	}
	var relName *string
	if a.Project != nil {
		if m := a.Project.modelByID(r.UniqueID); m != nil && m.Config.Materialized != "ephemeral" {
			relName = nullString(relationName(a.modelRelation(m)))
		} else if s := a.Project.seedByID(r.UniqueID); s != nil {
			relName = nullString(relationName(a.relation(s.UniqueID, s.Schema, s.alias())))
		}
	}
	timing := []timingInfo{}
	if !r.Started.IsZero() {
		timing = append(timing,
			timingInfo{Name: "compile", StartedAt: timestamp(r.Started), CompletedAt: timestamp(r.Started)},
			timingInfo{Name: "execute", StartedAt: timestamp(r.Started), CompletedAt: timestamp(r.Completed)},
		)
	}
	exec := 0.0
	if !r.Started.IsZero() && !r.Completed.IsZero() {
		exec = r.Completed.Sub(r.Started).Seconds()
	}
	status := r.Status
	if status == "" {
		status = "success"
	}
	return runResult{
		Status: status, Timing: timing, ThreadID: "Thread-1", ExecutionTime: exec,
		AdapterResponse: resp, Message: nullString(r.Message), Failures: r.Failures, UniqueID: r.UniqueID,
		Compiled: compiled != "", CompiledCode: nullString(compiled), RelationName: relName,
	}
}
