import {
  type BinaryOp, Expr, type FrameBoundary, type LambdaVariable, type SortOrder, type WindowFrame, type WindowSpec,
} from "../expr/expression.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import { BooleanType, NullType, StringType } from "../types/data-type.js";
import { type Interval, MICROS_PER_DAY } from "../types/interval.js";
import { CALLABLE_RESERVED, INTERVAL_UNITS, NOT_AN_ALIAS, RESERVED } from "./keywords.js";
import {
  type LiteralResult, binaryLiteral, dateLiteral, intervalLiteral, numberLiteral, stringLiteral, timestampLiteral,
} from "./literals.js";
import { namedWindowPlaceholder } from "./named-windows.js";
import type { Token } from "./token.js";
import { TypeParser } from "./type-parser.js";

const COMPARISON: Readonly<Record<string, BinaryOp>> = { "=": "=", "==": "=", "<=>": "<=>", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };
const ADDITIVE: Readonly<Record<string, BinaryOp>> = { "+": "+", "-": "-", "||": "||" };
const MULTIPLICATIVE: Readonly<Record<string, BinaryOp>> = { "*": "*", "/": "/", "%": "%" };
/** Functions Spark lets you call without parentheses. */
const NILADIC = new Set(["CURRENT_DATE", "CURRENT_TIMESTAMP", "CURRENT_USER"]);
const TIMESTAMP_WORDS = new Set(["TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ"]);

/** `(a, b)` in an expression: a struct, which `(a, b) IN (SELECT ...)` unpacks into its fields. */
const rowConstructors = new WeakSet<Expr>();

/** The fields of a `(a, b)` row constructor, or `[e]`. */
export function rowFields(e: Expr): readonly Expr[] {
  return rowConstructors.has(e) && e.kind === "UnresolvedFunction" ? e.args : [e];
}

/**
 * Spark SQL expressions, with Spark's operator precedence (loosest first):
 * OR; AND; NOT / !; comparisons and predicates (IS, BETWEEN, IN, LIKE); |; ^; &; + - ||; * / % DIV;
 * unary - + ~; postfix `[i]`, `.field`, `::type`. Subqueries call back into the query layer.
 */
export abstract class ExpressionParser extends TypeParser {
  /** `OVER name` references read so far and not yet matched with a WINDOW clause (see query-parser). */
  protected windowRefs: Token[] = [];

  /** Parses a full query (the subquery of IN, EXISTS or a scalar subquery). */
  protected abstract query(): LogicalPlan;

  /** True when the token `k` ahead starts a query rather than an expression. */
  protected startsQuery(k = 0): boolean {
    return this.isKw("SELECT", k) || this.isKw("WITH", k) || (this.isKw("VALUES", k) && (this.isOp("(", k + 1) || this.peek(k + 1).type !== "op")) || this.isKw("TABLE", k);
  }

  /** `expr [AS] alias` as in a select list or `selectExpr`. */
  namedExpression(): Expr {
    const e = this.expression();
    if (this.acceptKw("AS")) {
      if (this.isOp("(")) {
        // `gen(...) AS (a, b)`: names for a generator's columns (the analyzer checks the count).
        this.next();
        const names: Expr[] = [];
        do names.push(Expr.literal(this.aliasAfterAs("a column alias"), StringType));
        while (this.acceptOp(","));
        this.expectOp(")", "',' or ')'");
        return Expr.fn("__multi_alias", [e, ...names]);
      }
      return Expr.alias(e, this.aliasAfterAs());
    }
    if (this.isImplicitAlias()) {
      this.lastImplicitAlias = this.peek();
      return Expr.alias(e, this.identifier());
    }
    return e;
  }

  /** An identifier that, standing after an expression or relation, names it (`SELECT a b`, `FROM t x`). */
  protected isImplicitAlias(): boolean {
    const t = this.peek();
    if (t.type === "quoted") return true;
    return t.type === "ident" && !RESERVED.has(t.upper) && !NOT_AN_ALIAS.has(t.upper);
  }

  expression(): Expr {
    let e = this.andExpr();
    while (this.acceptKw("OR")) e = Expr.binary("or", e, this.andExpr());
    return e;
  }

  expressionList(): Expr[] {
    const out = [this.expression()];
    while (this.acceptOp(",")) out.push(this.expression());
    return out;
  }

  private andExpr(): Expr {
    let e = this.notExpr();
    while (this.acceptKw("AND")) e = Expr.binary("and", e, this.notExpr());
    return e;
  }

  private notExpr(): Expr {
    if (this.acceptKw("NOT") || this.acceptOp("!")) return Expr.unary("not", this.notExpr());
    return this.predicated();
  }

  /** A comparison followed by predicates: IS [NOT] ..., [NOT] BETWEEN / IN / LIKE / ILIKE / RLIKE. */
  private predicated(): Expr {
    let e = this.comparison();
    for (;;) {
      if (this.acceptKw("IS")) {
        const not = this.acceptKw("NOT");
        let r: Expr;
        if (this.acceptKw("NULL")) r = Expr.unary(not ? "isnotnull" : "isnull", e);
        else if (this.acceptKw("TRUE")) r = this.maybeNot(not, Expr.binary("<=>", e, Expr.literal(true, BooleanType)));
        else if (this.acceptKw("FALSE")) r = this.maybeNot(not, Expr.binary("<=>", e, Expr.literal(false, BooleanType)));
        else if (this.acceptKw("UNKNOWN")) r = Expr.unary(not ? "isnotnull" : "isnull", e);
        else if (this.acceptKw("DISTINCT", "FROM")) r = this.maybeNot(!not, Expr.binary("<=>", e, this.comparison()));
        else this.fail(this.peek(), "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
        e = r;
        continue;
      }
      const not = this.isKw("NOT") && (this.isKw("BETWEEN", 1) || this.isKw("IN", 1) || this.isKw("LIKE", 1) || this.isKw("ILIKE", 1) || this.isKw("RLIKE", 1) || this.isKw("REGEXP", 1));
      if (not) this.next();
      if (this.acceptKw("BETWEEN")) {
        const lower = this.comparison();
        this.expectKw("AND");
        const upper = this.comparison();
        e = this.maybeNot(not, Expr.binary("and", Expr.binary(">=", e, lower), Expr.binary("<=", e, upper)));
      } else if (this.acceptKw("IN")) {
        e = this.maybeNot(not, this.inPredicate(e));
      } else if (this.isKw("LIKE") || this.isKw("ILIKE") || this.isKw("RLIKE") || this.isKw("REGEXP")) {
        const op = this.next().upper;
        const pattern = this.comparison();
        const args = [e, pattern];
        if (op !== "RLIKE" && op !== "REGEXP" && this.acceptKw("ESCAPE")) {
          const t = this.peek();
          if (t.type !== "string" || [...t.value].length !== 1) this.fail(t, "a one-character string after ESCAPE");
          this.next();
          args.push(stringLiteral(t.value));
        }
        e = this.maybeNot(not, Expr.fn(op === "REGEXP" ? "rlike" : op.toLowerCase(), args));
      } else return e;
    }
  }

  private inPredicate(e: Expr): Expr {
    this.expectOp("(", "'(' after IN");
    if (this.startsQuery()) {
      const plan = this.query();
      this.expectOp(")");
      return Expr.inSubquery(rowFields(e), plan);
    }
    const list = this.expressionList();
    this.expectOp(")", "',' or ')' in the IN list");
    return Expr.inList(e, list);
  }

  private maybeNot(not: boolean, e: Expr): Expr {
    return not ? Expr.unary("not", e) : e;
  }

  private comparison(): Expr {
    let e = this.bitOr();
    for (;;) {
      const t = this.peek();
      const op = t.type === "op" ? COMPARISON[t.value] : undefined;
      if (!op) return e;
      this.next();
      e = Expr.binary(op, e, this.bitOr());
    }
  }

  private bitOr(): Expr {
    let e = this.bitXor();
    while (this.acceptOp("|")) e = Expr.binary("|", e, this.bitXor());
    return e;
  }
  private bitXor(): Expr {
    let e = this.bitAnd();
    while (this.acceptOp("^")) e = Expr.binary("^", e, this.bitAnd());
    return e;
  }
  private bitAnd(): Expr {
    let e = this.additive();
    while (this.acceptOp("&")) e = Expr.binary("&", e, this.additive());
    return e;
  }

  private additive(): Expr {
    let e = this.multiplicative();
    for (;;) {
      const t = this.peek();
      const op = t.type === "op" ? ADDITIVE[t.value] : undefined;
      if (!op) return e;
      this.next();
      e = Expr.binary(op, e, this.multiplicative());
    }
  }

  private multiplicative(): Expr {
    let e = this.unary();
    for (;;) {
      const t = this.peek();
      const op = t.type === "op" ? MULTIPLICATIVE[t.value] : t.type === "ident" && t.upper === "DIV" ? "div" : undefined;
      if (!op) return e;
      this.next();
      e = Expr.binary(op, e, this.unary());
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.type === "op" && (t.value === "-" || t.value === "+")) {
      this.next();
      // `-5` is one literal (so -2147483648 is an INT, as in Spark), unless postfix operators follow it.
      const n = this.peek();
      if (t.value === "-" && n.type === "number" && !this.isPostfixOp(1)) {
        this.next();
        return this.literalOrFail(n, numberLiteral(n.text, true));
      }
      const child = this.unary();
      return Expr.unary(t.value === "-" ? "negate" : "positive", child);
    }
    if (t.type === "op" && t.value === "~") {
      this.next();
      return Expr.unary("bitnot", this.unary());
    }
    return this.postfix(this.primary());
  }

  private isPostfixOp(k: number): boolean {
    return this.isOp("[", k) || this.isOp("::", k) || this.isOp(".", k);
  }

  /** `e[key]`, `e.field`, `e::type` */
  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.acceptOp("[")) {
        const key = this.expression();
        this.expectOp("]");
        e = Expr.extract(e, key);
      } else if (this.isOp(".") && (this.peek(1).type === "ident" || this.peek(1).type === "quoted")) {
        this.next();
        const f = this.next();
        e = Expr.extract(e, stringLiteral(f.type === "quoted" ? f.value : f.text));
      } else if (this.acceptOp("::")) {
        e = Expr.cast(e, this.dataType());
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case "number":
        this.next();
        return this.literalOrFail(t, numberLiteral(t.text, false));
      case "string":
        return stringLiteral(this.strings());
      case "hex":
        this.next();
        return binaryLiteral(t.value);
      case "op":
        if (t.value === "(") return this.parenthesized();
        if (t.value === "*") {
          this.next();
          return Expr.star();
        }
        break;
      case "quoted":
        if (this.isOp("->", 1)) return this.lambda();
        return this.nameOrCall();
      case "ident":
        return this.wordPrimary(t);
      default:
        break;
    }
    this.fail(t, "an expression");
  }

  /** Adjacent string literals are one: `'a' 'b'` is `'ab'`. */
  private strings(): string {
    let s = "";
    while (this.peek().type === "string") s += this.next().value;
    return s;
  }

  private wordPrimary(t: Token): Expr {
    const u = t.upper;
    const callNext = this.isOp("(", 1);
    switch (u) {
      case "NULL": this.next(); return Expr.literal(null, NullType);
      case "TRUE": this.next(); return Expr.literal(true, BooleanType);
      case "FALSE": this.next(); return Expr.literal(false, BooleanType);
      case "CASE": return this.caseExpr();
      case "CAST": case "TRY_CAST":
        if (callNext) return this.castExpr(u === "TRY_CAST");
        break;
      case "EXISTS":
        if (callNext && this.startsQuery(2)) {
          this.next();
          this.next();
          const plan = this.query();
          this.expectOp(")");
          return Expr.exists(plan);
        }
        break;
      case "INTERVAL": {
        const n = this.peek(1);
        const signed = n.type === "op" && (n.value === "-" || n.value === "+") && this.peek(2).type === "number" && this.isIntervalUnit(3);
        if (n.type === "string" || n.type === "number" || signed) return this.intervalExpr();
        break;
      }
      case "DATE":
        if (this.peek(1).type === "string") {
          this.next();
          const s = this.peek();
          return this.literalOrFail(s, dateLiteral(this.strings()));
        }
        break;
      case "EXTRACT":
        if (callNext) return this.extractExpr();
        break;
      case "POSITION":
        if (callNext) return this.positionExpr();
        break;
      case "SUBSTRING": case "SUBSTR":
        if (callNext) return this.substringExpr(u.toLowerCase());
        break;
      case "TRIM":
        if (callNext) return this.trimExpr();
        break;
      default:
        if (u === "X" && this.peek(1).type === "string") {
          // `X '1F'`: the typed-literal spelling of X'1F'.
          this.next();
          const s = this.next();
          if (!/^[0-9A-Fa-f]*$/.test(s.value)) throw this.errorAt(s, `Invalid binary literal X ${s.text}: expected hexadecimal digits.`);
          return binaryLiteral(s.value);
        }
        if (TIMESTAMP_WORDS.has(u) && this.peek(1).type === "string") {
          this.next();
          const s = this.peek();
          return this.literalOrFail(s, timestampLiteral(this.strings()));
        }
        if (NILADIC.has(u) && !callNext) {
          this.next();
          return Expr.fn(t.text.toLowerCase(), []);
        }
    }
    if (this.isOp("->", 1)) return this.lambda();
    // END is non-reserved in Spark's default mode: `end` and `end.x` name columns (CASE reads its END itself).
    if (RESERVED.has(u) && u !== "END" && !(callNext && CALLABLE_RESERVED.has(u))) this.fail(t, "an expression");
    return this.nameOrCall();
  }

  /** `a`, `t.a`, `s.f.g`, `t.*`, `fn(...)`, `db.fn(...)`. */
  private nameOrCall(): Expr {
    const first = this.next();
    const parts = [first.type === "quoted" ? first.value : first.text];
    for (;;) {
      if (this.isOp(".") && (this.peek(1).type === "ident" || this.peek(1).type === "quoted")) {
        this.next();
        const p = this.next();
        parts.push(p.type === "quoted" ? p.value : p.text);
      } else if (this.isOp(".") && this.isOp("*", 1)) {
        this.next();
        this.next();
        return Expr.star(parts);
      } else break;
    }
    if (this.isOp("(")) return this.functionCall(parts.join(".").toLowerCase());
    return Expr.columnParts(parts);
  }

  /** `(query)`, `(a, b)` (a struct), `(a, b) -> body` (a lambda) or `(expr)`. */
  private parenthesized(): Expr {
    if (this.startsQuery(1)) {
      this.next();
      const plan = this.query();
      this.expectOp(")");
      return Expr.scalarSubquery(plan);
    }
    if (this.isLambdaParams()) return this.lambda();
    this.next();
    const list = this.expressionList();
    this.expectOp(")", list.length > 1 ? "',' or ')'" : "')'");
    if (list.length === 1) return list[0]!;
    const row = Expr.fn("struct", list);
    rowConstructors.add(row);
    return row;
  }

  /** At `(a, b) ->`? */
  private isLambdaParams(): boolean {
    let k = 1;
    for (;;) {
      const t = this.peek(k);
      if (t.type !== "ident" && t.type !== "quoted") return false;
      k++;
      if (this.isOp(",", k)) { k++; continue; }
      return this.isOp(")", k) && this.isOp("->", k + 1);
    }
  }

  /**
   * `x -> body` or `(acc, x) -> body`. Parameters are LambdaVariables with fresh ids and a NullType
   * placeholder type; the body refers to them by name (UnresolvedColumn), and the analyzer binds
   * those names to the innermost lambda's parameters and types them from the higher-order function.
   */
  private lambda(): Expr {
    const names: string[] = [];
    if (this.acceptOp("(")) {
      do names.push(this.identifier("a lambda parameter"));
      while (this.acceptOp(","));
      this.expectOp(")");
    } else {
      const t = this.next();
      names.push(t.type === "quoted" ? t.value : t.text);
    }
    this.expectOp("->");
    const params: LambdaVariable[] = names.map((n) => Expr.lambdaVar(n, NullType));
    return Expr.lambda(params, this.expression());
  }

  /**
   * `name([DISTINCT|ALL] args) [FILTER (WHERE cond)] [IGNORE|RESPECT NULLS] [OVER window]`.
   * `count(*)` has the single argument `Expr.star()`; the analyzer reads it as count(1).
   */
  private functionCall(name: string): Expr {
    this.expectOp("(");
    let distinct = false;
    let ignoreNulls = false;
    const args: Expr[] = [];
    if (!this.isOp(")")) {
      if (this.acceptKw("DISTINCT")) distinct = true;
      else this.acceptKw("ALL");
      do args.push(name === "struct" ? this.namedExpression() : this.expression());
      while (this.acceptOp(","));
      if (this.acceptKw("IGNORE", "NULLS")) ignoreNulls = true;
      else this.acceptKw("RESPECT", "NULLS");
    }
    this.expectOp(")", args.length ? "',' or ')' in the arguments" : "')'");
    if (this.isKw("WITHIN") && this.isKw("GROUP", 1)) args.splice(0, args.length, ...this.withinGroup(name, args));
    let filter: Expr | null = null;
    if (this.isKw("FILTER") && this.isOp("(", 1)) {
      this.next();
      this.next();
      this.expectKw("WHERE");
      filter = this.expression();
      this.expectOp(")");
    }
    if (this.acceptKw("IGNORE", "NULLS")) ignoreNulls = true;
    else this.acceptKw("RESPECT", "NULLS");
    const call = Expr.fn(name, args, { distinct, filter, ignoreNulls });
    if (this.acceptKw("OVER")) return Expr.window(call, this.overClause());
    return call;
  }

  /**
   * `percentile_cont(p) WITHIN GROUP (ORDER BY v [DESC])` (and percentile_disc) → arguments
   * (v, p[, true]); `mode() WITHIN GROUP (ORDER BY v)` → (v).
   */
  private withinGroup(name: string, args: readonly Expr[]): Expr[] {
    const at = this.peek();
    this.next();
    this.next();
    this.expectOp("(");
    this.expectKw("ORDER", "BY");
    const order = this.expression();
    const desc = this.acceptKw("DESC");
    if (!desc) this.acceptKw("ASC");
    if (this.acceptKw("NULLS")) { if (!this.acceptKw("FIRST")) this.expectKw("LAST"); }
    this.expectOp(")", "')' (one ORDER BY column)");
    const fn = name.toLowerCase();
    if (fn === "percentile_cont" || fn === "percentile_disc") {
      if (args.length !== 1) throw this.errorAt(at, `${fn}(percentage) WITHIN GROUP takes one argument, the percentage.`);
      return [order, args[0]!, ...(desc ? [Expr.literal(true, BooleanType)] : [])];
    }
    if (fn === "mode" && args.length === 0 && !desc) return [order];
    throw this.errorAt(at, `WITHIN GROUP (ORDER BY ...) is supported for percentile_cont, percentile_disc and mode (ascending), not ${name}.`);
  }

  /** After OVER: a window name or `( [PARTITION BY ...] [ORDER BY ...] [frame] )`. */
  private overClause(): WindowSpec {
    if (!this.isOp("(")) {
      const t = this.peek();
      const name = this.identifier("a window name or '(' after OVER");
      this.windowRefs.push(t);
      return namedWindowPlaceholder(name);
    }
    return this.windowSpec();
  }

  protected windowSpec(): WindowSpec {
    this.expectOp("(");
    let partitionBy: Expr[] = [];
    let orderBy: SortOrder[] = [];
    if (this.acceptKw("PARTITION", "BY") || this.acceptKw("DISTRIBUTE", "BY")) partitionBy = this.expressionList();
    if (this.acceptKw("ORDER", "BY") || this.acceptKw("SORT", "BY")) orderBy = this.sortItems(false);
    let frame: WindowFrame | null = null;
    if (this.isKw("ROWS") || this.isKw("RANGE")) {
      const frameType = this.next().upper === "ROWS" ? "rows" : "range";
      if (this.acceptKw("BETWEEN")) {
        const lower = this.frameBound(frameType);
        this.expectKw("AND");
        frame = Object.freeze({ frameType, lower, upper: this.frameBound(frameType) });
      } else frame = Object.freeze({ frameType, lower: this.frameBound(frameType), upper: Object.freeze({ type: "currentRow" }) });
    }
    this.expectOp(")", "PARTITION BY, ORDER BY, ROWS, RANGE or ')' in the window specification");
    return Object.freeze({ partitionBy: Object.freeze(partitionBy), orderBy: Object.freeze(orderBy), frame });
  }

  /**
   * `UNBOUNDED PRECEDING|FOLLOWING`, `CURRENT ROW`, `n PRECEDING` (offset -n) or `n FOLLOWING`
   * (offset n); in a RANGE frame also `INTERVAL 10 SECONDS PRECEDING` (offset in microseconds).
   */
  private frameBound(frameType: "rows" | "range"): FrameBoundary {
    if (this.acceptKw("UNBOUNDED")) {
      if (this.acceptKw("PRECEDING")) return Object.freeze({ type: "unboundedPreceding" });
      this.expectKw("FOLLOWING");
      return Object.freeze({ type: "unboundedFollowing" });
    }
    if (this.acceptKw("CURRENT", "ROW")) return Object.freeze({ type: "currentRow" });
    if (this.isKw("INTERVAL")) {
      const kw = this.peek();
      if (frameType === "rows") this.fail(kw, "a number of rows in a ROWS frame (an INTERVAL offset needs a RANGE frame)");
      const lit = this.intervalExpr();
      const iv = lit.kind === "Literal" ? (lit.value as Interval) : null;
      if (iv === null || iv.months !== 0) this.fail(kw, "an interval of fixed length (days, hours, minutes, seconds; not months or years) in the RANGE frame");
      const micros = iv!.days * MICROS_PER_DAY + iv!.micros;
      if (micros < 0) this.fail(kw, "a positive interval before PRECEDING or FOLLOWING");
      if (micros === 0) {
        if (!this.acceptKw("PRECEDING")) this.expectKw("FOLLOWING");
        return Object.freeze({ type: "currentRow" });
      }
      if (this.acceptKw("PRECEDING")) return Object.freeze({ type: "offset", value: -micros, interval: true });
      this.expectKw("FOLLOWING");
      return Object.freeze({ type: "offset", value: micros, interval: true });
    }
    const t = this.peek();
    if (t.type !== "number") this.fail(t, "UNBOUNDED, CURRENT ROW or a number in the window frame");
    this.next();
    const n = Number(t.text.replace(/[LSY]$/i, ""));
    if (!Number.isFinite(n)) this.fail(t, "a number in the window frame");
    if (this.acceptKw("PRECEDING")) return Object.freeze({ type: "offset", value: -n });
    this.expectKw("FOLLOWING");
    return Object.freeze({ type: "offset", value: n });
  }

  /** `expr [ASC|DESC] [NULLS FIRST|LAST], ...`; with `ordinals`, a bare integer is a select-list position. */
  protected sortItems(ordinals: boolean): SortOrder[] {
    const out: SortOrder[] = [];
    do {
      const child = ordinals ? this.expressionOrOrdinal() : this.expression();
      let ascending = true;
      if (this.acceptKw("DESC")) ascending = false;
      else this.acceptKw("ASC");
      let nullsFirst: boolean | undefined;
      if (this.acceptKw("NULLS")) {
        if (this.acceptKw("FIRST")) nullsFirst = true;
        else {
          this.expectKw("LAST");
          nullsFirst = false;
        }
      }
      out.push(Expr.sortOrder(child, ascending, nullsFirst));
    } while (this.acceptOp(","));
    return out;
  }

  /** An expression, or `Expr.ordinal(n)` when it is just an integer literal (`GROUP BY 1`, `ORDER BY 2`). */
  protected expressionOrOrdinal(): Expr {
    const start = this.pos;
    const e = this.expression();
    if (this.pos === start + 1 && e.kind === "Literal" && e.dataType.kind === "int") return Expr.ordinal(e.value as number);
    return e;
  }

  private caseExpr(): Expr {
    this.next();
    const operand = this.isKw("WHEN") ? null : this.expression();
    const branches: [Expr, Expr][] = [];
    while (this.acceptKw("WHEN")) {
      const cond = this.expression();
      this.expectKw("THEN");
      const value = this.expression();
      branches.push([operand ? Expr.binary("=", operand, cond) : cond, value]);
    }
    if (branches.length === 0) this.fail(this.peek(), "WHEN");
    const elseValue = this.acceptKw("ELSE") ? this.expression() : null;
    this.expectKw("END");
    return Expr.caseWhen(branches, elseValue);
  }

  private castExpr(tryCast: boolean): Expr {
    this.next();
    this.expectOp("(");
    const child = this.expression();
    this.expectKw("AS");
    const to = this.dataType();
    this.expectOp(")");
    return Expr.cast(child, to, tryCast ? "try" : "default");
  }

  /**
   * `INTERVAL '10 minutes'`, `INTERVAL '1' HOUR`, `INTERVAL 10 MINUTES`, `INTERVAL 1 HOUR 30 MINUTES`:
   * a CalendarIntervalType literal. (`INTERVAL '1:30' HOUR TO MINUTE` is not supported.)
   */
  private intervalExpr(): Expr {
    const kw = this.next();
    const parts: string[] = [];
    let first: Token | null = null;
    for (;;) {
      let sign = "";
      const save = this.pos;
      if (this.isOp("-") || this.isOp("+")) sign = this.next().value === "-" ? "-" : "";
      const v = this.peek();
      if (v.type !== "number" && v.type !== "string") {
        this.pos = save;
        break;
      }
      first ??= v;
      const value = v.type === "string" ? this.strings() : this.next().text;
      const unitTok = this.peek();
      const unit = unitTok.type === "ident" ? INTERVAL_UNITS[unitTok.upper] : undefined;
      if (unit) {
        this.next();
        if (this.isKw("TO")) throw this.errorAt(this.peek(), "ANSI interval ranges such as INTERVAL '1:30' HOUR TO MINUTE are not supported; write INTERVAL 1 HOUR 30 MINUTES.");
        parts.push(`${sign}${value} ${unit}`);
      } else if (v.type === "string" && parts.length === 0) {
        parts.push(sign === "-" ? `-${value}` : value);
        break;
      } else this.fail(unitTok, "an interval unit (YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND)");
    }
    if (parts.length === 0) this.fail(this.peek(), "an interval value after INTERVAL");
    return this.literalOrFail(first ?? kw, intervalLiteral(parts.join(" ")));
  }

  private isIntervalUnit(k: number): boolean {
    const t = this.peek(k);
    return t.type === "ident" && INTERVAL_UNITS[t.upper] !== undefined;
  }

  /** `EXTRACT(field FROM source)` → `extract('field', source)`. */
  private extractExpr(): Expr {
    this.next();
    this.expectOp("(");
    const field = this.identifier("a field such as YEAR, MONTH, DAY, HOUR");
    this.expectKw("FROM");
    const source = this.expression();
    this.expectOp(")");
    return Expr.fn("extract", [stringLiteral(field), source]);
  }

  /** `POSITION(substr IN str)` → `locate(substr, str)`; the call form `position(a, b)` stays a call. */
  private positionExpr(): Expr {
    const save = this.pos;
    this.next();
    this.expectOp("(");
    const sub = this.comparison();
    if (!this.acceptKw("IN")) {
      this.pos = save;
      return this.nameOrCall();
    }
    const str = this.expression();
    this.expectOp(")");
    return Expr.fn("locate", [sub, str]);
  }

  /** `SUBSTRING(str FROM pos [FOR len])` → `substring(str, pos[, len])`; the comma form is a plain call. */
  private substringExpr(name: string): Expr {
    const save = this.pos;
    this.next();
    this.expectOp("(");
    const str = this.expression();
    if (!this.acceptKw("FROM")) {
      this.pos = save;
      return this.nameOrCall();
    }
    const args = [str, this.expression()];
    if (this.acceptKw("FOR")) args.push(this.expression());
    this.expectOp(")");
    return Expr.fn(name, args);
  }

  /**
   * `TRIM([BOTH|LEADING|TRAILING] [chars] FROM str)` → `trim|ltrim|rtrim(str[, chars])` (source first,
   * as Spark's StringTrim); `trim(str)` is a plain call.
   */
  private trimExpr(): Expr {
    const save = this.pos;
    this.next();
    this.expectOp("(");
    let name = "trim";
    let sawSide = true;
    if (this.acceptKw("BOTH")) name = "trim";
    else if (this.acceptKw("LEADING")) name = "ltrim";
    else if (this.acceptKw("TRAILING")) name = "rtrim";
    else sawSide = false;
    if (sawSide && this.acceptKw("FROM")) {
      const src = this.expression();
      this.expectOp(")");
      return Expr.fn(name, [src]);
    }
    if (!sawSide && this.isOp(")")) {
      this.pos = save;
      return this.nameOrCall();
    }
    const chars = this.expression();
    if (!this.acceptKw("FROM")) {
      if (sawSide) this.fail(this.peek(), "FROM");
      this.pos = save;
      return this.nameOrCall();
    }
    const src = this.expression();
    this.expectOp(")");
    return Expr.fn(name, [src, chars]);
  }

  protected literalOrFail(tok: Token, r: LiteralResult): Expr {
    if ("error" in r) throw this.errorAt(tok, r.error.endsWith(".") ? r.error : `${r.error}.`);
    return r;
  }
}

