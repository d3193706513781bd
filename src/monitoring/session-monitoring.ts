import type { Session } from "../api/session.js";
import type { QueryStartedEvent, StreamingQueryListener } from "../streaming/streaming-listener.js";
import { AlertManager } from "./alerts/alert-manager.js";
import type { BatchLoggerOptions, Logger } from "./logger.js";
import type { QueryMetrics } from "./metrics.js";
import { QueryTracker } from "./query-tracker.js";
import type { UiServer, UiServerOptions } from "../ui/ui-server.js";

/**
 * A listener whose implementation is imported on first use (pino, prom-client and node:http stay
 * out of sessions that never use them). Events that arrive while it loads are queued and replayed
 * in order.
 */
function deferred<T>(load: () => Promise<T>, listenerOf: (t: T) => StreamingQueryListener): { listener: StreamingQueryListener; ready: Promise<T> } {
  let target: StreamingQueryListener | null = null;
  let failed = false;
  const queue: [keyof StreamingQueryListener, unknown][] = [];
  const forward = (kind: keyof StreamingQueryListener, event: unknown): void => {
    if (failed) return;
    if (target === null) {
      queue.push([kind, event]);
      return;
    }
    const fn = target[kind] as ((e: unknown) => void) | undefined;
    fn?.call(target, event);
  };
  const ready = load().then(
    (t) => {
      target = listenerOf(t);
      for (const [k, e] of queue.splice(0)) forward(k, e);
      return t;
    },
    (e: unknown) => {
      failed = true;
      queue.length = 0;
      throw e;
    },
  );
  const listener: StreamingQueryListener = {
    onQueryStarted: (e) => forward("onQueryStarted", e),
    onQueryProgress: (e) => forward("onQueryProgress", e),
    onQueryIdle: (e) => forward("onQueryIdle", e),
    onQueryTerminated: (e) => forward("onQueryTerminated", e),
  };
  return { listener, ready };
}

/**
 * `spark.monitoring`: the web UI, Prometheus metrics, batch logging and alerts of a session, all
 * fed by the session's StreamingQueryListener stream (never by engine internals).
 *
 * Settings (read when the first query of the session starts; all off by default so tests and
 * library use stay quiet):
 * - `sluice.ui.enabled` (false), `sluice.ui.host` (127.0.0.1), `sluice.ui.port` (4040, next free
 *   port up to `sluice.ui.port.maxRetries` = 16 further, as Spark does; 0 = any free port),
 *   `sluice.ui.retainedQueries` (100), `sluice.ui.retainedProgressUpdates` (300).
 * - `sluice.log.batches.enabled` (false): one pino line per batch, warnings, failures;
 *   `sluice.log.level` (info), `sluice.log.slowBatchMs` (10000).
 * - `sluice.alerts.configFile`: a JSON alert config, validated when the session is created.
 *
 * @example
 * const spark = Session.builder().config("sluice.ui.enabled", true).getOrCreate();
 * spark.monitoring.alerts.add({ type: "queryFailed" }).addWebhook("https://hooks.slack.com/services/...");
 * const url = await spark.monitoring.startUi(); // or: started by the first query
 */
export class SessionMonitoring {
  /** Alert rules on this session's queries (`spark.monitoring.alerts.add({...})`). */
  readonly alerts = new AlertManager();
  private trackerValue: QueryTracker | null = null;
  private metricsLoad: Promise<QueryMetrics> | null = null;
  private uiServer: UiServer | null = null;
  private uiStart: Promise<string> | null = null;
  private loggerLoad: Promise<Logger> | null = null;
  private batchLogging = false;
  private alertsFileLoaded: string | null = null;
  private readonly checkpoints = new Map<string, string>();

  constructor(private readonly session: Session) {
    session.streams.addListener(this.alerts.listener);
    session.streams.addListener({ onQueryStarted: (e) => this.onFirstStarts(e) });
  }

  /** Applies settings that must fail early (the alert config file); the session calls this once its conf is set. */
  applyConf(): void {
    const file = this.session.conf.getOption("sluice.alerts.configFile");
    if (file) this.loadAlertsFile(file);
  }

  /** Keeps what the UI shows (attached on first use). */
  get tracker(): QueryTracker {
    if (!this.trackerValue) {
      const conf = this.session.conf;
      this.trackerValue = new QueryTracker({
        retainedQueries: Number(conf.getOption("sluice.ui.retainedQueries") ?? 100),
        retainedProgressUpdates: Number(conf.getOption("sluice.ui.retainedProgressUpdates") ?? 300),
        planOf: (id) => this.session.streams.get(id)?.explainString(true) ?? null,
      });
      this.session.streams.addListener(this.trackerValue.listener);
    }
    return this.trackerValue;
  }

  /** Prometheus metrics of this session's queries (attached on first use; also served on the UI's /metrics). */
  metrics(): Promise<QueryMetrics> {
    return this.attachMetrics(null);
  }

  private attachMetrics(missed: QueryStartedEvent | null): Promise<QueryMetrics> {
    if (!this.metricsLoad) {
      const d = deferred(
        async () => new (await import("./metrics.js")).QueryMetrics(),
        (m) => m.listener,
      );
      // registered now, so that no event is missed while prom-client loads
      this.session.streams.addListener(d.listener);
      if (missed) d.listener.onQueryStarted?.(missed);
      this.metricsLoad = d.ready;
    }
    return this.metricsLoad;
  }

  /** The session's pino logger (`sluice.log.level`). */
  logger(): Promise<Logger> {
    this.loggerLoad ??= import("./logger.js").then(({ createLogger }) => createLogger({ level: this.session.conf.getOption("sluice.log.level") ?? "info" }));
    return this.loggerLoad;
  }

  /** Logs every batch of every query (info), slow batches and falling behind (warn), failures (error). */
  enableBatchLogging(options: BatchLoggerOptions = {}): void {
    this.attachBatchLogging(options, null);
  }

  private attachBatchLogging(options: BatchLoggerOptions, missed: QueryStartedEvent | null): void {
    if (this.batchLogging) return;
    this.batchLogging = true;
    const slow = Number(this.session.conf.getOption("sluice.log.slowBatchMs") ?? 10_000);
    const d = deferred(
      async () => {
        const [{ batchLogger }, log] = await Promise.all([import("./logger.js"), this.logger()]);
        return batchLogger(log, { slowBatchMs: slow, checkpointOf: (id) => this.checkpoints.get(id) ?? null, ...options });
      },
      (l) => l,
    );
    d.ready.catch((e: unknown) => process.emitWarning(`Sluice batch logging could not start: ${(e as Error)?.message ?? String(e)}`));
    this.session.streams.addListener(d.listener);
    if (missed) d.listener.onQueryStarted?.(missed);
  }

  /** The UI's URL once started, else null. */
  get uiUrl(): string | null {
    return this.uiServer?.url ?? null;
  }

  /**
   * Starts the web UI (and /metrics) with the session's `sluice.ui.*` settings, overridden by
   * `options`; resolves with its URL, rejects with a UiServerError naming the port and setting.
   */
  startUi(options: UiServerOptions = {}): Promise<string> {
    return this.startUiFor(options, null);
  }

  private startUiFor(options: UiServerOptions, missed: QueryStartedEvent | null): Promise<string> {
    if (this.uiStart) return this.uiStart;
    const tracker = this.tracker;
    const conf = this.session.conf;
    const start = async (): Promise<string> => {
      const [{ UiServer }, metrics] = await Promise.all([import("../ui/ui-server.js"), this.attachMetrics(missed)]);
      this.uiServer = new UiServer(tracker, {
        host: conf.getOption("sluice.ui.host") ?? "127.0.0.1",
        port: Number(conf.getOption("sluice.ui.port") ?? 4040),
        maxRetries: Number(conf.getOption("sluice.ui.port.maxRetries") ?? 16),
        appName: this.session.appName,
        metrics,
        unref: true,
        ...options,
      });
      return this.uiServer.start();
    };
    this.uiStart = start().catch((e: unknown) => {
      this.uiStart = null;
      this.uiServer = null;
      throw e;
    });
    return this.uiStart;
  }

  /** Stops the UI and the alert timer. */
  async close(): Promise<void> {
    this.alerts.close();
    const ui = this.uiServer;
    this.uiServer = null;
    this.uiStart = null;
    await ui?.stop();
  }

  /** Reads and validates an alert config file into `alerts` (throws AlertConfigError naming the key). */
  loadAlertsFile(file: string): void {
    if (this.alertsFileLoaded === file) return;
    this.alerts.loadFile(file);
    this.alertsFileLoaded = file;
  }

  private onFirstStarts(e: QueryStartedEvent): void {
    const q = this.session.streams.get(e.id);
    // the restart hint of failure logs (StreamingQuery has no public checkpoint getter yet)
    const dir = (q?.execution as { checkpointDir?: unknown } | undefined)?.checkpointDir;
    if (typeof dir === "string") this.checkpoints.set(e.id, dir);
    const conf = this.session.conf;
    // listeners registered during this event's dispatch are handed the event they missed
    if (conf.getOption("sluice.log.batches.enabled") === "true") this.attachBatchLogging({}, e);
    const file = conf.getOption("sluice.alerts.configFile");
    if (file && this.alertsFileLoaded !== file) {
      try {
        this.loadAlertsFile(file);
      } catch (err) {
        void this.logger().then((log) => log.error({ file }, (err as Error).message));
      }
    }
    if (conf.getOption("sluice.ui.enabled") === "true" && !this.uiStart) {
      const fresh = this.trackerValue === null;
      const tracker = this.tracker;
      if (fresh) tracker.listener.onQueryStarted?.(e);
      this.startUiFor({}, this.metricsLoad ? null : e).then(
        (url) => void this.logger().then((log) => log.info({ url }, `Sluice UI at ${url}`)),
        (err: unknown) => void this.logger().then((log) => log.error({ err }, `Sluice UI did not start: ${(err as Error)?.message ?? String(err)}`)),
      );
    }
  }
}
