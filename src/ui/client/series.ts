/**
 * Chart series from progress reports (pure functions, shared by the page and its tests). Every
 * series is `[x, ...ys]` with x in seconds since the epoch, as uPlot wants; a missing figure is
 * null (a gap), never 0.
 */

/** A progress report as the API sends it (Spark's JSON: non-finite rates are left out). */
export interface Progress {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
  readonly timestamp: string;
  readonly batchId: number;
  readonly batchDuration?: number;
  readonly numInputRows?: number;
  readonly inputRowsPerSecond?: number;
  readonly processedRowsPerSecond?: number;
  readonly durationMs?: Readonly<Record<string, number>>;
  readonly eventTime?: Readonly<Record<string, string>>;
  readonly stateOperators?: readonly {
    readonly operatorName?: string;
    readonly numRowsTotal?: number;
    readonly memoryUsedBytes?: number;
    readonly numRowsDroppedByWatermark?: number;
  }[];
}

export interface Series {
  readonly labels: readonly string[];
  /** `[xs, ys1, ys2, ...]` */
  readonly data: (number | null)[][];
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function xs(ps: readonly Progress[]): number[] {
  // uPlot needs strictly ordered x; batches within one millisecond are nudged apart
  const out: number[] = [];
  for (const p of ps) {
    let x = Date.parse(p.timestamp) / 1000;
    const prev = out.at(-1);
    if (prev !== undefined && !(x > prev)) x = prev + 0.0001;
    out.push(x);
  }
  return out;
}

export function rateSeries(ps: readonly Progress[]): Series {
  return { labels: ["input rows/s", "processed rows/s"], data: [xs(ps), ps.map((p) => num(p.inputRowsPerSecond)), ps.map((p) => num(p.processedRowsPerSecond))] };
}

export function inputRowsSeries(ps: readonly Progress[]): Series {
  return { labels: ["input rows"], data: [xs(ps), ps.map((p) => num(p.numInputRows))] };
}

/** The phases of durationMs, triggerExecution (the whole batch) first. */
export function durationSeries(ps: readonly Progress[]): Series {
  const keys = new Set<string>();
  for (const p of ps) for (const k of Object.keys(p.durationMs ?? {})) keys.add(k);
  const ordered = [...keys].sort((a, b) => (a === "triggerExecution" ? -1 : b === "triggerExecution" ? 1 : a.localeCompare(b)));
  return { labels: ordered, data: [xs(ps), ...ordered.map((k) => ps.map((p) => num(p.durationMs?.[k])))] };
}

/** Seconds by which the watermark (and the newest event time seen) trail the batch time. */
export function eventTimeLagSeries(ps: readonly Progress[]): Series {
  const lag = (p: Progress, key: string): number | null => {
    const t = Date.parse(p.eventTime?.[key] ?? "");
    const at = Date.parse(p.timestamp);
    // a watermark at the epoch is Spark's "none yet" (before the first event), not a 56-year lag
    return Number.isFinite(t) && t > 0 && Number.isFinite(at) ? (at - t) / 1000 : null;
  };
  return { labels: ["watermark lag (s)", "max event-time lag (s)"], data: [xs(ps), ps.map((p) => lag(p, "watermark")), ps.map((p) => lag(p, "max"))] };
}

function operatorLabels(ps: readonly Progress[]): string[] {
  let n = 0;
  const names: string[] = [];
  for (const p of ps) {
    const ops = p.stateOperators ?? [];
    n = Math.max(n, ops.length);
    ops.forEach((o, i) => (names[i] ??= `${i}: ${o.operatorName ?? "operator"}`));
  }
  return Array.from({ length: n }, (_, i) => names[i] ?? `${i}`);
}

export function stateRowsSeries(ps: readonly Progress[]): Series {
  const labels = operatorLabels(ps);
  return { labels, data: [xs(ps), ...labels.map((_, i) => ps.map((p) => num(p.stateOperators?.[i]?.numRowsTotal)))] };
}

export function stateMemorySeries(ps: readonly Progress[]): Series {
  const labels = operatorLabels(ps);
  return { labels, data: [xs(ps), ...labels.map((_, i) => ps.map((p) => num(p.stateOperators?.[i]?.memoryUsedBytes)))] };
}

export function lateRowsSeries(ps: readonly Progress[]): Series {
  return {
    labels: ["rows dropped as late"],
    data: [xs(ps), ps.map((p) => (p.stateOperators && p.stateOperators.length > 0 ? p.stateOperators.reduce((a, o) => a + (num(o.numRowsDroppedByWatermark) ?? 0), 0) : null))],
  };
}

/** The last non-null value of series `i` (1-based, as in `data`), or null. */
export function latest(s: Series, i = 1): number | null {
  const ys = s.data[i] ?? [];
  for (let k = ys.length - 1; k >= 0; k--) if (ys[k] !== null && ys[k] !== undefined) return ys[k]!;
  return null;
}

export function formatNumber(v: number | null, digits = 1): string {
  if (v === null) return "–";
  if (Math.abs(v) >= 1e9) return (v / 1e9).toFixed(digits) + "G";
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(digits) + "M";
  if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(digits) + "k";
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

export function formatBytes(v: number | null): string {
  if (v === null) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
