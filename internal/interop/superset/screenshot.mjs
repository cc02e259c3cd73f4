// interop:superset, the browser half: run by internal/magekit/interop_superset.go
// from the npm packages of package-lock.json.
//
// Logs in to Superset as the admin, opens every dashboard of expect.json,
// waits until each of its charts has rendered (its plugin's container in
// place of the loading indicator), fails on an error panel, and writes
// <out>/<slug>.png. Reads MESH_SUPERSET_URL, MESH_SUPERSET_PASSWORD (never
// printed) and MESH_CHROMIUM.
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const { chromium } = require('playwright-core');

const arg = (name) => {
  const i = process.argv.indexOf('--' + name);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`--${name} is required`);
  return process.argv[i + 1];
};
const expect = JSON.parse(readFileSync(arg('expect'), 'utf8'));
const out = arg('out');
mkdirSync(out, { recursive: true });
const url = process.env.MESH_SUPERSET_URL;
const renderLimit = 180_000;

// An error panel of a chart or of the dashboard, in Superset 6.1's markup.
const errorSelector = '[data-test="error-message"], [data-test="chart-error"], .ant-alert-error, .alert-danger';
const loadingSelector = '[data-test="loading-indicator"], .loading';
// A chart has rendered when its plugin's container replaced the loading
// indicator (a canvas for ECharts, a table, a big number's text).
const drawnSelector = '[data-test="slice-container"]';

const browser = await chromium.launch({
  executablePath: process.env.MESH_CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
let failed = 0;
try {
  // Tall enough for every dashboard's rows: a chart below the fold waits to
  // be scrolled to before it loads.
  const context = await browser.newContext({ viewport: { width: 1600, height: 2400 } });
  const login = await context.request.post(url + '/login/', {
    form: { username: 'admin', password: process.env.MESH_SUPERSET_PASSWORD },
    maxRedirects: 0,
  });
  if (login.status() >= 400) throw new Error(`logging in: HTTP ${login.status()}`);
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  for (const d of expect.dashboards) {
    const start = Date.now();
    consoleErrors.length = 0;
    await page.goto(`${url}/superset/dashboard/${d.slug}/?standalone=1`, { waitUntil: 'domcontentloaded' });
    if (page.url().includes('/login')) throw new Error(`not logged in: ${d.slug} redirected to the login page`);
    let state;
    for (;;) {
      state = await page.evaluate(([errSel, loadSel, drawnSel]) => {
        const holders = [...document.querySelectorAll('[data-test="chart-grid-component"]')];
        const drawn = holders.filter((h) => h.querySelector(drawnSel) && !h.querySelector(loadSel)).length;
        const errors = [...document.querySelectorAll(errSel)].map((e) => e.innerText.trim().slice(0, 300));
        return { holders: holders.length, drawn, errors };
      }, [errorSelector, loadingSelector, drawnSelector]);
      if (state.errors.length > 0) break;
      if (state.holders >= d.charts.length && state.drawn >= d.charts.length) break;
      if (Date.now() - start > renderLimit) break;
      await page.waitForTimeout(500);
    }
    await page.waitForTimeout(1000); // let the charts' entry animations finish
    const file = join(out, `${d.slug}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const secs = ((Date.now() - start) / 1000).toFixed(1);
    if (state.errors.length > 0) {
      failed++;
      console.error(`FAIL: dashboard ${d.slug}: error panel: ${state.errors.join(' | ')} (screenshot ${file})`);
    } else if (state.drawn < d.charts.length) {
      failed++;
      console.error(`FAIL: dashboard ${d.slug}: ${state.drawn} of ${d.charts.length} charts rendered within ${renderLimit / 1000}s (${state.holders} on the page; screenshot ${file})`);
    } else {
      console.log(`${d.slug.padEnd(24)} ${String(state.drawn).padStart(2)} charts rendered in ${secs}s, no error panel -> ${file}`);
    }
    if (consoleErrors.length > 0) console.log(`  browser console errors (not failing): ${consoleErrors.slice(0, 3).join(' | ').slice(0, 400)}`);
  }
} finally {
  await browser.close();
}
if (failed > 0) process.exit(1);
