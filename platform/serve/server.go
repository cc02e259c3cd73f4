package serve

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshterious/warehouse/platform/catalog"
	"github.com/meshterious/warehouse/platform/dags/runner"
	"github.com/meshterious/warehouse/platform/dashboards"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

//go:embed assets
var assets embed.FS

// Pages are the paths of the web view; each serves the single-page app,
// which draws the page its path names.
var Pages = []string{"/products", "/lineage", "/dags", "/dashboards", "/forecasts", "/sql"}

// Server is the web view and its JSON API.
type Server struct {
	cfg Config
	lh  *lakehouse.Lakehouse
	sb  *Sandbox
	log *slog.Logger

	catMu   sync.Mutex
	cat     *catalog.Catalog
	catTime time.Time
}

// New returns a Server over lh; Serve loads its first snapshot.
func New(lh *lakehouse.Lakehouse, cfg Config) (*Server, error) {
	cfg = cfg.WithDefaults()
	if cfg.Root == "" {
		return nil, fmt.Errorf("%w: serve.root (the repository root, MESH_REPO_ROOT) is required", ErrInvalidConfig)
	}
	sb, err := NewSandbox(lh, cfg)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, lh: lh, sb: sb, log: cfg.logger()}, nil
}

// Sandbox is the server's SQL sandbox.
func (s *Server) Sandbox() *Sandbox { return s.sb }

// Close releases the snapshot.
func (s *Server) Close() error { return s.sb.Close() }

// Serve loads the snapshot, listens on l and serves until ctx ends; ready,
// when not nil, is called with the address once requests are answered.
func (s *Server) Serve(ctx context.Context, l net.Listener, ready func(addr string)) error {
	if _, err := s.sb.Load(ctx, true); err != nil {
		return fmt.Errorf("loading the lakehouse snapshot: %w", err)
	}
	go s.sb.Run(ctx)
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	if ready != nil {
		ready(l.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}

// Handler routes the pages, the assets and the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded tree always has assets/
	}
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.page)
	for _, p := range Pages {
		mux.HandleFunc("GET "+p, s.page)
	}
	mux.HandleFunc("GET /table/{id}", s.page)
	mux.HandleFunc("GET /dashboards/{id}", s.page)
	mux.HandleFunc("POST /api/sql", s.apiSQL)
	mux.HandleFunc("/api/sql", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, errors.New(`POST a JSON body {"sql": "SELECT ..."}`))
	})
	mux.HandleFunc("GET /api/status", s.apiStatus)
	mux.HandleFunc("GET /api/products", s.apiProducts)
	mux.HandleFunc("GET /api/tables/{id}", s.apiTable)
	mux.HandleFunc("GET /api/lineage", s.apiLineage)
	mux.HandleFunc("GET /api/dags", s.apiDAGs)
	mux.HandleFunc("GET /api/dashboards", s.apiDashboards)
	mux.HandleFunc("GET /api/dashboards/{id}", s.apiDashboard)
	mux.HandleFunc("GET /api/forecasts", s.apiForecasts)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no API %s %s", r.Method, r.URL.Path))
	})
	return s.recoverer(s.loopbackOnly(mux))
}

// loopbackOnly refuses requests whose Host is not a loopback name when the
// server listens on loopback: a web page on another site cannot reach it
// through DNS rebinding (its requests carry that site's host name).
func (s *Server) loopbackOnly(next http.Handler) http.Handler {
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	if !isLoopback(host) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Host
		if hh, _, err := net.SplitHostPort(r.Host); err == nil {
			h = hh
		}
		if !isLoopback(h) {
			writeError(w, http.StatusMisdirectedRequest, fmt.Errorf("host %q: this server answers on loopback names only (localhost, 127.0.0.1)", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// recoverer answers a handler's panic with a JSON 500 instead of a dropped
// connection, and keeps serving.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("serve: handler panicked", "path", r.URL.Path, "panic", v)
				writeError(w, http.StatusInternalServerError, errors.New("internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	data, err := assets.ReadFile("assets/index.html")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
	w.Write(data)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// sqlStatus is the HTTP status of a Query error: every refusal, bad SQL
// and timeout is the caller's (4xx); a missing snapshot is 503.
func sqlStatus(err error) int {
	switch {
	case errors.Is(err, ErrNotReady):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrTimeout):
		return http.StatusRequestTimeout
	case errors.Is(err, ErrRefused):
		return http.StatusForbidden
	default:
		return http.StatusBadRequest
	}
}

func (s *Server) apiSQL(w http.ResponseWriter, r *http.Request) {
	// Requiring JSON makes a cross-site form post impossible: a browser
	// preflights it, and this server answers no preflight.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, errors.New(`send Content-Type: application/json and a body {"sql": "SELECT ..."}`))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.cfg.MaxSQLBytes)+4096))
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("reading the body: %w", err))
		return
	}
	var req struct {
		SQL *string `json:"sql"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf(`the body must be JSON {"sql": "SELECT ..."}: %v`, err))
		return
	}
	if req.SQL == nil {
		writeError(w, http.StatusBadRequest, errors.New(`the body has no "sql" field: {"sql": "SELECT ..."}`))
		return
	}
	res, err := s.sb.Query(r.Context(), *req.SQL)
	if err != nil {
		writeError(w, sqlStatus(err), err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	loaded, tables := s.sb.Loaded()
	writeJSON(w, http.StatusOK, map[string]any{"snapshot": loaded.UTC(), "tables": tables, "max_rows": s.cfg.MaxRows, "query_timeout": s.cfg.QueryTimeout.String()})
}

// catalog returns the catalog, rebuilt when older than the refresh interval.
func (s *Server) catalog(ctx context.Context) (*catalog.Catalog, error) {
	s.catMu.Lock()
	defer s.catMu.Unlock()
	ttl := s.cfg.Refresh
	if ttl < 0 {
		ttl = time.Hour
	}
	if s.cat != nil && time.Since(s.catTime) < ttl {
		return s.cat, nil
	}
	cat, err := catalog.Build(ctx, catalog.Config{Root: s.cfg.Root, Lakehouse: s.lh, Logger: s.log})
	if err != nil {
		return nil, fmt.Errorf("building the catalog: %w", err)
	}
	s.cat, s.catTime = cat, time.Now()
	return cat, nil
}

// product is a table as the pages show it.
type product struct {
	ID          string           `json:"id"`
	Domain      string           `json:"domain"`
	Layer       string           `json:"layer"`
	DataProduct bool             `json:"data_product"`
	Description string           `json:"description"`
	Owner       string           `json:"owner"`
	Tags        []string         `json:"tags"`
	Glossary    []string         `json:"glossary"`
	Rows        *int64           `json:"rows"`
	LastCommit  *time.Time       `json:"last_commit"`
	Freshness   freshnessView    `json:"freshness"`
	Columns     []catalog.Column `json:"columns,omitempty"`
}

type freshnessView struct {
	Status   string     `json:"status"`
	SLA      string     `json:"sla"`
	Age      string     `json:"age"`
	Detail   string     `json:"detail"`
	LastData *time.Time `json:"last_data"`
}

func duration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return d.Round(time.Second).String()
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func productOf(t *catalog.Table, withColumns bool) product {
	p := product{
		ID: t.ID(), Domain: t.Domain, Layer: string(t.Layer), DataProduct: t.DataProduct,
		Description: t.Description, Owner: t.Owner, Tags: t.Tags, Glossary: t.Glossary,
		Freshness: freshnessView{Status: t.Freshness.Status, SLA: duration(t.Freshness.SLA), Age: duration(t.Freshness.Age),
			Detail: t.Freshness.Detail, LastData: timePtr(t.Freshness.LastData)},
	}
	if t.Live != nil && t.Live.Exists {
		rows := t.Live.Rows
		p.Rows, p.LastCommit = &rows, timePtr(t.Live.LastCommit)
	}
	if withColumns {
		p.Columns = t.Columns
	}
	return p
}

func (s *Server) apiProducts(w http.ResponseWriter, r *http.Request) {
	cat, err := s.catalog(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	out := make([]product, 0, len(cat.Tables))
	for _, t := range cat.Tables {
		out = append(out, productOf(t, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"products": out, "built_at": cat.BuiltAt.UTC()})
}

func (s *Server) apiTable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cat, err := s.catalog(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	var tbl *catalog.Table
	for _, t := range cat.Tables {
		if t.ID() == id {
			tbl = t
		}
	}
	if tbl == nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("no table %q in the catalog", id))
		return
	}
	g := s.lineage(cat)
	var up, down []string
	self := catalog.TableRef(id).String()
	for _, e := range g.Edges {
		if e.To == self {
			up = append(up, e.From)
		}
		if e.From == self {
			down = append(down, e.To)
		}
	}
	out := map[string]any{"table": productOf(tbl, true), "upstream": up, "downstream": down}
	// A sample through the sandbox, so the masks apply as everywhere else.
	if res, err := s.sb.Query(r.Context(), "SELECT * FROM "+qualifiedID(id)+" LIMIT 10"); err == nil {
		out["sample"] = res
	} else {
		out["sample_error"] = err.Error()
	}
	writeJSON(w, http.StatusOK, out)
}

func qualifiedID(id string) string {
	ns, name, _ := strings.Cut(id, ".")
	return qualified(lakehouse.Ident{Namespace: ns, Name: name})
}

// graph is the lineage as the page draws it: nodes by "kind:name".
type graph struct {
	Nodes []node `json:"nodes"`
	Edges []edge `json:"edges"`
}

type node struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Label  string `json:"label"`
	Domain string `json:"domain,omitempty"`
	Href   string `json:"href,omitempty"`
}

type edge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Via  string `json:"via,omitempty"`
}

// lineage is the catalog's lineage as the page draws it: queues, tables,
// the serving database's copies, and the dashboards' datasets and charts.
func (s *Server) lineage(cat *catalog.Catalog) graph {
	var g graph
	seen := map[string]bool{}
	edges := map[edge]bool{}
	addRef := func(r catalog.Ref) string {
		id := r.String()
		if seen[id] {
			return id
		}
		seen[id] = true
		n := node{ID: id, Kind: string(r.Kind), Label: r.Name}
		switch r.Kind {
		case catalog.KindTable, catalog.KindServing:
			n.Domain, _, _ = strings.Cut(r.Name, ".") // the namespace is the domain
			if t, err := cat.Table(r.Name); err == nil {
				n.Domain = t.Domain
			}
			if r.Kind == catalog.KindTable {
				n.Href = "/table/" + r.Name
			}
		case catalog.KindTopic:
			if t := cat.Topic(r.Name); t != nil {
				n.Domain = t.Domain
			}
		case catalog.KindDataset:
			if d := cat.Dataset(r.Name); d != nil {
				n.Domain, n.Href = d.Domain, "/dashboards/"+d.Dashboard
			}
		case catalog.KindChart:
			if c := cat.Chart(r.Name); c != nil {
				n.Domain, n.Label, n.Href = c.Domain, c.Title, "/dashboards/"+c.Dashboard
			}
		case catalog.KindDashboard:
			n.Href = "/dashboards/" + r.Name
			if c := cat.Consumer(r.Name); c != nil {
				n.Domain = c.Domain
			}
		}
		g.Nodes = append(g.Nodes, n)
		return id
	}
	for _, e := range cat.Edges {
		ed := edge{From: addRef(e.From), To: addRef(e.To), Via: e.Via}
		if !edges[ed] {
			edges[ed] = true
			g.Edges = append(g.Edges, ed)
		}
	}
	return g
}

func (s *Server) apiLineage(w http.ResponseWriter, r *http.Request) {
	cat, err := s.catalog(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, s.lineage(cat))
}

type runView struct {
	DAG            string     `json:"dag"`
	Run            string     `json:"run"`
	Domain         string     `json:"domain"`
	State          string     `json:"state"`
	Reason         string     `json:"reason"`
	Started        *time.Time `json:"started"`
	Duration       string     `json:"duration"`
	SLA            string     `json:"sla"`
	DeadlineMissed bool       `json:"deadline_missed"`
	Tasks          int        `json:"tasks"`
}

func (s *Server) apiDAGs(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"runs": []runView{}}
	path := runner.HistoryPath(s.cfg.DataDir)
	if _, err := os.Stat(path); err != nil {
		// A read-only view creates nothing: no history file, no runs.
		out["note"] = "no runs recorded yet: meshctl dag run <dag_id> | --all"
		writeJSON(w, http.StatusOK, out)
		return
	}
	st, err := runner.OpenStore(r.Context(), path)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	defer st.Close()
	runs, err := st.Runs(r.Context(), "", 10)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Started.After(runs[j].Started) })
	views := make([]runView, 0, len(runs))
	missed := 0
	for _, run := range runs {
		views = append(views, runView{DAG: run.DAGID, Run: run.RunID, Domain: run.Domain, State: run.State, Reason: run.Reason,
			Started: timePtr(run.Started), Duration: duration(run.Duration()), SLA: duration(run.SLA),
			DeadlineMissed: run.DeadlineMissed, Tasks: len(run.Tasks)})
		if run.DeadlineMissed {
			missed++
		}
	}
	out["runs"], out["deadline_misses"] = views, missed
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiDashboards(w http.ResponseWriter, r *http.Request) {
	dbs, err := dashboards.LoadAll(s.cfg.Root)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	type summary struct {
		ID, Domain, Owner, Title, Description string
		Tags                                  []string
		Charts                                int
	}
	out := make([]summary, 0, len(dbs))
	for _, d := range dbs {
		out = append(out, summary{d.ID, d.Domain, d.Owner, d.Title, d.Description, d.Tags, len(d.Charts)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"dashboards": out})
}

// chartView is a chart with its rows (or why it has none).
type chartView struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Type        string   `json:"type"`
	X           string   `json:"x"`
	Series      string   `json:"series"`
	Metrics     []string `json:"metrics"`
	Bands       []band   `json:"bands"`
	SQL         string   `json:"sql"`
	Result      *Result  `json:"result,omitempty"`
	Error       string   `json:"error,omitempty"`
}

type band struct {
	Label string `json:"label"`
	Lower string `json:"lower"`
	Upper string `json:"upper"`
}

func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) {
	dbs, err := dashboards.LoadAll(s.cfg.Root)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	id := r.PathValue("id")
	for _, d := range dbs {
		if d.ID != id {
			continue
		}
		charts := map[string]chartView{}
		for _, c := range d.Charts {
			cv := chartView{ID: c.ID, Title: c.Title, Description: c.Description, Type: c.Type, X: c.X, Series: c.Series, Metrics: []string{}, Bands: []band{}}
			for _, m := range c.Metrics {
				cv.Metrics = append(cv.Metrics, m.Label)
			}
			for _, b := range c.Bands {
				cv.Bands = append(cv.Bands, band{Label: b.Label, Lower: b.Lower.Label, Upper: b.Upper.Label})
			}
			if ds := d.Dataset(c.Dataset); ds != nil {
				// The chart's own query, the one Superset's bundle runs too.
				cv.SQL = c.Query(ds)
				res, err := s.sb.Query(r.Context(), cv.SQL)
				if err != nil {
					cv.Error = err.Error()
				} else {
					cv.Result = res
				}
			}
			charts[c.ID] = cv
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": d.ID, "domain": d.Domain, "owner": d.Owner, "title": d.Title,
			"description": d.Description, "tags": d.Tags, "layout": d.Layout, "charts": charts})
		return
	}
	writeError(w, http.StatusNotFound, fmt.Errorf("no dashboard %q", id))
}

// The forecasts page's queries: the latest run's series, and one series'
// actuals and forecast with its intervals.
const (
	forecastRun = `(SELECT max_by(run_id, created_at) FROM forecasting.fact_forecast_demand)`
	seriesSQL   = `SELECT product_id, region, any_value(category) AS category, round(sum(forecast_qty), 1) AS units,
  any_value(run_id) AS run_id, CAST(max(trained_through) AS VARCHAR) AS trained_through
FROM forecasting.fact_forecast_demand WHERE run_id = ` + forecastRun + `
GROUP BY product_id, region ORDER BY units DESC, product_id, region LIMIT 20`
	pointsSQL = `WITH run AS (SELECT * FROM forecasting.fact_forecast_demand
    WHERE run_id = ` + forecastRun + ` AND product_id = %[1]s AND region = %[2]s),
  actual AS (SELECT event_date AS day, CAST(sum(units) AS DOUBLE) AS actual FROM forecasting.stg_daily_demand
    WHERE product_id = %[1]s AND region = %[2]s
      AND event_date <= (SELECT max(trained_through) FROM run)
      AND event_date > (SELECT max(trained_through) FROM run) - INTERVAL 28 DAY GROUP BY 1)
SELECT CAST(day AS VARCHAR) AS day, a.actual, r.forecast_qty AS forecast, r.lower_80, r.upper_80, r.lower_95, r.upper_95
FROM actual a FULL JOIN (SELECT CAST(forecast_ts AS DATE) AS day, * EXCLUDE (event_date) FROM run) r USING (day)
ORDER BY day`
)

func (s *Server) apiForecasts(w http.ResponseWriter, r *http.Request) {
	series, err := s.sb.Query(r.Context(), seriesSQL)
	if err != nil {
		writeError(w, sqlStatus(err), fmt.Errorf("reading forecasting.fact_forecast_demand: %w", err))
		return
	}
	out := map[string]any{"series": series}
	product, region := r.URL.Query().Get("product"), r.URL.Query().Get("region")
	if product == "" && len(series.Rows) > 0 {
		product, region = fmt.Sprint(series.Rows[0][0]), fmt.Sprint(series.Rows[0][1])
	}
	if product != "" {
		points, err := s.sb.Query(r.Context(), fmt.Sprintf(pointsSQL, quoteString(product), quoteString(region)))
		if err != nil {
			writeError(w, sqlStatus(err), err)
			return
		}
		out["product"], out["region"], out["points"] = product, region, points
	}
	writeJSON(w, http.StatusOK, out)
}
