import { IllegalArgumentError } from "../errors/errors.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { Plan } from "../plan/logical-plan.js";
import type { UnknownRow } from "../types/row-type.js";
import { Column } from "./column.js";
import type { DataFrame } from "./dataframe.js";

/**
 * The result of groupBy / cube / rollup: aggregate with agg() or a shorthand (count, sum, ...).
 * Grouping columns come first in the output, as in Spark.
 */
// `Row` is only a marker of where the grouping came from: results are untyped DataFrames. Keeping
// it out of the members keeps DataFrame<{...}> assignable to DataFrame (GroupedData is returned
// by DataFrame methods, so an invariant Row here would make every typed DataFrame invariant).
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export class GroupedData<Row = UnknownRow> {
  constructor(
    private readonly df: DataFrame<UnknownRow>,
    private readonly keys: readonly Expr[],
    private readonly kind: "groupBy" | "cube" | "rollup",
  ) {}

  /** `agg(F.count("*").alias("n"), F.max("ts"))` or `agg({ amount: "sum", ts: "max" })`. */
  agg(...exprs: (Column | Record<string, string>)[]): DataFrame {
    const aggs: Expr[] = exprs.flatMap((e) => (e instanceof Column ? [e.expr] : Object.entries(e).map(([c, f]) => E.alias(E.fn(f === "mean" ? "avg" : f, [c === "*" ? E.star() : E.column(c)]), `${f === "mean" ? "avg" : f}(${c === "*" ? "1" : c})`))));
    const list = [...this.keys, ...aggs];
    const plan = this.df.plan;
    if (this.kind === "groupBy") return this.df.session.dataFrame(Plan.aggregate(this.keys, list, plan));
    const sets: Expr[][] = [];
    if (this.kind === "rollup") for (let i = this.keys.length; i >= 0; i--) sets.push(this.keys.slice(0, i));
    else for (let mask = (1 << this.keys.length) - 1; mask >= 0; mask--) sets.push(this.keys.filter((_, i) => (mask & (1 << (this.keys.length - 1 - i))) !== 0));
    return this.df.session.dataFrame(Plan.groupingSets(sets, this.keys, list, plan));
  }

  /** Row count per group, in a column `count`. */
  count(): DataFrame {
    return this.agg(new Column(E.alias(E.fn("count", [E.star()]), "count")));
  }
  sum(...cols: string[]): DataFrame {
    return this.simple("sum", cols);
  }
  avg(...cols: string[]): DataFrame {
    return this.simple("avg", cols);
  }
  mean(...cols: string[]): DataFrame {
    return this.simple("avg", cols);
  }
  min(...cols: string[]): DataFrame {
    return this.simple("min", cols);
  }
  max(...cols: string[]): DataFrame {
    return this.simple("max", cols);
  }

  private simple(fn: string, cols: string[]): DataFrame {
    if (cols.length === 0) {
      const numeric = this.df.schema.fields.filter((f) => ["byte", "short", "int", "long", "float", "double", "decimal"].includes(f.dataType.kind)).map((f) => f.name);
      if (numeric.length === 0) throw new IllegalArgumentError("NO_NUMERIC_COLUMNS", `${fn}() needs numeric columns, and the DataFrame has none.`);
      cols = numeric;
    }
    return this.agg(...cols.map((c) => new Column(E.fn(fn, [E.column(c)]))));
  }
}
