import { planOutput } from "../../analyzer/plan-output.js";
import { exprSql } from "../../analyzer/expr-sql.js";
import type { AggCall, AttributeRef, Call, Expr, SortOrder, WindowExpr } from "../../expr/expression.js";
import type { Window } from "../../plan/logical-plan.js";
import { PREFIX_RANKING_FUNCTIONS } from "../../expr/window-functions.js";

/** One window function of a streaming window operator, as the operator computes it. */
export type StreamingWindowFunction =
  | { readonly kind: "row_number" | "rank" | "dense_rank" }
  /** lag (negative offset) or lead (positive offset); `value` and `fallback` index the evaluated expressions. */
  | { readonly kind: "offset"; readonly offset: number; readonly value: number; readonly fallback: number }
  /** lag(x, n) IGNORE NULLS: the n-th non-null x before the row (n >= 1); the state keeps the last n. */
  | { readonly kind: "lagIgnoreNulls"; readonly n: number; readonly value: number; readonly fallback: number }
  /**
   * lead(x, n) IGNORE NULLS: the n-th non-null x after the row (n >= 1). A row waits until n
   * final rows with a non-null x follow it, so the value is always found (never the default).
   */
  | { readonly kind: "leadIgnoreNulls"; readonly n: number; readonly value: number }
  /** A running aggregate over UNBOUNDED PRECEDING .. CURRENT ROW (ROWS: per row; RANGE: peers share a value). */
  | { readonly kind: "aggregate"; readonly call: AggCall; readonly args: readonly number[]; readonly frame: "rows" | "range" }
  /** An aggregate over a sliding ROWS frame `lower` .. `upper` rows from the current one (both <= 0). */
  | { readonly kind: "sliding"; readonly call: AggCall; readonly args: readonly number[]; readonly lower: number; readonly upper: number }
  /**
   * An aggregate over a RANGE frame of event time: the rows whose event time lies in
   * [t + lower, t + upper] for the current row's t, in microseconds (lower <= upper <= 0; CURRENT
   * ROW is 0, so peers share the frame), as the batch RANGE frame over a timestamp ORDER BY.
   */
  | { readonly kind: "range"; readonly call: AggCall; readonly args: readonly number[]; readonly lower: number; readonly upper: number };

/**
 * What a `Window` node over a stream needs to run incrementally: the input, the event-time
 * column that leads its ORDER BY, the expressions to evaluate per row (partition keys, order
 * keys, then the functions' arguments) and how far each row looks back (lag) and ahead (lead).
 */
export interface StreamingWindowSpec {
  readonly node: Window;
  readonly input: readonly AttributeRef[];
  /** Position of the watermarked event-time column in `input`. */
  readonly eventTimeIndex: number;
  /** partitionSpec, then the ORDER BY expressions, then the functions' arguments. */
  readonly exprs: readonly Expr[];
  readonly numPartitionKeys: number;
  readonly order: readonly SortOrder[];
  readonly functions: readonly StreamingWindowFunction[];
  /** How many emitted rows each key keeps for lag. */
  readonly lookBack: number;
  /**
   * How far back in event time (microseconds) the emitted rows each key keeps reach, for RANGE
   * frames with an offset: rows older than the next row to emit minus this are evicted; null
   * without such frames.
   */
  readonly lookBackMicros: number | null;
  /**
   * How many following rows a row waits for before it is emitted (lead); at least n for a
   * lead(x, n) IGNORE NULLS, which waits further, until n of them have a non-null x.
   */
  readonly lookAhead: number;
}

/** An integer literal (possibly cast), as the analyzer leaves lag/lead offsets. */
function literalInt(e: Expr | undefined, fallback: number): number | null {
  if (e === undefined) return fallback;
  if (e.kind === "Literal") return typeof e.value === "number" ? e.value : null;
  if (e.kind === "Cast") return literalInt(e.child, fallback);
  return null;
}

/**
 * Checks a Window node over a stream and describes how it runs, or fails (through `fail`, which
 * throws) with what cannot be supported and why:
 * - ORDER BY must start with the input's watermarked event-time column, ascending: a row is final
 *   once the watermark passes it, as no earlier row can arrive any more (later ORDER BY columns
 *   break ties);
 * - functions: row_number, rank, dense_rank, lag, lead (literal offsets; also IGNORE NULLS)
 *   and non-distinct aggregates without FILTER over a frame from UNBOUNDED PRECEDING to CURRENT
 *   ROW (the default frame with ORDER BY), a sliding `ROWS BETWEEN n PRECEDING AND CURRENT ROW`
 *   (or `m PRECEDING`), or a RANGE frame of event time `RANGE BETWEEN INTERVAL 10 SECONDS
 *   PRECEDING AND CURRENT ROW` (or an earlier `INTERVAL 2 SECONDS PRECEDING`; ORDER BY the event
 *   time alone, as the batch RANGE frame needs). Functions that need the whole partition (ntile,
 *   percent_rank, cume_dist, nth_value) or frames reaching following rows would wait for rows
 *   that may never come.
 */
export function streamingWindowSpec(node: Window, fail: (cls: string, msg: string) => never): StreamingWindowSpec {
  const input = planOutput(node.child);
  const fnNames = node.windowExprs.map((e) => exprSql(e));
  const where = `(${fnNames.join(", ")})`;
  const watermarked = input.filter((a) => a.watermarkDelayMicros !== undefined && a.dataType.kind === "timestamp");
  const first = node.orderSpec[0];
  if (first === undefined) {
    fail("STREAMING_WINDOW_FUNCTION_WITHOUT_ORDER", `Window functions ${where} on a streaming DataFrame need ORDER BY the watermarked event-time column, e.g. Window.partitionBy("key").orderBy("${watermarked[0]?.name ?? "eventTime"}"): rows are emitted in event-time order once the watermark passes them`);
  }
  if (watermarked.length === 0) {
    fail("STREAMING_WINDOW_FUNCTION_WITHOUT_WATERMARK", `Window functions ${where} on a streaming DataFrame need a watermark on the event-time column they are ordered by: define one with withWatermark() on the input first`);
  }
  const eventTimeIndex = first!.child.kind === "AttributeRef" ? input.findIndex((a) => a.id === (first!.child as AttributeRef).id && a.watermarkDelayMicros !== undefined && a.dataType.kind === "timestamp") : -1;
  if (eventTimeIndex < 0 || !first!.ascending) {
    fail(
      "STREAMING_WINDOW_FUNCTION_ORDER_NOT_EVENT_TIME",
      `Window functions ${where} on a streaming DataFrame must be ordered by the watermarked event-time column first, ascending (${watermarked.map((a) => a.name).join(" or ")}), not by ${exprSql(first!)}; other columns may follow it to break ties`,
    );
  }
  const exprs: Expr[] = [...node.partitionSpec, ...node.orderSpec.map((o) => o.child)];
  const push = (e: Expr): number => exprs.push(e) - 1;
  let lookBack = 0, lookAhead = 0;
  let lookBackMicros: number | null = null;
  const functions = node.windowExprs.map((named): StreamingWindowFunction => {
    const w = (named.kind === "Alias" ? named.child : named) as WindowExpr;
    const fn = w.fn;
    const label = exprSql(named);
    if (fn.kind === "Call" && fn.fn.windowOnly) {
      const name = fn.fn.name;
      if (PREFIX_RANKING_FUNCTIONS.has(name)) return { kind: name as "row_number" | "rank" | "dense_rank" };
      if (name === "lag" || name === "lead") return offsetFunction(fn, name, label);
      fail("STREAMING_WINDOW_FUNCTION_NOT_SUPPORTED", `Window function ${label} is not supported on streaming DataFrames: ${name} needs the whole partition, which a stream never has; use row_number, rank, dense_rank, lag, lead or running aggregates`);
    }
    if (fn.kind !== "AggCall") fail("STREAMING_WINDOW_FUNCTION_NOT_SUPPORTED", `Window function ${label} is not supported on streaming DataFrames`);
    const call = fn as AggCall;
    if (call.distinct || call.filter !== null) {
      fail("STREAMING_WINDOW_FUNCTION_NOT_SUPPORTED", `Window aggregate ${label} is not supported on streaming DataFrames: DISTINCT and FILTER are not supported in streaming window aggregates`);
    }
    const frame = w.spec.frame;
    if (frame === null || (frame.lower.type === "unboundedPreceding" && frame.upper.type === "currentRow")) {
      return { kind: "aggregate", call, args: call.args.map(push), frame: frame?.frameType ?? "range" };
    }
    // ROWS BETWEEN n PRECEDING AND CURRENT ROW (or m PRECEDING): the last n emitted rows are kept.
    const back = (b: typeof frame.lower): number | null => (b.type === "currentRow" ? 0 : b.type === "offset" && b.value <= 0 ? b.value : null);
    const lower = back(frame.lower), upper = back(frame.upper);
    if (frame.frameType === "rows" && lower !== null && upper !== null && lower <= upper) {
      lookBack = Math.max(lookBack, -lower);
      return { kind: "sliding", call, args: call.args.map(push), lower, upper };
    }
    // RANGE BETWEEN INTERVAL x PRECEDING AND CURRENT ROW (or y PRECEDING): offsets over the
    // timestamp are microseconds; the emitted rows within x of the next row to emit are kept.
    if (frame.frameType === "range" && lower !== null && upper !== null && lower <= upper) {
      if (node.orderSpec.length !== 1) {
        fail(
          "STREAMING_WINDOW_FRAME_NOT_SUPPORTED",
          `Window frame of ${label} is not supported: a RANGE frame with an offset needs exactly one ORDER BY expression (here the event-time column ${exprSql(first!.child)} alone), not ${node.orderSpec.length}`,
        );
      }
      lookBackMicros = Math.max(lookBackMicros ?? 0, -lower);
      return { kind: "range", call, args: call.args.map(push), lower, upper };
    }
    fail(
      "STREAMING_WINDOW_FRAME_NOT_SUPPORTED",
      `Window frame of ${label} is not supported on streaming DataFrames: only frames ending at the current row or before it are (UNBOUNDED PRECEDING, ROWS n PRECEDING or RANGE INTERVAL n PRECEDING to CURRENT ROW or to an earlier offset); a frame reaching following rows would wait for rows that may never come, and a frame from UNBOUNDED PRECEDING to an offset is not supported`,
    );
  });

  function offsetFunction(fn: Call, name: string, label: string): StreamingWindowFunction {
    const n = literalInt(fn.args[1], 1);
    if (n === null) fail("STREAMING_WINDOW_FUNCTION_NOT_SUPPORTED", `Window function ${label}: the offset must be an integer literal on streaming DataFrames`);
    const ignoreNulls = fn.args[3];
    const offset = name === "lag" ? -n! : n!;
    if (offset !== 0 && ignoreNulls !== undefined && ignoreNulls.kind === "Literal" && ignoreNulls.value === true) {
      if (offset < 0) return { kind: "lagIgnoreNulls", n: -offset, value: push(fn.args[0]!), fallback: fn.args[2] === undefined ? -1 : push(fn.args[2]) };
      // Waits for `offset` following rows at least, then for as many more as have a null x.
      lookAhead = Math.max(lookAhead, offset);
      return { kind: "leadIgnoreNulls", n: offset, value: push(fn.args[0]!) };
    }
    if (offset < 0) lookBack = Math.max(lookBack, -offset);
    else lookAhead = Math.max(lookAhead, offset);
    return { kind: "offset", offset, value: push(fn.args[0]!), fallback: fn.args[2] === undefined ? -1 : push(fn.args[2]) };
  }

  return { node, input, eventTimeIndex, exprs, numPartitionKeys: node.partitionSpec.length, order: node.orderSpec, functions, lookBack, lookBackMicros, lookAhead };
}
