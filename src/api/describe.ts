import { IllegalArgumentError } from "../errors/errors.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { Plan } from "../plan/logical-plan.js";
import { type DataType, StringType } from "../types/data-type.js";
import type { UnknownRow } from "../types/row-type.js";
import type { DataFrame } from "./dataframe.js";

const NUMERIC = new Set(["byte", "short", "int", "long", "float", "double", "decimal"]);

/**
 * describe() / summary(): one row per statistic, one string column per input column, as Spark
 * computes them (numeric and string columns only; mean/stddev null for strings).
 */
export function describeFrame(df: DataFrame<UnknownRow>, cols: readonly string[], stats: readonly string[]): DataFrame {
  const fields = df.schema.fields.filter((f) => (cols.length === 0 || cols.includes(f.name)) && (NUMERIC.has(f.dataType.kind) || f.dataType.kind === "string"));
  const statExpr = (stat: string, name: string, t: DataType): Expr => {
    const c = E.column(name);
    const asString = (e: Expr): Expr => E.cast(e, StringType);
    switch (stat) {
      case "count": return asString(E.fn("count", [c]));
      case "mean": return NUMERIC.has(t.kind) ? asString(E.fn("avg", [c])) : E.literal(null, StringType);
      case "stddev": return NUMERIC.has(t.kind) ? asString(E.fn("stddev", [c])) : E.literal(null, StringType);
      case "min": return asString(E.fn("min", [c]));
      case "max": return asString(E.fn("max", [c]));
      case "count_distinct": return asString(E.fn("count", [c], { distinct: true }));
      case "approx_count_distinct": return asString(E.fn("approx_count_distinct", [c]));
      default: {
        const m = /^(\d+(?:\.\d+)?)%$/.exec(stat);
        if (!m) throw new IllegalArgumentError("INVALID_STATISTIC", `${stat} is not a recognised statistic; use count, mean, stddev, min, max, count_distinct, approx_count_distinct or a percentage like 75%.`);
        if (!NUMERIC.has(t.kind)) return E.literal(null, StringType);
        // On the column itself: an integer column's quartiles print as integers, as in Spark.
        return asString(E.fn("percentile_approx", [c, E.literal(Number(m[1]) / 100, { kind: "double" }), E.literal(10000, { kind: "int" })]));
      }
    }
  };
  const rows = stats.map((stat) => {
    const aggs = fields.map((f) => E.alias(statExpr(stat, f.name, f.dataType), f.name));
    return df.session.dataFrame(Plan.aggregate([], [E.alias(E.literal(stat, StringType), "summary"), ...aggs], df.plan)).plan;
  });
  return df.session.dataFrame(rows.length === 1 ? rows[0]! : Plan.union(rows));
}
