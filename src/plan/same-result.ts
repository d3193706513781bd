import type { LogicalPlan } from "./logical-plan.js";

/**
 * Whether two plans compute the same rows up to the ids of their columns (Spark's `sameResult`
 * over canonicalized plans): the same nodes and expressions with the same values everywhere
 * (function state such as a window's durations included), where the column ids of one map one
 * to one onto those of the other. A SQL CTE referenced twice is analyzed twice, with fresh ids
 * the second time; this is what lets its aggregation run once. Rows in memory (a
 * LocalRelation's batches) and other opaque values must be the same objects; qualifiers (the
 * aliases a column can be named by) do not change rows and are not compared.
 */
export function sameResult(a: LogicalPlan, b: LogicalPlan): boolean {
  return same(a, b, new Map(), new Map());
}

/** Keys whose values (or list elements) are compared by identity: rows in memory and function definitions, not walked. */
const BY_IDENTITY = new Set(["batches", "fn"]);
const IGNORED = new Set(["qualifier"]);

function same(x: unknown, y: unknown, ids: Map<number, number>, back: Map<number, number>): boolean {
  if (typeof x !== "object" || x === null || typeof y !== "object" || y === null) return Object.is(x, y);
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!same(x[i], y[i], ids, back)) return false;
    return true;
  }
  if (Object.getPrototypeOf(x) !== Object.prototype || Object.getPrototypeOf(y) !== Object.prototype) return x === y;
  const xr = x as Record<string, unknown>, yr = y as Record<string, unknown>;
  const keys = Object.keys(xr);
  if (keys.length !== Object.keys(yr).length) return false;
  for (const k of keys) {
    if (!(k in yr)) return false;
    if (IGNORED.has(k)) continue;
    const xv = xr[k], yv = yr[k];
    if (BY_IDENTITY.has(k)) {
      // (A copied list of the same batches is the same rows.)
      if (xv !== yv && !(Array.isArray(xv) && Array.isArray(yv) && xv.length === yv.length && xv.every((v, i) => v === yv[i]))) return false;
    } else if (k === "id" && typeof xv === "number" && typeof yv === "number" && typeof xr["kind"] === "string") {
      // An expression's column id: consistent one-to-one renaming.
      const mapped = ids.get(xv), from = back.get(yv);
      if (mapped === undefined && from === undefined) {
        ids.set(xv, yv);
        back.set(yv, xv);
      } else if (mapped !== yv || from !== xv) return false;
    } else if (!same(xv, yv, ids, back)) return false;
  }
  return true;
}
