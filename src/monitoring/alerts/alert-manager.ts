import * as fs from "node:fs";
import type { StreamingQueryListener } from "../../streaming/streaming-listener.js";
import { type Alert, AlertEvaluator } from "./alert-evaluator.js";
import { type AlertRule, type AlertRuleSpec, AlertConfigError, validateAlertRule, validateWebhookUrl } from "./alert-rule.js";

/** Where alerts are logged: a pino logger fits. */
export interface AlertLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The JSON config file: `{ "webhooks": ["https://hooks.slack.com/..."], "rules": [{ "type": "queryFailed" }, ...] }`. */
export interface AlertConfig {
  readonly webhooks?: readonly string[];
  readonly rules: readonly AlertRuleSpec[];
}

export interface AlertManagerOptions {
  /** Where alerts (and failed webhook deliveries) are logged; default Sluice's pino logger. */
  readonly log?: AlertLog;
  /** Milliseconds; default 10 000. */
  readonly webhookTimeoutMs?: number;
  /** How often time-based rules (noInput) are checked; default 1 000 ms. */
  readonly checkIntervalMs?: number;
  /** The time (tests pass a fake one); default Date.now. */
  readonly now?: () => number;
}

/**
 * Validates an alert config (parsed JSON); errors name the bad key, e.g.
 * `rules[1].max: The rules[1].max 'ten minutes' is not a valid interval`.
 */
export function validateAlertConfig(config: unknown, source = "alert config"): { webhooks: string[]; rules: AlertRule[] } {
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new AlertConfigError(`${source} must be a JSON object with "rules" (and optionally "webhooks").`);
  const c = config as Record<string, unknown>;
  for (const k of Object.keys(c)) {
    if (k !== "rules" && k !== "webhooks") throw new AlertConfigError(`${source} has an unknown key "${k}"; allowed keys: rules, webhooks.`);
  }
  const hooks = c["webhooks"] ?? [];
  if (!Array.isArray(hooks)) throw new AlertConfigError(`${source}: webhooks must be an array of URLs.`);
  const rules = c["rules"];
  if (!Array.isArray(rules)) throw new AlertConfigError(`${source}: rules must be an array of rules, got ${JSON.stringify(rules)}.`);
  return {
    webhooks: hooks.map((h, i) => validateWebhookUrl(h, `webhooks[${i}]`)),
    rules: rules.map((r, i) => validateAlertRule(r, `rules[${i}]`)),
  };
}

/** Reads and validates an alert config file; a missing file, bad JSON or bad key is an AlertConfigError naming the file. */
export function readAlertConfigFile(file: string): { webhooks: string[]; rules: AlertRule[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new AlertConfigError(`Cannot read the alert config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new AlertConfigError(`The alert config file ${file} is not valid JSON: ${(e as Error).message}.`);
  }
  try {
    return validateAlertConfig(parsed, file);
  } catch (e) {
    if (e instanceof AlertConfigError && !e.message.startsWith(file)) throw new AlertConfigError(`${file}: ${e.message}`);
    throw e;
  }
}

/** The Slack-compatible body of an alert's webhook POST. */
export function webhookBody(alert: Alert): { text: string } {
  return { text: alert.message };
}

/**
 * Alert rules on the listener stream of a session, delivered to the log, to webhooks
 * (POST `{ "text": ... }`, which Slack's incoming webhooks and most chat tools accept) and to
 * handler functions.
 *
 * @example
 * const alerts = new AlertManager();
 * alerts.add({ type: "queryFailed" }).add({ type: "watermarkLag", max: "10 minutes" });
 * alerts.addWebhook(process.env.SLACK_WEBHOOK_URL!); // a Slack incoming-webhook URL
 * alerts.onAlert((a) => console.log(a.message));
 * spark.streams.addListener(alerts.listener);
 */
export class AlertManager {
  private rules: AlertRule[] = [];
  private readonly webhooks: string[] = [];
  private readonly handlers: ((a: Alert) => void | Promise<void>)[] = [];
  private readonly evaluator = new AlertEvaluator(() => this.rules);
  private readonly pending = new Set<Promise<void>>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private activeRuns = 0;
  private log: AlertLog | null;
  /** Every alert fired, newest last (at most 200). */
  readonly history: Alert[] = [];

  constructor(private readonly options: AlertManagerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? null;
  }

  /** Adds a rule (validated at once; errors name the bad key). */
  add(rule: AlertRuleSpec): this {
    this.rules.push(validateAlertRule(rule, `rule ${JSON.stringify(rule.name ?? rule.type)}`));
    return this;
  }
  /** Removes every rule with this name. */
  remove(name: string): this {
    this.rules = this.rules.filter((r) => r.name !== name);
    return this;
  }
  clear(): this {
    this.rules = [];
    return this;
  }
  get ruleList(): readonly AlertRule[] {
    return this.rules;
  }
  addWebhook(url: string): this {
    this.webhooks.push(validateWebhookUrl(url, "webhook"));
    return this;
  }
  /** Logs alerts (and failed deliveries) here instead of Sluice's pino logger. */
  useLog(log: AlertLog): this {
    this.log = log;
    return this;
  }
  /** Calls `fn` with every alert (after logging); a throwing handler is logged and ignored. */
  onAlert(fn: (a: Alert) => void | Promise<void>): this {
    this.handlers.push(fn);
    return this;
  }
  /** Adds the rules and webhooks of a config object (validated first: all or nothing). */
  configure(config: AlertConfig | unknown, source?: string): this {
    const c = validateAlertConfig(config, source);
    this.rules.push(...c.rules);
    this.webhooks.push(...c.webhooks);
    return this;
  }
  /** Adds the rules and webhooks of a JSON config file. */
  loadFile(file: string): this {
    const c = readAlertConfigFile(file);
    this.rules.push(...c.rules);
    this.webhooks.push(...c.webhooks);
    return this;
  }

  /** The listener to register with `spark.streams.addListener`. */
  readonly listener: StreamingQueryListener = {
    onQueryStarted: (e) => {
      this.activeRuns++;
      this.ensureTimer();
      this.deliverAll(this.evaluator.onStarted(e, this.now()));
    },
    onQueryProgress: (e) => this.deliverAll(this.evaluator.onProgress(e.progress, this.now())),
    onQueryIdle: () => this.deliverAll(this.evaluator.tick(this.now())),
    onQueryTerminated: (e) => {
      this.activeRuns = Math.max(0, this.activeRuns - 1);
      this.deliverAll(this.evaluator.onTerminated(e, this.now()));
      if (this.activeRuns === 0) this.stopTimer();
    },
  };

  /** Checks the time-based rules now (the timer calls this). */
  check(): void {
    this.deliverAll(this.evaluator.tick(this.now()));
  }

  /** Resolves when every delivery started so far has finished (or failed and been logged). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops the timer (a session's monitoring calls this on shutdown). */
  close(): void {
    this.stopTimer();
  }

  private ensureTimer(): void {
    if (this.timer || !this.rules.some((r) => r.type === "noInput")) return;
    this.timer = setInterval(() => this.check(), this.options.checkIntervalMs ?? 1000);
    this.timer.unref();
  }
  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private deliverAll(alerts: Alert[]): void {
    for (const a of alerts) this.track(this.deliver(a));
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async logger(): Promise<AlertLog> {
    if (!this.log) {
      const { createLogger } = await import("../logger.js");
      this.log = createLogger();
    }
    return this.log;
  }

  private async deliver(alert: Alert): Promise<void> {
    this.history.push(alert);
    if (this.history.length > 200) this.history.shift();
    const log = await this.logger();
    const fields = { alert: alert.rule, type: alert.type, query: alert.queryName, queryId: alert.queryId, ...alert.details };
    if (alert.severity === "critical") log.error(fields, alert.message);
    else log.warn(fields, alert.message);
    const rule = this.rules.find((r) => r.name === alert.rule);
    const urls = [...new Set([...this.webhooks, ...(rule?.webhooks ?? [])])];
    const jobs: Promise<void>[] = urls.map((u) => this.post(u, alert, log));
    for (const h of this.handlers) {
      jobs.push(
        (async () => {
          try {
            await h(alert);
          } catch (e) {
            log.warn({ alert: alert.rule, err: e }, `an alert handler threw: ${(e as Error)?.message ?? String(e)}`);
          }
        })(),
      );
    }
    await Promise.all(jobs);
  }

  private async post(url: string, alert: Alert, log: AlertLog): Promise<void> {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(webhookBody(alert)),
        signal: AbortSignal.timeout(this.options.webhookTimeoutMs ?? 10_000),
      });
      if (!res.ok) log.warn({ alert: alert.rule, webhook: redact(url), status: res.status }, `alert webhook ${redact(url)} answered HTTP ${res.status}`);
      await res.body?.cancel();
    } catch (e) {
      log.warn({ alert: alert.rule, webhook: redact(url) }, `alert webhook ${redact(url)} failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}

/** A webhook URL without its path (Slack's path is the secret). */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(webhook)";
  }
}
