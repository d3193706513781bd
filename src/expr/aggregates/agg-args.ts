import { AnalysisError } from "../../errors/errors.js";
import {
  type DataType,
  DoubleType,
  isNumeric,
  sqlTypeName,
} from "../../types/data-type.js";
import type { ArgInfo } from "../function-def.js";

/**
 * Argument checks shared by the aggregate definitions. Messages follow Spark's error classes,
 * in our words, and name the function and the 1-based parameter.
 */

export function checkArgCount(fn: string, args: readonly ArgInfo[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new AnalysisError(
      "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
      `The function ${fn} requires ${expected} parameters but ${args.length} were given.`,
    );
  }
}

export function unexpectedType(fn: string, index: number, required: string, actual: DataType): AnalysisError {
  return new AnalysisError(
    "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
    `Cannot resolve "${fn}": parameter ${index + 1} requires the ${required} type, however it has the type "${sqlTypeName(actual)}".`,
  );
}

export function badArgument(fn: string, index: number, problem: string): AnalysisError {
  return new AnalysisError("DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE", `Cannot resolve "${fn}": parameter ${index + 1} ${problem}.`);
}

/**
 * A numeric argument the way Spark's non-ANSI implicit casts see it: numbers stay, strings and
 * NULL become DOUBLE; anything else is an error. Returns the type the argument is cast to.
 */
export function numericOrCastToDouble(fn: string, args: readonly ArgInfo[], index: number): DataType {
  const t = args[index]!.dataType;
  if (isNumeric(t)) return t;
  if (t.kind === "string" || t.kind === "null") return DoubleType;
  throw unexpectedType(fn, index, `"NUMERIC" or "ANSI INTERVAL"`, t);
}

/** Like numericOrCastToDouble but every input becomes DOUBLE (statistics aggregates). */
export function castToDouble(fn: string, args: readonly ArgInfo[], index: number): DataType {
  numericOrCastToDouble(fn, args, index);
  return DoubleType;
}

/** The value of a constant argument; errors if the argument is not foldable. */
export function constantArg(fn: string, args: readonly ArgInfo[], index: number, what: string): unknown {
  const a = args[index]!;
  if (!a.foldable) throw badArgument(fn, index, `(${what}) must be a constant`);
  return a.value ?? null;
}

/** A constant numeric argument as a JS number (null for a NULL literal). */
export function constantNumber(fn: string, args: readonly ArgInfo[], index: number, what: string): number | null {
  const v = constantArg(fn, args, index, what);
  if (v === null) return null;
  const t = args[index]!.dataType;
  if (!isNumeric(t)) throw unexpectedType(fn, index, `"NUMERIC"`, t);
  if (t.kind === "decimal") return Number(v) / 10 ** t.scale;
  return Number(v as number | bigint);
}

/** A constant boolean argument (false for NULL). */
export function constantBoolean(fn: string, args: readonly ArgInfo[], index: number, what: string): boolean {
  const t = args[index]!.dataType;
  if (t.kind !== "boolean" && t.kind !== "null") throw unexpectedType(fn, index, `"BOOLEAN"`, t);
  return constantArg(fn, args, index, what) === true;
}

/** The SQL-ish text used in messages: `sum(...)` with the given name. */
export function callText(fn: string, args: readonly ArgInfo[]): string {
  return `${fn}(${args.map((a) => sqlTypeName(a.dataType).toLowerCase()).join(", ")})`;
}
