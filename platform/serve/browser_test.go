package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/internal/testenv"
	"github.com/meshterious/warehouse/platform/serve"
)

// EnvScreenshotDir names where the browser test writes a screenshot per
// page (default <temp dir>/mesh-serve-screenshots), for people to look at.
const EnvScreenshotDir = "MESH_SCREENSHOT_DIR"

// chromium finds the browser: MESH_CHROMIUM, else chromium on PATH.
func chromium(t *testing.T) string {
	if p := os.Getenv("MESH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Unavailable(t, "chromium", "not on PATH and MESH_CHROMIUM unset; Debian: apt-get install chromium (go run mage.go test installs it as root)")
	return ""
}

// startServer serves the fixture with the repository's declarations.
func startServer(t *testing.T) string {
	t.Helper()
	lh, dataDir := forecastingFixture(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	srv, err := serve.New(lh, serve.Config{Root: root, DataDir: dataDir, TempDir: t.TempDir(), Refresh: -1})
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not start within 2 minutes")
	}
	return ""
}

// EnvServeURL points TestServedPages at a running meshctl serve (after
// `go run mage.go demo`): http://127.0.0.1:8090.
const EnvServeURL = "MESH_SERVE_URL"

// TestServedPages visits every page and dashboard of a running server, for
// screenshots of real data; it skips unless MESH_SERVE_URL is set.
func TestServedPages(t *testing.T) {
	base := os.Getenv(EnvServeURL)
	if base == "" {
		t.Skipf("%s is not set (a running meshctl serve, e.g. http://127.0.0.1:8090)", EnvServeURL)
	}
	b := newBrowser(t, chromium(t), strings.TrimSuffix(base, "/"))
	paths := []string{"/products", "/table/orders.fact_orders", "/lineage", "/lineage?domain=", "/dags", "/dashboards", "/forecasts", "/sql"}
	resp, err := http.Get(base + "/api/dashboards")
	require.NoError(t, err)
	var list struct{ Dashboards []struct{ ID string } }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	for _, d := range list.Dashboards {
		paths = append(paths, "/dashboards/"+d.ID)
	}
	for _, p := range paths {
		name := strings.NewReplacer("/", "-", "?", "-", "=", "").Replace(strings.Trim(p, "/"))
		t.Run(p, func(t *testing.T) { b.visit(t, p, "served-"+name) })
	}
	fmt.Fprintf(os.Stderr, "served pages: a screenshot per page in %s\n", b.shots)
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t, chromium(t), startServer(t))
	bctx, shots, visit := b.ctx, b.shots, b.visit

	for _, p := range []struct{ path, shot string }{
		{"/products", "products"},
		{"/table/forecasting.fact_forecast_demand", "table"},
		{"/lineage", "lineage"},
		{"/lineage?domain=", "lineage-all"},
		{"/dags", "dags"},
		{"/dashboards", "dashboards"},
		{"/dashboards/forecasting_forecasts", "dashboard-forecasting"},
		{"/forecasts", "forecasts"},
		{"/sql", "sql"},
	} {
		t.Run("loads "+p.path, func(t *testing.T) { visit(t, p.path, p.shot) })
	}

	t.Run("a chart has one point per day of the fixed run", func(t *testing.T) {
		visit(t, "/dashboards/forecasting_forecasts", "dashboard-forecasting")
		var points, labels int
		require.NoError(t, chromedp.Run(bctx,
			chromedp.Evaluate(`+document.querySelector('[data-chart="forecast_vs_actual"] canvas').dataset.points`, &points),
			chromedp.Evaluate(`Chart.getChart(document.querySelector('[data-chart="forecast_vs_actual"] canvas')).data.labels.length`, &labels)))
		assert.Equal(t, wantDashboardDays, points)
		assert.Equal(t, wantDashboardDays, labels)

		visit(t, "/forecasts", "forecasts")
		require.NoError(t, chromedp.Run(bctx,
			chromedp.Evaluate(`Chart.getChart(document.querySelector('[data-chart="forecast"] canvas')).data.labels.length`, &labels)))
		assert.Equal(t, wantSeriesDays, labels)
	})

	t.Run("a lineage node links to its table", func(t *testing.T) {
		visit(t, "/lineage?domain=forecasting", "lineage-forecasting")
		const id = "forecasting.fact_forecast_demand"
		var href, h1 string
		var ok bool
		require.NoError(t, chromedp.Run(bctx,
			chromedp.Evaluate(fmt.Sprintf(`(document.querySelector('#graph a[href="/table/%s"]') || {getAttribute: () => ""}).getAttribute("href")`, id), &href)))
		require.Equal(t, "/table/"+id, href)
		require.NoError(t, chromedp.Run(bctx,
			chromedp.Evaluate(fmt.Sprintf(`document.querySelector('#graph a[href="/table/%s"]').dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}))`, id), &ok),
			chromedp.WaitVisible(`main[data-page="table"]`, chromedp.ByQuery),
			chromedp.Text("main h1", &h1, chromedp.ByQuery)))
		assert.Equal(t, id, h1)
	})

	t.Run("the DAG page counts the deadline miss", func(t *testing.T) {
		visit(t, "/dags", "dags")
		var misses int
		require.NoError(t, chromedp.Run(bctx, chromedp.Evaluate(`document.querySelectorAll("tr.missed").length`, &misses)))
		assert.Equal(t, 1, misses)
	})

	t.Run("the SQL console runs a query", func(t *testing.T) {
		visit(t, "/sql", "sql")
		var rows, cell string
		var png []byte
		require.NoError(t, chromedp.Run(bctx,
			chromedp.SetValue("#sql", "SELECT product_id, count(*) AS days FROM forecasting.stg_daily_demand GROUP BY 1 ORDER BY 1", chromedp.ByID),
			chromedp.Click("#run", chromedp.ByID),
			chromedp.WaitVisible(`main[data-rows]`, chromedp.ByQuery),
			chromedp.AttributeValue("main", "data-rows", &rows, nil, chromedp.ByQuery),
			chromedp.Text("#result tbody tr:first-child td:last-child", &cell, chromedp.ByQuery),
			chromedp.FullScreenshot(&png, 100)))
		require.NoError(t, os.WriteFile(filepath.Join(shots, "sql-result.png"), png, 0o644))
		assert.Equal(t, "2", rows)
		assert.Equal(t, "60", cell)
	})
	t.Logf("screenshots: %s", shots)
	fmt.Fprintf(os.Stderr, "serve browser test: a screenshot per page in %s\n", shots)
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// browser is a headless Chromium on a server's pages.
type browser struct {
	ctx   context.Context
	shots string
	// visit loads a page, waits until it drew, asserts it has no error and
	// no console error, and writes its screenshot.
	visit func(t *testing.T, path, shot string)
}

func newBrowser(t *testing.T, exe, base string) *browser {
	t.Helper()
	shots := os.Getenv(EnvScreenshotDir)
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "mesh-serve-screenshots")
	}
	require.NoError(t, os.MkdirAll(shots, 0o755))
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	bctx, cancelTimeout := context.WithTimeout(bctx, 6*time.Minute)
	t.Cleanup(cancelTimeout)

	// Every console error, uncaught exception and failed load, by page.
	var mu sync.Mutex
	var problems []string
	chromedp.ListenTarget(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problems = append(problems, "console.error: "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text+" "+exceptionText(e.ExceptionDetails))
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.LevelError {
				problems = append(problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	})
	require.NoError(t, chromedp.Run(bctx, cdplog.Enable(), runtime.Enable()))

	b := &browser{ctx: bctx, shots: shots}
	// visit loads a page, waits until it drew (or failed), checks it has no
	// error and no console error, and writes its screenshot.
	b.visit = func(t *testing.T, path, shot string) {
		t.Helper()
		mu.Lock()
		problems = nil
		mu.Unlock()
		var state, errText string
		var png []byte
		require.NoError(t, chromedp.Run(bctx,
			chromedp.Navigate(base+path),
			chromedp.WaitVisible(`main[data-state="ready"], main[data-state="error"]`, chromedp.ByQuery),
			chromedp.AttributeValue("main", "data-state", &state, nil, chromedp.ByQuery),
			chromedp.Evaluate(`(document.querySelector("main > .error") || {}).textContent || ""`, &errText),
			chromedp.Sleep(300*time.Millisecond), // let the charts paint for the picture
			chromedp.FullScreenshot(&png, 100),
		), path)
		require.NoError(t, os.WriteFile(filepath.Join(shots, shot+".png"), png, 0o644))
		assert.Equal(t, "ready", state, "%s: %s", path, errText)
		mu.Lock()
		assert.Empty(t, problems, "%s: console errors", path)
		mu.Unlock()
	}

	return b
}
