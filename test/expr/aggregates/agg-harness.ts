import "../../../src/expr/aggregates/index.js";
import type { DataType } from "../../../src/types/data-type.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, BoundSignature, ExecFunctionContext } from "../../../src/expr/function-def.js";
import { lookupFunction } from "../../../src/expr/function-registry.js";

/** One argument: a column of `type`, or a constant when `value` is given. */
export interface ArgSpec { type: DataType; value?: unknown }

export const col = (type: DataType): ArgSpec => ({ type });
export const lit = (type: DataType, value: unknown): ArgSpec => ({ type, value });

const ctx: ExecFunctionContext = { timeZone: "UTC", ansi: false, currentTimestampMicros: 0 };

export interface Compiled { def: AggregateFunctionDef; sig: BoundSignature; acc: Accumulator; specs: readonly ArgSpec[] }

export function compileAgg(name: string, specs: readonly ArgSpec[]): Compiled {
  const def = lookupFunction(name);
  if (!def || def.type !== "aggregate") throw new Error(`no aggregate ${name}`);
  const infos: ArgInfo[] = specs.map((s) =>
    "value" in s ? { dataType: s.type, nullable: s.value === null, foldable: true, value: s.value } : { dataType: s.type, nullable: true, foldable: false },
  );
  const sig = def.resolve(infos, ctx);
  const bound: BoundSignature = { ...sig, argTypes: specs.map((s) => s.type) };
  return { def, sig: bound, acc: def.compile(bound, ctx), specs };
}

/** Feeds rows (values of the non-constant arguments, in order) into a fresh buffer, as the engine would. */
export function feed(c: Compiled, rows: readonly (readonly unknown[])[], buf: unknown = c.acc.init()): unknown {
  const skip = c.def.skipNulls ?? true;
  const update = c.acc.update as (b: unknown, ...a: unknown[]) => unknown;
  for (const row of rows) {
    let k = 0;
    const args = c.specs.map((s) => ("value" in s ? s.value : row[k++]));
    if (skip && args.some((a) => a === null)) continue;
    buf = update(buf, ...args);
  }
  return buf;
}

export function roundTrip(c: Compiled, buf: unknown): unknown {
  return c.acc.deserialize(JSON.parse(JSON.stringify(c.acc.serialize(buf))));
}

/** One pass over all rows. */
export function runAgg(name: string, specs: readonly ArgSpec[], rows: readonly (readonly unknown[])[]): unknown {
  const c = compileAgg(name, specs);
  return c.acc.finish(feed(c, rows));
}

/** Rows split at `cuts`, each part aggregated, serialized through JSON, then merged left to right. */
export function runSplit(c: Compiled, rows: readonly (readonly unknown[])[], cuts: readonly number[]): unknown {
  const points = [...new Set(cuts.map((x) => Math.min(rows.length, Math.max(0, x))))].sort((a, b) => a - b);
  const parts: unknown[] = [];
  let start = 0;
  for (const p of [...points, rows.length]) {
    parts.push(roundTrip(c, feed(c, rows.slice(start, p))));
    start = p;
  }
  return c.acc.finish(parts.reduce((a, b) => c.acc.merge(a, b), c.acc.init()));
}

/** Like runSplit but merges as a balanced tree, to exercise associativity. */
export function runTree(c: Compiled, rows: readonly (readonly unknown[])[], parts: number): unknown {
  const size = Math.max(1, Math.ceil(rows.length / parts));
  let bufs: unknown[] = [];
  for (let i = 0; i < rows.length; i += size) bufs.push(roundTrip(c, feed(c, rows.slice(i, i + size))));
  if (bufs.length === 0) bufs = [c.acc.init()];
  while (bufs.length > 1) {
    const next: unknown[] = [];
    for (let i = 0; i < bufs.length; i += 2) next.push(i + 1 < bufs.length ? roundTrip(c, c.acc.merge(bufs[i], bufs[i + 1])) : bufs[i]);
    bufs = next;
  }
  return c.acc.finish(bufs[0]);
}
