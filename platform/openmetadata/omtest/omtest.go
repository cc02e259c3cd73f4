// Package omtest is an OpenMetadata test server for the push's tests: it
// validates each request body against the pinned release's JSON Schemas,
// checks every reference the way the server does (a table's schema, an
// owner's id, a tag, a lineage end must exist), stores entities by
// fullyQualifiedName and answers as OpenMetadata answers: PUT gives 201 and
// X-OpenMetadata-Change: entityCreated for a new entity, 200 with
// entityUpdated and the version bumped by 0.1 for a changed one, 200 with
// entityNoChange and the same version for an identical one; 400, 401 and
// 404 carry {"code":..,"message":..}. Faults (429, 5xx, 401) can be
// injected for the next requests. The time-series points (PUT
// /pipelines/{fqn}/status, PUT /tables/{id}/tableProfile) are validated,
// need their entity, and are stored by timestamp as OpenMetadata does: a
// point with the same timestamp replaces the one stored.
//
// It is not OpenMetadata: it knows only the endpoints package openmetadata
// uses, and compares request bodies instead of merging fields.
package omtest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/meshterious/warehouse/platform/openmetadata"
)

// Entity is one stored entity.
type Entity struct {
	Type    string
	ID      string
	FQN     string
	Version float64
	Body    map[string]any // the last request body
}

// Edge is one stored lineage edge.
type Edge struct {
	From, To *Entity
	Details  map[string]any
	Version  int // times it was changed after its creation
}

// Fault is an answer injected in place of the next request's.
type Fault struct {
	Status     int
	RetryAfter string // the Retry-After header, "" for none
}

// Server is a running test server.
type Server struct {
	*httptest.Server
	// Token is the bearer token it accepts.
	Token string

	mu        sync.Mutex
	validator *openmetadata.Validator
	byFQN     map[string]*Entity // type + ":" + FQN
	byID      map[string]*Entity
	edges     map[[2]string]*Edge
	faults    []Fault
	requests  int
	puts      map[string]int // PUTs per type
	// points are the stored time-series points (table profiles, pipeline
	// statuses): kind + ":" + entity FQN -> timestamp -> body.
	points map[string]map[int64]map[string]any
}

// New starts a server accepting token, seeded with OpenMetadata's built-in
// classifications and tags (openmetadata.BuiltinTags). Close it when done.
func New(token string) (*Server, error) {
	v, err := openmetadata.NewValidator()
	if err != nil {
		return nil, err
	}
	s := &Server{Token: token, validator: v, byFQN: map[string]*Entity{}, byID: map[string]*Entity{},
		edges: map[[2]string]*Edge{}, puts: map[string]int{}, points: map[string]map[int64]map[string]any{}}
	for _, tag := range openmetadata.BuiltinTags {
		parts := openmetadata.SplitFQN(tag)
		if _, ok := s.byFQN["classification:"+openmetadata.FQN(parts[0])]; !ok {
			s.store("classification", openmetadata.FQN(parts[0]), map[string]any{"name": parts[0], "provider": "system"})
		}
		s.store("tag", tag, map[string]any{"name": parts[1], "provider": "system"})
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s, nil
}

// Fail makes the next len(faults) requests answer the given faults, in order.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Requests is the number of requests served, faults included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Entities returns the stored entities of a type, sorted by FQN.
func (s *Server) Entities(typ string) []*Entity {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Entity
	for _, e := range s.byFQN {
		if e.Type == typ {
			c := *e
			out = append(out, &c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FQN < out[j].FQN })
	return out
}

// Entity returns one stored entity.
func (s *Server) Entity(typ, fqn string) (*Entity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byFQN[typ+":"+fqn]
	if !ok {
		return nil, false
	}
	c := *e
	return &c, true
}

// Edges returns the stored lineage edges, sorted by their ends' FQNs.
func (s *Server) Edges() []Edge {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Edge
	for _, e := range s.edges {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].From.FQN != out[j].From.FQN {
			return out[i].From.FQN < out[j].From.FQN
		}
		return out[i].To.FQN < out[j].To.FQN
	})
	return out
}

func (s *Server) store(typ, fqn string, body map[string]any) *Entity {
	e := &Entity{Type: typ, ID: uuid.NewString(), FQN: fqn, Version: 0.1, Body: body}
	s.byFQN[typ+":"+fqn] = e
	s.byID[e.ID] = e
	return e
}

// answer writes OpenMetadata's error shape.
func answer(w http.ResponseWriter, code int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": fmt.Sprintf(format, args...)})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		answer(w, f.Status, "injected fault %d", f.Status)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		answer(w, http.StatusUnauthorized, "Not Authorized! Token not present or invalid")
		return
	}
	path := strings.TrimPrefix(r.URL.EscapedPath(), openmetadata.APIPrefix)
	switch {
	case r.Method == http.MethodPut && path == openmetadata.TypeLineage.Path:
		s.putLineage(w, r)
	case r.Method == http.MethodPut && strings.HasPrefix(path, openmetadata.TypePipeline.Path+"/") && strings.HasSuffix(path, "/status"):
		s.putPipelineStatus(w, r, strings.TrimSuffix(strings.TrimPrefix(path, openmetadata.TypePipeline.Path+"/"), "/status"))
	case r.Method == http.MethodPut && strings.HasPrefix(path, openmetadata.TypeTable.Path+"/") && strings.HasSuffix(path, "/tableProfile"):
		s.putTableProfile(w, r, strings.TrimSuffix(strings.TrimPrefix(path, openmetadata.TypeTable.Path+"/"), "/tableProfile"))
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/lineage/getLineageEdge/"):
		s.getEdge(w, strings.TrimPrefix(path, "/lineage/getLineageEdge/"))
	case r.Method == http.MethodPut:
		t, ok := typeByPath(path)
		if !ok {
			answer(w, http.StatusNotFound, "HTTP 404 Not Found")
			return
		}
		s.put(w, r, t)
	case r.Method == http.MethodGet && strings.Contains(path, "/name/"):
		coll, name, _ := strings.Cut(path, "/name/")
		t, ok := typeByPath(coll)
		fqn, err := url.PathUnescape(name)
		if !ok || err != nil {
			answer(w, http.StatusNotFound, "HTTP 404 Not Found")
			return
		}
		e, ok := s.byFQN[t.Name+":"+fqn]
		if !ok {
			answer(w, http.StatusNotFound, "%s instance for %s not found", t.Name, fqn)
			return
		}
		writeEntity(w, http.StatusOK, "", e)
	default:
		answer(w, http.StatusNotFound, "HTTP 404 Not Found")
	}
}

func typeByPath(p string) (openmetadata.Type, bool) {
	for _, t := range openmetadata.Types {
		if t.Path == p && t.Name != openmetadata.TypeLineage.Name {
			return t, true
		}
	}
	return openmetadata.Type{}, false
}

func writeEntity(w http.ResponseWriter, code int, change string, e *Entity) {
	out := map[string]any{}
	for k, v := range e.Body {
		out[k] = v
	}
	out["id"], out["fullyQualifiedName"], out["version"] = e.ID, e.FQN, e.Version
	w.Header().Set("Content-Type", "application/json")
	if change != "" {
		w.Header().Set(openmetadata.ChangeHeader, change)
	}
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(out)
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, map[string]any, bool) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		answer(w, http.StatusBadRequest, "reading the body: %v", err)
		return nil, nil, false
	}
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		answer(w, http.StatusBadRequest, "Unable to process JSON: %v", err)
		return nil, nil, false
	}
	return data, body, true
}

// put is the create-or-update of an entity.
func (s *Server) put(w http.ResponseWriter, r *http.Request, t openmetadata.Type) {
	data, body, ok := readBody(w, r)
	if !ok {
		return
	}
	name, _ := body["name"].(string)
	if err := s.validator.Validate(t.Name, name, data); err != nil {
		answer(w, http.StatusBadRequest, "%v", err)
		return
	}
	fqn, err := s.fqnOf(t.Name, body)
	if err == nil {
		err = s.checkRefs(t.Name, body)
	}
	if err != nil {
		answer(w, http.StatusNotFound, "%v", err)
		return
	}
	s.puts[t.Name]++
	if e, ok := s.byFQN[t.Name+":"+fqn]; ok {
		if reflect.DeepEqual(e.Body, body) {
			writeEntity(w, http.StatusOK, openmetadata.ChangeNoChange, e)
			return
		}
		e.Body = body
		e.Version = float64(int(e.Version*10+1.5)) / 10
		writeEntity(w, http.StatusOK, openmetadata.ChangeUpdated, e)
		return
	}
	writeEntity(w, http.StatusCreated, openmetadata.ChangeCreated, s.store(t.Name, fqn, body))
}

// parentOf names the field holding an entity's parent FQN.
var parentOf = map[string]struct{ field, typ string }{
	"tag": {"classification", "classification"}, "glossaryTerm": {"glossary", "glossary"},
	"database": {"service", "databaseService"}, "databaseSchema": {"database", "database"},
	"table": {"databaseSchema", "databaseSchema"}, "topic": {"service", "messagingService"},
	"pipeline": {"service", "pipelineService"}, "dashboard": {"service", "dashboardService"},
	"chart": {"service", "dashboardService"}, "dashboardDataModel": {"service", "dashboardService"},
}

// fqnOf computes the FQN the server gives an entity: its parent's FQN and
// its quoted name, or its quoted name alone.
func (s *Server) fqnOf(typ string, body map[string]any) (string, error) {
	name, _ := body["name"].(string)
	p, ok := parentOf[typ]
	if !ok {
		return openmetadata.QuoteName(name), nil
	}
	parent, _ := body[p.field].(string)
	if typ == "tag" || typ == "glossaryTerm" {
		if pp, _ := body["parent"].(string); pp != "" {
			parent = pp
		}
	}
	if _, ok := s.byFQN[p.typ+":"+parent]; !ok {
		return "", fmt.Errorf("%s instance for %s not found", p.typ, parent)
	}
	if typ == "dashboardDataModel" {
		parent += ".model" // OpenMetadata's data models live under <service>.model
	}
	return parent + "." + openmetadata.QuoteName(name), nil
}

// checkRefs checks that every entity a body refers to exists.
func (s *Server) checkRefs(typ string, body map[string]any) error {
	need := func(t, fqn string) error {
		if _, ok := s.byFQN[t+":"+fqn]; !ok {
			return fmt.Errorf("%s instance for %s not found", t, fqn)
		}
		return nil
	}
	needID := func(t string, id any) error {
		e, ok := s.byID[fmt.Sprint(id)]
		if !ok || e.Type != t {
			return fmt.Errorf("%s instance for %v not found", t, id)
		}
		return nil
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range asList(v) {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	for _, o := range asList(body["owners"]) {
		ref, _ := o.(map[string]any)
		if err := needID(fmt.Sprint(ref["type"]), ref["id"]); err != nil {
			return err
		}
	}
	for _, d := range strs(body["domains"]) {
		if err := need("domain", d); err != nil {
			return err
		}
	}
	for _, d := range strs(body["dataProducts"]) {
		if err := need("dataProduct", d); err != nil {
			return err
		}
	}
	var labels []any
	labels = append(labels, asList(body["tags"])...)
	for _, c := range asList(body["columns"]) {
		if m, ok := c.(map[string]any); ok {
			labels = append(labels, asList(m["tags"])...)
		}
	}
	for _, l := range labels {
		m, _ := l.(map[string]any)
		t := "tag"
		if m["source"] == "Glossary" {
			t = "glossaryTerm"
		}
		if err := need(t, fmt.Sprint(m["tagFQN"])); err != nil {
			return err
		}
	}
	for _, rt := range strs(body["relatedTerms"]) {
		if err := need("glossaryTerm", rt); err != nil {
			return err
		}
	}
	if typ == "role" {
		for _, p := range strs(body["policies"]) {
			if err := need("policy", openmetadata.QuoteName(p)); err != nil {
				return err
			}
		}
	}
	if typ == "dashboard" {
		for _, c := range strs(body["charts"]) {
			if err := need("chart", c); err != nil {
				return err
			}
		}
		for _, m := range strs(body["dataModels"]) {
			if err := need("dashboardDataModel", m); err != nil {
				return err
			}
		}
	}
	if typ == "team" {
		for _, id := range strs(body["defaultRoles"]) {
			if err := needID("role", id); err != nil {
				return err
			}
		}
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func (s *Server) putLineage(w http.ResponseWriter, r *http.Request) {
	data, body, ok := readBody(w, r)
	if !ok {
		return
	}
	if err := s.validator.Validate("lineage", "edge", data); err != nil {
		answer(w, http.StatusBadRequest, "%v", err)
		return
	}
	edge, _ := body["edge"].(map[string]any)
	ends := [2]*Entity{}
	for i, k := range []string{"fromEntity", "toEntity"} {
		ref, _ := edge[k].(map[string]any)
		e, ok := s.byID[fmt.Sprint(ref["id"])]
		if !ok || e.Type != ref["type"] {
			answer(w, http.StatusNotFound, "%v instance for %v not found", ref["type"], ref["id"])
			return
		}
		ends[i] = e
	}
	details, _ := edge["lineageDetails"].(map[string]any)
	if pl, ok := details["pipeline"].(map[string]any); ok {
		if e, ok := s.byID[fmt.Sprint(pl["id"])]; !ok || e.Type != "pipeline" {
			answer(w, http.StatusNotFound, "pipeline instance for %v not found", pl["id"])
			return
		}
	}
	for _, c := range asList(details["columnsLineage"]) {
		m, _ := c.(map[string]any)
		cols := append(asList(m["fromColumns"]), m["toColumn"])
		for _, col := range cols {
			if !s.hasColumn(fmt.Sprint(col)) {
				answer(w, http.StatusBadRequest, "Invalid column name %v", col)
				return
			}
		}
	}
	s.puts["lineage"]++
	key := [2]string{ends[0].ID, ends[1].ID}
	if e, ok := s.edges[key]; ok {
		if !reflect.DeepEqual(e.Details, details) {
			e.Details = details
			e.Version++
		}
	} else {
		s.edges[key] = &Edge{From: ends[0], To: ends[1], Details: details}
	}
	w.WriteHeader(http.StatusOK)
}

// hasColumn reports whether a column FQN names a column of a stored table
// or data model.
func (s *Server) hasColumn(fqn string) bool {
	parts := openmetadata.SplitFQN(fqn)
	if len(parts) < 2 {
		return false
	}
	table := openmetadata.FQN(parts[:len(parts)-1]...)
	e, ok := s.byFQN["table:"+table]
	if !ok {
		e, ok = s.byFQN["dashboardDataModel:"+table] // lineage into a data model names its columns too
	}
	if !ok {
		return false
	}
	for _, c := range asList(e.Body["columns"]) {
		if m, _ := c.(map[string]any); m["name"] == parts[len(parts)-1] {
			return true
		}
	}
	return false
}

// getEdge answers as OpenMetadata 2.0.2 was recorded answering: the edge's
// details flat under "edge".
func (s *Server) getEdge(w http.ResponseWriter, rest string) {
	from, to, _ := strings.Cut(rest, "/")
	e, ok := s.edges[[2]string{from, to}]
	if !ok {
		answer(w, http.StatusNotFound, "Lineage edge not found from %s to %s", from, to)
		return
	}
	out := map[string]any{}
	for k, v := range e.Details {
		out[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"edge": out})
}

// Puts is the number of accepted PUTs per type.
func (s *Server) Puts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.puts {
		out[k] = v
	}
	return out
}

// Versions maps "type:FQN" to each stored entity's version, formatted.
func (s *Server) Versions() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, e := range s.byFQN {
		out[k] = strconv.FormatFloat(e.Version, 'f', 1, 64)
	}
	return out
}

// putPipelineStatus is PUT /pipelines/{fqn}/status: a PipelineStatus,
// stored by its timestamp (a second one with the same timestamp replaces
// it); the answer is the pipeline.
func (s *Server) putPipelineStatus(w http.ResponseWriter, r *http.Request, escaped string) {
	fqn, err := url.PathUnescape(escaped)
	if err != nil {
		answer(w, http.StatusNotFound, "HTTP 404 Not Found")
		return
	}
	e, ok := s.byFQN["pipeline:"+fqn]
	if !ok {
		answer(w, http.StatusNotFound, "pipeline instance for %s not found", fqn)
		return
	}
	s.putPoint(w, r, openmetadata.StatusPipeline, e, func(body map[string]any) any { return body["timestamp"] })
}

// putTableProfile is PUT /tables/{id}/tableProfile: a CreateTableProfile,
// its tableProfile stored by timestamp; the answer is the table.
func (s *Server) putTableProfile(w http.ResponseWriter, r *http.Request, id string) {
	e, ok := s.byID[id]
	if !ok || e.Type != "table" {
		answer(w, http.StatusNotFound, "table instance for %s not found", id)
		return
	}
	s.putPoint(w, r, openmetadata.StatusTableProfile, e, func(body map[string]any) any {
		p, _ := body["tableProfile"].(map[string]any)
		return p["timestamp"]
	})
}

func (s *Server) putPoint(w http.ResponseWriter, r *http.Request, kind openmetadata.StatusKind, e *Entity, timestamp func(map[string]any) any) {
	data, body, ok := readBody(w, r)
	if !ok {
		return
	}
	if err := s.validator.ValidateStatus(kind, e.FQN, data); err != nil {
		answer(w, http.StatusBadRequest, "%v", err)
		return
	}
	ts, ok := timestamp(body).(float64)
	if !ok {
		answer(w, http.StatusBadRequest, "%s: timestamp is required", kind.Name)
		return
	}
	key := kind.Name + ":" + e.FQN
	if s.points[key] == nil {
		s.points[key] = map[int64]map[string]any{}
	}
	s.points[key][int64(ts)] = body
	s.puts[kind.Name]++
	writeEntity(w, http.StatusOK, "", e)
}

// Points returns the stored points of a kind about one entity, oldest
// first: pipeline statuses or table profile bodies as sent.
func (s *Server) Points(kind openmetadata.StatusKind, fqn string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	byTS := s.points[kind.Name+":"+fqn]
	var out []map[string]any
	for _, ts := range slices.Sorted(maps.Keys(byTS)) {
		out = append(out, byTS[ts])
	}
	return out
}
