import type { FunctionDef } from "./function-def.js";

/**
 * Built-in functions by lower-case name. Each module under expr/functions and expr/aggregates
 * registers its definitions when imported (see expr/builtins.ts).
 */
const registry = new Map<string, FunctionDef>();

export function registerFunction(def: FunctionDef): void {
  for (const n of [def.name, ...(def.aliases ?? [])]) registry.set(n.toLowerCase(), def);
}

export function registerFunctions(defs: readonly FunctionDef[]): void {
  for (const d of defs) registerFunction(d);
}

export function lookupFunction(name: string): FunctionDef | undefined {
  return registry.get(name.toLowerCase());
}

export function functionNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Functions the analyzer and planner build calls to but SQL cannot name (`__time_window`, the
 * generators' row functions, interval arithmetic, ...), by name, so that a plan sent to a worker
 * thread can name them too (physical/parallel/plan-codec.ts).
 */
const internal = new Map<string, FunctionDef>();

export function registerInternalFunctions(defs: readonly FunctionDef[]): void {
  for (const d of defs) internal.set(d.name.toLowerCase(), d);
}

export function lookupInternalFunction(name: string): FunctionDef | undefined {
  return internal.get(name.toLowerCase());
}
