import type { Expr, SortOrder } from "./expression.js";

/** Sub-expressions of a node (subquery plans are not descended into). */
export function exprChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case "UnresolvedColumn": case "UnresolvedStar": case "UnresolvedOrdinal": case "AttributeRef": case "Literal":
    case "LambdaVariable": case "Exists": case "ScalarSubquery": case "OuterRef":
      return [];
    case "UnresolvedFunction":
      return e.filter ? [...e.args, e.filter] : e.args;
    case "UnresolvedExtractValue":
      return [e.child, e.extraction];
    case "Alias": case "Cast": case "UnaryExpr": case "SortOrder": case "GetField":
      return [e.child];
    case "BinaryExpr":
      return [e.left, e.right];
    case "CaseWhen":
      return [...e.branches.flatMap((b) => [b[0], b[1]]), ...(e.elseValue ? [e.elseValue] : [])];
    case "InList":
      return [e.value, ...e.list];
    case "InSubquery":
      return e.values;
    case "Call":
      return e.args;
    case "AggCall":
      return e.filter ? [...e.args, e.filter] : e.args;
    case "WindowExpr":
      return [e.fn, ...e.spec.partitionBy, ...e.spec.orderBy];
    case "GetItem":
      return [e.child, e.key];
    case "LambdaFunction":
      return [e.body];
  }
}

/** The same node with new children, in `exprChildren` order. */
export function withExprChildren(e: Expr, cs: readonly Expr[]): Expr {
  if (sameChildren(exprChildren(e), cs)) return e;
  const f = freeze;
  switch (e.kind) {
    case "UnresolvedFunction": {
      const n = e.args.length;
      return f({ ...e, args: Object.freeze(cs.slice(0, n)), filter: e.filter ? cs[n]! : null });
    }
    case "UnresolvedExtractValue": return f({ ...e, child: cs[0]!, extraction: cs[1]! });
    case "Alias": case "Cast": case "UnaryExpr": case "GetField": return f({ ...e, child: cs[0]! }) as Expr;
    case "SortOrder": return f({ ...e, child: cs[0]! });
    case "BinaryExpr": return f({ ...e, left: cs[0]!, right: cs[1]! });
    case "CaseWhen": {
      const branches: (readonly [Expr, Expr])[] = [];
      for (let i = 0; i < e.branches.length; i++) branches.push(Object.freeze([cs[2 * i]!, cs[2 * i + 1]!] as const));
      return f({ ...e, branches: Object.freeze(branches), elseValue: e.elseValue ? cs[cs.length - 1]! : null });
    }
    case "InList": return f({ ...e, value: cs[0]!, list: Object.freeze(cs.slice(1)) });
    case "InSubquery": return f({ ...e, values: Object.freeze([...cs]) });
    case "Call": return f({ ...e, args: Object.freeze([...cs]) });
    case "AggCall": {
      const n = e.args.length;
      return f({ ...e, args: Object.freeze(cs.slice(0, n)), filter: e.filter ? cs[n]! : null });
    }
    case "WindowExpr": {
      const np = e.spec.partitionBy.length;
      return f({ ...e, fn: cs[0]!, spec: Object.freeze({ ...e.spec, partitionBy: Object.freeze(cs.slice(1, 1 + np)), orderBy: Object.freeze(cs.slice(1 + np) as SortOrder[]) }) });
    }
    case "GetItem": return f({ ...e, child: cs[0]!, key: cs[1]! });
    case "LambdaFunction": return f({ ...e, body: cs[0]! });
    default: return e;
  }
}

// The tree walks below loop instead of passing arrow functions to map/some/every: an arrow made
// per call dies with the call, and V8 drops its optimized code at the next full GC, so planning
// code run once per query (and per task in every worker) was compiled again on every run.

function sameChildren(prev: readonly Expr[], cs: readonly Expr[]): boolean {
  if (prev.length !== cs.length) return false;
  for (let i = 0; i < cs.length; i++) if (prev[i] !== cs[i]) return false;
  return true;
}

function freeze<T extends object>(o: T): T {
  return Object.freeze(o);
}

/** Rebuilds bottom-up, applying `fn` to each node after its children. */
export function transformExprUp(e: Expr, fn: (e: Expr) => Expr): Expr {
  const cs = exprChildren(e);
  if (cs.length === 0) return fn(e);
  const next: Expr[] = [];
  for (const c of cs) next.push(transformExprUp(c, fn));
  return fn(withExprChildren(e, next));
}

/** Rebuilds top-down: `fn` may return a replacement (whose children are not visited) or undefined to descend. */
export function transformExprDown(e: Expr, fn: (e: Expr) => Expr | undefined): Expr {
  const r = fn(e);
  if (r !== undefined) return r;
  const cs = exprChildren(e);
  if (cs.length === 0) return e;
  const next: Expr[] = [];
  for (const c of cs) next.push(transformExprDown(c, fn));
  return withExprChildren(e, next);
}

export function exprExists(e: Expr, pred: (e: Expr) => boolean): boolean {
  if (pred(e)) return true;
  for (const c of exprChildren(e)) if (exprExists(c, pred)) return true;
  return false;
}

export function collectExprs<T extends Expr>(e: Expr, pred: (e: Expr) => e is T, out: T[] = []): T[] {
  if (pred(e)) out.push(e);
  for (const c of exprChildren(e)) collectExprs(c, pred, out);
  return out;
}

/** Ids of the attributes an expression references. */
export function referencedIds(e: Expr, out = new Set<number>()): Set<number> {
  if (e.kind === "AttributeRef") out.add(e.id);
  for (const c of exprChildren(e)) referencedIds(c, out);
  return out;
}

/** Structural equality ignoring alias ids and attribute qualifiers (Spark's semanticEquals). */
export function semanticEquals(a: Expr, b: Expr): boolean {
  return canonicalKey(a) === canonicalKey(b);
}

const keyCache = new WeakMap<Expr, string>();
export function canonicalKey(e: Expr): string {
  let k = keyCache.get(e);
  if (k !== undefined) return k;
  switch (e.kind) {
    case "AttributeRef": k = `#${e.id}`; break;
    case "Literal": k = `lit(${e.dataType.kind}:${stringifyValue(e.value)})`; break;
    case "Alias": k = canonicalKey(e.child); break;
    case "Call": k = `${e.fn.name}(${e.args.map(canonicalKey).join(",")})`; break;
    case "AggCall": k = `${e.fn.name}(${e.distinct ? "distinct " : ""}${e.args.map(canonicalKey).join(",")}${e.filter ? " filter " + canonicalKey(e.filter) : ""}${e.ignoreNulls ? " ignorenulls" : ""})`; break;
    case "Cast": k = `cast(${canonicalKey(e.child)} as ${JSON.stringify(e.to)} ${e.mode})`; break;
    case "BinaryExpr": k = `(${canonicalKey(e.left)} ${e.op} ${canonicalKey(e.right)})`; break;
    case "UnaryExpr": k = `${e.op}(${canonicalKey(e.child)})`; break;
    case "GetField": k = `${canonicalKey(e.child)}.${e.ordinal}`; break;
    case "UnresolvedColumn": k = `'${e.nameParts.join(".")}`; break;
    case "UnresolvedFunction": k = `'${e.name.toLowerCase()}(${e.distinct ? "distinct " : ""}${e.args.map(canonicalKey).join(",")})`; break;
    case "LambdaVariable": k = `lv#${e.id}`; break;
    case "ScalarSubquery": case "Exists": case "InSubquery": k = `${e.kind}@${Math.random()}`; break;
    default: k = `${e.kind}[${exprChildren(e).map(canonicalKey).join(",")}]${e.kind === "SortOrder" ? `${e.ascending}${e.nullsFirst}` : ""}`;
  }
  keyCache.set(e, k);
  return k;
}

function stringifyValue(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Uint8Array) return `bin:${[...v].join(",")}`;
  if (v instanceof Map) return `map:${JSON.stringify([...v.entries()], (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x))}`;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x)) ?? "undefined";
}
