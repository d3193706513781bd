/**
 * Every built-in aggregate function. Importing this module registers them all (and the
 * might_contain scalar that reads bloom_filter_agg's result) in the function registry.
 *
 * Engine conventions:
 * - A global aggregate over zero rows returns one row of `finish(init())` per aggregate:
 *   count/count_if/regr_count/approx_count_distinct → 0, collect_list/collect_set → [],
 *   count_min_sketch → an empty sketch, everything else → null.
 * - DISTINCT: the engine feeds each distinct argument tuple once; every accumulator is correct
 *   on deduplicated input (count(DISTINCT x), sum(DISTINCT x), ...).
 * - first/last/any_value/collect_list are order-dependent: merge(a, b) treats a as the earlier input.
 */
import "./count.js";
import "./sum.js";
import "./avg.js";
import "./min-max.js";
import "./first-last.js";
import "./max-by-min-by.js";
import "./bool-agg.js";
import "./bit-agg.js";
import "./collect.js";
import "./central-moments.js";
import "./covariance.js";
import "./percentile.js";
import "./approx-percentile.js";
import "./approx-count-distinct.js";
import "./count-min-sketch.js";
import "./bloom-filter.js";
import "./histogram-numeric.js";
import "./percentile-within-group.js";
import "./bitmap-agg.js";

export { countMinSketchEstimate, cmsFromBytes, cmsEstimate } from "./count-min-sketch.js";
export { bloomFromBytes, bloomMightContain } from "./bloom-filter.js";
