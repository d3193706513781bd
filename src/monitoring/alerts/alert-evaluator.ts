import type { StreamingQueryProgress } from "../../streaming/progress.js";
import type { QueryStartedEvent, QueryTerminatedEvent } from "../../streaming/streaming-listener.js";
import type { AlertRule, AlertRuleType, AlertSeverity } from "./alert-rule.js";

/** One fired alert. */
export interface Alert {
  /** The rule's name. */
  readonly rule: string;
  readonly type: AlertRuleType;
  readonly severity: AlertSeverity;
  readonly queryId: string;
  readonly queryName: string | null;
  readonly runId: string;
  /** One line for people (also the webhook's `text`). */
  readonly message: string;
  /** ISO-8601 wall-clock time the alert fired. */
  readonly timestamp: string;
  /** The figures that tripped the rule. */
  readonly details: Readonly<Record<string, unknown>>;
}

interface RunState {
  id: string;
  name: string | null;
  runId: string;
  lastInputAt: number;
  behind: number;
  /** Rules (by index) whose condition holds now; an alert fires when one enters this set. */
  firing: Set<number>;
}

/**
 * The decisions of alerting, without I/O: fed listener events and the time, returns the alerts
 * to deliver. Each condition fires once when it becomes true and re-arms when it clears, so a
 * query that stays behind does not flood the webhook.
 */
export class AlertEvaluator {
  private readonly runs = new Map<string, RunState>();

  constructor(private readonly rules: () => readonly AlertRule[]) {}

  onStarted(e: QueryStartedEvent, now: number): Alert[] {
    this.runs.set(e.runId, { id: e.id, name: e.name, runId: e.runId, lastInputAt: now, behind: 0, firing: new Set() });
    return [];
  }

  onProgress(p: StreamingQueryProgress, now: number): Alert[] {
    if (this.rules().length === 0) return [];
    let r = this.runs.get(p.runId);
    if (!r) {
      r = { id: p.id, name: p.name, runId: p.runId, lastInputAt: now, behind: 0, firing: new Set() };
      this.runs.set(p.runId, r);
    }
    if (p.numInputRows > 0) r.lastInputAt = now;
    const behind = p.numInputRows > 0 && Number.isFinite(p.inputRowsPerSecond) && Number.isFinite(p.processedRowsPerSecond) && p.processedRowsPerSecond < p.inputRowsPerSecond;
    r.behind = behind ? r.behind + 1 : p.numInputRows > 0 ? 0 : r.behind;
    const out: Alert[] = [];
    const wm = Date.parse(p.eventTime["watermark"] ?? "");
    // the epoch is "no watermark yet" (no event seen), not a lag of decades
    const at = Date.parse(p.timestamp);
    const lagMs = Number.isFinite(wm) && wm > 0 && Number.isFinite(at) ? at - wm : null;
    let stateRows = 0, stateBytes = 0;
    for (const op of p.stateOperators) {
      stateRows += Number.isFinite(op.numRowsTotal) ? op.numRowsTotal : 0;
      stateBytes += Number.isFinite(op.memoryUsedBytes) ? op.memoryUsedBytes : 0;
    }
    this.rules().forEach((rule, i) => {
      if (!this.applies(rule, r)) return;
      switch (rule.type) {
        case "fallingBehind":
          this.edge(out, r, i, rule, now, r.behind >= rule.batches, () => ({
            message: `processing ${Math.round(p.processedRowsPerSecond)} rows/s is below input ${Math.round(p.inputRowsPerSecond)} rows/s for ${r.behind} batches (batch ${p.batchId})`,
            details: { batchId: p.batchId, inputRowsPerSecond: p.inputRowsPerSecond, processedRowsPerSecond: p.processedRowsPerSecond, batches: r.behind },
          }));
          break;
        case "watermarkLag":
          this.edge(out, r, i, rule, now, lagMs !== null && lagMs > rule.maxMs, () => ({
            message: `watermark ${p.eventTime["watermark"]} lags batch time ${p.timestamp} by ${fmtMs(lagMs ?? 0)} (bound ${fmtMs(rule.maxMs)})`,
            details: { batchId: p.batchId, watermark: p.eventTime["watermark"], batchTime: p.timestamp, lagMs, maxLagMs: rule.maxMs },
          }));
          break;
        case "stateSize": {
          const over = (rule.maxRows !== null && stateRows > rule.maxRows) || (rule.maxBytes !== null && stateBytes > rule.maxBytes);
          this.edge(out, r, i, rule, now, over, () => ({
            message: `state holds ${stateRows} rows, ${stateBytes} bytes (bound ${rule.maxRows ?? "-"} rows, ${rule.maxBytes ?? "-"} bytes) after batch ${p.batchId}`,
            details: { batchId: p.batchId, stateRows, stateBytes, maxRows: rule.maxRows, maxBytes: rule.maxBytes },
          }));
          break;
        }
        case "noInput":
          this.noInput(out, r, i, rule, now);
          break;
        case "queryFailed":
          break;
      }
    });
    return out;
  }

  /** Checks the time-based rules (no input for a duration); call on a timer and on idle events. */
  tick(now: number): Alert[] {
    const out: Alert[] = [];
    const rules = this.rules();
    for (const r of this.runs.values()) {
      rules.forEach((rule, i) => {
        if (rule.type === "noInput" && this.applies(rule, r)) this.noInput(out, r, i, rule, now);
      });
    }
    return out;
  }

  onTerminated(e: QueryTerminatedEvent, now: number): Alert[] {
    const r = this.runs.get(e.runId) ?? { id: e.id, name: null, runId: e.runId, lastInputAt: now, behind: 0, firing: new Set<number>() };
    this.runs.delete(e.runId);
    if (e.exception === null) return [];
    const out: Alert[] = [];
    const batchId = (e.error as { batchId?: unknown } | null)?.batchId ?? null;
    this.rules().forEach((rule, i) => {
      if (rule.type !== "queryFailed" || !this.applies(rule, r)) return;
      r.firing.delete(i);
      this.edge(out, r, i, rule, now, true, () => ({
        message: `failed${typeof batchId === "number" ? ` in batch ${batchId}` : ""}: ${e.exception}`,
        details: { exception: e.exception, errorClass: e.errorClassOnException, batchId },
      }));
    });
    return out;
  }

  private applies(rule: AlertRule, r: RunState): boolean {
    return rule.query === null || rule.query === r.name || rule.query === r.id;
  }

  private noInput(out: Alert[], r: RunState, i: number, rule: AlertRule & { type: "noInput" }, now: number): void {
    const quiet = now - r.lastInputAt;
    this.edge(out, r, i, rule, now, quiet >= rule.forMs, () => ({
      message: `no input rows for ${fmtMs(quiet)} (bound ${fmtMs(rule.forMs)})`,
      details: { quietMs: quiet, forMs: rule.forMs, lastInputAt: new Date(r.lastInputAt).toISOString() },
    }));
  }

  private edge(out: Alert[], r: RunState, i: number, rule: AlertRule, now: number, holds: boolean, make: () => { message: string; details: Record<string, unknown> }): void {
    if (!holds) {
      r.firing.delete(i);
      return;
    }
    if (r.firing.has(i)) return;
    r.firing.add(i);
    const { message, details } = make();
    const label = r.name ?? r.id;
    out.push({
      rule: rule.name,
      type: rule.type,
      severity: rule.severity,
      queryId: r.id,
      queryName: r.name,
      runId: r.runId,
      message: `[${rule.severity}] ${rule.name}: query ${label} ${message}`,
      timestamp: new Date(now).toISOString(),
      details,
    });
  }
}

function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
