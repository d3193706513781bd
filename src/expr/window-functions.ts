import { AnalysisError } from "../errors/errors.js";
import { DoubleType, IntegerType } from "../types/data-type.js";
import type { ScalarFunctionDef, Signature } from "./function-def.js";
import { registerFunctions } from "./function-registry.js";

/**
 * Ranking and offset window functions. They have no per-row implementation: the window
 * operator (physical/window-exec.ts) computes them from the ordered partition.
 */
function windowOnly(name: string, minArgs: number, maxArgs: number, resolve: ScalarFunctionDef["resolve"]): ScalarFunctionDef {
  return {
    type: "scalar", name, minArgs, maxArgs, resolve, windowOnly: true, nullSafe: true,
    compile: () => {
      throw new AnalysisError("WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE", `[WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE] Window function "${name}" requires an OVER clause.`);
    },
  };
}

const intResult = (): Signature => ({ inputTypes: [], dataType: IntegerType, nullable: false });
const doubleResult = (): Signature => ({ inputTypes: [], dataType: DoubleType, nullable: false });
const offsetResult: ScalarFunctionDef["resolve"] = (args) => {
  const off = args[1];
  if (off && (!off.foldable || typeof off.value !== "number")) {
    throw new AnalysisError("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "The offset of lag/lead must be an integer literal.");
  }
  const ignoreNulls = args[3];
  if (ignoreNulls && (!ignoreNulls.foldable || typeof ignoreNulls.value !== "boolean")) {
    throw new AnalysisError("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "The ignoreNulls argument of lag/lead must be a boolean literal.");
  }
  return { inputTypes: [null, off ? IntegerType : null, args[2] ? args[0]!.dataType : null, null].slice(0, args.length), dataType: args[0]!.dataType };
};

/**
 * The ranking functions whose value for a row depends only on the rows ahead of it in its
 * partition: computed together in one pass (physical/window-exec.ts), and a filter keeping their
 * low values may drop a partition's later rows before the window (WindowGroupLimit).
 */
export const PREFIX_RANKING_FUNCTIONS: ReadonlySet<string> = new Set(["row_number", "rank", "dense_rank"]);

export const WINDOW_FUNCTIONS: readonly ScalarFunctionDef[] = [
  windowOnly("row_number", 0, 0, intResult),
  windowOnly("rank", 0, 0, intResult),
  windowOnly("dense_rank", 0, 0, intResult),
  windowOnly("percent_rank", 0, 0, doubleResult),
  windowOnly("cume_dist", 0, 0, doubleResult),
  windowOnly("ntile", 1, 1, () => ({ inputTypes: [IntegerType], dataType: IntegerType })),
  // lag(x[, offset[, default[, ignoreNulls]]]); `lag(x) IGNORE NULLS` sets the fourth argument.
  windowOnly("lag", 1, 4, offsetResult),
  windowOnly("lead", 1, 4, offsetResult),
  windowOnly("nth_value", 2, 2, (args) => ({ inputTypes: [null, IntegerType], dataType: args[0]!.dataType })),
];

registerFunctions(WINDOW_FUNCTIONS);
