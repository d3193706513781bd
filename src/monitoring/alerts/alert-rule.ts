import { SluiceError } from "../../errors/errors.js";
import { fixedMicros, parseInterval } from "../../types/interval.js";

/** A bad alert rule or alert config file; the message names the offending key. */
export class AlertConfigError extends SluiceError {
  constructor(message: string) {
    super("INVALID_ALERT_CONFIG", message);
  }
}

export type AlertSeverity = "critical" | "warning";

interface RuleCommon {
  /** Names the rule in alerts; defaults to its type. */
  readonly name?: string;
  /** Only queries with this name or id (default: every query). */
  readonly query?: string;
  readonly severity?: AlertSeverity;
  /** Webhook URLs for this rule, in addition to the manager's. */
  readonly webhooks?: readonly string[];
}

/**
 * An alert rule as users write it, in code or in a JSON config file. Durations are Spark
 * interval text (`"5 minutes"`) or milliseconds.
 *
 * - `queryFailed`: a query terminated with an exception.
 * - `fallingBehind`: processing rate below input rate for `batches` consecutive batches (default 3).
 * - `noInput`: no input rows for `for` (missing data), checked on events and on a timer.
 * - `watermarkLag`: batch time minus watermark over `max`.
 * - `stateSize`: state rows over `maxRows` or state memory over `maxBytes` (summed over operators).
 */
export type AlertRuleSpec = RuleCommon &
  (
    | { readonly type: "queryFailed" }
    | { readonly type: "fallingBehind"; readonly batches?: number }
    | { readonly type: "noInput"; readonly for: string | number }
    | { readonly type: "watermarkLag"; readonly max: string | number }
    | { readonly type: "stateSize"; readonly maxRows?: number; readonly maxBytes?: number }
  );

export type AlertRuleType = AlertRuleSpec["type"];

/** A validated rule with durations in milliseconds. */
export type AlertRule = {
  readonly name: string;
  readonly query: string | null;
  readonly severity: AlertSeverity;
  readonly webhooks: readonly string[];
} & (
  | { readonly type: "queryFailed" }
  | { readonly type: "fallingBehind"; readonly batches: number }
  | { readonly type: "noInput"; readonly forMs: number }
  | { readonly type: "watermarkLag"; readonly maxMs: number }
  | { readonly type: "stateSize"; readonly maxRows: number | null; readonly maxBytes: number | null }
);

const COMMON_KEYS = ["type", "name", "query", "severity", "webhooks"];
const TYPE_KEYS: Record<AlertRuleType, readonly string[]> = {
  queryFailed: [],
  fallingBehind: ["batches"],
  noInput: ["for"],
  watermarkLag: ["max"],
  stateSize: ["maxRows", "maxBytes"],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks a webhook URL (http or https); `where` names the key in errors. */
export function validateWebhookUrl(v: unknown, where: string): string {
  if (typeof v !== "string") throw new AlertConfigError(`${where} must be a URL string, got ${JSON.stringify(v)}.`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new AlertConfigError(`${where} is not a valid URL: ${JSON.stringify(v)}.`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new AlertConfigError(`${where} must be an http or https URL, got ${JSON.stringify(v)}.`);
  return v;
}

function durationMs(v: unknown, where: string): number {
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v <= 0) throw new AlertConfigError(`${where} must be a positive number of milliseconds or interval text such as "5 minutes", got ${v}.`);
    return v;
  }
  if (typeof v !== "string") throw new AlertConfigError(`${where} must be interval text such as "5 minutes" or milliseconds, got ${JSON.stringify(v)}.`);
  let ms: number;
  try {
    ms = fixedMicros(parseInterval(v, where), where) / 1000;
  } catch (e) {
    throw new AlertConfigError(`${where}: ${(e as Error).message}`);
  }
  if (!(ms > 0)) throw new AlertConfigError(`${where} must be a positive duration, got ${JSON.stringify(v)}.`);
  return ms;
}

function positiveNumber(v: unknown, where: string, integer: boolean): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new AlertConfigError(`${where} must be a positive ${integer ? "integer" : "number"}, got ${JSON.stringify(v)}.`);
  }
  return v;
}

/**
 * Validates a rule written in code or read from a config file; `where` names it in errors
 * (e.g. `rules[2]`), and every error names the bad key.
 */
export function validateAlertRule(spec: unknown, where = "rule"): AlertRule {
  if (!isRecord(spec)) throw new AlertConfigError(`${where} must be an object with a "type", got ${JSON.stringify(spec)}.`);
  const type = spec["type"];
  if (typeof type !== "string" || !(type in TYPE_KEYS)) {
    throw new AlertConfigError(`${where}.type must be one of ${Object.keys(TYPE_KEYS).join(", ")}, got ${JSON.stringify(type)}.`);
  }
  const t = type as AlertRuleType;
  const allowed = [...COMMON_KEYS, ...TYPE_KEYS[t]];
  for (const k of Object.keys(spec)) {
    if (!allowed.includes(k)) throw new AlertConfigError(`${where} has an unknown key "${k}" for a ${t} rule; allowed keys: ${allowed.join(", ")}.`);
  }
  const name = spec["name"] ?? t;
  if (typeof name !== "string" || name === "") throw new AlertConfigError(`${where}.name must be a non-empty string.`);
  const query = spec["query"] ?? null;
  if (query !== null && typeof query !== "string") throw new AlertConfigError(`${where}.query must be a query name or id (a string).`);
  const severity = spec["severity"] ?? (t === "queryFailed" ? "critical" : "warning");
  if (severity !== "critical" && severity !== "warning") throw new AlertConfigError(`${where}.severity must be "critical" or "warning", got ${JSON.stringify(severity)}.`);
  const hooks = spec["webhooks"] ?? [];
  if (!Array.isArray(hooks)) throw new AlertConfigError(`${where}.webhooks must be an array of URLs.`);
  const webhooks = hooks.map((h, i) => validateWebhookUrl(h, `${where}.webhooks[${i}]`));
  const common = { name, query, severity: severity as AlertSeverity, webhooks };
  switch (t) {
    case "queryFailed":
      return { ...common, type: t };
    case "fallingBehind":
      return { ...common, type: t, batches: spec["batches"] === undefined ? 3 : positiveNumber(spec["batches"], `${where}.batches`, true) };
    case "noInput":
      if (spec["for"] === undefined) throw new AlertConfigError(`${where}.for is required for a noInput rule (e.g. "5 minutes").`);
      return { ...common, type: t, forMs: durationMs(spec["for"], `${where}.for`) };
    case "watermarkLag":
      if (spec["max"] === undefined) throw new AlertConfigError(`${where}.max is required for a watermarkLag rule (e.g. "10 minutes").`);
      return { ...common, type: t, maxMs: durationMs(spec["max"], `${where}.max`) };
    case "stateSize": {
      const maxRows = spec["maxRows"] === undefined ? null : positiveNumber(spec["maxRows"], `${where}.maxRows`, true);
      const maxBytes = spec["maxBytes"] === undefined ? null : positiveNumber(spec["maxBytes"], `${where}.maxBytes`, false);
      if (maxRows === null && maxBytes === null) throw new AlertConfigError(`${where} needs maxRows or maxBytes for a stateSize rule.`);
      return { ...common, type: t, maxRows, maxBytes };
    }
  }
}
