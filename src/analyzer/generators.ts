import { AnalysisError } from "../errors/errors.js";
import { type Expr, Expr as E, type AttributeRef } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import type { ScalarFunctionDef } from "../expr/function-def.js";
import { jsonTupleRow } from "../expr/functions/json.js";
import { type DataType, IntegerType, StringType, arrayType, sameType, sqlTypeName, structField, structType } from "../types/data-type.js";
import { lookupFunction, registerInternalFunctions } from "../expr/function-registry.js";
import { findWiderCommonType } from "../expr/type-coercion.js";
import "../expr/functions/index.js";
import { exprSql } from "./expr-sql.js";

/**
 * Table-generating functions (explode, posexplode, inline and their _outer forms, json_tuple). They are not
 * scalar: the analyzer turns a select item using one into a Generate node, whose operator
 * (physical/generate-exec.ts) produces the rows.
 */
export const GENERATOR_NAMES = new Set(["explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "inline_outer", "json_tuple", "stack"]);

export function isGeneratorCall(e: Expr): boolean {
  return e.kind === "UnresolvedFunction" && GENERATOR_NAMES.has(e.name.toLowerCase());
}

function generatorDef(name: string): ScalarFunctionDef {
  return {
    type: "scalar", name, minArgs: 1, maxArgs: 1, nullSafe: true,
    resolve: (args) => ({ inputTypes: [null], dataType: args[0]!.dataType }),
    compile: () => {
      throw new AnalysisError("UNSUPPORTED_GENERATOR", `${name} can only be used as a top-level select item or in LATERAL VIEW.`);
    },
  };
}

const DEFS = new Map([...GENERATOR_NAMES].map((n) => [n, generatorDef(n)]));

export interface ResolvedGenerator {
  readonly generator: Expr;
  readonly outer: boolean;
  readonly output: readonly AttributeRef[];
}

/** Resolves a generator call whose arguments are already resolved; `names` override the default column names. */
export function resolveGenerator(name: string, args: readonly Expr[], names: readonly string[]): ResolvedGenerator {
  const lower = name.toLowerCase();
  if (lower === "json_tuple") return resolveJsonTuple(args, names);
  if (lower === "stack") return resolveStack(args, names);
  if (args.length !== 1) throw new AnalysisError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${lower}\` requires 1 parameters but the actual number is ${args.length}.`);
  const arg = args[0]!;
  const base = lower.replace(/_outer$/, "");
  const outer = lower.endsWith("_outer");
  const t = exprType(arg);
  const cols: [string, DataType, boolean][] = [];
  if (base === "posexplode") cols.push(["pos", IntegerType, false]);
  if (base === "inline") {
    if (t.kind !== "array" || t.elementType.kind !== "struct") typeError(lower, arg, "ARRAY<STRUCT>", t);
    const st = (t as { elementType: { fields: readonly { name: string; dataType: DataType }[] } }).elementType;
    for (const f of st.fields) cols.push([f.name, f.dataType, true]);
  } else if (t.kind === "array") cols.push(["col", t.elementType, true]);
  else if (t.kind === "map") cols.push(["key", t.keyType, outer], ["value", t.valueType, true]);
  else typeError(lower, arg, "ARRAY or MAP", t);
  checkAliasCount(lower, cols.length, names);
  const output = cols.map(([n, dt, nullable], i) => E.attr(names[i] ?? n, dt, nullable || outer));
  return { generator: E.call(DEFS.get(lower)!, [arg], t), outer, output };
}

function checkAliasCount(name: string, n: number, names: readonly string[]): void {
  if (names.length > 0 && names.length !== n) {
    throw new AnalysisError("UDTF_ALIAS_NUMBER_MISMATCH", `[UDTF_ALIAS_NUMBER_MISMATCH] The number of aliases supplied in the AS clause does not match the number of columns output by ${name}: expected ${n} aliases but got ${names.join(", ")}.`);
  }
}

/**
 * stack(n, e1, ..., ek) → inline(array(struct(col0, ..., col{m-1}), ...)): n rows of m = ceil(k/n)
 * columns, filled row by row, missing values null; each column takes the wider type of its values.
 */
function resolveStack(args: readonly Expr[], names: readonly string[]): ResolvedGenerator {
  const nArg = args[0];
  if (!nArg || nArg.kind !== "Literal" || typeof nArg.value !== "number" || !Number.isInteger(nArg.value) || nArg.value < 1) {
    throw new AnalysisError("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] The first argument of stack (the number of rows) must be a positive integer literal.");
  }
  const values = args.slice(1);
  if (values.length === 0) throw new AnalysisError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `stack` requires > 1 parameters but the actual number is 1.");
  const rows = nArg.value, cols = Math.ceil(values.length / rows);
  const at = (r: number, c: number): Expr | undefined => values[r * cols + c];
  const types = Array.from({ length: cols }, (_, c) => {
    const ts = Array.from({ length: rows }, (_, r) => at(r, c)).filter((e): e is Expr => e !== undefined).map(exprType);
    const t = findWiderCommonType(ts);
    if (!t) throw new AnalysisError("DATATYPE_MISMATCH.STACK_COLUMN_DIFF_TYPES", `[DATATYPE_MISMATCH.STACK_COLUMN_DIFF_TYPES] The values of stack column ${c} have different types: ${ts.map(sqlTypeName).join(", ")}.`);
    return t.kind === "null" ? StringType : t;
  });
  checkAliasCount("stack", cols, names);
  const colNames = types.map((_, c) => names[c] ?? `col${c}`);
  const rowType = structType(types.map((t, c) => structField(colNames[c]!, t, true)));
  const structs = Array.from({ length: rows }, (_, r) =>
    E.call(NAMED_STRUCT, types.flatMap((t, c) => {
      const v = at(r, c) ?? E.literal(null, t);
      return [E.literal(colNames[c]!, StringType), sameType(exprType(v), t) ? v : E.implicitCast(v, t)];
    }), rowType));
  const arrT = arrayType(rowType, false);
  const output = types.map((t, c) => E.attr(colNames[c]!, t, true));
  return { generator: E.call(DEFS.get("inline")!, [E.call(ARRAY, structs, arrT)], arrT), outer: false, output };
}

const NAMED_STRUCT = lookupFunction("named_struct") as ScalarFunctionDef;
const ARRAY = lookupFunction("array") as ScalarFunctionDef;

/** json_tuple(json, k1, ..., kn) → inline(one struct <c0..c{n-1}> per row): every input row gives exactly one row. */
function resolveJsonTuple(args: readonly Expr[], names: readonly string[]): ResolvedGenerator {
  const info = args.map((a) => ({ dataType: exprType(a), nullable: true, foldable: false }));
  const sig = jsonTupleRow.resolve(info, { timeZone: "UTC", ansi: false });
  const cast = args.map((a, i) => (sig.inputTypes[i] ? E.implicitCast(a, sig.inputTypes[i]) : a));
  checkAliasCount("json_tuple", args.length - 1, names);
  const rowType = sig.dataType;
  const output = Array.from({ length: args.length - 1 }, (_, i) => E.attr(names[i] ?? `c${i}`, StringType, true));
  return { generator: E.call(DEFS.get("inline")!, [E.call(jsonTupleRow, cast, rowType)], rowType), outer: false, output };
}

function typeError(name: string, arg: Expr, expected: string, t: DataType): never {
  throw new AnalysisError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${name}(${exprSql(arg)})": parameter 1 requires the ${expected} type, however "${exprSql(arg)}" has the type "${sqlTypeName(t)}".`);
}

registerInternalFunctions([...DEFS.values()]);
