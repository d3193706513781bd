import type { DataType } from "../types/data-type.js";
import type { FunctionDef } from "./function-def.js";

/**
 * How a user-defined function travels to a worker thread: as the source text of the TypeScript
 * function (already JavaScript at run time) and the options it was made with. The worker
 * evaluates the text, so the function must be self-contained: it may use its arguments and
 * globals, not variables of the scope it was written in.
 */
export type UdfSource =
  | { readonly kind: "udf"; readonly name: string; readonly source: string; readonly returnType: DataType; readonly deterministic: boolean }
  | { readonly kind: "udaf"; readonly name: string; readonly source: string; readonly returnType: DataType; readonly skipNulls: boolean };

const sources = new WeakMap<FunctionDef, UdfSource>();

export function recordUdfSource(def: FunctionDef, source: UdfSource): void {
  sources.set(def, source);
}

export function udfSourceOf(def: FunctionDef): UdfSource | undefined {
  return sources.get(def);
}

/** Every user-defined function, with source text or not (a native function has none). */
const userFunctions = new WeakSet<FunctionDef>();

export function recordUserFunction(def: FunctionDef): void {
  userFunctions.add(def);
}

export function isUserFunction(def: FunctionDef): boolean {
  return userFunctions.has(def);
}

/** `fn`'s source as an expression (arrow, function or method shorthand), or null for native or bound functions. */
export function functionExpressionSource(fn: (...args: never[]) => unknown): string | null {
  const text = Function.prototype.toString.call(fn);
  if (text.includes("[native code]")) return null;
  for (const candidate of [text, `function ${text}`]) {
    try {
      // Parse only: the body runs when the worker calls it.
      new Function(`return (${candidate});`);
      return candidate;
    } catch {
      /* try the next form */
    }
  }
  return null;
}
