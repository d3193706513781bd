import type { DataType } from "../types/data-type.js";
import type { Expr } from "./expression.js";
import { exprType } from "./expr-type.js";
import type { BoundSignature } from "./function-def.js";

/**
 * The signature a resolved call is compiled with. The analyzer has already cast each argument to
 * the type `resolve` asked for, so the arguments' types ARE the input types: both `inputTypes`
 * and `argTypes` carry them (a lambda argument counts as its body's type).
 */
export function boundSignature(args: readonly Expr[], dataType: DataType, state: unknown): BoundSignature {
  const argTypes = args.map((a) => (a.kind === "LambdaFunction" ? exprType(a.body) : exprType(a)));
  return { inputTypes: argTypes, argTypes, dataType, state };
}
