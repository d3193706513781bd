/// <reference lib="dom" />
// The Sluice web UI: a query list and a page per query, kept live by the server-sent events of
// /api/v1/events. Hash routes (#/, #/query/<runId>), so nothing ever reloads the page.
import { type ComponentChild, h, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Chart } from "./chart.js";
import {
  type Progress,
  durationSeries,
  eventTimeLagSeries,
  formatBytes,
  formatNumber,
  inputRowsSeries,
  lateRowsSeries,
  rateSeries,
  stateMemorySeries,
  stateRowsSeries,
} from "./series.js";

interface QuerySummary {
  id: string;
  runId: string;
  name: string | null;
  status: "active" | "finished" | "failed";
  startedAt: string;
  endedAt: string | null;
  batches: number;
  lastBatchId: number | null;
  inputRowsTotal: number;
  inputRowsPerSecond: number | null;
  processedRowsPerSecond: number | null;
  watermark: string | null;
  exception: string | null;
}
interface QueryDetail extends QuerySummary {
  plan: string | null;
  lastProgress: Progress | null;
  exceptionStack: string | null;
}
type ServerEvent =
  | { type: "started" | "idle" | "terminated"; query: QuerySummary }
  | { type: "progress"; query: QuerySummary; progress: Progress };

const MAX_POINTS = 300;

// ---- a tiny store fed by the event stream ----

const store = {
  queries: new Map<string, QuerySummary>(),
  progress: new Map<string, Progress[]>(),
  connected: false,
  version: 0,
  listeners: new Set<() => void>(),
  changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  },
};

function upsert(q: QuerySummary): void {
  store.queries.set(q.runId, q);
}

function addProgress(runId: string, p: Progress): void {
  const list = store.progress.get(runId);
  if (!list) return; // only runs whose page was opened keep their progress
  if (list.length > 0 && list[list.length - 1]!.batchId >= p.batchId) return;
  list.push(p);
  if (list.length > MAX_POINTS) list.splice(0, list.length - MAX_POINTS);
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function refreshList(): Promise<void> {
  const list = await getJson<QuerySummary[]>("/api/v1/queries");
  for (const q of list) upsert(q);
  store.changed();
}

async function loadProgress(runId: string): Promise<void> {
  const recent = await getJson<Progress[]>(`/api/v1/queries/${encodeURIComponent(runId)}/progress?limit=${MAX_POINTS}`);
  const seen = store.progress.get(runId) ?? [];
  const merged = [...recent];
  for (const p of seen) if (merged.length === 0 || p.batchId > merged[merged.length - 1]!.batchId) merged.push(p);
  store.progress.set(runId, merged.slice(-MAX_POINTS));
  store.changed();
}

function connect(): void {
  const es = new EventSource("/api/v1/events");
  es.onopen = () => {
    store.connected = true;
    // anything that happened while disconnected
    void refreshList().catch(() => undefined);
    for (const runId of store.progress.keys()) void loadProgress(runId).catch(() => undefined);
    store.changed();
  };
  es.onerror = () => {
    store.connected = false;
    store.changed();
  };
  const on = (e: MessageEvent<string>): void => {
    const ev = JSON.parse(e.data) as ServerEvent;
    upsert(ev.query);
    if (ev.type === "progress") addProgress(ev.query.runId, ev.progress);
    store.changed();
  };
  for (const t of ["started", "progress", "idle", "terminated"]) es.addEventListener(t, on as EventListener);
}

function useStore(): number {
  const [, setV] = useState(0);
  useEffect(() => {
    let scheduled = false;
    const l = (): void => {
      // many events per frame become one render
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        setV(store.version);
      });
    };
    store.listeners.add(l);
    return () => store.listeners.delete(l);
  }, []);
  return store.version;
}

function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => setHash(location.hash);
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash;
}

// ---- views ----

function fmtTime(iso: string | null): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function Status(props: { status: string }): ComponentChild {
  return h("span", { class: `status ${props.status}` }, props.status);
}

function QueryList(): ComponentChild {
  useStore();
  const qs = [...store.queries.values()].sort((a, b) => (a.status === "active" ? 0 : 1) - (b.status === "active" ? 0 : 1) || b.startedAt.localeCompare(a.startedAt));
  const active = qs.filter((q) => q.status === "active").length;
  return h(
    "main",
    null,
    h("h1", null, `Streaming queries (${active} active, ${qs.length - active} finished)`),
    h(
      "table",
      { "data-testid": "query-list" },
      h(
        "thead",
        null,
        h("tr", null, ...["Name", "Status", "Id", "Run id", "Started", "Batches", "Input rows/s", "Processed rows/s", "Last error"].map((t, i) => h("th", { class: i >= 5 && i <= 7 ? "num" : undefined }, t))),
      ),
      h(
        "tbody",
        null,
        qs.length === 0
          ? h("tr", null, h("td", { colSpan: 9, class: "muted" }, "No streaming query has run in this session yet."))
          : qs.map((q) =>
              h(
                "tr",
                { key: q.runId, "data-run-id": q.runId },
                h("td", null, h("a", { href: `#/query/${q.runId}` }, q.name ?? "(unnamed)")),
                h("td", null, h(Status, { status: q.status })),
                h("td", null, h("code", null, q.id)),
                h("td", null, h("code", null, q.runId)),
                h("td", null, fmtTime(q.startedAt)),
                h("td", { class: "num" }, String(q.batches)),
                h("td", { class: "num" }, formatNumber(q.inputRowsPerSecond)),
                h("td", { class: "num" }, formatNumber(q.processedRowsPerSecond)),
                h("td", { class: "err" }, q.exception ?? ""),
              ),
            ),
      ),
    ),
  );
}

function Fact(props: { k: string; v: string; testid?: string }): ComponentChild {
  return h("div", { class: "fact" }, h("div", { class: "k" }, props.k), h("div", { class: "v", title: props.v, "data-testid": props.testid }, props.v));
}

function QueryPage(props: { runId: string }): ComponentChild {
  useStore();
  const [detail, setDetail] = useState<QueryDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const summary = store.queries.get(props.runId) ?? detail;
  const status = summary?.status;

  useEffect(() => {
    if (!store.progress.has(props.runId)) store.progress.set(props.runId, []);
    void loadProgress(props.runId).catch((e: Error) => setError(e.message));
  }, [props.runId]);
  // the plan and the exception: at open and when the run's status changes
  useEffect(() => {
    getJson<QueryDetail>(`/api/v1/queries/${encodeURIComponent(props.runId)}`).then(
      (d) => {
        setDetail(d);
        if (!store.queries.has(d.runId)) upsert(d);
      },
      (e: Error) => setError(e.message),
    );
  }, [props.runId, status]);

  if (!summary) return h("main", null, h("p", { class: "muted" }, error ?? "Loading…"));
  const ps = store.progress.get(props.runId) ?? [];
  const last = ps.at(-1) ?? detail?.lastProgress ?? null;
  const hasState = ps.some((p) => (p.stateOperators ?? []).length > 0);
  return h(
    "main",
    { "data-testid": "query-page" },
    h("p", null, h("a", { href: "#/" }, "← all queries")),
    h("h1", null, summary.name ?? "(unnamed query)", " ", h(Status, { status: summary.status })),
    h(
      "div",
      { class: "facts" },
      h(Fact, { k: "Id", v: summary.id }),
      h(Fact, { k: "Run id", v: summary.runId }),
      h(Fact, { k: "Started", v: fmtTime(summary.startedAt) }),
      h(Fact, { k: summary.endedAt ? "Ended" : "Running since", v: summary.endedAt ? fmtTime(summary.endedAt) : fmtTime(summary.startedAt) }),
      h(Fact, { k: "Batches", v: String(summary.batches), testid: "fact-batches" }),
      h(Fact, { k: "Input rows (total)", v: formatNumber(summary.inputRowsTotal) }),
      h(Fact, { k: "Input rows/s", v: formatNumber(summary.inputRowsPerSecond), testid: "fact-input-rate" }),
      h(Fact, { k: "Processed rows/s", v: formatNumber(summary.processedRowsPerSecond) }),
      h(Fact, { k: "Watermark", v: summary.watermark ? fmtTime(summary.watermark) : "none" }),
    ),
    summary.exception ? h("div", null, h("h2", null, "Exception"), h("pre", { class: "exception", "data-testid": "exception" }, detail?.exceptionStack ?? summary.exception)) : null,
    h("h2", null, "Live charts"),
    h(
      "div",
      { class: "charts" },
      h(Chart, { id: "rates", title: "Input rate vs processing rate (rows/s)", series: rateSeries(ps) }),
      h(Chart, { id: "input-rows", title: "Input rows per batch", series: inputRowsSeries(ps) }),
      h(Chart, { id: "durations", title: "Batch duration by phase (ms)", series: durationSeries(ps) }),
      h(Chart, { id: "lag", title: "Event-time lag behind batch time (s)", series: eventTimeLagSeries(ps), emptyText: "no watermark: the query has no withWatermark" }),
      h(Chart, { id: "state-rows", title: "State rows per operator", series: stateRowsSeries(ps), emptyText: hasState ? "no data yet" : "no stateful operator" }),
      h(Chart, { id: "state-memory", title: "State memory per operator", series: stateMemorySeries(ps), format: formatBytes, emptyText: hasState ? "no data yet" : "no stateful operator" }),
      h(Chart, { id: "late-rows", title: "Rows dropped as late (per batch)", series: lateRowsSeries(ps), emptyText: "no stateful operator with a watermark" }),
    ),
    h("h2", null, "Plan"),
    h("pre", { "data-testid": "plan" }, detail?.plan ?? "(not available)"),
    h("h2", null, "Latest progress"),
    h("pre", { "data-testid": "progress-json" }, last ? JSON.stringify(last, null, 2) : "(no batch yet)"),
  );
}

function App(): ComponentChild {
  useStore();
  const route = useRoute();
  const m = /^#\/query\/([^/]+)$/.exec(route);
  const appName = document.body.dataset["appName"] ?? "sluice";
  return h(
    "div",
    null,
    h(
      "header",
      null,
      h("a", { href: "#/" }, "Sluice"),
      h("span", { class: "sub" }, `Structured Streaming · ${appName}`),
      h("span", { class: "conn", "data-testid": "connection" }, store.connected ? "● live" : "○ reconnecting…"),
    ),
    m ? h(QueryPage, { runId: decodeURIComponent(m[1]!), key: m[1] }) : h(QueryList, null),
  );
}

connect();
void refreshList().catch(() => undefined);
render(h(App, null), document.getElementById("app")!);
