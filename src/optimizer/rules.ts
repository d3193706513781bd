import type { Rule } from "./rule.js";

/** The rules, in order of application within one iteration. */
export const RULES: readonly Rule[] = [];
