/** Generated functions by source text, the least recently used evicted past this many of each kind. */
const MAX_ENTRIES = 512;

/** The cached function for `source`, made by `make` when absent; keeps the most recently used at the end. */
function cached<F>(cache: Map<string, F>, source: string, make: () => F): F {
  let f = cache.get(source);
  if (f === undefined) {
    f = make();
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  } else cache.delete(source);
  cache.set(source, f);
  return f;
}

const factories = new Map<string, (refs: unknown[]) => unknown>();

/**
 * A factory `new Function("R", source)` is compiled once; each call with fresh references returns
 * a new closure. Closures made by one factory share V8's feedback, so a query run again
 * (re-planned, same generated code) does not start from the interpreter's first tier.
 */
export function instantiate<T>(source: string, refs: unknown[]): T {
  return cached(factories, source, () => new Function("R", source) as (refs: unknown[]) => unknown)(refs) as T;
}

const batchKernels = new Map<string, (a: unknown, b: unknown, refs: unknown[], c: unknown) => unknown>();

/**
 * A kernel called once per batch: `source` is `return function name(cols, n, R) {...}` (or
 * `(cols, n, R, A)`: a third argument to the returned function reaches it as A). One
 * function per source text for the whole thread, given this instance's references (R) on every
 * call, so every query that generates the same code runs V8's one optimized copy of it, with its
 * on-stack-replacement code and type feedback (a closure per instance, as `instantiate` makes,
 * was optimized again in every run: Nexmark q5 re-optimized its aggregation loops 18-23 times
 * in five runs, 9-10 times this way). Per-row functions (comparators) keep `instantiate`: they
 * would reload their references on every call.
 */
export function batchKernel<T>(source: string, refs: unknown[]): T {
  const kernel = cached(batchKernels, source, () => new Function(source)() as (a: unknown, b: unknown, refs: unknown[], c: unknown) => unknown);
  return ((a: unknown, b: unknown, c?: unknown) => kernel(a, b, refs, c)) as T;
}
