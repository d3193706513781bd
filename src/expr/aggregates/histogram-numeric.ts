import { type DataType, DoubleType, IntegerType, arrayType, isIntegral, isNumeric, structField, structType } from "../../types/data-type.js";
import { toLong } from "../../types/long.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { badArgument, checkArgCount, constantArg, unexpectedType } from "./agg-args.js";
import { JavaRandom } from "./java-random.js";

/**
 * histogram_numeric(expr, nb): Spark's NumericHistogram (Ben-Haim & Tom-Tov's streaming
 * histogram, as in Hive): at most nb bins (x = centre, y = height), a new value gets its own bin
 * and the two closest bins merge while there are too many (ties between equally close pairs
 * broken by java.util.Random(31183), as Spark does, so results equal Spark's for the same input
 * order). Merging two buffers sorts the union of their bins (stable) and trims the same way.
 */

/** java.util.Random seed Spark's NumericHistogram uses to break ties; changing it changes results. */
const TIE_SEED = 31183;

interface Histogram {
  readonly nb: number;
  x: number[];
  y: number[];
  /** Not serialized: a deserialized histogram starts a fresh generator, as in Spark. */
  rng: JavaRandom | null;
}

interface HistogramState { readonly nb: number; readonly valueType: DataType }

function add(h: Histogram, v: number): void {
  const xs = h.x;
  let bin = 0;
  for (let l = 0, r = xs.length; l < r;) {
    bin = (l + r) >>> 1;
    if (xs[bin]! > v) r = bin;
    else if (xs[bin]! < v) l = ++bin;
    else break;
  }
  if (bin < xs.length && xs[bin] === v) {
    h.y[bin]!++;
    return;
  }
  xs.splice(bin, 0, v);
  h.y.splice(bin, 0, 1);
  if (xs.length > h.nb) trim(h);
}

function trim(h: Histogram): void {
  const xs = h.x, ys = h.y;
  while (xs.length > h.nb) {
    let smallest = xs[1]! - xs[0]!;
    let loc = 0, count = 1;
    for (let i = 1; i < xs.length - 1; i++) {
      const diff = xs[i + 1]! - xs[i]!;
      if (diff < smallest) {
        smallest = diff;
        loc = i;
        count = 1;
      } else if (diff === smallest && (h.rng ??= new JavaRandom(TIE_SEED)).nextDouble() <= 1 / ++count) {
        loc = i;
      }
    }
    const d = ys[loc]! + ys[loc + 1]!;
    let x = xs[loc]! * (ys[loc]! / d);
    x += (xs[loc + 1]! / d) * ys[loc + 1]!;
    xs[loc] = x;
    ys[loc] = d;
    xs.splice(loc + 1, 1);
    ys.splice(loc + 1, 1);
  }
}

function merge(a: Histogram, b: Histogram): Histogram {
  if (b.x.length === 0) return a;
  if (a.x.length === 0) return { nb: b.nb, x: [...b.x], y: [...b.y], rng: a.rng };
  const pairs = a.x.map((x, i) => [x, a.y[i]!] as const).concat(b.x.map((x, i) => [x, b.y[i]!] as const));
  pairs.sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
  a.x = pairs.map((p) => p[0]);
  a.y = pairs.map((p) => p[1]);
  trim(a);
  return a;
}

/** A bin centre back to the input column's type, as Spark's eval does (truncating for integers, dates and timestamps). */
function fromDouble(t: DataType): (x: number) => unknown {
  switch (t.kind) {
    case "byte": case "short": case "int": case "date": return (x) => Math.trunc(x);
    case "long": case "timestamp": return (x) => toLong(Math.trunc(x));
    case "float": return (x) => Math.fround(x);
    default: return (x) => x;
  }
}

function signature(args: readonly ArgInfo[]): Signature {
  const fn = "histogram_numeric";
  checkArgCount(fn, args, 2, 2);
  let t = args[0]!.dataType;
  // Spark's own decimal path fails at run time (a Decimal is not a java Number); here decimals are read as doubles.
  if (t.kind === "string" || t.kind === "null" || t.kind === "decimal") t = DoubleType;
  else if (!isNumeric(t) && t.kind !== "date" && t.kind !== "timestamp") throw unexpectedType(fn, 0, `("NUMERIC" or "DATE" or "TIMESTAMP")`, t);
  if (!isIntegral(args[1]!.dataType) && args[1]!.dataType.kind !== "null") throw unexpectedType(fn, 1, `"INT"`, args[1]!.dataType);
  const nb = constantArg(fn, args, 1, "nb");
  if (nb === null) throw badArgument(fn, 1, "(nb) must not be null");
  const n = Number(nb as number | bigint);
  if (n < 2 || n > 2147483647) throw badArgument(fn, 1, `(nb) must be in the range [2, 2147483647], but got ${n}`);
  const state: HistogramState = { nb: n, valueType: t };
  return {
    inputTypes: [t, IntegerType],
    dataType: arrayType(structType([structField("x", t, true), structField("y", DoubleType, true)]), true),
    state,
  };
}

function accumulator(st: HistogramState): Accumulator<Histogram> {
  const back = fromDouble(st.valueType);
  return {
    init: () => ({ nb: st.nb, x: [], y: [], rng: null }),
    update(h, v: number | bigint) {
      add(h, typeof v === "number" ? v : Number(v));
      return h;
    },
    merge,
    finish: (h) => (h.x.length === 0 ? null : h.x.map((x, i) => [back(x), h.y[i]!])),
    serialize: (h) => ({ nb: h.nb, x: h.x, y: h.y }),
    deserialize: (j) => {
      const o = j as { nb: number; x: number[]; y: number[] };
      return { nb: o.nb, x: [...o.x], y: [...o.y], rng: null };
    },
  };
}

export const histogramNumeric: AggregateFunctionDef = {
  type: "aggregate",
  name: "histogram_numeric",
  minArgs: 2,
  maxArgs: 2,
  resolve: (args) => signature(args),
  compile: (sig) => accumulator(sig.state as HistogramState) as Accumulator,
  doc: "histogram_numeric(expr, nb) - An approximate histogram of expr with at most nb non-uniform bins: array<struct<x, y>> of bin centres and heights.",
};

registerFunctions([histogramNumeric]);
