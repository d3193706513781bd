import { booleanSimplificationRule } from "./boolean-simplification-rule.js";
import { collapseProjectRule } from "./collapse-project-rule.js";
import { columnPruningRule } from "./column-pruning-rule.js";
import { combineFiltersRule } from "./combine-filters-rule.js";
import { constantFoldingRule } from "./constant-folding-rule.js";
import { countWhenToFilterRule } from "./count-when-to-filter-rule.js";
import { eliminateSubqueryAliasesRule } from "./eliminate-subquery-aliases-rule.js";
import { inferWindowGroupLimitRule } from "./infer-window-group-limit-rule.js";
import { limitRule } from "./limit-rule.js";
import { pushDownPredicatesRule } from "./push-down-predicates-rule.js";
import { pushFiltersIntoScanRule } from "./push-filters-into-scan-rule.js";
import { removeNoopProjectRule } from "./remove-noop-project-rule.js";
import type { Rule } from "./rule.js";

/**
 * The rules, in order of application within one iteration (the optimizer repeats the whole
 * list until nothing changes):
 *
 * 1. aliases go, so that the nodes they separated meet;
 * 2. expressions get simpler: constants folded, then boolean logic (which may turn a filter into
 *    nothing, or into an empty relation), counts of a one-branch CASE become counts with a FILTER;
 * 3. filters merge and move down towards the data;
 * 4. projections merge, limits merge and move under projections;
 * 5. unused columns are dropped, and projections left with nothing to do removed;
 * 6. last, what filters a source understands is handed to it, once they are as low as they go;
 *    and a filter on a row number limits each window partition's rows before the window.
 */
export const RULES: readonly Rule[] = [
  eliminateSubqueryAliasesRule,
  constantFoldingRule,
  booleanSimplificationRule,
  countWhenToFilterRule,
  combineFiltersRule,
  pushDownPredicatesRule,
  collapseProjectRule,
  limitRule,
  columnPruningRule,
  removeNoopProjectRule,
  pushFiltersIntoScanRule,
  inferWindowGroupLimitRule,
];
