import { AnalysisError } from "../errors/errors.js";
import { type Expr, Expr as E, type AttributeRef } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import type { ScalarFunctionDef } from "../expr/function-def.js";
import { type DataType, IntegerType, sqlTypeName } from "../types/data-type.js";
import { exprSql } from "./expr-sql.js";

/**
 * Table-generating functions (explode, posexplode, inline and their _outer forms). They are not
 * scalar: the analyzer turns a select item using one into a Generate node, whose operator
 * (physical/generate-exec.ts) produces the rows.
 */
export const GENERATOR_NAMES = new Set(["explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "inline_outer"]);

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

/** Resolves a generator call whose argument is already resolved; `names` override the default column names. */
export function resolveGenerator(name: string, arg: Expr, names: readonly string[]): ResolvedGenerator {
  const lower = name.toLowerCase();
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
  if (names.length > 0 && names.length !== cols.length) {
    throw new AnalysisError("UDTF_ALIAS_NUMBER_MISMATCH", `[UDTF_ALIAS_NUMBER_MISMATCH] The number of aliases supplied in the AS clause does not match the number of columns output by ${lower}: expected ${cols.length} aliases but got ${names.join(", ")}.`);
  }
  const output = cols.map(([n, dt, nullable], i) => E.attr(names[i] ?? n, dt, nullable || outer));
  return { generator: E.call(DEFS.get(lower)!, [arg], t), outer, output };
}

function typeError(name: string, arg: Expr, expected: string, t: DataType): never {
  throw new AnalysisError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${name}(${exprSql(arg)})": parameter 1 requires the ${expected} type, however "${exprSql(arg)}" has the type "${sqlTypeName(t)}".`);
}
