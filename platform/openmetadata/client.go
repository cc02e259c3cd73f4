package openmetadata

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/config"
)

// ChangeHeader is the response header in which OpenMetadata says what a PUT
// did: entityCreated, entityUpdated or entityNoChange.
const ChangeHeader = "X-OpenMetadata-Change"

// The values of ChangeHeader.
const (
	ChangeCreated  = "entityCreated"
	ChangeUpdated  = "entityUpdated"
	ChangeNoChange = "entityNoChange"
)

// pushConfig holds Push's knobs; see the Option functions.
type pushConfig struct {
	retries    int
	backoff    time.Duration
	maxBackoff time.Duration
	timeout    time.Duration
	progress   io.Writer
	client     *http.Client
}

// Option sets an optional knob of Push.
type Option func(*pushConfig)

// WithRetries sets how often a request answered 429 or 5xx, or that got no
// answer, is retried (default 5).
func WithRetries(n int) Option { return func(c *pushConfig) { c.retries = n } }

// WithBackoff sets the first wait before a retry and its cap; the wait
// doubles on each retry (default 500ms, 30s). A Retry-After header wins.
func WithBackoff(first, max time.Duration) Option {
	return func(c *pushConfig) { c.backoff, c.maxBackoff = first, max }
}

// WithTimeout sets the timeout of one request (default 30s).
func WithTimeout(d time.Duration) Option { return func(c *pushConfig) { c.timeout = d } }

// WithProgress writes a line per entity type as its bodies are sent.
func WithProgress(w io.Writer) Option { return func(c *pushConfig) { c.progress = w } }

// WithHTTPClient sets the HTTP client (default: a new one with the timeout).
func WithHTTPClient(h *http.Client) Option { return func(c *pushConfig) { c.client = h } }

// Result counts what a push did to the entities of one type.
type Result struct {
	Type                        string
	Created, Updated, Unchanged int
}

// Summary is what a push did, per type in push order.
type Summary struct {
	Results  []Result
	Requests int // HTTP requests sent, retries included
	Retries  int
}

// Total sums the results.
func (s *Summary) Total() Result {
	t := Result{Type: "total"}
	for _, r := range s.Results {
		t.Created += r.Created
		t.Updated += r.Updated
		t.Unchanged += r.Unchanged
	}
	return t
}

// Write prints the summary as a table.
func (s *Summary) Write(w io.Writer) {
	fmt.Fprintf(w, "%-17s %8s %8s %10s\n", "entity type", "created", "updated", "unchanged")
	for _, r := range append(append([]Result{}, s.Results...), s.Total()) {
		fmt.Fprintf(w, "%-17s %8d %8d %10d\n", r.Type, r.Created, r.Updated, r.Unchanged)
	}
	fmt.Fprintf(w, "%d requests, %d retries\n", s.Requests, s.Retries)
}

type refKey struct{ typ, fqn string }

// pusher is one push in progress.
type pusher struct {
	cfg     pushConfig
	base    string // server URL + APIPrefix
	token   string
	ids     map[refKey]string // resolved ids
	holders map[string]refKey // placeholder id -> entity
	sum     *Summary
}

// Push creates or updates every body on the OpenMetadata server at baseURL
// (e.g. http://localhost:8585), authenticating with a bot's JWT token, in
// the order given (Build's). It stops at the first body the server refuses;
// the error names the entity, the endpoint and what to fix, and never holds
// the token. The summary says what was created, updated or left unchanged.
func Push(ctx context.Context, baseURL, token string, bodies []Body, opts ...Option) (*Summary, error) {
	p, err := newPusher(baseURL, token, opts)
	if err != nil {
		return nil, err
	}
	cfg := p.cfg
	for _, b := range bodies {
		if b.Type.Name != TypeLineage.Name {
			p.holders[PlaceholderID(b.Type.Name, b.FQN)] = refKey{b.Type.Name, b.FQN}
		}
	}
	var cur *Result
	start := time.Now()
	flush := func() {
		if cur != nil && cfg.progress != nil {
			fmt.Fprintf(cfg.progress, "  %-17s %5d  (created %d, updated %d, unchanged %d)  %s\n", cur.Type,
				cur.Created+cur.Updated+cur.Unchanged, cur.Created, cur.Updated, cur.Unchanged, time.Since(start).Round(time.Millisecond))
		}
	}
	if cfg.progress != nil {
		fmt.Fprintf(cfg.progress, "pushing %d bodies to %s (OpenMetadata %s)\n", len(bodies), config.RedactURL(baseURL), Version)
	}
	for _, b := range bodies {
		if cur == nil || cur.Type != b.Type.Name {
			flush()
			p.sum.Results = append(p.sum.Results, Result{Type: b.Type.Name})
			cur = &p.sum.Results[len(p.sum.Results)-1]
		}
		change, err := p.push(ctx, b)
		if err != nil {
			flush()
			return p.sum, err
		}
		switch change {
		case ChangeCreated:
			cur.Created++
		case ChangeNoChange:
			cur.Unchanged++
		default:
			cur.Updated++
		}
	}
	flush()
	return p.sum, nil
}

// newPusher checks the server URL and token and applies the options.
func newPusher(baseURL, token string, opts []Option) (*pusher, error) {
	cfg := pushConfig{retries: 5, backoff: 500 * time.Millisecond, maxBackoff: 30 * time.Second, timeout: 30 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: the server URL must be http(s)://host[:port], got %q", ErrConfig, config.RedactURL(baseURL))
	}
	if token == "" {
		return nil, fmt.Errorf("%w: no token: set %s to a bot's JWT token", ErrConfig, config.EnvOpenMetadataToken)
	}
	if cfg.client == nil {
		cfg.client = &http.Client{Timeout: cfg.timeout}
	}
	return &pusher{
		cfg: cfg, base: strings.TrimSuffix(baseURL, "/") + APIPrefix, token: token,
		ids: map[refKey]string{}, holders: map[string]refKey{}, sum: &Summary{},
	}, nil
}

// push sends one body and says what it did.
func (p *pusher) push(ctx context.Context, b Body) (string, error) {
	what := b.Type.Name + " " + b.FQN
	data, err := p.resolve(ctx, what, b.Data)
	if err != nil {
		return "", err
	}
	if b.Type.Name == TypeLineage.Name {
		return p.pushEdge(ctx, what, data)
	}
	payload, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("encoding %s: %w", what, err)
	}
	resp, body, err := p.do(ctx, what, http.MethodPut, b.Type.Path, payload)
	if err != nil {
		return "", err
	}
	var ent struct {
		ID  string `json:"id"`
		FQN string `json:"fullyQualifiedName"`
	}
	if err := json.Unmarshal(body, &ent); err != nil || ent.ID == "" {
		return "", fmt.Errorf("pushing %s: PUT %s: the answer is not an entity with an id: %.200s", what, APIPrefix+b.Type.Path, body)
	}
	p.ids[refKey{b.Type.Name, b.FQN}] = ent.ID
	if ent.FQN != "" && ent.FQN != b.FQN {
		p.ids[refKey{b.Type.Name, ent.FQN}] = ent.ID
	}
	switch {
	case resp.StatusCode == http.StatusCreated:
		return ChangeCreated, nil
	case resp.Header.Get(ChangeHeader) == ChangeNoChange:
		return ChangeNoChange, nil
	}
	return ChangeUpdated, nil
}

// pushEdge adds a lineage edge unless the server has it with the same
// details: OpenMetadata's PUT /lineage answers 200 without saying whether
// anything changed, so the edge is read first.
func (p *pusher) pushEdge(ctx context.Context, what string, data map[string]any) (string, error) {
	edge, _ := data["edge"].(map[string]any)
	from, _ := edge["fromEntity"].(map[string]any)
	to, _ := edge["toEntity"].(map[string]any)
	want, _ := edge["lineageDetails"].(map[string]any)
	path := fmt.Sprintf("/lineage/getLineageEdge/%v/%v", from["id"], to["id"])
	change := ChangeCreated
	_, body, err := p.do(ctx, what, http.MethodGet, path, nil)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return "", err
	default:
		if sameDetails(want, body) {
			return ChangeNoChange, nil
		}
		change = ChangeUpdated
	}
	payload, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("encoding %s: %w", what, err)
	}
	if _, _, err := p.do(ctx, what, http.MethodPut, TypeLineage.Path, payload); err != nil {
		return "", err
	}
	return change, nil
}

// sameDetails compares the details we send with a stored edge: its
// description, source, pipeline and column lineage.
func sameDetails(want map[string]any, body []byte) bool {
	var got struct {
		Edge map[string]any `json:"edge"`
	}
	if json.Unmarshal(body, &got) != nil || got.Edge == nil {
		return false
	}
	have := got.Edge
	if d, ok := have["lineageDetails"].(map[string]any); ok {
		have = d
	}
	norm := func(m map[string]any) map[string]any {
		out := map[string]any{"description": m["description"], "source": m["source"], "columnsLineage": m["columnsLineage"]}
		if cl, ok := out["columnsLineage"].([]any); ok && len(cl) == 0 {
			out["columnsLineage"] = nil
		}
		if pl, ok := m["pipeline"].(map[string]any); ok {
			out["pipeline"] = pl["id"]
		}
		b, _ := json.Marshal(out)
		var v map[string]any
		_ = json.Unmarshal(b, &v)
		return v
	}
	return reflect.DeepEqual(norm(want), norm(have))
}

// resolve returns a copy of data with every placeholder id replaced by the
// server's id of that entity, found by name when this push did not create
// it.
func (p *pusher) resolve(ctx context.Context, what string, data map[string]any) (map[string]any, error) {
	var walk func(v any) (any, error)
	walk = func(v any) (any, error) {
		switch x := v.(type) {
		case map[string]any:
			// An entityReference to an entity outside this push still
			// names it: its placeholder is derived from type and FQN.
			typ, _ := x["type"].(string)
			fqn, _ := x["fullyQualifiedName"].(string)
			if id, _ := x["id"].(string); typ != "" && fqn != "" && id == PlaceholderID(typ, fqn) {
				p.holders[id] = refKey{typ, fqn}
			}
			out := make(map[string]any, len(x))
			// In key order, so that the first unresolvable reference (and
			// the request that finds it) is the same on every run.
			for _, k := range slices.Sorted(maps.Keys(x)) {
				e := x[k]
				r, err := walk(e)
				if err != nil {
					return nil, err
				}
				out[k] = r
			}
			return out, nil
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				r, err := walk(e)
				if err != nil {
					return nil, err
				}
				out[i] = r
			}
			return out, nil
		case string:
			if key, ok := p.holders[x]; ok {
				return p.id(ctx, what, key)
			}
		}
		return v, nil
	}
	out, err := walk(data)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

// id is the server's id of an entity: from this push, else looked up by name.
func (p *pusher) id(ctx context.Context, what string, key refKey) (string, error) {
	if id, ok := p.ids[key]; ok {
		return id, nil
	}
	t, ok := TypeByName(key.typ)
	if !ok {
		return "", fmt.Errorf("pushing %s: reference to unknown entity type %q", what, key.typ)
	}
	_, body, err := p.do(ctx, fmt.Sprintf("%s (resolving its reference to %s %s)", what, key.typ, key.fqn),
		http.MethodGet, t.Path+"/name/"+url.PathEscape(key.fqn), nil)
	if err != nil {
		return "", err
	}
	var ent struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &ent); err != nil || ent.ID == "" {
		return "", fmt.Errorf("pushing %s: %s %s has no id in the server's answer", what, key.typ, key.fqn)
	}
	p.ids[key] = ent.ID
	return ent.ID, nil
}

// do sends one request, retrying 429, 5xx and lost connections with
// exponential backoff (Retry-After wins), and maps refusals to the
// package's errors.
func (p *pusher) do(ctx context.Context, what, method, path string, payload []byte) (*http.Response, []byte, error) {
	endpoint := method + " " + APIPrefix + path
	wait := p.cfg.backoff
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if payload != nil {
			rd = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, p.base+path, rd)
		if err != nil {
			return nil, nil, fmt.Errorf("pushing %s: %s: %w", what, endpoint, err)
		}
		req.Header.Set("Authorization", "Bearer "+p.token)
		req.Header.Set("Accept", "application/json")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		p.sum.Requests++
		resp, err := p.cfg.client.Do(req)
		var body []byte
		retry := false
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			retry = true
			err = fmt.Errorf("%w: %s: %s", ErrUnavailable, endpoint, p.redact(err.Error()))
		} else {
			body, _ = io.ReadAll(io.LimitReader(resp.Body, 32<<20))
			resp.Body.Close()
			switch c := resp.StatusCode; {
			case c < 300:
				return resp, body, nil
			case c == http.StatusTooManyRequests || c >= 500:
				retry = true
				err = fmt.Errorf("%w: %s answered %s: %s", ErrUnavailable, endpoint, resp.Status, p.message(body))
				if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
					wait = d
				}
			case c == http.StatusUnauthorized:
				return resp, body, fmt.Errorf("pushing %s: %s: %w: check %s (server said: %s)", what, endpoint, ErrUnauthorized, config.EnvOpenMetadataToken, p.message(body))
			case c == http.StatusForbidden:
				return resp, body, fmt.Errorf("pushing %s: %s: %w: give the token's bot a role that may edit it (server said: %s)", what, endpoint, ErrForbidden, p.message(body))
			case c == http.StatusNotFound:
				return resp, body, fmt.Errorf("pushing %s: %s: %w: %s", what, endpoint, ErrNotFound, p.message(body))
			default:
				return resp, body, fmt.Errorf("pushing %s: %s: %w (%s): %s", what, endpoint, ErrRejected, resp.Status, p.message(body))
			}
		}
		if !retry || attempt >= p.cfg.retries {
			return resp, body, fmt.Errorf("pushing %s after %d attempts: %w", what, attempt+1, err)
		}
		p.sum.Retries++
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, p.cfg.maxBackoff)
	}
}

// message is the server's error message (OpenMetadata answers
// {"code":..,"message":..}), cut short and with the token masked.
func (p *pusher) message(body []byte) string {
	var m struct {
		Message string `json:"message"`
	}
	s := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &m) == nil && m.Message != "" {
		s = m.Message
	}
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		s = "(no message)"
	}
	return p.redact(s)
}

func (p *pusher) redact(s string) string { return config.RedactText(s, p.token) }

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h string) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
