/**
 * Every built-in scalar function. Importing this module registers them all in the function
 * registry (expr/function-registry.ts).
 */
import { COLLECTION_FUNCTIONS } from "./collections.js";
import { CONDITIONAL_FUNCTIONS } from "./conditional.js";
import { DATETIME_FUNCTIONS } from "./datetime.js";
import { HASH_FUNCTIONS } from "./hashes.js";
import { JSON_FUNCTIONS } from "./json.js";
import { MATH_FUNCTIONS } from "./math.js";
import { MISC_FUNCTIONS } from "./misc.js";
import { STRING_FUNCTIONS } from "./strings.js";
import type { ScalarFunctionDef } from "../function-def.js";
import { ARRAY_EDIT_FUNCTIONS } from "./array-edit.js";
import { STRING_EXTRA_FUNCTIONS } from "./string-extras.js";
import { MAKE_INTERVAL_FUNCTIONS } from "./make-interval.js";
import { BITMAP_FUNCTIONS } from "./bitmap.js";
import { PARSE_URL_FUNCTIONS } from "./parse-url.js";
import { AES_FUNCTIONS } from "./aes.js";
import { BINARY_TEXT_FUNCTIONS } from "./binary-text.js";
import { NUMBER_FORMAT_FUNCTIONS } from "./number-format.js";

export const SCALAR_FUNCTION_GROUPS: Readonly<Record<string, readonly ScalarFunctionDef[]>> = {
  strings: [...STRING_FUNCTIONS, ...STRING_EXTRA_FUNCTIONS, ...PARSE_URL_FUNCTIONS, ...BINARY_TEXT_FUNCTIONS, ...NUMBER_FORMAT_FUNCTIONS],
  math: MATH_FUNCTIONS,
  conditional: CONDITIONAL_FUNCTIONS,
  datetime: [...DATETIME_FUNCTIONS, ...MAKE_INTERVAL_FUNCTIONS],
  collections: [...COLLECTION_FUNCTIONS, ...ARRAY_EDIT_FUNCTIONS],
  json: JSON_FUNCTIONS,
  hashes: [...HASH_FUNCTIONS, ...AES_FUNCTIONS],
  misc: [...MISC_FUNCTIONS, ...BITMAP_FUNCTIONS],
};

export { addInterval, addIntervalToDate, addMonthsToDays } from "./datetime.js";
export type { NamedArgInfo } from "./collections.js";
export type { PartitionAwareContext } from "./misc.js";
