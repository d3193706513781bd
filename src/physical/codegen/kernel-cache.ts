/**
 * Generated functions by source text. A factory `new Function("R", source)` is compiled once;
 * each call with fresh references returns a new closure. Closures made by one factory share
 * V8's feedback, so a query run again (re-planned, same generated code) does not start from
 * the interpreter's first tier.
 */
const MAX_ENTRIES = 512;
const factories = new Map<string, (refs: unknown[]) => unknown>();

export function instantiate<T>(source: string, refs: unknown[]): T {
  let f = factories.get(source);
  if (f === undefined) {
    f = new Function("R", source) as (refs: unknown[]) => unknown;
    if (factories.size >= MAX_ENTRIES) factories.delete(factories.keys().next().value!);
    factories.set(source, f);
  } else {
    // Keep recently used entries at the end (least recently used are evicted first).
    factories.delete(source);
    factories.set(source, f);
  }
  return f(refs) as T;
}

const batchKernels = new Map<string, (a: unknown, b: unknown, refs: unknown[]) => unknown>();

/**
 * A kernel called once per batch: `source` is `return function name(cols, n, R) {...}`. One
 * function per source text for the whole thread, given this instance's references (R) on every
 * call, so every query that generates the same code runs V8's one optimized copy of it, with its
 * on-stack-replacement code and type feedback (a closure per instance, as `instantiate` makes,
 * was optimized again in every run: Nexmark q5 re-optimized its aggregation loops 18-23 times
 * in five runs, 9-10 times this way). Per-row functions (comparators) keep `instantiate`: they
 * would reload their references on every call.
 */
export function batchKernel<T>(source: string, refs: unknown[]): T {
  let f = batchKernels.get(source);
  if (f === undefined) {
    f = new Function(source)() as (a: unknown, b: unknown, refs: unknown[]) => unknown;
    if (batchKernels.size >= MAX_ENTRIES) batchKernels.delete(batchKernels.keys().next().value!);
    batchKernels.set(source, f);
  }
  const kernel = f;
  return ((a: unknown, b: unknown) => kernel(a, b, refs)) as T;
}
