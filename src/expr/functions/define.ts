import { AnalysisError } from "../../errors/errors.js";
import { type DataType, sameType, sqlTypeName } from "../../types/data-type.js";
import type { ArgInfo, BoundSignature, ExecFunctionContext, FunctionContext, RowFn, ScalarFunctionDef, Signature } from "../function-def.js";
import { type ExpectedType, implicitCast } from "../type-coercion.js";

/**
 * Small builders for scalar function definitions: argument count and type checks with Spark-like
 * messages, implicit casts through `inputTypes`, and the compile step.
 */

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
export function ordinal(i: number): string {
  return ORDINALS[i] ?? `${i + 1}th`;
}

export function expectedText(e: ExpectedType): string {
  if (typeof e !== "string") return `"${sqlTypeName(e)}"`;
  switch (e) {
    case "numeric": return `"NUMERIC"`;
    case "integral": return `"INTEGRAL"`;
    case "fractional": return `"FRACTIONAL"`;
    case "any": return `"ANY"`;
    case "stringOrBinary": return `("STRING" or "BINARY")`;
    case "array": return `"ARRAY"`;
    case "map": return `"MAP"`;
    case "struct": return `"STRUCT"`;
    case "datetime": return `("DATE" or "TIMESTAMP")`;
  }
}

/** `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE]`: argument `i` of `fn` has the wrong type. */
export function typeError(fn: string, i: number, expected: string, actual: DataType): AnalysisError {
  return new AnalysisError(
    "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
    `Cannot resolve "${fn}" due to data type mismatch: the ${ordinal(i)} parameter requires the ${expected} type, however it has the type "${sqlTypeName(actual)}".`,
  );
}

export function argError(fn: string, message: string, errorClass = "DATATYPE_MISMATCH"): AnalysisError {
  return new AnalysisError(errorClass, `Cannot resolve "${fn}": ${message}`);
}

export function checkArgCount(fn: string, n: number, min: number, max: number): void {
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `[${min}, ${max}]`;
    throw new AnalysisError(
      "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
      `The \`${fn}\` requires ${want} parameters but the actual number is ${n}.`,
    );
  }
}

/** Casts argument `i` to fit `expected`, or throws the Spark-like type error. Returns null when no cast is needed. */
export function coerceArg(fn: string, i: number, arg: ArgInfo, expected: ExpectedType): DataType | null {
  const t = implicitCast(arg.dataType, expected);
  if (!t) throw typeError(fn, i, expectedText(expected), arg.dataType);
  return sameType(t, arg.dataType, true) ? null : t;
}

/** The type argument `i` has after its cast. */
export function finalType(sig: Signature, args: readonly ArgInfo[], i: number): DataType {
  return sig.inputTypes[i] ?? args[i]!.dataType;
}

export interface SimpleSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Expected type of each argument; with `variadic`, the last entry repeats. */
  readonly args: readonly ExpectedType[];
  /** How many trailing entries of `args` may be omitted. */
  readonly optional?: number;
  readonly variadic?: boolean;
  readonly minArgs?: number;
  /** The result type, fixed or computed from the (cast) argument types. */
  readonly result: DataType | ((types: readonly DataType[], args: readonly ArgInfo[], ctx: FunctionContext) => DataType);
  /** Extra checks after casting; throw AnalysisError to reject. */
  readonly check?: (types: readonly DataType[], args: readonly ArgInfo[]) => void;
  /** Compile-time state (e.g. a pattern parsed from a constant argument). */
  readonly state?: (args: readonly ArgInfo[], types: readonly DataType[], ctx: FunctionContext) => unknown;
  readonly impl: (sig: BoundSignature, ctx: ExecFunctionContext) => RowFn;
  readonly nullSafe?: boolean;
  readonly nullable?: boolean;
  readonly deterministic?: boolean;
  readonly readsQueryTime?: true;
  readonly doc?: string;
}

/** Builds a ScalarFunctionDef from a declarative spec. */
export function fn(spec: SimpleSpec): ScalarFunctionDef {
  const minArgs = spec.minArgs ?? spec.args.length - (spec.optional ?? 0) - (spec.variadic ? 1 : 0);
  const maxArgs = spec.variadic ? Infinity : spec.args.length;
  const def: ScalarFunctionDef = {
    type: "scalar",
    name: spec.name,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    minArgs,
    maxArgs,
    resolve(args, ctx): Signature {
      checkArgCount(spec.name, args.length, minArgs, maxArgs);
      const inputTypes = args.map((a, i) => coerceArg(spec.name, i, a, spec.args[Math.min(i, spec.args.length - 1)]!));
      const types = args.map((a, i) => inputTypes[i] ?? a.dataType);
      spec.check?.(types, args);
      const dataType = typeof spec.result === "function" ? spec.result(types, args, ctx) : spec.result;
      const state = spec.state?.(args, types, ctx);
      return {
        inputTypes,
        dataType,
        ...(spec.nullable === undefined ? {} : { nullable: spec.nullable }),
        ...(state === undefined ? {} : { state }),
      };
    },
    compile: spec.impl,
    ...(spec.nullSafe ? { nullSafe: true } : {}),
    ...(spec.deterministic === false ? { deterministic: false } : {}),
    ...(spec.readsQueryTime === true ? { readsQueryTime: true } : {}),
    ...(spec.doc ? { doc: spec.doc } : {}),
  };
  return Object.freeze(def);
}

/** Wraps a typed closure as a RowFn. */
export function row(f: RowFn): RowFn {
  return f;
}

/** The constant value of a foldable argument, or undefined. */
export function constArg(args: readonly ArgInfo[], i: number): unknown {
  const a = args[i];
  return a && a.foldable ? a.value : undefined;
}

/** Freezes a hand-written definition (keeps contextual typing of its methods). */
export function scalar(def: ScalarFunctionDef): ScalarFunctionDef {
  return Object.freeze(def);
}
