/**
 * Random tables and random DataFrame queries for property tests. Every query keeps one schema,
 * `i INT, l BIGINT, d DOUBLE, s STRING`, so any two can be joined or unioned. Doubles are
 * multiples of 0.5 (and NaN), so sums and averages are exact whatever the order of the rows.
 */
import fc from "fast-check";
import { type DataFrame, type Session, col, expr, parseSchemaDDL } from "../../src/index.js";

export const SCHEMA = "i INT, l BIGINT, d DOUBLE, s STRING";

/** An untyped DataFrame of `rows` (schema SCHEMA). */
export function tableOf(spark: Session, rows: readonly Row[]): DataFrame {
  return spark.createDataFrame(rows as unknown as Record<string, unknown>[], parseSchemaDDL(SCHEMA));
}

export interface Row { i: number | null; l: number | null; d: number | null; s: string | null }

const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 4 });

export const rowArb: fc.Arbitrary<Row> = fc.record({
  i: nullable(fc.integer({ min: -3, max: 3 })),
  l: nullable(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(1_000_000_007, -2_000_000_000_000))),
  d: nullable(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -6, max: 6 }).map((x) => x / 2 + 0) }, { weight: 1, arbitrary: fc.constant(Number.NaN) })),
  s: nullable(fc.constantFrom("a", "b", "ab", "", "B")),
});

export const tableArb: fc.Arbitrary<Row[]> = fc.array(rowArb, { minLength: 0, maxLength: 8 });

// ---- predicates and projections as Spark SQL text

const intLit = fc.integer({ min: -3, max: 3 });
const cmp = fc.constantFrom("=", "<", "<=", ">", ">=", "!=", "<=>");

const atomArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom("i", "l", "i + 1", "l - i", "i % 2"), cmp, intLit).map(([c, op, v]) => `(${c} ${op} ${v})`),
  fc.tuple(fc.constantFrom("d", "d * 2", "d + i"), cmp, fc.integer({ min: -6, max: 6 })).map(([c, op, v]) => `(${c} ${op} ${v / 2})`),
  fc.tuple(fc.constantFrom("s", "upper(s)", "concat(s, 'x')"), cmp, fc.constantFrom("'a'", "'ab'", "''", "'B'")).map(([c, op, v]) => `(${c} ${op} ${v})`),
  fc.tuple(fc.constantFrom("i", "l", "d", "s"), fc.boolean()).map(([c, not]) => `(${c} IS ${not ? "NOT " : ""}NULL)`),
  fc.constantFrom("isnan(d)", "(i < l)", "(d >= i)", "(i IN (1, 2, NULL))", "(s IN ('a', 'b'))", "startswith(s, 'a')", "true", "false", "(1 + 1 = 2)", "CAST(NULL AS BOOLEAN)", "(i BETWEEN -1 AND 2)", "(CASE WHEN i > 0 THEN s ELSE 'a' END = 'a')"),
);

export const predArb: fc.Arbitrary<string> = fc.letrec<{ p: string }>((tie) => ({
  p: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atomArb,
    fc.tuple(tie("p"), tie("p")).map(([a, b]) => `(${a} AND ${b})`),
    fc.tuple(tie("p"), tie("p")).map(([a, b]) => `(${a} OR ${b})`),
    tie("p").map((a) => `(NOT ${a})`),
  ),
})).p;

const projArb: fc.Arbitrary<string[]> = fc.tuple(
  fc.constantFrom("i", "i + 1", "i * 2", "coalesce(i, 0)", "abs(i)", "CASE WHEN s = 'a' THEN i ELSE -i END", "CAST(1 + 2 AS INT)", "CAST(l AS INT)"),
  fc.constantFrom("l", "l + i", "l * 2", "CAST(i AS BIGINT)", "coalesce(l, 7)"),
  fc.constantFrom("d", "d * 2", "d + i", "CAST(NULL AS DOUBLE)", "CASE WHEN isnan(d) THEN 0.5 ELSE d END"),
  fc.constantFrom("s", "upper(s)", "concat(s, 'x')", "CAST(i AS STRING)", "'k'"),
).map(([i, l, d, s]) => [`CAST(${i} AS INT) AS i`, `CAST(${l} AS BIGINT) AS l`, `CAST(${d} AS DOUBLE) AS d`, `CAST(${s} AS STRING) AS s`]);

// ---- queries

export type JoinHow = "inner" | "left_outer" | "right_outer" | "full_outer" | "left_semi" | "left_anti" | "cross";

export type Query =
  | { readonly op: "table"; readonly t: 0 | 1 }
  | { readonly op: "filter"; readonly pred: string; readonly q: Query }
  | { readonly op: "project"; readonly exprs: readonly string[]; readonly q: Query }
  | { readonly op: "join"; readonly how: JoinHow; readonly key: "i" | "s" | "l"; readonly extra: string | null; readonly pick: readonly boolean[]; readonly left: Query; readonly right: Query }
  | { readonly op: "agg"; readonly keys: readonly ("i" | "s")[]; readonly fns: readonly [string, string, string]; readonly q: Query }
  | { readonly op: "union"; readonly left: Query; readonly right: Query }
  | { readonly op: "distinct"; readonly q: Query }
  | { readonly op: "topn"; readonly n: number; readonly q: Query }
  | { readonly op: "window"; readonly fn: string; readonly q: Query };

const howArb = fc.constantFrom<JoinHow>("inner", "left_outer", "right_outer", "full_outer", "left_semi", "left_anti", "cross");

export const queryArb: fc.Arbitrary<Query> = fc.letrec<{ q: Query }>((tie) => ({
  q: fc.oneof(
    { depthSize: "small", withCrossShrink: true, maxDepth: 4 },
    fc.constantFrom<0 | 1>(0, 1).map((t): Query => ({ op: "table", t })),
    fc.record({ pred: predArb, q: tie("q") }).map((r): Query => ({ op: "filter", ...r })),
    fc.record({ exprs: projArb, q: tie("q") }).map((r): Query => ({ op: "project", ...r })),
    fc.record({
      how: howArb,
      key: fc.constantFrom<"i" | "s" | "l">("i", "s", "l"),
      extra: fc.option(fc.constantFrom("x.i < y.i", "x.d <= y.d", "x.s = 'a'", "y.l > 0", "x.i + y.i > 0"), { nil: null }),
      pick: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      left: tie("q"),
      right: tie("q"),
    }).map((r): Query => ({ op: "join", ...r })),
    fc.record({
      keys: fc.subarray<"i" | "s">(["i", "s"]),
      fns: fc.tuple(
        fc.constantFrom("CAST(count(*) AS INT)", "CAST(count(d) AS INT)", "min(i)", "max(i)", "CAST(sum(i) AS INT)"),
        fc.constantFrom("sum(l)", "min(l)", "max(l)", "count(s)"),
        fc.constantFrom("avg(d)", "min(d)", "max(d)", "sum(d)", "avg(i)"),
      ),
      q: tie("q"),
    }).map((r): Query => ({ op: "agg", ...r })),
    fc.record({ left: tie("q"), right: tie("q") }).map((r): Query => ({ op: "union", ...r })),
    tie("q").map((q): Query => ({ op: "distinct", q })),
    fc.record({ n: fc.integer({ min: 0, max: 5 }), q: tie("q") }).map((r): Query => ({ op: "topn", ...r })),
    fc.record({
      // Window functions whose values do not depend on the order of ties.
      fn: fc.constantFrom("count(*) OVER (PARTITION BY s)", "sum(i) OVER (PARTITION BY s)", "rank() OVER (PARTITION BY s ORDER BY i)", "max(i) OVER (PARTITION BY s, l)", "dense_rank() OVER (ORDER BY l, d)"),
      q: tie("q"),
    }).map((r): Query => ({ op: "window", ...r })),
  ),
})).q;

const COLS = ["i", "l", "d", "s"] as const;

/** The query as a DataFrame over `tables`. */
export function buildQuery(q: Query, tables: readonly DataFrame[]): DataFrame {
  switch (q.op) {
    case "table": return tables[q.t]!;
    case "filter": return buildQuery(q.q, tables).where(q.pred);
    case "project": return buildQuery(q.q, tables).selectExpr(...q.exprs);
    case "join": {
      const x = buildQuery(q.left, tables).alias("x"), y = buildQuery(q.right, tables).alias("y");
      if (q.how === "cross") {
        const j = x.crossJoin(y);
        return j.select(...COLS.map((c, k) => col(`${q.pick[k] ? "x" : "y"}.${c}`).alias(c)));
      }
      let cond = col(`x.${q.key}`).equalTo(col(`y.${q.key}`));
      if (q.extra) cond = cond.and(expr(q.extra));
      const j = x.join(y, cond, q.how);
      if (q.how === "left_semi" || q.how === "left_anti") return j.select(...COLS);
      return j.select(...COLS.map((c, k) => col(`${q.pick[k] ? "x" : "y"}.${c}`).alias(c)));
    }
    case "agg": {
      const [fi, fl, fd] = q.fns;
      const out = buildQuery(q.q, tables).groupBy(...q.keys).agg(
        expr(`CAST(${fi} AS INT)`).alias("ai"),
        expr(`CAST(${fl} AS BIGINT)`).alias("al"),
        expr(`CAST(${fd} AS DOUBLE)`).alias("ad"),
      );
      return out.selectExpr(q.keys.includes("i") ? "i" : "ai AS i", "al AS l", "ad AS d", q.keys.includes("s") ? "s" : "CAST(NULL AS STRING) AS s");
    }
    case "union": return buildQuery(q.left, tables).union(buildQuery(q.right, tables));
    case "distinct": return buildQuery(q.q, tables).distinct();
    case "topn": return buildQuery(q.q, tables).orderBy(...COLS).limit(q.n);
    case "window": return buildQuery(q.q, tables).selectExpr(`CAST(${q.fn} AS INT) AS i`, "l", "d", "s");
  }
}

/** Rows as sorted canonical strings: a multiset that compares with deepEqual. */
export function canonicalRows(rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((r) => JSON.stringify(Object.keys(r).map((k) => {
    const v = r[k];
    if (typeof v === "number" && Number.isNaN(v)) return "NaN";
    if (typeof v === "number" && Object.is(v, -0)) return "-0";
    if (typeof v === "bigint") return `${v}n`;
    return v;
  }))).sort();
}

export async function withOptimizer<T>(spark: Session, enabled: boolean, fn: () => Promise<T>): Promise<T> {
  spark.conf.set("sluice.sql.optimizer.enabled", enabled);
  try {
    return await fn();
  } finally {
    spark.conf.unset("sluice.sql.optimizer.enabled");
  }
}
