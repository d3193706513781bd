import { ExecutionError } from "../errors/errors.js";
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

/**
 * A function rebuilt in this thread from its source text (functionExpressionSource), for a
 * worker thread. `what` names it in messages ("the user-defined function f"); `hint` says how to
 * pass what it used (see selfContained).
 */
export function rebuildFunction(source: string, what: string, hint: string): (...args: unknown[]) => unknown {
  const made = evaluateSource(source, what);
  if (typeof made !== "function") throw new ExecutionError("UDF_NOT_SHIPPABLE", `Rebuilt in a worker thread from its source text, ${what} is not a function.`);
  return selfContained(made as (...args: unknown[]) => unknown, what, hint);
}

/**
 * What source text compiled by esbuild (tsx) may call: `__name(target, name)`, which its keepNames
 * option puts in class bodies and around nested named functions.
 */
const keepName = (target: unknown, value: string): unknown => {
  try {
    Object.defineProperty(target, "name", { value, configurable: true });
  } catch {
    /* a frozen target keeps its name */
  }
  return target;
};

/** The value of a JavaScript expression's source text (a function, a class, or an object of functions). */
export function evaluateSource(source: string, what: string): unknown {
  try {
    return new Function("__name", `return (${source});`)(keepName) as unknown;
  } catch (e) {
    throw new ExecutionError("UDF_NOT_SHIPPABLE", `Could not rebuild ${what} in a worker thread from its source text: ${(e as Error).message}`);
  }
}

/**
 * `f` as rebuilt from source text: a call that reads a variable of the scope it was written in
 * (not defined here) fails with UDF_NOT_SELF_CONTAINED, which sends the work back to the main
 * thread (cannotRunOnWorkers).
 */
export function selfContained(f: (...args: unknown[]) => unknown, what: string, hint: string): (...args: unknown[]) => unknown {
  return (...args: unknown[]): unknown => {
    try {
      return f(...args);
    } catch (e) {
      if (!(e instanceof ReferenceError)) throw e;
      throw new ExecutionError("UDF_NOT_SELF_CONTAINED", `${e.message} in a worker thread. Functions travel to worker threads as source text, so ${what} may use only its arguments and globals, not variables around it; ${hint}, or set sluice.executor.threads to 1.`);
    }
  };
}
