import type { Expr, FrameBoundary, SortOrder, WindowSpec as WindowSpecNode } from "../expr/expression.js";
import { Expr as E } from "../expr/expression.js";
import type { Column } from "./column.js";
import { colExpr } from "./column.js";
import { fixedMicros, parseInterval } from "../types/interval.js";

type ColArg = Column | string;

const toSort = (c: ColArg): SortOrder => {
  const e = colExpr(c);
  return e.kind === "SortOrder" ? e : E.sortOrder(e, true);
};

const boundary = (v: number, lower: boolean): FrameBoundary => {
  if (v === Window.unboundedPreceding || (lower && v <= -Number.MAX_SAFE_INTEGER)) return { type: "unboundedPreceding" };
  if (v === Window.unboundedFollowing || (!lower && v >= Number.MAX_SAFE_INTEGER)) return { type: "unboundedFollowing" };
  if (v === 0) return { type: "currentRow" };
  return { type: "offset", value: v };
};

/** A RANGE bound: a number as `boundary`, or fixed-length interval text in microseconds ("-10 seconds"). */
const rangeBoundary = (v: number | string, lower: boolean): FrameBoundary => {
  if (typeof v === "number") return boundary(v, lower);
  const micros = fixedMicros(parseInterval(v, "RANGE frame offset"), "RANGE frame offset");
  return micros === 0 ? { type: "currentRow" } : { type: "offset", value: micros, interval: true };
};

/**
 * A window specification for window functions, built like PySpark's:
 * `Window.partitionBy("k").orderBy("t").rowsBetween(Window.unboundedPreceding, Window.currentRow)`.
 */
export class WindowSpec {
  constructor(readonly node: WindowSpecNode) {}
  partitionBy(...cols: ColArg[]): WindowSpec {
    return new WindowSpec({ ...this.node, partitionBy: cols.map(colExpr) as readonly Expr[] });
  }
  orderBy(...cols: ColArg[]): WindowSpec {
    return new WindowSpec({ ...this.node, orderBy: cols.map(toSort) });
  }
  rowsBetween(start: number, end: number): WindowSpec {
    return new WindowSpec({ ...this.node, frame: { frameType: "rows", lower: boundary(start, true), upper: boundary(end, false) } });
  }
  /**
   * A RANGE frame: offsets in ORDER BY units, or, over a timestamp ORDER BY, interval text
   * (negative: preceding), as SQL's `RANGE BETWEEN INTERVAL 10 SECONDS PRECEDING AND CURRENT ROW`:
   * ```ts
   * F.avg("x").over(Window.partitionBy("k").orderBy("ts").rangeBetween("-10 seconds", Window.currentRow))
   * ```
   */
  rangeBetween(start: number | string, end: number | string): WindowSpec {
    return new WindowSpec({ ...this.node, frame: { frameType: "range", lower: rangeBoundary(start, true), upper: rangeBoundary(end, false) } });
  }
}

export const Window = {
  unboundedPreceding: Number.MIN_SAFE_INTEGER,
  unboundedFollowing: Number.MAX_SAFE_INTEGER,
  currentRow: 0,
  partitionBy: (...cols: ColArg[]): WindowSpec => new WindowSpec({ partitionBy: [], orderBy: [], frame: null }).partitionBy(...cols),
  orderBy: (...cols: ColArg[]): WindowSpec => new WindowSpec({ partitionBy: [], orderBy: [], frame: null }).orderBy(...cols),
  rowsBetween: (s: number, e: number): WindowSpec => new WindowSpec({ partitionBy: [], orderBy: [], frame: null }).rowsBetween(s, e),
  rangeBetween: (s: number | string, e: number | string): WindowSpec => new WindowSpec({ partitionBy: [], orderBy: [], frame: null }).rangeBetween(s, e),
};
