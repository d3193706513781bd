import { type DataType } from "../../src/types/data-type.js";
import { compileCast } from "../../src/expr/cast.js";
import type { ArgInfo, ExecFunctionContext, ScalarFunctionDef } from "../../src/expr/function-def.js";
import { lookupFunction } from "../../src/expr/function-registry.js";
import "../../src/expr/functions/index.js";

/** A typed argument: an internal value and its type. */
export type Arg = readonly [unknown, DataType];

export const CTX: ExecFunctionContext = { timeZone: "UTC", ansi: false, currentTimestampMicros: 1_700_000_000_000_000 };

export function def(name: string): ScalarFunctionDef {
  const d = lookupFunction(name);
  if (!d || d.type !== "scalar") throw new Error(`no scalar function ${name}`);
  return d;
}

/** Resolves, casts and evaluates a call the way the analyzer and codegen will (all arguments constant). */
export function evalCall(name: string, args: readonly Arg[], ctx: ExecFunctionContext = CTX): { value: unknown; type: DataType } {
  const d = def(name);
  const infos: ArgInfo[] = args.map(([v, t]) => ({ dataType: t, nullable: v === null, foldable: typeof v !== "function", value: v }));
  const sig = d.resolve(infos, ctx);
  const argTypes = args.map(([, t], i) => sig.inputTypes[i] ?? t);
  const values = args.map(([v, t], i) => {
    const to = sig.inputTypes[i];
    if (v === null || !to || typeof v === "function") return v;
    return compileCast(t, to, ctx.ansi ? "ansi" : "legacy", ctx.timeZone)(v);
  });
  const f = d.compile({ ...sig, argTypes }, ctx) as (...xs: unknown[]) => unknown;
  if (!d.nullSafe && values.some((v) => v === null)) return { value: null, type: sig.dataType };
  return { value: f(...values), type: sig.dataType };
}

export function ev(name: string, ...args: Arg[]): unknown {
  return evalCall(name, args).value;
}
