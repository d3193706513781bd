/**
 * Generated functions by source text. A factory `new Function("R", source)` is compiled once;
 * each call with fresh references returns a new closure. Closures made by one factory share
 * V8's feedback and optimized code, so a query run again (re-planned, same generated code)
 * starts with optimized kernels instead of re-warming them on every execution.
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
