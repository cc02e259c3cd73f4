// meshctl serve's single-page app: each path draws one page from the JSON API.
// It uses only the embedded Chart.js and dagre, so it works offline.
"use strict";

const main = document.getElementById("main");
const palette = ["#2f6fde", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#1098ad", "#f08c00", "#5c7cfa", "#495057", "#d6336c"];
const kindColor = { exchange: "#e8590c", topic: "#e8590c", queue: "#f08c00", table: "#2f6fde", serving: "#5f3dc4", dataset: "#1098ad", chart: "#ae3ec9", dashboard: "#2b8a3e" };

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
}

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const r = await fetch(path, opts);
  const data = await r.json();
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}

function fmt(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toLocaleString("en-US", { maximumFractionDigits: 3 });
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function badge(text, cls) { return el("span", { class: "badge " + (cls || text), text }); }

// resultTable draws a /api/sql answer.
function resultTable(res) {
  const head = el("tr", {}, res.columns.map((c, i) => el("th", { title: res.types[i], text: c })));
  const rows = res.rows.map(r => el("tr", {}, r.map(v => el("td", { class: typeof v === "number" ? "num" : null, text: fmt(v) }))));
  return el("table", { class: "result" }, el("thead", {}, head), el("tbody", {}, rows));
}

function done(page) { main.dataset.state = "ready"; main.dataset.page = page; }

function fail(err) {
  main.replaceChildren(el("div", { class: "error", text: String(err.message || err) }));
  main.dataset.state = "error";
}

// ---- data products -------------------------------------------------------

async function pageProducts() {
  const data = await api("/api/products");
  const filter = el("input", { type: "search", placeholder: "filter: table, domain, owner, tag, glossary term", size: 50 });
  const only = el("input", { type: "checkbox", id: "only" });
  const body = el("tbody");
  const draw = () => {
    const q = filter.value.toLowerCase();
    body.replaceChildren(...data.products
      .filter(p => !only.checked || p.data_product)
      .filter(p => !q || JSON.stringify([p.id, p.domain, p.owner, p.tags, p.glossary]).toLowerCase().includes(q))
      .map(p => el("tr", {},
        el("td", {}, el("a", { href: "/table/" + p.id, text: p.id }), p.data_product ? " " : "", p.data_product ? badge("product", "") : null),
        el("td", { text: p.domain }), el("td", { text: p.owner }), el("td", { text: p.layer }),
        el("td", {}, (p.tags || []).map(t => badge(t, ""))),
        el("td", {}, (p.glossary || []).map(t => badge(t, ""))),
        el("td", { class: "num", text: p.rows === null ? "—" : fmt(p.rows) }),
        el("td", {}, p.freshness.status ? badge(p.freshness.status) : el("span", { class: "muted", text: "no SLA" }),
          " ", el("span", { class: "muted", text: p.freshness.age ? `${p.freshness.age} old, SLA ${p.freshness.sla}` : (p.freshness.sla ? `SLA ${p.freshness.sla}` : "") })))));
  };
  filter.addEventListener("input", draw);
  only.addEventListener("change", draw);
  draw();
  main.replaceChildren(
    el("h1", { text: `Data products and tables (${data.products.length})` }),
    el("div", { class: "toolbar" }, filter, only, el("label", { for: "only", text: "data products only" })),
    el("table", {}, el("thead", {}, el("tr", {}, ["table", "domain", "owner", "layer", "tags", "glossary", "rows", "freshness against SLA"].map(h => el("th", { text: h })))), body));
  done("products");
}

async function pageTable(id) {
  const data = await api("/api/tables/" + encodeURIComponent(id));
  const t = data.table;
  const link = ref => {
    const [kind, name] = [ref.slice(0, ref.indexOf(":")), ref.slice(ref.indexOf(":") + 1)];
    return el("li", {}, kind === "table" ? el("a", { href: "/table/" + name, text: name }) : name, " ", el("span", { class: "muted", text: kind }));
  };
  const cols = el("table", {}, el("thead", {}, el("tr", {}, ["column", "type", "description", "PII", "access", "glossary"].map(h => el("th", { text: h })))),
    el("tbody", {}, (t.columns || []).map(c => el("tr", {}, el("td", { text: c.Name }), el("td", { text: c.Type }), el("td", { text: c.Description }),
      el("td", {}, c.PII ? badge(c.PII, "STALE") : ""), el("td", { text: c.Access }), el("td", {}, (c.Glossary || []).map(g => badge(g, "")))))));
  main.replaceChildren(
    el("h1", { text: t.id }),
    el("p", { text: t.description || "" }),
    el("p", {}, "domain ", el("b", { text: t.domain }), " · owner ", el("b", { text: t.owner || "—" }), " · layer ", t.layer,
      " · rows ", el("b", { text: t.rows === null ? "—" : fmt(t.rows) }), " · freshness ", t.freshness.status ? badge(t.freshness.status) : "not judged",
      " ", el("span", { class: "muted", text: t.freshness.detail || "" })),
    el("p", {}, (t.tags || []).map(x => badge(x, "")), (t.glossary || []).map(x => badge(x, ""))),
    el("div", { class: "grid", style: "grid-template-columns: 1fr 1fr" },
      el("div", { class: "card" }, el("h3", { text: "Upstream" }), el("ul", { class: "upstream" }, (data.upstream || []).map(link))),
      el("div", { class: "card" }, el("h3", { text: "Downstream" }), el("ul", { class: "downstream" }, (data.downstream || []).map(link)))),
    el("h2", { text: "Columns" }), cols,
    el("h2", { text: "Sample (10 rows, PII masked for your role)" }),
    data.sample ? el("div", { class: "scroll" }, resultTable(data.sample)) : el("div", { class: "error", text: data.sample_error }));
  done("table");
}

// ---- lineage --------------------------------------------------------------

async function pageLineage() {
  const g = await api("/api/lineage");
  const domains = [...new Set(g.nodes.map(n => n.domain).filter(Boolean))].sort();
  // One domain at a time reads best; ?domain= picks it, empty for every domain.
  const want = new URLSearchParams(location.search).get("domain");
  const first = want !== null ? want : (domains.includes("orders") ? "orders" : "");
  const pick = el("select", { id: "domain" }, el("option", { value: "", text: "every domain" }),
    domains.map(d => el("option", { value: d, text: d, selected: d === first ? "" : null })));
  const box = el("div", { id: "graph" });
  const draw = () => {
    // A domain shows its nodes and everything one edge away from them.
    let nodes = g.nodes, edges = g.edges;
    if (pick.value) {
      const mine = new Set(g.nodes.filter(n => n.domain === pick.value).map(n => n.id));
      edges = g.edges.filter(e => mine.has(e.from) || mine.has(e.to));
      const keep = new Set(edges.flatMap(e => [e.from, e.to]));
      nodes = g.nodes.filter(n => keep.has(n.id) || mine.has(n.id));
    }
    box.replaceChildren(drawGraph(nodes, edges));
  };
  pick.addEventListener("change", () => { history.replaceState(null, "", "/lineage?domain=" + encodeURIComponent(pick.value)); draw(); });
  const legend = el("div", { class: "legend" }, Object.entries({ exchange: "exchange / topic", queue: "queue", table: "table", dataset: "dataset", chart: "chart", dashboard: "dashboard" })
    .map(([k, v]) => el("span", {}, el("i", { style: `background:${kindColor[k]}` }), v)));
  main.replaceChildren(el("h1", { text: `Lineage: queues to dashboards (${g.nodes.length} nodes, ${g.edges.length} edges)` }),
    el("div", { class: "toolbar" }, pick, legend), box,
    el("p", { class: "muted", text: "A domain shows its nodes and their neighbours one edge away. Tables and dashboards link to their pages." }));
  draw();
  done("lineage");
}

function drawGraph(nodes, edges) {
  const NS = "http://www.w3.org/2000/svg";
  const gr = new dagre.graphlib.Graph();
  gr.setGraph({ rankdir: "LR", nodesep: 8, ranksep: 60, marginx: 10, marginy: 10 });
  gr.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) gr.setNode(n.id, { width: Math.min(240, 14 + 6.2 * n.label.length), height: 22, n });
  for (const e of edges) if (gr.hasNode(e.from) && gr.hasNode(e.to)) gr.setEdge(e.from, e.to);
  dagre.layout(gr);
  const { width, height } = gr.graph();
  const svg = document.createElementNS(NS, "svg");
  // Scaled to the page's width when wider, so the whole graph is in view.
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("style", "max-width: 100%; height: auto");
  const mk = (tag, attrs) => { const e = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); return e; };
  for (const e of gr.edges()) {
    const pts = gr.edge(e).points;
    svg.append(mk("path", { class: "edge", d: "M" + pts.map(p => `${p.x},${p.y}`).join("L") }));
  }
  for (const id of gr.nodes()) {
    const { x, y, width: w, height: h, n } = gr.node(id);
    const kind = n.kind === "topic" && /\.dlq$|^ingest_/.test(n.label) ? "queue" : n.kind;
    const g = mk("g", { class: "node", "data-id": n.id, "data-kind": n.kind });
    g.append(mk("rect", { x: x - w / 2, y: y - h / 2, width: w, height: h, rx: 4, fill: "#fff", stroke: kindColor[kind] || "#667085", "stroke-width": 1.5 }));
    const t = mk("text", { x: x, y: y + 4, "text-anchor": "middle" });
    t.textContent = n.label.length > 38 ? n.label.slice(0, 36) + "…" : n.label;
    g.append(t);
    const title = mk("title", {}); title.textContent = `${n.kind}: ${n.label}${n.domain ? " (" + n.domain + ")" : ""}`; g.append(title);
    if (n.href) { const a = mk("a", { href: n.href }); a.append(g); svg.append(a); } else svg.append(g);
  }
  return svg;
}

// ---- DAG runs -------------------------------------------------------------

async function pageDAGs() {
  const data = await api("/api/dags");
  const rows = data.runs.map(r => el("tr", { class: r.deadline_missed ? "missed" : null },
    el("td", { text: r.dag }), el("td", { text: r.domain }), el("td", { text: r.run }), el("td", {}, badge(r.state)),
    el("td", { text: r.started ? r.started.replace("T", " ").replace("Z", "") : "" }), el("td", { class: "num", text: r.duration }),
    el("td", { text: r.sla }), el("td", {}, r.deadline_missed ? badge("MISSED", "missed") : ""), el("td", { class: "muted", text: r.reason })));
  main.replaceChildren(el("h1", { text: "DAG runs and deadline misses" }),
    el("p", {}, `${data.runs.length} recent runs (10 per DAG at most), `, el("b", { text: `${data.deadline_misses || 0} deadline misses` }), data.note ? " · " + data.note : ""),
    el("table", {}, el("thead", {}, el("tr", {}, ["dag", "domain", "run", "state", "started (UTC)", "duration", "sla", "deadline", "reason"].map(h => el("th", { text: h })))), el("tbody", {}, rows)));
  done("dags");
}

// ---- dashboards -----------------------------------------------------------

async function pageDashboards() {
  const data = await api("/api/dashboards");
  main.replaceChildren(el("h1", { text: "Dashboards (declared by the domains, the same SQL as Superset's)" }),
    el("table", {}, el("thead", {}, el("tr", {}, ["dashboard", "domain", "owner", "charts", "description"].map(h => el("th", { text: h })))),
      el("tbody", {}, data.dashboards.map(d => el("tr", {}, el("td", {}, el("a", { href: "/dashboards/" + d.ID, text: d.Title })),
        el("td", { text: d.Domain }), el("td", { text: d.Owner }), el("td", { class: "num", text: d.Charts }), el("td", { class: "muted", text: d.Description }))))));
  done("dashboards");
}

async function pageDashboard(id) {
  const d = await api("/api/dashboards/" + encodeURIComponent(id));
  const out = [el("h1", { text: d.title }), el("p", { class: "muted", text: `${d.description} · ${d.domain}, owned by ${d.owner}` })];
  const pending = [];
  for (const row of d.layout) {
    const grid = el("div", { class: "grid", style: `grid-template-columns: repeat(${row.length}, 1fr)` });
    for (const cid of row) {
      const c = d.charts[cid];
      const card = el("div", { class: "card", "data-chart": cid }, el("h3", { text: c.title }));
      grid.append(card);
      pending.push([card, c]);
    }
    out.push(grid);
  }
  main.replaceChildren(...out);
  for (const [card, c] of pending) drawChart(card, c);
  done("dashboard");
}

const col = (res, name) => res.columns.indexOf(name);

function drawChart(card, c) {
  if (c.error) { card.append(el("div", { class: "error", text: c.error })); return; }
  const res = c.result;
  if (c.type === "table") { card.append(el("div", { class: "scroll" }, resultTable(res))); return; }
  if (c.type === "big_number") {
    const v = res.rows.length ? res.rows[0][col(res, c.metrics[0])] : null;
    card.append(el("div", { class: "big", "data-points": res.rows.length, text: fmt(v) }));
    return;
  }
  const xi = col(res, c.x);
  const labels = [...new Set(res.rows.map(r => fmt(r[xi])))];
  const at = new Map(labels.map((l, i) => [l, i]));
  const datasets = [];
  const series = c.series ? [...new Set(res.rows.map(r => fmt(r[col(res, c.series)])))] : [null];
  for (const m of c.metrics) {
    for (const s of series) {
      const data = labels.map(() => null);
      for (const r of res.rows) if (s === null || fmt(r[col(res, c.series)]) === s) data[at.get(fmt(r[xi]))] = r[col(res, m)];
      const color = palette[datasets.length % palette.length];
      // A pie's slices each get a color; an area chart stacks its series.
      const bg = c.type === "pie" ? labels.map((_, i) => palette[i % palette.length]) : color;
      datasets.push({ label: s === null ? m : (c.metrics.length > 1 ? `${m} ${s}` : s), data, borderColor: color, backgroundColor: bg, pointRadius: 0, borderWidth: c.type === "pie" ? 1 : 2, fill: c.type === "area" ? "stack" : false, spanGaps: false });
    }
  }
  c.bands.forEach((b, i) => {
    const lo = labels.map(() => null), hi = labels.map(() => null);
    for (const r of res.rows) { const k = at.get(fmt(r[xi])); lo[k] = r[col(res, b.lower)]; hi[k] = r[col(res, b.upper)]; }
    const shade = i === 0 ? "rgba(232,89,12,0.22)" : "rgba(232,89,12,0.12)";
    datasets.push({ label: b.label + " low", data: lo, borderWidth: 0, pointRadius: 0, fill: false, borderColor: "transparent" });
    datasets.push({ label: b.label, data: hi, borderWidth: 0, pointRadius: 0, fill: "-1", backgroundColor: shade, borderColor: "transparent" });
  });
  const type = { line: "line", area: "line", bar: "bar", funnel: "bar", pie: "pie" }[c.type] || "bar";
  const canvas = el("canvas", { "data-points": labels.length, "data-series": datasets.length });
  card.append(el("div", { class: "chart" }, canvas));
  new Chart(canvas, {
    type, data: { labels, datasets },
    options: { animation: false, maintainAspectRatio: false, indexAxis: c.type === "funnel" ? "y" : "x",
      plugins: { legend: { labels: { filter: it => !/ low$/.test(it.text) } } },
      scales: type === "pie" ? {} : { x: { ticks: { maxTicksLimit: 12 } }, y: { stacked: c.type === "area" } } },
  });
}

// ---- forecasts ------------------------------------------------------------

async function pageForecasts(params) {
  const data = await api("/api/forecasts" + (params ? "?" + params : ""));
  const s = data.series;
  const pick = el("select", {}, s.rows.map(r => el("option", { value: `product=${encodeURIComponent(r[0])}&region=${encodeURIComponent(r[1])}`,
    text: `${r[0]} ${r[1]} (${r[2]}): ${fmt(r[3])} units forecast`, selected: r[0] === data.product && r[1] === data.region ? "" : null })));
  pick.addEventListener("change", () => { history.pushState(null, "", "/forecasts?" + pick.value); route(); });
  const head = [el("h1", { text: "Demand forecasts with 80% and 95% intervals" })];
  if (!s.rows.length) { main.replaceChildren(...head, el("p", { text: "No forecast yet: bin/forecasting forecast demand" })); done("forecasts"); return; }
  head.push(el("p", { class: "muted", text: `Run ${s.rows[0][4]}, trained through ${s.rows[0][5]}: the 20 series with the most units forecast; actual units of the 28 days before.` }));
  const card = el("div", { class: "card", "data-chart": "forecast" }, el("h3", { text: `${data.product} in ${data.region}` }));
  main.replaceChildren(...head, el("div", { class: "toolbar" }, pick), card);
  drawChart(card, { type: "line", x: "day", metrics: ["actual", "forecast"], bands: [{ label: "80%", lower: "lower_80", upper: "upper_80" }, { label: "95%", lower: "lower_95", upper: "upper_95" }], result: data.points });
  done("forecasts");
}

// ---- SQL console ----------------------------------------------------------

function pageSQL() {
  const text = el("textarea", { id: "sql", spellcheck: "false" });
  text.value = localStorage.getItem("mesh.sql") || "SELECT region, count(*) AS order_lines\nFROM orders.fact_orders\nGROUP BY region ORDER BY region";
  const status = el("p", { id: "status", class: "muted" });
  const out = el("div", { id: "result" });
  const run = async () => {
    localStorage.setItem("mesh.sql", text.value);
    status.textContent = "running…";
    out.replaceChildren();
    try {
      const res = await api("/api/sql", { sql: text.value });
      status.textContent = `${res.rows.length} rows${res.truncated ? ` (cut at the limit of ${res.limit})` : ""} in ${res.elapsed} ms · snapshot ${res.snapshot}`;
      out.replaceChildren(resultTable(res));
      main.dataset.rows = res.rows.length;
    } catch (err) {
      status.textContent = "";
      out.replaceChildren(el("div", { class: "error", text: err.message }));
      main.dataset.rows = "error";
    }
  };
  text.addEventListener("keydown", e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); });
  main.replaceChildren(el("h1", { text: "SQL console" }),
    el("p", { class: "muted", text: "One read-only query at a time (SELECT, WITH, VALUES, FROM, DESCRIBE, SUMMARIZE) over <domain>.<table>; no file or network access; PII masked for your role. Ctrl+Enter runs." }),
    text, el("div", { class: "toolbar" }, el("button", { id: "run", onclick: run, text: "Run" })), status, out);
  done("sql");
}

// ---- routing --------------------------------------------------------------

async function route() {
  const path = location.pathname;
  main.dataset.state = "loading";
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", path.startsWith(a.getAttribute("href")));
  try {
    if (path.startsWith("/table/")) await pageTable(decodeURIComponent(path.slice(7)));
    else if (path.startsWith("/dashboards/")) await pageDashboard(decodeURIComponent(path.slice(12)));
    else if (path === "/lineage") await pageLineage();
    else if (path === "/dags") await pageDAGs();
    else if (path === "/dashboards") await pageDashboards();
    else if (path === "/forecasts") await pageForecasts(location.search.slice(1));
    else if (path === "/sql") pageSQL();
    else await pageProducts();
  } catch (err) { fail(err); }
}

window.addEventListener("popstate", route);
api("/api/status").then(s => { document.getElementById("snapshot").textContent = `snapshot ${s.snapshot.replace("T", " ").slice(0, 19)} UTC · ${s.tables} tables`; }, () => {});
route();
