import { ExecutionError } from "../../errors/errors.js";
import { IntegerType, arrayType } from "../../types/data-type.js";
import type { ArgInfo, ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { arrayAndElement, elementOf } from "./collections.js";
import { checkArgCount, coerceArg, row, scalar } from "./define.js";

/**
 * Spark 3.4+ array editing: array_append, array_prepend, array_compact, array_insert, array_size.
 * A null array gives null; a null element is added like any other value.
 */

function appendLike(name: string, front: boolean): ScalarFunctionDef {
  return scalar({
    type: "scalar", name, minArgs: 2, maxArgs: 2, nullSafe: true,
    doc: `${name}(array, element) - The array with element added at the ${front ? "start" : "end"}.`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 2, 2);
      const { inputTypes, elem } = arrayAndElement(name, args);
      const at = elementOf(name, args, 0);
      return { inputTypes, dataType: arrayType(elem, at.containsNull || args[1]!.nullable) };
    },
    compile: () => row((a: unknown[] | null, v: unknown) => (a === null ? null : front ? [v, ...a] : [...a, v])),
  });
}

const arrayCompact = scalar({
  type: "scalar", name: "array_compact", minArgs: 1, maxArgs: 1,
  doc: "array_compact(array) - The array without its null elements.",
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("array_compact", args.length, 1, 1);
    return { inputTypes: [null], dataType: arrayType(elementOf("array_compact", args, 0).elementType, false) };
  },
  compile: () => row((a: unknown[]) => a.filter((x) => x !== null)),
});

const arraySize = scalar({
  type: "scalar", name: "array_size", minArgs: 1, maxArgs: 1,
  doc: "array_size(array) - The number of elements (null for a null array).",
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("array_size", args.length, 1, 1);
    elementOf("array_size", args, 0);
    return { inputTypes: [null], dataType: IntegerType };
  },
  compile: () => row((a: unknown[]) => a.length),
});

/**
 * array_insert(array, pos, value), Spark 4 semantics: pos is 1-based; -1 inserts after the last
 * element; past either end the array is padded with nulls; 0 is an error.
 */
const arrayInsert = scalar({
  type: "scalar", name: "array_insert", minArgs: 3, maxArgs: 3, nullSafe: true,
  doc: "array_insert(array, pos, value) - Inserts value at the 1-based pos (negative counts from the end, -1 = after the last).",
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("array_insert", args.length, 3, 3);
    const { inputTypes, elem } = arrayAndElement("array_insert", [args[0]!, args[2]!]);
    return { inputTypes: [inputTypes[0]!, coerceArg("array_insert", 1, args[1]!, IntegerType), inputTypes[1]!], dataType: arrayType(elem, true) };
  },
  compile: () => row((a: unknown[] | null, p: number | null, v: unknown) => {
    if (a === null || p === null) return null;
    if (p === 0) throw new ExecutionError("INVALID_INDEX_OF_ZERO", "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).");
    const n = a.length;
    const fromEnd = p < 0 ? p + 1 : 0;
    if (fromEnd < 0 && -fromEnd > n) {
      // Before the start: the value first, then nulls, then the array.
      const out: unknown[] = new Array<unknown>(-fromEnd + 1).fill(null);
      out[0] = v;
      for (let i = 0; i < n; i++) out[out.length - n + i] = a[i];
      return out;
    }
    const pos = p < 0 ? fromEnd + n : p - 1;
    const out: unknown[] = new Array<unknown>(Math.max(n + 1, pos + 1)).fill(null);
    for (let i = 0; i < Math.min(pos, n); i++) out[i] = a[i];
    out[pos] = v;
    for (let i = pos; i < n; i++) out[i + 1] = a[i];
    return out;
  }),
});

export const ARRAY_EDIT_FUNCTIONS: readonly ScalarFunctionDef[] = [appendLike("array_append", false), appendLike("array_prepend", true), arrayCompact, arraySize, arrayInsert];

registerFunctions(ARRAY_EDIT_FUNCTIONS);
