import { ParseError } from "../errors/errors.js";
import { Expr, type WindowSpec } from "../expr/expression.js";
import { type JoinType, type LogicalPlan, Plan } from "../plan/logical-plan.js";
import { LongType } from "../types/data-type.js";
import { ExpressionParser, rowFields } from "./expression-parser.js";
import { type GroupItem, expandGroupItems } from "./grouping.js";
import { type SelectHints, applyBroadcastHints, parseHints } from "./hints.js";
import { substituteNamedWindows } from "./named-windows.js";
import { oneRowRelation, withColumnAliases } from "./relations.js";
import type { Token } from "./token.js";

/** Words after which a relation cannot continue: they start the next clause or a join. */
const JOIN_STARTS = ["JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "SEMI", "ANTI", "NATURAL"];

/**
 * Queries, shaped as Spark's AstBuilder shapes them:
 * FROM (joins, LATERAL VIEW) → Filter(WHERE) → Aggregate|GroupingSets (select list as output) with
 * HAVING as a Filter above, or Project(select list) → Distinct → hints; then set operations;
 * then ORDER BY / SORT BY / DISTRIBUTE BY / CLUSTER BY → LIMIT/OFFSET.
 * CTEs are inlined: a reference to `WITH c AS (...)` becomes `SubqueryAlias(c, <plan>)`.
 */
export abstract class QueryParser extends ExpressionParser {
  /** CTE scopes, innermost last; keys are lower-case names. */
  private readonly ctes: Map<string, LogicalPlan>[] = [];

  query(): LogicalPlan {
    const refStart = this.windowRefs.length;
    const pushed = this.isKw("WITH") ? (this.withClause(), true) : false;
    try {
      const plan = this.queryOrganization(this.queryTerm());
      if (this.windowRefs.length > refStart) {
        const t = this.windowRefs[refStart]!;
        throw this.errorAt(t, `Window '${t.type === "quoted" ? t.value : t.text}' is not defined: add WINDOW ${t.text} AS (...) after the HAVING clause.`);
      }
      return plan;
    } finally {
      if (pushed) this.ctes.pop();
    }
  }

  /** `WITH name [(cols)] [AS] (query), ...`: each CTE sees the ones before it. */
  private withClause(): void {
    this.expectKw("WITH");
    this.acceptKw("RECURSIVE");
    const scope = new Map<string, LogicalPlan>();
    this.ctes.push(scope);
    do {
      const nameTok = this.peek();
      const name = this.aliasAfterAs("a CTE name");
      const cols = this.isOp("(") ? this.identifierList() : null;
      this.acceptKw("AS");
      this.expectOp("(", "'(' and the CTE's query");
      let plan = this.query();
      this.expectOp(")");
      if (cols) plan = this.columnAliases(plan, cols, nameTok);
      scope.set(name.toLowerCase(), plan);
    } while (this.acceptOp(","));
  }

  /** `UNION|EXCEPT|MINUS` over `INTERSECT` terms (INTERSECT binds tighter, as in SQL). */
  private queryTerm(): LogicalPlan {
    let left = this.intersectTerm();
    const chained = new Set<LogicalPlan>();
    for (;;) {
      let op: "union" | "except";
      if (this.acceptKw("UNION")) op = "union";
      else if (this.acceptKw("EXCEPT") || this.acceptKw("MINUS")) op = "except";
      else return left;
      const all = this.setQuantifier();
      const right = this.intersectTerm();
      if (op === "except") {
        left = Plan.setOperation("except", all, left, right);
        continue;
      }
      // Chains of UNION flatten into one Union where that keeps the meaning.
      const prevUnion = left.kind === "Union" && chained.has(left) ? left : left.kind === "Distinct" && chained.has(left) && left.child.kind === "Union" ? left.child : null;
      let union;
      if (all) union = Plan.union(left.kind === "Union" && chained.has(left) ? [...left.children, right] : [left, right]);
      else union = Plan.union(prevUnion ? [...prevUnion.children, right] : [left, right]);
      chained.add(union);
      left = all ? union : Plan.distinct(union);
      chained.add(left);
    }
  }

  private intersectTerm(): LogicalPlan {
    let left = this.queryPrimary();
    while (this.acceptKw("INTERSECT")) {
      const all = this.setQuantifier();
      left = Plan.setOperation("intersect", all, left, this.queryPrimary());
    }
    return left;
  }

  /** ALL → true; DISTINCT or nothing → false. */
  private setQuantifier(): boolean {
    if (this.acceptKw("ALL")) return true;
    this.acceptKw("DISTINCT");
    return false;
  }

  private queryPrimary(): LogicalPlan {
    if (this.isKw("SELECT")) return this.querySpecification();
    if (this.isKw("VALUES")) return this.valuesRelation();
    if (this.acceptKw("TABLE")) return this.namedRelation(this.peek(), this.multipartIdentifier("a table name"));
    if (this.isOp("(")) {
      this.next();
      const plan = this.query();
      this.expectOp(")");
      return plan;
    }
    this.fail(this.peek(), "SELECT, VALUES, TABLE or '(' to start a query");
  }

  private querySpecification(): LogicalPlan {
    const selectTok = this.expectKw("SELECT");
    const hints = this.selectHints();
    const refStart = this.windowRefs.length;
    const distinct = this.acceptKw("DISTINCT");
    if (!distinct) this.acceptKw("ALL");
    const items: Expr[] = [];
    do items.push(this.namedExpression());
    while (this.acceptOp(","));

    let plan: LogicalPlan = this.acceptKw("FROM") ? this.fromClause() : oneRowRelation();
    if (hints.broadcast.size > 0) plan = applyBroadcastHints(plan, hints.broadcast);
    if (this.acceptKw("WHERE")) plan = Plan.filter(this.expression(), plan);

    let groupItems: GroupItem[] | null = null;
    if (this.acceptKw("GROUP", "BY")) groupItems = this.groupByItems();
    let having = this.acceptKw("HAVING") ? this.expression() : null;

    let selectList = items;
    if (this.windowRefs.length > refStart) {
      const defs = this.isKw("WINDOW") ? this.windowClause() : new Map<string, WindowSpec>();
      const refs = this.windowRefs.slice(refStart);
      const missing = (name: string): never => {
        const t = refs.find((r) => (r.type === "quoted" ? r.value : r.text).toLowerCase() === name.toLowerCase()) ?? selectTok;
        throw this.errorAt(t, `Window '${name}' is not defined: add WINDOW ${name} AS (...) after the HAVING clause.`);
      };
      selectList = items.map((e) => substituteNamedWindows(e, defs, missing));
      if (having) having = substituteNamedWindows(having, defs, missing);
      this.windowRefs.length = refStart;
    } else if (this.isKw("WINDOW") && this.isIdentifier(1) && this.isKw("AS", 2)) this.windowClause();

    if (groupItems) {
      const g = expandGroupItems(groupItems);
      plan = g.sets ? Plan.groupingSets(g.sets, g.groupingExprs, selectList, plan) : Plan.aggregate(g.groupingExprs, selectList, plan);
      if (having) plan = Plan.filter(having, plan);
    } else if (having) {
      // HAVING without GROUP BY: a global aggregate, as in Spark.
      plan = Plan.filter(having, Plan.aggregate([], selectList, plan));
    } else plan = Plan.project(selectList, plan);

    if (distinct) plan = Plan.distinct(plan);
    for (const r of hints.repartition) plan = Plan.repartition(r.numPartitions, r.exprs, r.shuffle, plan);
    return plan;
  }

  private selectHints(): SelectHints {
    const found = this.hintsAt.get(this.pos);
    return parseHints(found ?? [], this.text);
  }

  /** `WINDOW w AS (spec), w2 AS w, ...` → definitions by lower-case name. */
  private windowClause(): Map<string, WindowSpec> {
    this.expectKw("WINDOW");
    const defs = new Map<string, WindowSpec>();
    do {
      const name = this.identifier("a window name");
      this.expectKw("AS");
      if (this.isOp("(")) defs.set(name.toLowerCase(), this.windowSpec());
      else {
        const t = this.peek();
        const other = this.identifier("'(' or a window name");
        const spec = defs.get(other.toLowerCase());
        if (!spec) throw this.errorAt(t, `Window '${other}' is not defined before '${name}'.`);
        defs.set(name.toLowerCase(), spec);
      }
    } while (this.acceptOp(","));
    return defs;
  }

  /** GROUP BY items: expressions, ordinals, CUBE(...), ROLLUP(...), GROUPING SETS(...), then WITH ROLLUP|CUBE. */
  private groupByItems(): GroupItem[] {
    const items: GroupItem[] = [];
    do {
      if ((this.isKw("CUBE") || this.isKw("ROLLUP")) && this.isOp("(", 1)) {
        const kind = this.next().upper === "CUBE" ? "cube" : "rollup";
        this.next();
        const elements: Expr[][] = [];
        do elements.push(this.groupingElement());
        while (this.acceptOp(","));
        this.expectOp(")");
        items.push({ kind, elements });
      } else if (this.acceptKw("GROUPING", "SETS")) {
        this.expectOp("(", "'(' after GROUPING SETS");
        const sets: Expr[][] = [];
        do sets.push(this.groupingElement());
        while (this.acceptOp(","));
        this.expectOp(")");
        items.push({ kind: "sets", sets });
      } else items.push({ kind: "expr", expr: this.expressionOrOrdinal() });
    } while (this.acceptOp(","));
    if (this.isKw("WITH") && (this.isKw("ROLLUP", 1) || this.isKw("CUBE", 1))) {
      this.next();
      const kind = this.next().upper === "CUBE" ? "cube" : "rollup";
      const exprs = items.map((i) => {
        if (i.kind !== "expr") throw this.errorAt(this.peek(-1), `WITH ${kind.toUpperCase()} cannot be combined with CUBE, ROLLUP or GROUPING SETS.`);
        return [i.expr];
      });
      return [{ kind, elements: exprs }];
    }
    return items;
  }

  /** One element of CUBE/ROLLUP/GROUPING SETS: `()`, `(a, b)` or `a`. */
  private groupingElement(): Expr[] {
    if (this.isOp("(") && this.isOp(")", 1)) {
      this.next();
      this.next();
      return [];
    }
    return [...rowFields(this.expressionOrOrdinal())];
  }

  /** ORDER BY / CLUSTER BY / DISTRIBUTE BY / SORT BY, then LIMIT and OFFSET (either order). */
  private queryOrganization(plan: LogicalPlan): LogicalPlan {
    if (this.acceptKw("ORDER", "BY")) plan = Plan.sort(this.sortItems(true), true, plan);
    if (this.acceptKw("CLUSTER", "BY")) {
      const exprs = this.expressionList();
      // numPartitions 0: the session default (sluice.sql.shuffle.partitions)
      plan = Plan.sort(exprs.map((e) => Expr.sortOrder(e, true)), false, Plan.repartition(0, exprs, true, plan));
    }
    if (this.acceptKw("DISTRIBUTE", "BY")) plan = Plan.repartition(0, this.expressionList(), true, plan);
    if (this.acceptKw("SORT", "BY")) plan = Plan.sort(this.sortItems(true), false, plan);
    let limit: number | null = null;
    let offset = 0;
    let offsetTok: Token | null = null;
    for (let i = 0; i < 2; i++) {
      if (limit === null && this.acceptKw("LIMIT")) limit = this.acceptKw("ALL") ? -1 : this.nonNegativeInt("LIMIT");
      else if (offsetTok === null && this.isKw("OFFSET")) {
        offsetTok = this.next();
        offset = this.nonNegativeInt("OFFSET");
      }
    }
    if (offsetTok && (limit === null || limit === -1)) throw this.errorAt(offsetTok, "OFFSET without LIMIT is not supported; add LIMIT n.");
    if (limit !== null && limit >= 0) plan = Plan.limit(limit, plan, offset);
    return plan;
  }

  private nonNegativeInt(clause: string): number {
    const t = this.peek();
    if (t.type !== "number" || !/^\d+$/.test(t.text) || !Number.isSafeInteger(Number(t.text))) this.fail(t, `a non-negative integer after ${clause}`);
    this.next();
    return Number(t.text);
  }

  // ---------------------------------------------------------------------------------------------
  // FROM

  /** `FROM rel, rel ... [LATERAL VIEW ...]*`; a comma is an inner join without condition, as in Spark. */
  private fromClause(): LogicalPlan {
    let plan = this.relation();
    while (this.acceptOp(",")) plan = Plan.join(plan, this.relation(), "inner", null);
    while (this.isKw("LATERAL") && this.isKw("VIEW", 1)) plan = this.lateralView(plan);
    return plan;
  }

  /**
   * `LATERAL VIEW [OUTER] gen(args) tbl [AS] c1, c2` → Generate(keepChildOutput = true). The table
   * name is read but not kept: the Generate node has no qualifier, so use the column names unqualified.
   */
  private lateralView(child: LogicalPlan): LogicalPlan {
    this.next();
    this.next();
    const outer = this.acceptKw("OUTER");
    const nameTok = this.peek();
    const gen = this.expression();
    if (gen.kind !== "UnresolvedFunction") throw this.errorAt(nameTok, "LATERAL VIEW needs a generator function call such as explode(col).");
    const names: string[] = [];
    if (this.isIdentifier() && !this.isKw("AS") && !this.isKw("LATERAL")) this.identifier();
    if (this.acceptKw("AS") || (this.isIdentifier() && !this.isClauseStart())) {
      do names.push(this.aliasAfterAs("a column name"));
      while (this.acceptOp(","));
    }
    return Plan.generate(gen, outer, names, true, child);
  }

  private isClauseStart(): boolean {
    return this.isKw("LATERAL") || this.isKw("WINDOW") || this.isKw("SORT") || this.isKw("CLUSTER") || this.isKw("DISTRIBUTE");
  }

  /** A relation and the joins that follow it. */
  private relation(): LogicalPlan {
    let left = this.relationPrimary();
    for (;;) {
      const t = this.peek();
      if (this.isKw("NATURAL")) throw this.errorAt(t, "NATURAL JOIN is not supported; write JOIN ... USING (columns).");
      const joinType = this.joinType();
      if (!joinType) return left;
      const right = this.relationPrimary();
      if (this.acceptKw("ON")) left = Plan.join(left, right, joinType, this.expression());
      else if (this.acceptKw("USING")) left = Plan.join(left, right, joinType, null, this.identifierList());
      else left = Plan.join(left, right, joinType, null);
    }
  }

  /** Reads `[INNER] JOIN`, `LEFT [OUTER] JOIN`, `[LEFT] SEMI JOIN`, ...; null when no join follows. */
  private joinType(): JoinType | null {
    if (!JOIN_STARTS.some((w) => this.isKw(w))) return null;
    let type: JoinType;
    if (this.acceptKw("JOIN")) return "inner";
    if (this.acceptKw("INNER")) type = "inner";
    else if (this.acceptKw("CROSS")) type = "cross";
    else if (this.acceptKw("LEFT")) {
      if (this.acceptKw("SEMI")) type = "left_semi";
      else if (this.acceptKw("ANTI")) type = "left_anti";
      else {
        this.acceptKw("OUTER");
        type = "left_outer";
      }
    } else if (this.acceptKw("RIGHT")) {
      this.acceptKw("OUTER");
      type = "right_outer";
    } else if (this.acceptKw("FULL")) {
      this.acceptKw("OUTER");
      type = "full_outer";
    } else if (this.acceptKw("SEMI")) type = "left_semi";
    else if (this.acceptKw("ANTI")) type = "left_anti";
    else return null;
    this.expectKw("JOIN");
    return type;
  }

  private relationPrimary(): LogicalPlan {
    const t = this.peek();
    if (this.isOp("(")) {
      if (this.startsQuery(1)) {
        this.next();
        const plan = this.query();
        this.expectOp(")");
        return this.tableAlias(plan, false);
      }
      if (this.isOp("(", 1)) {
        // `((SELECT ...) UNION (...))` or `((a JOIN b))`: try the query reading first.
        const save = this.pos;
        const refs = this.windowRefs.length;
        try {
          this.next();
          const plan = this.query();
          this.expectOp(")");
          return this.tableAlias(plan, false);
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
          this.pos = save;
          this.windowRefs.length = refs;
        }
      }
      this.next();
      const plan = this.relation();
      this.expectOp(")", "')' or a join");
      return this.tableAlias(plan, false);
    }
    if (this.isKw("VALUES")) return this.valuesRelation();
    if (this.isIdentifier() && this.isOp("(", 1)) return this.tableAlias(this.tableFunction(), false);
    const parts = this.multipartIdentifier("a table name, '(' or VALUES");
    return this.tableAlias(this.namedRelation(t, parts), true);
  }

  /** A table name: a CTE in scope (inlined) or an UnresolvedRelation (views, `json.\`/path\`` files). */
  private namedRelation(_tok: Token, parts: readonly string[]): LogicalPlan {
    if (parts.length === 1) {
      const key = parts[0]!.toLowerCase();
      for (let i = this.ctes.length - 1; i >= 0; i--) {
        const cte = this.ctes[i]!.get(key);
        if (cte) return Plan.subqueryAlias(parts[0]!, cte);
      }
    }
    return Plan.unresolvedRelation(parts);
  }

  /** `range(end)`, `range(start, end[, step[, numPartitions]])`: the only table-valued function. */
  private tableFunction(): LogicalPlan {
    const nameTok = this.peek();
    const name = this.identifier().toLowerCase();
    if (name !== "range") throw this.errorAt(nameTok, `Unsupported table-valued function '${nameTok.text}': only range(...) is available.`);
    this.expectOp("(");
    const args: number[] = [];
    if (!this.isOp(")")) {
      do {
        const at = this.peek();
        const e = this.expression();
        if (e.kind !== "Literal" || !(e.dataType.kind === "int" || e.dataType.kind === "long") || typeof e.value !== "number") throw this.errorAt(at, "range(...) takes integer literals.");
        args.push(e.value);
      } while (this.acceptOp(","));
    }
    this.expectOp(")");
    if (args.length < 1 || args.length > 4) throw this.errorAt(nameTok, `range(...) takes 1 to 4 arguments, found ${args.length}.`);
    const [start, end, step, parts] = args.length === 1 ? [0, args[0]!, 1, 1] : [args[0]!, args[1]!, args[2] ?? 1, args[3] ?? 1];
    if (step === 0) throw this.errorAt(nameTok, "range(...) needs a non-zero step.");
    return Plan.range(start, end, step, parts, Expr.attr("id", LongType, false));
  }

  /** `VALUES (1, 'a'), (2, 'b') [AS] t(x, y)` or `VALUES 1, 2`. */
  private valuesRelation(): LogicalPlan {
    this.expectKw("VALUES");
    const rows: Expr[][] = [];
    do {
      const at = this.peek();
      const row = [...rowFields(this.expression())];
      if (rows.length > 0 && row.length !== rows[0]!.length) throw this.errorAt(at, `Every row of VALUES must have the same number of columns: the first row has ${rows[0]!.length}, this one ${row.length}.`);
      rows.push(row);
    } while (this.acceptOp(","));
    const alias = this.aliasName();
    const cols = this.isOp("(") ? this.identifierList() : null;
    const table = Plan.inlineTable(rows, cols);
    return alias === null ? table : Plan.subqueryAlias(alias, table);
  }

  /** `[AS] alias [(c1, c2)]` after a relation; `replaceAlias`: a CTE reference's own alias gives way to this one. */
  private tableAlias(plan: LogicalPlan, replaceAlias: boolean): LogicalPlan {
    const at = this.peek();
    const alias = this.aliasName();
    if (alias === null) return plan;
    if (this.isOp("(")) {
      const cols = this.identifierList();
      plan = this.columnAliases(plan, cols, at);
    } else if (replaceAlias && plan.kind === "SubqueryAlias") plan = plan.child;
    return Plan.subqueryAlias(alias, plan);
  }

  private aliasName(): string | null {
    if (this.acceptKw("AS")) return this.aliasAfterAs();
    if (this.isImplicitAlias() && !(this.isKw("LATERAL") || this.isKw("WINDOW"))) {
      this.lastImplicitAlias = this.peek();
      return this.identifier();
    }
    return null;
  }

  private columnAliases(plan: LogicalPlan, cols: readonly string[], at: Token): LogicalPlan {
    const r = withColumnAliases(plan, cols);
    if (typeof r === "string") throw this.errorAt(at, r);
    return r;
  }

  /** `(a, b, c)` */
  protected identifierList(): string[] {
    this.expectOp("(");
    const out: string[] = [];
    do out.push(this.aliasAfterAs("a column name"));
    while (this.acceptOp(","));
    this.expectOp(")", "',' or ')'");
    return out;
  }
}
