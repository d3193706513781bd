import { ExecutionError } from "../../errors/errors.js";
import { BinaryType, BooleanType, StringType } from "../../types/data-type.js";
import type { ArgInfo, ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { argError, checkArgCount, coerceArg, fn, row, scalar } from "./define.js";

/**
 * to_binary / try_to_binary (text in hex, utf-8 or base64 → bytes) and the UTF-8 validity
 * functions. Sluice strings are JavaScript strings, so the only invalid UTF-8 they can hold is a
 * lone surrogate (from a JSON escape, say): is_valid_utf8 / validate_utf8 / make_valid_utf8 look
 * for those.
 */

type Format = "hex" | "utf-8" | "base64";

function malformed(s: string, fnName: string): ExecutionError {
  return new ExecutionError("CONVERSION_INVALID_INPUT", `[CONVERSION_INVALID_INPUT] The value '${s}' (STRING) cannot be converted to BINARY because it is malformed. Correct the value as per the syntax, or change its format. Use \`try_${fnName}\` to tolerate malformed input and return NULL instead.`);
}

function convert(s: string, f: Format): Uint8Array | null {
  switch (f) {
    case "utf-8": return new Uint8Array(Buffer.from(s, "utf8"));
    case "hex": {
      const t = s.length % 2 === 1 ? "0" + s : s;
      return /^[0-9a-fA-F]*$/.test(t) ? new Uint8Array(Buffer.from(t, "hex")) : null;
    }
    case "base64": {
      const c = s.replace(/\s/g, "");
      return c.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(c) ? new Uint8Array(Buffer.from(c, "base64")) : null;
    }
  }
}

function toBinary(name: string, tolerant: boolean): ScalarFunctionDef {
  return scalar({
    type: "scalar", name, minArgs: 1, maxArgs: 2,
    doc: `${name}(str[, fmt]) - The bytes of str read as fmt: 'hex' (default), 'utf-8' or 'base64'${tolerant ? "; null when malformed" : ""}.`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 1, 2);
      const inputTypes = args.map((a, i) => coerceArg(name, i, a, StringType));
      let format: Format | null = "hex";
      const f = args[1];
      if (f) {
        if (!f.foldable) throw argError(name, "the format must be a constant string: 'hex', 'utf-8', 'utf8' or 'base64'.", "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT");
        const v = f.value === null ? null : String(f.value).toLowerCase();
        if (v !== null && !["hex", "utf-8", "utf8", "base64"].includes(v)) throw argError(name, `the format must be one of 'hex', 'utf-8', 'utf8', 'base64', but got '${String(f.value)}'.`, "INVALID_PARAMETER_VALUE.BINARY_FORMAT");
        format = v === null ? null : v === "utf8" ? "utf-8" : (v as Format);
      }
      return { inputTypes, dataType: BinaryType, state: format };
    },
    compile(sig) {
      const format = sig.state as Format | null;
      return row((s: string) => {
        if (format === null) return null;
        const b = convert(s, format);
        if (b === null && !tolerant) throw malformed(s, "to_binary");
        return b;
      });
    },
  });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");
/** String.prototype.toWellFormed (not in this TypeScript lib): lone surrogates → U+FFFD. */
const wellFormed = (s: string): string => s.replace(LONE_SURROGATES, "\uFFFD");

const isValidUtf8 = fn({
  name: "is_valid_utf8", args: [StringType], result: BooleanType,
  doc: "is_valid_utf8(str) - False when str holds text that is not valid UTF-8 (a lone surrogate).",
  impl: () => row((s: string) => !LONE_SURROGATE.test(s)),
});
const makeValidUtf8 = fn({
  name: "make_valid_utf8", args: [StringType], result: StringType,
  doc: "make_valid_utf8(str) - str with invalid sequences replaced by U+FFFD.",
  impl: () => row((s: string) => wellFormed(s)),
});
function validate(name: string, tolerant: boolean): ScalarFunctionDef {
  return fn({
    name, args: [StringType], result: StringType,
    doc: `${name}(str) - str when it is valid UTF-8, otherwise ${tolerant ? "null" : "an error"}.`,
    impl: () => row((s: string) => {
      if (!LONE_SURROGATE.test(s)) return s;
      if (tolerant) return null;
      throw new ExecutionError("INVALID_UTF8_STRING", `[INVALID_UTF8_STRING] Invalid UTF8 byte sequence found in string: ${wellFormed(s)}.`);
    }),
  });
}

export const BINARY_TEXT_FUNCTIONS: readonly ScalarFunctionDef[] = [
  toBinary("to_binary", false), toBinary("try_to_binary", true), isValidUtf8, makeValidUtf8, validate("validate_utf8", false), validate("try_validate_utf8", true),
];

registerFunctions(BINARY_TEXT_FUNCTIONS);
