import { AnalysisError, ExecutionError } from "../../errors/errors.js";
import { BooleanType, type DataType, NullType, StringType, sameType } from "../../types/data-type.js";
import { registerFunctions } from "../function-registry.js";
import type { ArgInfo, ScalarFunctionDef, Signature } from "../function-def.js";
import { comparisonType, findWiderCommonType, quoted } from "../type-coercion.js";
import { valueEquals } from "../value-order.js";
import { checkArgCount, coerceArg, fn, row, scalar } from "./define.js";

/** Conditional and null-handling functions. */

function castTo(args: readonly ArgInfo[], t: DataType): (DataType | null)[] {
  return args.map((a) => (sameType(a.dataType, t, true) ? null : t));
}

function widerOf(name: string, args: readonly ArgInfo[]): DataType {
  const t = findWiderCommonType(args.map((a) => a.dataType));
  if (!t) {
    throw new AnalysisError(
      "DATATYPE_MISMATCH.DATA_DIFF_TYPES",
      `Cannot resolve "${name}" due to data type mismatch: Input to \`${name}\` should all be the same type, but it's [${args.map((a) => quoted(a.dataType)).join(", ")}].`,
    );
  }
  return t;
}

function coalesceLike(name: string, aliases: readonly string[], min: number, max: number): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    aliases,
    minArgs: min,
    maxArgs: max,
    nullSafe: true,
    doc: `${name}(a, b, ...) - The first non-null argument, or null.`,
    resolve(args: readonly ArgInfo[]): Signature {
      checkArgCount(name, args.length, min, max);
      const t = widerOf(name, args);
      return { inputTypes: castTo(args, t), dataType: t, nullable: args.every((a) => a.nullable) };
    },
    compile() {
      return row((...xs: unknown[]) => {
        for (const x of xs) if (x !== null) return x;
        return null;
      });
    },
  });
}

const coalesce = coalesceLike("coalesce", [], 1, Infinity);
const nvl = coalesceLike("nvl", ["ifnull"], 2, 2);

const nvl2 = scalar({
  type: "scalar",
  name: "nvl2",
  minArgs: 3,
  maxArgs: 3,
  nullSafe: true,
  doc: "nvl2(a, b, c) - b when a is not null, else c.",
  resolve(args) {
    checkArgCount("nvl2", args.length, 3, 3);
    const t = widerOf("nvl2", args.slice(1));
    return { inputTypes: [null, ...castTo(args.slice(1), t)], dataType: t };
  },
  compile: () => row((a: unknown, b: unknown, c: unknown) => (a !== null ? b : c)),
});

const nullif = scalar({
  type: "scalar",
  name: "nullif",
  minArgs: 2,
  maxArgs: 2,
  nullSafe: true,
  doc: "nullif(a, b) - null when a equals b, else a.",
  resolve(args) {
    checkArgCount("nullif", args.length, 2, 2);
    const t = comparisonType(args[0]!.dataType, args[1]!.dataType, "nullif");
    return { inputTypes: castTo(args, t), dataType: t };
  },
  compile(sig) {
    const eq = valueEquals(sig.dataType);
    return row((a: unknown, b: unknown) => (a !== null && b !== null && eq(a, b) ? null : a));
  },
});

const ifFn = scalar({
  type: "scalar",
  name: "if",
  aliases: ["iff"],
  minArgs: 3,
  maxArgs: 3,
  nullSafe: true,
  doc: "if(cond, a, b) - a when cond is true, else b (also when cond is null).",
  resolve(args) {
    checkArgCount("if", args.length, 3, 3);
    const c = coerceArg("if", 0, args[0]!, BooleanType);
    const t = widerOf("if", args.slice(1));
    return { inputTypes: [c, ...castTo(args.slice(1), t)], dataType: t };
  },
  compile: () => row((c: boolean | null, a: unknown, b: unknown) => (c === true ? a : b)),
});

const isnull = fn({ name: "isnull", args: ["any"], result: BooleanType, nullSafe: true, nullable: false, impl: () => row((a: unknown) => a === null) });
const isnotnull = fn({ name: "isnotnull", args: ["any"], result: BooleanType, nullSafe: true, nullable: false, impl: () => row((a: unknown) => a !== null) });

const equalNull = scalar({
  type: "scalar",
  name: "equal_null",
  minArgs: 2,
  maxArgs: 2,
  nullSafe: true,
  doc: "equal_null(a, b) - a <=> b: true when both are null, false when one is.",
  resolve(args) {
    checkArgCount("equal_null", args.length, 2, 2);
    const t = comparisonType(args[0]!.dataType, args[1]!.dataType, "equal_null");
    return { inputTypes: castTo(args, t), dataType: BooleanType, nullable: false };
  },
  compile(sig) {
    const eq = valueEquals(sig.argTypes[0]!);
    return row((a: unknown, b: unknown) => (a === null || b === null ? a === b : eq(a, b)));
  },
});

const assertTrue = fn({
  name: "assert_true", args: [BooleanType, StringType], optional: 1, result: NullType, nullSafe: true,
  doc: "assert_true(cond[, message]) - Fails the query unless cond is true; returns null.",
  impl: () => row((c: boolean | null, msg?: string | null) => {
    if (c !== true) throw new ExecutionError("USER_RAISED_EXCEPTION", msg ?? `'${String(c)}' is not true!`);
    return null;
  }),
});
const raiseError = fn({
  name: "raise_error", args: [StringType], result: NullType, nullSafe: true,
  impl: () => row((msg: string | null) => {
    throw new ExecutionError("USER_RAISED_EXCEPTION", msg ?? "null");
  }),
});

export const CONDITIONAL_FUNCTIONS: readonly ScalarFunctionDef[] = [
  coalesce, nvl, nvl2, nullif, ifFn, isnull, isnotnull, equalNull, assertTrue, raiseError,
];

registerFunctions(CONDITIONAL_FUNCTIONS);
