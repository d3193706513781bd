import { AnalysisError } from "../errors/errors.js";
import {
  type AttributeRef, type Expr, type LambdaVariable, type SortOrder, type UnresolvedFunction, Expr as E,
} from "../expr/expression.js";
import { exprNullable, exprType } from "../expr/expr-type.js";
import type { ArgInfo, FunctionContext } from "../expr/function-def.js";
import { lookupFunction } from "../expr/function-registry.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import {
  BinaryType, BooleanType, ByteType, type DataType, DateType, DoubleType, FloatType, IntegerType, LongType, NullType, ShortType, StringType,
  TimestampType, decimalType, isIntegral, sqlTypeName,
} from "../types/data-type.js";
import { castTo, coerceBinary, commonType } from "./coercion.js";
import { extractFields, matchName, unresolvedColumnError } from "./resolve-column.js";
import { exprSql } from "./expr-sql.js";
import { canCast } from "../expr/cast.js";
import { resolveIntervalArithmetic } from "./interval-arithmetic.js";

export interface ResolveScope {
  readonly input: readonly AttributeRef[];
  /** Attributes of enclosing queries, innermost first (for correlated subqueries). */
  readonly outer: readonly (readonly AttributeRef[])[];
  /** Whether aggregate functions may appear here (select list of an aggregation, HAVING, ORDER BY above one). */
  readonly allowAggregates: boolean;
  /** Whether window expressions may appear here. */
  readonly allowWindows: boolean;
}

export interface ResolverHooks {
  readonly caseSensitive: boolean;
  readonly functionContext: FunctionContext;
  /** Analyzes a subquery plan with the current scope as its outer scope. */
  analyzeSubquery(plan: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan;
  outputOf(plan: LogicalPlan): readonly AttributeRef[];
}

/** Resolves names, functions and types in one expression tree. */
export class ExprResolver {
  private readonly lambdaVars: LambdaVariable[] = [];
  constructor(private readonly hooks: ResolverHooks) {}

  resolve(e: Expr, scope: ResolveScope): Expr {
    switch (e.kind) {
      case "UnresolvedColumn": return this.resolveColumn(e.nameParts, scope);
      case "UnresolvedStar":
        throw new AnalysisError("INVALID_USAGE_OF_STAR", `[INVALID_USAGE_OF_STAR_OR_REGEX] Invalid usage of '*' in this expression.`);
      case "UnresolvedOrdinal":
        throw new AnalysisError("INVALID_ORDINAL", `Position ${e.position} is only allowed in GROUP BY and ORDER BY.`);
      case "AttributeRef": case "Literal": case "LambdaVariable": case "OuterRef": case "GetField":
        return e;
      case "Alias": {
        const c = this.resolve(e.child, scope);
        return c === e.child ? e : E.alias(c, e.name, e.id);
      }
      case "Cast": {
        const c = this.resolve(e.child, scope);
        const from = exprType(c);
        if (!canCast(from, e.to, this.hooks.functionContext.ansi)) {
          throw new AnalysisError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION", `[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] Cannot resolve "${exprSql(e)}" due to data type mismatch: cannot cast "${sqlTypeName(from)}" to "${sqlTypeName(e.to)}".`);
        }
        return E.cast(c, e.to, e.mode);
      }
      case "BinaryExpr": {
        const l = this.resolve(e.left, scope), r = this.resolve(e.right, scope);
        const datetime = resolveIntervalArithmetic(e.op, l, r);
        if (datetime) return datetime;
        const [cl, cr] = coerceBinary(e.op, l, r, exprSql(e));
        return E.binary(e.op, cl, cr);
      }
      case "UnaryExpr": {
        const c = this.resolve(e.child, scope);
        const t = exprType(c);
        if (e.op === "not") return E.unary("not", this.asBoolean(c, "NOT"));
        if ((e.op === "negate" || e.op === "positive") && t.kind === "string") return E.unary(e.op, castTo(c, { kind: "double" }));
        if (e.op === "bitnot" && !isIntegral(t)) this.typeError(e, "an integral type", t);
        if (e.op === "isnan") return E.unary("isnan", castTo(c, { kind: "double" }));
        return E.unary(e.op, c);
      }
      case "CaseWhen": {
        const branches = e.branches.map(([c, v]) => [this.asBoolean(this.resolve(c, scope), "CASE WHEN"), this.resolve(v, scope)] as const);
        const elseV = e.elseValue ? this.resolve(e.elseValue, scope) : null;
        const values = [...branches.map((b) => b[1]), ...(elseV ? [elseV] : [])];
        const t = commonType(values.map(exprType), `"${exprSql(e)}"`);
        return E.caseWhen(branches.map(([c, v]) => [c, castTo(v, t)] as const), elseV ? castTo(elseV, t) : null);
      }
      case "InList": {
        const v = this.resolve(e.value, scope);
        const list = e.list.map((x) => this.resolve(x, scope));
        const t = commonType([exprType(v), ...list.map(exprType)], `"${exprSql(e)}"`);
        return E.inList(castTo(v, t), list.map((x) => castTo(x, t)));
      }
      case "InSubquery": {
        const values = e.values.map((x) => this.resolve(x, scope));
        const plan = this.hooks.analyzeSubquery(e.plan, [scope.input, ...scope.outer]);
        const out = this.hooks.outputOf(plan);
        if (out.length !== values.length) {
          throw new AnalysisError("DATATYPE_MISMATCH.IN_SUBQUERY_LENGTH_MISMATCH", `[DATATYPE_MISMATCH.IN_SUBQUERY_LENGTH_MISMATCH] The number of columns in the left hand side of an IN subquery (${values.length}) does not match the number of columns in the output of subquery (${out.length}).`);
        }
        return E.inSubquery(values, plan);
      }
      case "Exists":
        return E.exists(this.hooks.analyzeSubquery(e.plan, [scope.input, ...scope.outer]));
      case "ScalarSubquery": {
        const plan = this.hooks.analyzeSubquery(e.plan, [scope.input, ...scope.outer]);
        if (this.hooks.outputOf(plan).length !== 1) {
          throw new AnalysisError("INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN", `[INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN] A scalar subquery must return exactly one column, but it returns ${this.hooks.outputOf(plan).length}.`);
        }
        return E.scalarSubquery(plan, this.hooks.outputOf(plan)[0]!.dataType);
      }
      case "UnresolvedExtractValue": {
        const c = this.resolve(e.child, scope);
        return this.extract(c, e.extraction, scope, e);
      }
      case "UnresolvedFunction":
        return this.resolveFunction(e, scope);
      case "SortOrder": {
        const c = this.resolve(e.child, scope);
        return E.sortOrder(c, e.ascending, e.nullsFirst);
      }
      case "WindowExpr": {
        if (!scope.allowWindows) {
          throw new AnalysisError("UNSUPPORTED_EXPR_FOR_WINDOW", `[UNSUPPORTED_EXPR_FOR_WINDOW] Window expression "${exprSql(e)}" is not allowed here; use it in SELECT.`);
        }
        const fnScope = { ...scope, allowAggregates: true, allowWindows: false };
        const fn = this.resolve(e.fn, fnScope);
        if (fn.kind !== "AggCall" && !(fn.kind === "Call" && fn.fn.windowOnly)) {
          throw new AnalysisError("UNSUPPORTED_EXPR_FOR_WINDOW", `[UNSUPPORTED_EXPR_FOR_WINDOW] Expression "${exprSql(e.fn)}" not supported within a window function.`);
        }
        const inner = { ...scope, allowWindows: false };
        const partitionBy = e.spec.partitionBy.map((p) => this.resolve(p, inner));
        const orderBy = e.spec.orderBy.map((o) => this.resolve(o, inner) as SortOrder);
        if (fn.kind === "Call" && fn.fn.windowOnly && orderBy.length === 0 && fn.fn.name !== "ntile") {
          throw new AnalysisError("WINDOW_ORDER_REQUIRED", `Window function ${fn.fn.name}() requires the window to be ordered: add ORDER BY to its OVER clause.`);
        }
        return E.window(fn, { partitionBy, orderBy, frame: e.spec.frame });
      }
      case "LambdaFunction":
        throw new AnalysisError("INVALID_LAMBDA_FUNCTION_CALL", "A lambda function is only allowed as an argument of a higher-order function.");
      case "Call": case "AggCall": case "GetItem":
        return e;
    }
  }

  asBoolean(e: Expr, where: string): Expr {
    const t = exprType(e);
    if (t.kind === "boolean") return e;
    if (t.kind === "null") return castTo(e, BooleanType);
    throw new AnalysisError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] ${where} requires a BOOLEAN condition, however "${exprSql(e)}" has the type "${sqlTypeName(t)}".`);
  }

  private typeError(e: Expr, expected: string, actual: DataType): never {
    throw new AnalysisError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${exprSql(e)}": it requires ${expected}, however the input has the type "${sqlTypeName(actual)}".`);
  }

  resolveColumn(parts: readonly string[], scope: ResolveScope): Expr {
    if (parts.length === 1) {
      const lv = this.lambdaVars.findLast((v) => v.name.toLowerCase() === parts[0]!.toLowerCase());
      if (lv) return lv;
    }
    const cs = this.hooks.caseSensitive;
    const m = matchName(parts, scope.input, cs);
    if (m) return extractFields(m.attr, m.rest, cs, parts.join("."));
    for (const outer of scope.outer) {
      const o = matchName(parts, outer, cs);
      if (o) return extractFields(E.outerRef(o.attr), o.rest, cs, parts.join("."));
    }
    throw unresolvedColumnError(parts, scope.input);
  }

  private extract(c: Expr, extraction: Expr, scope: ResolveScope, whole: Expr): Expr {
    const t = exprType(c);
    if (t.kind === "struct") {
      if (extraction.kind !== "Literal" || typeof extraction.value !== "string") this.typeError(whole, "a field name", t);
      return extractFields(c, [extraction.value as string], this.hooks.caseSensitive, exprSql(whole));
    }
    const key = this.resolve(extraction, scope);
    if (t.kind === "array") {
      const kt = exprType(key);
      if (!isIntegral(kt) && kt.kind !== "null") this.typeError(whole, "an integer index", kt);
      return E.getItem(c, castTo(key, IntegerType), t.elementType);
    }
    if (t.kind === "map") return E.getItem(c, castTo(key, t.keyType), t.valueType);
    throw new AnalysisError("INVALID_EXTRACT_BASE_FIELD_TYPE", `[INVALID_EXTRACT_BASE_FIELD_TYPE] Can't extract a value from "${exprSql(c)}". Need a complex type [STRUCT, ARRAY, MAP] but got "${sqlTypeName(t)}".`);
  }

  private resolveFunction(e: UnresolvedFunction, scope: ResolveScope): Expr {
    const name = e.name.toLowerCase();
    const def = lookupFunction(name);
    const castType = CAST_FUNCTIONS[name];
    if (!def && castType) {
      // `int(x)`, `string(x)`, ...: Spark's cast aliases, CAST(x AS type).
      if (e.args.length !== 1) throw new AnalysisError("WRONG_NUM_ARGS", `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires 1 parameters but the actual number is ${e.args.length}.`);
      return E.cast(this.resolve(e.args[0]!, scope), castType);
    }
    if (!def) {
      throw new AnalysisError("UNRESOLVED_ROUTINE", `[UNRESOLVED_ROUTINE] Cannot resolve function \`${e.name}\` on search path [\`builtin\`, \`session\`].`);
    }
    // count(*) counts rows: no argument.
    let rawArgs = e.args;
    // `first(x) IGNORE NULLS` is `first(x, true)`.
    if (e.ignoreNulls && IGNORE_NULLS_AS_ARGUMENT.has(name)) {
      if (rawArgs.length !== 1) {
        throw new AnalysisError("INVALID_SQL_SYNTAX", `[INVALID_SQL_SYNTAX] ${name}() takes IGNORE NULLS or an ignoreNulls argument, not both.`);
      }
      rawArgs = [rawArgs[0]!, E.literal(true, BooleanType)];
    }
    // `lag(x[, offset[, default]]) IGNORE NULLS` is `lag(x, offset, default, true)`.
    if (e.ignoreNulls && (name === "lag" || name === "lead")) {
      if (rawArgs.length > 3) throw new AnalysisError("INVALID_SQL_SYNTAX", `[INVALID_SQL_SYNTAX] ${name}() takes IGNORE NULLS or an ignoreNulls argument, not both.`);
      rawArgs = [rawArgs[0] ?? E.literal(null, NullType), rawArgs[1] ?? E.literal(1, IntegerType), rawArgs[2] ?? E.literal(null, NullType), E.literal(true, BooleanType)];
    }
    if (def.type === "aggregate" && name === "count" && rawArgs.length === 1 && rawArgs[0]!.kind === "UnresolvedStar") rawArgs = [];
    if (rawArgs.some((a) => a.kind === "UnresolvedStar")) rawArgs = rawArgs.flatMap((a) => (a.kind === "UnresolvedStar" ? this.expandStar(a.target, scope.input) : [a]));
    if (rawArgs.length < def.minArgs || rawArgs.length > def.maxArgs) {
      const expected = def.minArgs === def.maxArgs ? `${def.minArgs}` : def.maxArgs === Infinity ? `>= ${def.minArgs}` : `[${def.minArgs}, ${def.maxArgs}]`;
      throw new AnalysisError("WRONG_NUM_ARGS", `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires ${expected} parameters but the actual number is ${rawArgs.length}.`);
    }
    if (def.type === "aggregate") {
      if (!scope.allowAggregates) {
        throw new AnalysisError("UNSUPPORTED_AGGREGATE", `[INVALID_AGGREGATE_USAGE] Aggregate function ${name}(...) is not allowed in this place; it may only appear in a SELECT list, HAVING or ORDER BY of an aggregation.`);
      }
      // Arguments of an aggregate are evaluated per input row: no nested aggregates.
      const argScope = { ...scope, allowAggregates: false, allowWindows: false };
      const args = rawArgs.map((a) => this.resolve(a, argScope));
      const sig = def.resolve(args.map(argInfo), this.hooks.functionContext);
      const cast = args.map((a, i) => (sig.inputTypes[i] ? castTo(a, sig.inputTypes[i]!) : a));
      const filter = e.filter ? this.asBoolean(this.resolve(e.filter, argScope), "FILTER") : null;
      return E.aggCall(def, cast, sig.dataType, { distinct: e.distinct, filter, ignoreNulls: e.ignoreNulls, state: sig.state });
    }
    if (e.distinct) throw new AnalysisError("DISTINCT_ON_NON_AGGREGATE", `DISTINCT is only allowed in aggregate functions, not in ${name}().`);
    // Higher-order functions: resolve non-lambda arguments first, then lambdas with typed parameters.
    const args = rawArgs.map((a) => (a.kind === "LambdaFunction" ? a : this.resolve(a, scope)));
    const infos: ArgInfo[] = args.map((a) => (a.kind === "LambdaFunction" ? { dataType: StringType, nullable: true, foldable: false } : argInfo(a)));
    let sig = def.resolve(infos, this.hooks.functionContext);
    let finalArgs = args;
    if (args.some((a) => a.kind === "LambdaFunction")) {
      finalArgs = args.map((a, i) => {
        if (a.kind !== "LambdaFunction") return a;
        const types = sig.lambdaParams?.[i];
        if (!types) throw new AnalysisError("INVALID_LAMBDA_FUNCTION_CALL", `Function ${name} does not take a lambda function as argument ${i + 1}.`);
        if (a.params.length > types.length) throw new AnalysisError("INVALID_LAMBDA_FUNCTION_CALL", `[INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH] A lambda function for ${name} should take ${types.length} arguments, but ${a.params.length} were given.`);
        const vars = a.params.map((p, j) => E.lambdaVar(p.name, types[j]!, true, p.id));
        this.lambdaVars.push(...vars);
        try {
          return E.lambda(vars, this.resolve(a.body, scope));
        } finally {
          this.lambdaVars.length -= vars.length;
        }
      });
      sig = def.resolve(finalArgs.map((a) => (a.kind === "LambdaFunction" ? { dataType: exprType(a.body), nullable: true, foldable: false } : argInfo(a))), this.hooks.functionContext);
    }
    const cast = finalArgs.map((a, i) => (sig.inputTypes[i] && a.kind !== "LambdaFunction" ? castTo(a, sig.inputTypes[i]!) : a));
    return E.call(def, cast, sig.dataType, sig.state);
  }

  expandStar(target: readonly string[] | null, input: readonly AttributeRef[]): AttributeRef[] {
    if (!target) return [...input];
    const q = target[target.length - 1]!.toLowerCase();
    const matched = input.filter((a) => a.qualifier.length > 0 && a.qualifier[a.qualifier.length - 1]!.toLowerCase() === q);
    if (matched.length > 0) return matched;
    throw new AnalysisError("CANNOT_RESOLVE_STAR_EXPAND", `[CANNOT_RESOLVE_STAR_EXPAND] Cannot resolve \`${target.join(".")}\`.* given input columns ${input.map((a) => `\`${a.name}\``).join(", ")}.`);
  }
}

/** Spark's cast-alias functions and the type each casts to. */
const CAST_FUNCTIONS: Readonly<Record<string, DataType>> = {
  boolean: BooleanType, tinyint: ByteType, smallint: ShortType, int: IntegerType, bigint: LongType, float: FloatType, double: DoubleType,
  decimal: decimalType(10, 0), date: DateType, timestamp: TimestampType, binary: BinaryType, string: StringType,
};

/** Functions whose IGNORE NULLS clause is their second (boolean) argument. */
const IGNORE_NULLS_AS_ARGUMENT = new Set(["first", "last", "first_value", "last_value", "any_value"]);

/**
 * What a function definition learns about an argument. `name` is the column name the argument
 * would have in a select list when it is a column, an alias or a field access (struct() names
 * its fields with it).
 */
export function argInfo(a: Expr): ArgInfo {
  if (a.kind === "Literal") return { dataType: a.dataType, nullable: a.value === null, foldable: true, value: a.value };
  const name = argName(a);
  return { dataType: exprType(a), nullable: exprNullable(a), foldable: false, ...(name === undefined ? {} : { name }) };
}

function argName(a: Expr): string | undefined {
  switch (a.kind) {
    case "AttributeRef": case "Alias": case "GetField": return a.name;
    case "OuterRef": return a.attr.name;
    case "LambdaVariable": return a.name;
    case "Cast": return a.implicit ? argName(a.child) : undefined;
    default: return undefined;
  }
}
