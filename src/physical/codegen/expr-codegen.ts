import { ExecutionError } from "../../errors/errors.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import { binaryResultType, exprType } from "../../expr/expr-type.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { compileCast } from "../../expr/cast.js";
import { comparatorFor } from "../../expr/aggregates/value-order.js";
import { type DataType, type DecimalType, isIntegral } from "../../types/data-type.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { rt as rtRef } from "./runtime.js";
import { storageKind } from "../../batch/vector.js";
import { rescaleDecimal, decimalDivide, decimalMultiply } from "./decimal-ops.js";
import { boundSignature } from "../../expr/bound-signature.js";
import { commonSubexpressions, subexpressionKey } from "./common-subexpressions.js";

/** One generated expression: statements to run, and the names holding its null flag and value. */
export interface GenValue {
  readonly code: string;
  /** A JS expression: true when the value is null. */
  readonly isNull: string;
  /** A JS expression of the internal value (meaningless when null). */
  readonly value: string;
}

/** Where an input column lives in the generated function. */
export interface InputBinding {
  /** Name of the local holding the column's values array. */
  readonly values: string;
  /** Name of the local holding its nulls mask (or null). */
  readonly nulls: string;
  readonly type: DataType;
  /**
   * When true, `values` and `nulls` name per-row locals (a value computed earlier in the same
   * loop, already in its internal form) rather than arrays indexed by the row.
   */
  readonly scalar?: boolean;
  /**
   * For a scalar struct: per-row locals holding its fields (never null while the struct is not),
   * which GetField reads directly; `values` then builds the struct only where it is used whole.
   */
  readonly fields?: readonly string[];
}

/**
 * Shared state while generating one function: references captured from the engine (functions,
 * constants, sets), fresh variable names, and how attribute ids map to input columns.
 */
export class CodegenContext {
  readonly refs: unknown[] = [];
  private counter = 0;
  private readonly lambdaScopes: Map<number, GenValue>[] = [];
  /** Values computed once per row ahead of their uses (genCommonSubexpressions), by subexpressionKey. */
  readonly common = new Map<string, GenValue>();

  constructor(
    readonly inputs: ReadonlyMap<number, InputBinding>,
    readonly fctx: ExecFunctionContext,
    /** The loop's row index variable. */
    readonly row = "i",
  ) {}

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  /** Captures a value; the generated code reads it as the returned name (declared in the prologue). */
  ref(v: unknown): string {
    this.refs.push(v);
    return `R[${this.refs.length - 1}]`;
  }

  /** Declarations to put before the loop so that references are locals (faster than R[i]). */
  prologue(): string {
    return this.refs.map((_, i) => `const R${i} = R[${i}];`).join("\n");
  }

  pushLambda(vars: Map<number, GenValue>): void {
    this.lambdaScopes.push(vars);
  }
  popLambda(): void {
    this.lambdaScopes.pop();
  }
  lambdaVar(id: number): GenValue | undefined {
    for (let i = this.lambdaScopes.length - 1; i >= 0; i--) {
      const v = this.lambdaScopes[i]!.get(id);
      if (v) return v;
    }
    return undefined;
  }
}

/** Replaces `R[n]` with the prologue's local `Rn`. */
export function localizeRefs(code: string): string {
  return code.replace(/R\[(\d+)\]/g, "R$1");
}

const NUMERIC_JS = new Set(["byte", "short", "int", "float", "double", "date", "timestamp"]);

/**
 * Code computing, for the current row, the subexpressions of `always` worth computing once
 * (commonSubexpressions); genExpr then reads them wherever they occur, in `always` or `later`.
 * The code goes before the code of `always`, at the loop body's top level.
 */
export function genCommonSubexpressions(always: readonly Expr[], later: readonly Expr[], ctx: CodegenContext): string {
  let code = "";
  for (const e of commonSubexpressions(always, later)) {
    const g = genExpr(e, ctx);
    code += `${g.code}\n`;
    ctx.common.set(subexpressionKey(e), { code: "", isNull: g.isNull, value: g.value });
  }
  return code;
}

/** Generates code computing `e` for the current row. */
export function genExpr(e: Expr, ctx: CodegenContext): GenValue {
  if (ctx.common.size > 0 && e.kind !== "AttributeRef" && e.kind !== "Literal" && e.kind !== "Alias") {
    const shared = ctx.common.get(subexpressionKey(e));
    if (shared) return shared;
  }
  switch (e.kind) {
    case "AttributeRef": {
      const b = ctx.inputs.get(e.id);
      if (!b) throw new ExecutionError("INTERNAL_ERROR", `Column ${e.name}#${e.id} is not available to this operator.`);
      if (b.scalar) return { code: "", isNull: b.nulls, value: b.values };
      const n = ctx.fresh("n"), v = ctx.fresh("v");
      const read = b.type.kind === "boolean" ? `${b.values}[${ctx.row}] === 1` : `${b.values}[${ctx.row}]`;
      return { code: `const ${n} = ${b.nulls} !== null && ${b.nulls}[${ctx.row}] === 1; const ${v} = ${read};`, isNull: n, value: v };
    }
    case "LambdaVariable": {
      const v = ctx.lambdaVar(e.id);
      if (!v) throw new ExecutionError("INTERNAL_ERROR", `Lambda variable ${e.name} is not in scope.`);
      return v;
    }
    case "Literal":
      if (e.value === null) return { code: "", isNull: "true", value: "undefined" };
      if (typeof e.value === "number" || typeof e.value === "boolean") return { code: "", isNull: "false", value: Object.is(e.value, -0) ? "(-0)" : `(${String(e.value)})` };
      return { code: "", isNull: "false", value: ctx.ref(e.value) };
    case "Alias": case "SortOrder":
      return genExpr(e.child, ctx);
    case "Cast":
      return genCast(e.child, e.to, e.mode, ctx);
    case "BinaryExpr":
      return genBinary(e.op, e.left, e.right, ctx);
    case "UnaryExpr":
      return genUnary(e.op, e.child, ctx);
    case "CaseWhen": {
      const n = ctx.fresh("n"), v = ctx.fresh("v");
      let code = `let ${n} = true, ${v} = ${unsetValue(exprType(e))};\n`;
      let close = "";
      for (const [c, val] of e.branches) {
        const gc = genExpr(c, ctx);
        const gv = genExpr(val, ctx);
        code += `${gc.code}\nif (!(${gc.isNull}) && ${gc.value}) { ${gv.code}\n ${n} = ${gv.isNull}; ${v} = ${gv.value}; } else {\n`;
        close += "}";
      }
      if (e.elseValue) {
        const ge = genExpr(e.elseValue, ctx);
        code += `${ge.code}\n${n} = ${ge.isNull}; ${v} = ${ge.value};\n`;
      }
      return { code: code + close, isNull: n, value: v };
    }
    case "InList": {
      const gv = genExpr(e.value, ctx);
      const n = ctx.fresh("n"), v = ctx.fresh("v");
      const t = exprType(e.value);
      const allLit = e.list.every((x) => x.kind === "Literal");
      if (allLit && isHashable(t)) {
        const lits = e.list.map((x) => (x as { value: unknown }).value);
        const hasNull = lits.some((x) => x === null);
        const set = ctx.ref(new Set(lits.filter((x) => x !== null)));
        return {
          code: `${gv.code}\nlet ${n} = ${gv.isNull}, ${v} = false;\nif (!${n}) { ${v} = ${set}.has(${gv.value}); if (!${v} && ${hasNull}) ${n} = true; }`,
          isNull: n, value: v,
        };
      }
      let code = `${gv.code}\nlet ${n} = ${gv.isNull}, ${v} = false;\nif (!${n}) { let sawNull = false;\n`;
      for (const x of e.list) {
        const gx = genExpr(x, ctx);
        const eq = genEquals(gv.value, gx.value, t, ctx);
        code += `if (!${v}) { ${gx.code}\n if (${gx.isNull}) sawNull = true; else if (${eq}) ${v} = true; }\n`;
      }
      code += `if (!${v} && sawNull) ${n} = true; }`;
      return { code, isNull: n, value: v };
    }
    case "Call": {
      const inline = e.fn.nullSafe === true ? null : (e.fn.inline?.(e.args) ?? null);
      if (inline !== null) {
        const gs = e.args.map((a) => genExpr(a, ctx));
        const n = ctx.fresh("n"), v = ctx.fresh("v");
        const anyNull = gs.map((g) => g.isNull).filter((x) => x !== "false").join(" || ") || "false";
        return {
          code: `${gs.map((g) => g.code).join("\n")}\nconst ${n} = ${anyNull}; let ${v} = ${unsetValue(e.dataType)};\nif (!${n}) ${v} = ${inline(gs.map((g) => g.value))};`,
          isNull: n, value: v,
        };
      }
      return genCall(e.dataType, e.fn.nullSafe === true, e.args, () => e.fn.compile(boundSignature(e.args, e.dataType, e.state), ctx.fctx), ctx);
    }
    case "GetField": {
      const fields = e.child.kind === "AttributeRef" ? ctx.inputs.get(e.child.id)?.fields : undefined;
      if (fields !== undefined) return { code: "", isNull: ctx.inputs.get((e.child as AttributeRef).id)!.nulls, value: fields[e.ordinal]! };
      const gc = genExpr(e.child, ctx);
      const n = ctx.fresh("n"), v = ctx.fresh("v");
      return { code: `${gc.code}\nlet ${n} = ${gc.isNull}, ${v} = ${unsetValue(exprType(e))};\nif (!${n}) { ${v} = ${gc.value}[${e.ordinal}]; ${n} = ${v} === null || ${v} === undefined; }`, isNull: n, value: v };
    }
    case "GetItem": {
      const gc = genExpr(e.child, ctx), gk = genExpr(e.key, ctx);
      const n = ctx.fresh("n"), v = ctx.fresh("v");
      const t = exprType(e.child);
      const access = t.kind === "array"
        ? `{ const a = ${gc.value}, k = ${gk.value}; if (k >= 0 && k < a.length) { ${v} = a[k]; ${n} = ${v} === null; } else ${ctx.fctx.ansi ? `${ctx.ref(arrayIndexError)}(k, a.length)` : `${n} = true`}; }`
        : `{ ${v} = ${gc.value}.get(${gk.value}); ${n} = ${v} === undefined || ${v} === null; }`;
      return { code: `${gc.code}\n${gk.code}\nlet ${n} = ${gc.isNull} || ${gk.isNull}, ${v} = ${unsetValue(exprType(e))};\nif (!${n}) ${access}`, isNull: n, value: v };
    }
    case "LambdaFunction": {
      // A lambda becomes a JS closure over internal values; its body sees the current row too.
      const params = e.params.map((p) => ctx.fresh(`p_${p.name.replace(/\W/g, "")}_`));
      const scope = new Map<number, GenValue>();
      e.params.forEach((p, i) => scope.set(p.id, { code: "", isNull: `(${params[i]} === null)`, value: params[i]! }));
      ctx.pushLambda(scope);
      const body = genExpr(e.body, ctx);
      ctx.popLambda();
      const f = ctx.fresh("fn");
      return { code: `const ${f} = (${params.join(", ")}) => { ${body.code}\n return ${body.isNull} ? null : ${body.value}; };`, isNull: "false", value: f };
    }
    case "OuterRef":
      throw new ExecutionError("INTERNAL_ERROR", "A correlated subquery reference was not rewritten before execution.");
    default:
      throw new ExecutionError("INTERNAL_ERROR", `Expression ${e.kind} cannot be evaluated per row here.`);
  }
}

/**
 * The first value of a result variable that a null leaves unassigned: a number variable that
 * starts as undefined is a tagged value to V8, which then boxes every double assigned to it (a
 * heap number per row: Nexmark q5's window-max kernel allocated 20 MB a run reading window.start).
 */
function unsetValue(t: DataType): string {
  const kind = t.kind === "boolean" ? "boolean" : storageKind(t);
  return kind === "boolean" ? "false" : kind === "array" ? "undefined" : "0";
}

function arrayIndexError(i: number, n: number): never {
  throw new ExecutionError("INVALID_ARRAY_INDEX", `[INVALID_ARRAY_INDEX] The index ${i} is out of bounds. The array has ${n} elements. Use \`try_element_at\` to tolerate accessing element at invalid index and return NULL instead.`);
}


function isHashable(t: DataType): boolean {
  return t.kind !== "array" && t.kind !== "map" && t.kind !== "struct" && t.kind !== "binary" && t.kind !== "float" && t.kind !== "double" && t.kind !== "interval";
}

function genCall(type: DataType, nullSafe: boolean, args: readonly Expr[], compile: () => unknown, ctx: CodegenContext): GenValue {
  const fn = ctx.ref(compile());
  const gs = args.map((a) => genExpr(a, ctx));
  const n = ctx.fresh("n"), v = ctx.fresh("v");
  const code = gs.map((g) => g.code).join("\n");
  if (nullSafe) {
    const call = `${fn}(${gs.map((g) => `${g.isNull} ? null : ${g.value}`).join(", ")})`;
    return { code: `${code}\nconst ${v} = ${call}; const ${n} = ${v} === null || ${v} === undefined;`, isNull: n, value: v };
  }
  const anyNull = gs.length ? gs.map((g) => g.isNull).filter((x) => x !== "false").join(" || ") || "false" : "false";
  return {
    code: `${code}\nlet ${n} = ${anyNull}, ${v} = ${unsetValue(type)};\nif (!${n}) { ${v} = ${fn}(${gs.map((g) => g.value).join(", ")}); ${n} = ${v} === null || ${v} === undefined; }`,
    isNull: n, value: v,
  };
}

function genCast(child: Expr, to: DataType, mode: "default" | "ansi" | "legacy" | "try", ctx: CodegenContext): GenValue {
  const from = exprType(child);
  const gc = genExpr(child, ctx);
  const effective = mode === "default" ? (ctx.fctx.ansi ? "ansi" : "legacy") : mode;
  // Widening to long/double from smaller integers keeps the JS number as it is.
  if (from.kind === to.kind && from.kind !== "decimal" && from.kind !== "array" && from.kind !== "map" && from.kind !== "struct") return gc;
  // Longs beyond 2^53 are bigints: a double needs Number() (rounding to nearest, as Java).
  if (from.kind === "long" && to.kind === "double") {
    const n = ctx.fresh("n"), v = ctx.fresh("v");
    return { code: `${gc.code}\nconst ${n} = ${gc.isNull}; const ${v} = ${n} ? 0 : typeof ${gc.value} === "bigint" ? Number(${gc.value}) : ${gc.value};`, isNull: n, value: v };
  }
  if (isIntegral(from) && (to.kind === "long" || to.kind === "double" || (to.kind === "int" && (from.kind === "byte" || from.kind === "short")) || (to.kind === "short" && from.kind === "byte"))) return gc;
  if (from.kind === "null") return { code: gc.code, isNull: "true", value: "undefined" };
  // An integer into a decimal of scale 0 with room for all its digits: the unscaled value is the integer.
  if (to.kind === "decimal" && to.scale === 0 && INTEGER_DIGITS[from.kind] !== undefined && to.precision >= INTEGER_DIGITS[from.kind]!) return gc;
  const fn = ctx.ref(compileCast(from, to, effective, ctx.fctx.timeZone));
  const n = ctx.fresh("n"), v = ctx.fresh("v");
  return { code: `${gc.code}\nlet ${n} = ${gc.isNull}, ${v} = ${unsetValue(to)};\nif (!${n}) { ${v} = ${fn}(${gc.value}); ${n} = ${v} === null; }`, isNull: n, value: v };
}

/** JS expression testing equality of two non-null values of type t. */
function genEquals(a: string, b: string, t: DataType, ctx: CodegenContext): string {
  if (t.kind === "float" || t.kind === "double") return `${ctx.ref(eqDouble)}(${a}, ${b})`;
  if (NUMERIC_JS.has(t.kind) || t.kind === "string" || t.kind === "boolean" || t.kind === "long" || t.kind === "decimal") return `${a} === ${b}`;
  return `${ctx.ref(comparatorFor(t))}(${a}, ${b}) === 0`;
}

const eqDouble = (a: number, b: number): boolean => a === b || (a !== a && b !== b);
const ltDouble = (a: number, b: number): boolean => (a !== a ? false : b !== b ? true : a < b);
const leDouble = (a: number, b: number): boolean => (b !== b ? true : a !== a ? false : a <= b);

/** A local name or a parenthesized number literal: safe to repeat in generated code. */
function isSimpleOperand(x: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(x) || isNumberLiteral(x);
}

/** A parenthesized finite number literal, as genExpr emits for numeric literals (never NaN). */
function isNumberLiteral(x: string): boolean {
  return /^\(-?\d+(\.\d+)?(e[+-]?\d+)?\)$/.test(x);
}

function genCompare(op: string, a: string, b: string, t: DataType, ctx: CodegenContext): string {
  if (op === "=" || op === "<=>") return genEquals(a, b, t, ctx);
  if (op === "!=") return `!(${genEquals(a, b, t, ctx)})`;
  if ((t.kind === "float" || t.kind === "double") && isSimpleOperand(a) && isSimpleOperand(b)) {
    // Inline forms of ltDouble / leDouble (NaN above every number).
    const lt = (x: string, y: string): string => (isNumberLiteral(x) ? `(${y} !== ${y} || ${x} < ${y})` : isNumberLiteral(y) ? `(${x} === ${x} && ${x} < ${y})` : `(${x} !== ${x} ? false : ${y} !== ${y} ? true : ${x} < ${y})`);
    const le = (x: string, y: string): string => (isNumberLiteral(x) ? `(${y} !== ${y} || ${x} <= ${y})` : isNumberLiteral(y) ? `(${x} === ${x} && ${x} <= ${y})` : `(${y} !== ${y} ? true : ${x} !== ${x} ? false : ${x} <= ${y})`);
    switch (op) {
      case "<": return lt(a, b);
      case "<=": return le(a, b);
      case ">": return lt(b, a);
      default: return le(b, a);
    }
  }
  if (t.kind === "float" || t.kind === "double") {
    const lt = ctx.ref(ltDouble), le = ctx.ref(leDouble);
    switch (op) {
      case "<": return `${lt}(${a}, ${b})`;
      case "<=": return `${le}(${a}, ${b})`;
      case ">": return `${lt}(${b}, ${a})`;
      default: return `${le}(${b}, ${a})`;
    }
  }
  if (NUMERIC_JS.has(t.kind) || t.kind === "long" || t.kind === "decimal" || t.kind === "boolean") return `${a} ${op} ${b}`;
  // Strings compare by code point (Spark: UTF-8 bytes); complex types lexicographically.
  return `${ctx.ref(comparatorFor(t))}(${a}, ${b}) ${op} 0`;
}

function genBinary(op: string, left: Expr, right: Expr, ctx: CodegenContext): GenValue {
  const n = ctx.fresh("n"), v = ctx.fresh("v");
  if (op === "and" || op === "or") {
    const gl = genExpr(left, ctx), gr = genExpr(right, ctx);
    // Three-valued logic: false AND x = false, true OR x = true, otherwise null wins.
    const decisive = op === "and" ? "false" : "true";
    return {
      code: `${gl.code}\nlet ${n} = false, ${v} = ${decisive};\nif (${gl.isNull} || ${gl.value} !== ${decisive}) { ${gr.code}\n if (!(${gr.isNull}) && ${gr.value} === ${decisive}) { ${v} = ${decisive}; } else if (${gl.isNull} || ${gr.isNull}) { ${n} = true; } else { ${v} = ${op === "and" ? "true" : "false"}; } }`,
      isNull: n, value: v,
    };
  }
  const gl = genExpr(left, ctx), gr = genExpr(right, ctx);
  const lt = exprType(left), rtp = exprType(right);
  const pre = `${gl.code}\n${gr.code}`;
  if (op === "<=>") {
    const eq = genEquals(gl.value, gr.value, lt, ctx);
    return { code: `${pre}\nconst ${v} = (${gl.isNull} && ${gr.isNull}) || (!(${gl.isNull}) && !(${gr.isNull}) && ${eq}); const ${n} = false;`, isNull: n, value: v };
  }
  const anyNull = `${gl.isNull} || ${gr.isNull}`;
  const a = gl.value, b = gr.value;
  if (["=", "!=", "<", "<=", ">", ">="].includes(op)) {
    return { code: `${pre}\nconst ${n} = ${anyNull}; const ${v} = !${n} && (${genCompare(op, a, b, lt, ctx)});`, isNull: n, value: v };
  }
  if (op === "||") {
    const expr = lt.kind === "array" ? `${a}.concat(${b})` : `${a} + ${b}`;
    return { code: `${pre}\nconst ${n} = ${anyNull}; const ${v} = ${n} ? undefined : ${expr};`, isNull: n, value: v };
  }
  const t = lt.kind === "null" ? rtp : lt;
  const ansi = ctx.fctx.ansi;
  const R = ctx.ref(rtRef);
  const zeroCheck = (zero: string): string => (ansi ? `if (${b} === ${zero}) ${R}.divideByZero();` : `if (${b} === ${zero}) ${n} = true; else`);
  let body: string;
  switch (t.kind) {
    case "byte": case "short": case "int": {
      const wrap = (x: string): string => (t.kind === "int" ? `(${x}) | 0` : t.kind === "short" ? `((${x}) << 16) >> 16` : `((${x}) << 24) >> 24`);
      const checked = (x: string, opName: string): string => (ansi ? `((r) => (r === (${wrap("r")}) ? r : ${R}.intOverflow("${opName}")))(${x})` : wrap(x));
      switch (op) {
        case "+": body = `${v} = ${checked(`${a} + ${b}`, "+")};`; break;
        case "-": body = `${v} = ${checked(`${a} - ${b}`, "-")};`; break;
        case "*": body = ansi ? `${v} = ${checked(`${a} * ${b}`, "*")};` : `${v} = ${t.kind === "int" ? `Math.imul(${a}, ${b})` : wrap(`${a} * ${b}`)};`; break;
        case "%": body = `${zeroCheck("0")} ${v} = (${a} % ${b}) | 0;`; break;
        case "pmod": body = `${zeroCheck("0")} ${v} = ${R}.pmodNum(${a}, ${b});`; break;
        case "&": body = `${v} = ${a} & ${b};`; break;
        case "|": body = `${v} = ${a} | ${b};`; break;
        case "^": body = `${v} = ${a} ^ ${b};`; break;
        default: throw new ExecutionError("INTERNAL_ERROR", `operator ${op} on ${t.kind}`);
      }
      break;
    }
    case "long":
      switch (op) {
        case "+": body = ansi ? `${v} = ${R}.longAddExact(${a}, ${b});` : `${v} = ${R}.longAdd(${a}, ${b});`; break;
        case "-": body = ansi ? `${v} = ${R}.longAddExact(${a}, ${R}.longNeg(${b}));` : `${v} = ${R}.longSub(${a}, ${b});`; break;
        case "*": body = ansi ? `${v} = ${R}.longMulExact(${a}, ${b});` : `${v} = ${R}.longMul(${a}, ${b});`; break;
        case "div": body = `${zeroCheck("0")} ${v} = ${R}.longDiv(${a}, ${b});`; break;
        case "%": body = `${zeroCheck("0")} ${v} = ${R}.longRem(${a}, ${b});`; break;
        case "pmod": body = `${zeroCheck("0")} ${v} = ${R}.pmodLong(${a}, ${b});`; break;
        case "&": body = `${v} = ${ctx.ref(longBit)}("&", ${a}, ${b});`; break;
        case "|": body = `${v} = ${ctx.ref(longBit)}("|", ${a}, ${b});`; break;
        case "^": body = `${v} = ${ctx.ref(longBit)}("^", ${a}, ${b});`; break;
        default: throw new ExecutionError("INTERNAL_ERROR", `operator ${op} on long`);
      }
      break;
    case "float": case "double": {
      const fr = (x: string): string => (t.kind === "float" ? `Math.fround(${x})` : x);
      switch (op) {
        case "+": body = `${v} = ${fr(`${a} + ${b}`)};`; break;
        case "-": body = `${v} = ${fr(`${a} - ${b}`)};`; break;
        case "*": body = `${v} = ${fr(`${a} * ${b}`)};`; break;
        // Spark returns null (ANSI: an error) for any division by zero, doubles included.
        case "/": body = `${zeroCheck("0")} ${v} = ${fr(`${a} / ${b}`)};`; break;
        case "%": body = `${zeroCheck("0")} ${v} = ${fr(`${a} % ${b}`)};`; break;
        case "pmod": body = `${zeroCheck("0")} ${v} = ${fr(`${R}.pmodNum(${a}, ${b})`)};`; break;
        default: throw new ExecutionError("INTERNAL_ERROR", `operator ${op} on ${t.kind}`);
      }
      break;
    }
    case "decimal": {
      if (rtp.kind !== "decimal" || lt.kind !== "decimal") throw new ExecutionError("INTERNAL_ERROR", "decimal operands expected");
      const res = binaryDecimalType(op, lt, rtp);
      const fnRef = ctx.ref(decimalOp(op, lt.scale, rtp.scale, res.precision, res.scale, ansi));
      body = `${v} = ${fnRef}(${a}, ${b}); if (${v} === null) ${n} = true;`;
      // A product that keeps the operands' scales (Nexmark q1's 0.908 * price) inline while exact
      // and inside the result's precision; anything else through decimalOp.
      if (op === "*" && res.scale === lt.scale + rtp.scale && res.precision > 15) {
        body = `if (typeof ${a} === "number" && typeof ${b} === "number" && Math.abs(${v} = ${a} * ${b}) < ${MAX_EXACT}) ${v} = ${v} || 0; else { ${body} }`;
      }
      break;
    }
    default:
      throw new ExecutionError("INTERNAL_ERROR", `Binary operator ${op} is not defined on ${t.kind}.`);
  }
  return { code: `${pre}\nlet ${n} = ${anyNull}, ${v} = ${unsetValue(t)};\nif (!${n}) { ${body} }`, isNull: n, value: v };
}


/** 2^53: below it every integer is exact in a double. */
const MAX_EXACT = 2 ** 53;

/** Decimal digits of the largest value of each integer type (Spark casts a long to DECIMAL(20,0)). */
const INTEGER_DIGITS: Partial<Record<DataType["kind"], number>> = { byte: 3, short: 5, int: 10, long: 19 };

function binaryDecimalType(op: string, l: DecimalType, r: DecimalType): DecimalType {
  return binaryResultType(op, l, r) as DecimalType;
}

function longBit(op: string, a: Long, b: Long): Long {
  if (typeof a === "number" && typeof b === "number" && Math.abs(a) < 2 ** 31 && Math.abs(b) < 2 ** 31) {
    return op === "&" ? a & b : op === "|" ? a | b : a ^ b;
  }
  const x = BigInt(a), y = BigInt(b);
  return normalizeLong(BigInt.asIntN(64, op === "&" ? x & y : op === "|" ? x | y : x ^ y));
}

/** Decimal arithmetic on unscaled values; null on overflow of the result precision (ANSI: error). */
function decimalOp(op: string, s1: number, s2: number, p: number, s: number, ansi: boolean): (a: Long, b: Long) => Long | null {
  const lim = 10n ** BigInt(p);
  const overflow = (): null => {
    if (ansi) throw new ExecutionError("NUMERIC_VALUE_OUT_OF_RANGE", `[NUMERIC_VALUE_OUT_OF_RANGE] The result of the decimal ${op} does not fit in DECIMAL(${p}, ${s}).`);
    return null;
  };
  const fit = (x: bigint | null): Long | null => {
    if (x === null) return null;
    if (x >= lim || x <= -lim) return overflow();
    return normalizeLong(x);
  };
  // Unscaled values that are safe integers (what a Float64Array column holds) take exact number
  // arithmetic; anything that could leave the safe range goes through bigints.
  const numLim = p <= 15 ? 10 ** p : Number.POSITIVE_INFINITY;
  // `|| 0`: no negative zero (0 * -5 is -0 in doubles, 0 in decimals).
  const fitNumber = (x: number): Long | null => (x >= numLim || x <= -numLim ? overflow() : x || 0);
  const up1 = s >= s1 ? 10 ** (s - s1) : 0, up2 = s >= s2 ? 10 ** (s - s2) : 0;
  const productScale = s1 + s2, sumScale = Math.max(s1, s2);
  const productUp = s >= productScale ? 10 ** (s - productScale) : 1, productDown = s < productScale ? 10 ** (productScale - s) : 1;
  const addNumbers = (a: Long, b: Long, sign: 1 | -1): Long | null | undefined => {
    if (typeof a !== "number" || typeof b !== "number" || up1 === 0 || up2 === 0) return undefined;
    const x = a * up1 + sign * (b * up2);
    return Math.abs(a * up1) < MAX_EXACT && Math.abs(b * up2) < MAX_EXACT && Math.abs(x) < MAX_EXACT ? fitNumber(x) : undefined;
  };
  switch (op) {
    // At the operands' common scale first, exactly; only the sum is rounded to the result's scale
    // (rounding each operand first is off by one unit: 0.00000000000005 + -1 at scale 13).
    case "+": return (a, b) => addNumbers(a, b, 1) ?? fit(rescaleDecimal(rescaleDecimal(BigInt(a), s1, sumScale) + rescaleDecimal(BigInt(b), s2, sumScale), sumScale, s));
    case "-": return (a, b) => addNumbers(a, b, -1) ?? fit(rescaleDecimal(rescaleDecimal(BigInt(a), s1, sumScale) - rescaleDecimal(BigInt(b), s2, sumScale), sumScale, s));
    case "*": return (a, b) => {
      if (typeof a === "number" && typeof b === "number") {
        const x = a * b * productUp;
        if (Math.abs(a * b) < MAX_EXACT && Math.abs(x) < MAX_EXACT) {
          if (productDown === 1) return fitNumber(x);
          // HALF_UP to the result scale, as rescaleDecimal does; the quotient of the division
          // in doubles may be one off, the remainder (exact) corrects it.
          const m = Math.abs(x);
          let q = Math.trunc(m / productDown), r = m - q * productDown;
          if (r < 0) {
            q -= 1;
            r += productDown;
          } else if (r >= productDown) {
            q += 1;
            r -= productDown;
          }
          const y = 2 * r >= productDown ? q + 1 : q;
          return fitNumber(x < 0 ? -y : y);
        }
      }
      return fit(decimalMultiply(BigInt(a), BigInt(b), productScale, s));
    };
    case "/": return (a, b) => {
      if (BigInt(b) === 0n) {
        if (ansi) rtRef.divideByZero();
        return null;
      }
      return fit(decimalDivide(BigInt(a), s1, BigInt(b), s2, s));
    };
    case "%": case "pmod": return (a, b) => {
      const sc = Math.max(s1, s2);
      const x = rescaleDecimal(BigInt(a), s1, sc), y = rescaleDecimal(BigInt(b), s2, sc);
      if (y === 0n) {
        if (ansi) rtRef.divideByZero();
        return null;
      }
      let r = x % y;
      if (op === "pmod" && r < 0n) r = (r + y) % y;
      return fit(rescaleDecimal(r, sc, s));
    };
    default:
      throw new ExecutionError("INTERNAL_ERROR", `operator ${op} on decimals`);
  }
}

function genUnary(op: string, child: Expr, ctx: CodegenContext): GenValue {
  const gc = genExpr(child, ctx);
  const n = ctx.fresh("n"), v = ctx.fresh("v");
  const t = exprType(child);
  switch (op) {
    case "isnull": return { code: gc.code, isNull: "false", value: `(${gc.isNull})` };
    case "isnotnull": return { code: gc.code, isNull: "false", value: `!(${gc.isNull})` };
    case "not": return { code: `${gc.code}\nconst ${n} = ${gc.isNull}; const ${v} = !${gc.value};`, isNull: n, value: v };
    case "positive": return gc;
    case "isnan": return { code: gc.code, isNull: "false", value: `(!(${gc.isNull}) && ${gc.value} !== ${gc.value})` };
    case "negate": {
      let expr: string;
      if (t.kind === "int") expr = `(-${gc.value}) | 0`;
      else if (t.kind === "short") expr = `((-${gc.value}) << 16) >> 16`;
      else if (t.kind === "byte") expr = `((-${gc.value}) << 24) >> 24`;
      else if (t.kind === "long" || t.kind === "decimal") expr = `${ctx.ref(rtRef)}.longNeg(${gc.value})`;
      else expr = `-${gc.value}`;
      return { code: `${gc.code}\nconst ${n} = ${gc.isNull}; const ${v} = ${n} ? undefined : ${expr};`, isNull: n, value: v };
    }
    case "bitnot": {
      const expr = t.kind === "long" ? `${ctx.ref(longNot)}(${gc.value})` : `~${gc.value}`;
      return { code: `${gc.code}\nconst ${n} = ${gc.isNull}; const ${v} = ${n} ? undefined : ${expr};`, isNull: n, value: v };
    }
  }
  throw new ExecutionError("INTERNAL_ERROR", `unary ${op}`);
}

function longNot(a: Long): Long {
  return normalizeLong(BigInt.asIntN(64, ~BigInt(a)));
}
