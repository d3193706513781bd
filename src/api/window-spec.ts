import type { Expr, FrameBoundary, SortOrder, WindowSpec as WindowSpecNode } from "../expr/expression.js";
import { Expr as E } from "../expr/expression.js";
import type { Column } from "./column.js";
import { colExpr } from "./column.js";

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
  rangeBetween(start: number, end: number): WindowSpec {
    return new WindowSpec({ ...this.node, frame: { frameType: "range", lower: boundary(start, true), upper: boundary(end, false) } });
  }
}

export const Window = {
  unboundedPreceding: Number.MIN_SAFE_INTEGER,
  unboundedFollowing: Number.MAX_SAFE_INTEGER,
  currentRow: 0,
  partitionBy: (...cols: ColArg[]): WindowSpec => new WindowSpec({ partitionBy: [], orderBy: [], frame: null }).partitionBy(...cols),
  orderBy: (...cols: ColArg[]): WindowSpec => new WindowSpec({ partitionBy: [], orderBy: [], frame: null }).orderBy(...cols),
  rowsBetween: (s: number, e: number): WindowSpec => new WindowSpec({ partitionBy: [], orderBy: [], frame: null }).rowsBetween(s, e),
  rangeBetween: (s: number, e: number): WindowSpec => new WindowSpec({ partitionBy: [], orderBy: [], frame: null }).rangeBetween(s, e),
};
