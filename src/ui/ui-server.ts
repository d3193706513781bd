import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SluiceError } from "../errors/errors.js";
import type { QueryMetrics } from "../monitoring/metrics.js";
import type { QueryTracker, TrackerEvent } from "../monitoring/query-tracker.js";
import { loadUiAssets } from "./ui-assets.js";

/** The UI could not start (port in use, bad host or port). */
export class UiServerError extends SluiceError {}

export interface UiServerOptions {
  /** Default 127.0.0.1 (`sluice.ui.host`): only this machine can connect. */
  readonly host?: string;
  /** Default 4040 (`sluice.ui.port`); 0 picks any free port. */
  readonly port?: number;
  /**
   * When the port is in use, try the next ones, up to this many (Spark's spark.port.maxRetries,
   * default 16; `sluice.ui.port.maxRetries`). 0 fails at once on a busy port.
   */
  readonly maxRetries?: number;
  /** Serves `/metrics` when given. */
  readonly metrics?: QueryMetrics;
  /** The application's name in the page header. */
  readonly appName?: string;
  /**
   * Do not keep the process alive for the UI (the server and its connections are unref'd), so a
   * script ends when its queries do. The session's UI does this; `sluice ui` does not.
   */
  readonly unref?: boolean;
}

type Json = unknown;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_URL_LENGTH = 2048;
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * The web UI and its JSON API, over a QueryTracker (the listener stream) and optionally
 * QueryMetrics. Pages: `/` (queries, live) and `/#/query/<runId>` (charts, plan, progress,
 * exception); the page follows `/api/v1/events` (server-sent events), so it never reloads.
 *
 * | path | answer |
 * |---|---|
 * | `GET /api/v1/queries` | every run: id, runId, name, status, startedAt, batches, rates, exception |
 * | `GET /api/v1/queries/:id` | one run (runId, or the latest run of a query id) with plan and last progress |
 * | `GET /api/v1/queries/:id/progress[?limit=N]` | its recent progress, oldest first |
 * | `GET /api/v1/events` | server-sent events: started, progress, idle, terminated |
 * | `GET /metrics` | Prometheus text format |
 *
 * Malformed requests get a 4xx with `{ "error": message }`. Nothing but query metadata and
 * progress is exposed; no request changes anything.
 *
 * @example
 * const ui = new UiServer(tracker, { port: 0 });
 * const url = await ui.start(); // "http://127.0.0.1:53121/"
 * await ui.stop();
 */
export class UiServer {
  private server: http.Server | null = null;
  private readonly sse = new Set<http.ServerResponse>();
  private unsubscribe: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private boundUrl: string | null = null;

  constructor(
    private readonly tracker: QueryTracker,
    private readonly options: UiServerOptions = {},
  ) {}

  /** The URL the UI listens on, null before start. */
  get url(): string | null {
    return this.boundUrl;
  }

  /** Starts listening (bundling the client first if needed); resolves with the UI's URL. */
  async start(): Promise<string> {
    if (this.boundUrl) return this.boundUrl;
    const host = this.options.host ?? "127.0.0.1";
    const firstPort = this.options.port ?? 4040;
    const retries = firstPort === 0 ? 0 : Math.max(0, this.options.maxRetries ?? 16);
    if (!Number.isInteger(firstPort) || firstPort < 0 || firstPort > 65535) {
      throw new UiServerError("UI_INVALID_PORT", `The UI port ${firstPort} (sluice.ui.port) is not a port number; use 1-65535, or 0 for any free port.`);
    }
    await loadUiAssets();
    for (let port = firstPort; port <= Math.min(65535, firstPort + retries); port++) {
      const server = http.createServer((req, res) => this.handle(req, res));
      try {
        await listen(server, port, host);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE" && port < firstPort + retries) continue;
        if (code === "EADDRINUSE") {
          const tried = retries > 0 ? `ports ${firstPort}-${port} are` : `port ${firstPort} is`;
          throw new UiServerError(
            "UI_PORT_IN_USE",
            `Cannot start the Sluice UI: ${tried} in use on ${host} (sluice.ui.port = ${firstPort}${retries > 0 ? `, sluice.ui.port.maxRetries = ${retries}` : ""}). Set sluice.ui.port to a free port, or 0 to pick any free port.`,
          );
        }
        if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
          throw new UiServerError("UI_INVALID_HOST", `Cannot start the Sluice UI: the address ${host} (sluice.ui.host) is not an address of this machine.`);
        }
        if (code === "EACCES") throw new UiServerError("UI_PORT_DENIED", `Cannot start the Sluice UI: not allowed to listen on port ${port} of ${host} (sluice.ui.port); use a port above 1023.`);
        throw e;
      }
      this.server = server;
      if (this.options.unref) {
        server.unref();
        server.on("connection", (socket) => socket.unref());
      }
      const addr = server.address() as AddressInfo;
      const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      this.boundUrl = `http://${shown}:${addr.port}/`;
      this.unsubscribe = this.tracker.subscribe((ev) => this.broadcast(ev));
      this.heartbeat = setInterval(() => {
        for (const res of this.sse) res.write(": keep-alive\n\n");
      }, 15_000);
      this.heartbeat.unref();
      return this.boundUrl;
    }
    throw new UiServerError("UI_PORT_IN_USE", `Cannot start the Sluice UI on ${host}:${firstPort} (sluice.ui.port).`);
  }

  /** Closes the event streams and the server. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const res of this.sse) res.end();
    this.sse.clear();
    const s = this.server;
    this.server = null;
    this.boundUrl = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  private broadcast(ev: TrackerEvent): void {
    const data = `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
    for (const res of this.sse) res.write(data);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.route(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) sendJson(res, e.status, { error: e.message });
      else if (!res.headersSent) sendJson(res, 500, { error: "Internal error while answering this request." });
      else res.end();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    if (rawUrl.length > MAX_URL_LENGTH) throw new HttpError(414, `The request URL is longer than ${MAX_URL_LENGTH} characters.`);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      throw new HttpError(405, `Method ${req.method ?? "?"} is not allowed: the Sluice UI and API are read-only (GET).`);
    }
    let url: URL;
    try {
      url = new URL(rawUrl, "http://localhost");
    } catch {
      throw new HttpError(400, "The request URL is malformed.");
    }
    let parts: string[];
    try {
      parts = url.pathname.split("/").filter((p) => p !== "").map((p) => decodeURIComponent(p));
    } catch {
      throw new HttpError(400, "The request path has a malformed percent-encoding.");
    }
    const path = "/" + parts.join("/");
    if (path === "/" || path === "/index.html") return sendText(res, 200, "text/html; charset=utf-8", indexHtml(this.options.appName ?? "sluice"));
    if (path === "/app.js") return sendText(res, 200, "text/javascript; charset=utf-8", (await loadUiAssets()).js);
    if (path === "/app.css") return sendText(res, 200, "text/css; charset=utf-8", (await loadUiAssets()).css);
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (path === "/metrics") {
      if (!this.options.metrics) throw new HttpError(404, "Metrics are not enabled for this UI.");
      return sendText(res, 200, this.options.metrics.contentType, await this.options.metrics.metrics());
    }
    if (parts[0] === "api") {
      if (parts[1] !== "v1") throw new HttpError(404, `Unknown API version ${JSON.stringify(parts[1] ?? "")}; use /api/v1/.`);
      return this.api(parts.slice(2), url.searchParams, req, res);
    }
    throw new HttpError(404, `No page at ${path}. Pages: / (queries), /api/v1/queries, /metrics.`);
  }

  private api(parts: string[], params: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse): void {
    const allowParams = (...names: string[]): void => {
      for (const k of params.keys()) if (!names.includes(k)) throw new HttpError(400, `Unknown query parameter "${k}"${names.length ? `; allowed: ${names.join(", ")}` : ""}.`);
    };
    if (parts.length === 1 && parts[0] === "events") {
      allowParams();
      return this.openEvents(req, res);
    }
    if (parts[0] !== "queries") throw new HttpError(404, `Unknown API path /api/v1/${parts.join("/")}; use /api/v1/queries, /api/v1/queries/:id, /api/v1/queries/:id/progress or /api/v1/events.`);
    if (parts.length === 1) {
      allowParams();
      return sendJson(res, 200, this.tracker.list());
    }
    const id = parts[1]!;
    if (!ID_PATTERN.test(id)) throw new HttpError(400, `Malformed query id ${JSON.stringify(id.slice(0, 80))}: expected a query id or run id (letters, digits, '-', '_' or '.').`);
    if (parts.length === 2) {
      allowParams();
      const d = this.tracker.detail(id);
      if (!d) throw new HttpError(404, `No query with id or run id ${id}.`);
      return sendJson(res, 200, d);
    }
    if (parts.length === 3 && parts[2] === "progress") {
      allowParams("limit");
      let limit = Number.POSITIVE_INFINITY;
      const l = params.get("limit");
      if (l !== null) {
        if (!/^\d{1,6}$/.test(l) || Number(l) < 1) throw new HttpError(400, `The limit ${JSON.stringify(l)} is not a positive integer.`);
        limit = Number(l);
      }
      const p = this.tracker.progress(id);
      if (!p) throw new HttpError(404, `No query with id or run id ${id}.`);
      return sendJson(res, 200, p.slice(-limit));
    }
    throw new HttpError(404, `Unknown API path /api/v1/queries/${parts.slice(1).join("/")}; use /api/v1/queries/:id or /api/v1/queries/:id/progress.`);
  }

  private openEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
    });
    res.write("retry: 2000\n\n");
    this.sse.add(res);
    req.on("close", () => this.sse.delete(res));
  }
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => {
      server.off("listening", onListening);
      reject(e);
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'",
};

function sendJson(res: http.ServerResponse, status: number, body: Json): void {
  sendText(res, status, "application/json; charset=utf-8", JSON.stringify(body, null, 2));
}

function sendText(res: http.ServerResponse, status: number, type: string, text: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, "cache-control": "no-store", "content-length": Buffer.byteLength(text) });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function indexHtml(appName: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice · ${escapeHtml(appName)}</title>
<link rel="stylesheet" href="/app.css">
</head>
<body data-app-name="${escapeHtml(appName)}">
<div id="app"></div>
<script src="/app.js"></script>
</body>
</html>
`;
}
