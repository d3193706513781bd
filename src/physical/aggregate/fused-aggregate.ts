import type { RecordBatch } from "../../batch/record-batch.js";
import { type Vector, VectorBuilder, allocateValues, makeVector, storageKind } from "../../batch/vector.js";
import type { AggCall, AttributeRef, Expr } from "../../expr/expression.js";
import { canonicalKey, referencedIds } from "../../expr/expr-tree.js";
import { exprNullable, exprType } from "../../expr/expr-type.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { type DataType, LongType } from "../../types/data-type.js";
import { normalizeLong } from "../../types/long.js";
import { CodegenContext, type InputBinding, genExpr, localizeRefs } from "../codegen/expr-codegen.js";
import { type NumericSpec, integralSumResult, isSimpleCount, numericSpec } from "./agg-slot.js";
import { tablePool } from "./table-pool.js";
import { GroupKeys, KeyCoder, TUPLE_HASH_MUL, TupleTable } from "./key-coder.js";
import { NUMBER_HASH_SCRATCH, numberHashCode } from "../../expr/hash/number-hash.js";
import { batchKernel } from "../codegen/kernel-cache.js";
import { ReusableArrays } from "../../batch/reusable-arrays.js";
import { type TimeWindowSpec, WINDOW_STRUCT, sameWindowSpec, timeWindowCall } from "../../expr/time-window.js";

/**
 * Whether `e` may be null: exprNullable, plus the widening casts that code generation passes
 * through unchanged (integer to long or double), which exprNullable treats conservatively.
 */
function mayBeNull(e: Expr, projected: ReadonlyMap<number, Expr> = new Map()): boolean {
  if (e.kind === "AttributeRef") {
    // A column of the folded-in projection: as nullable as the expression that computes it.
    const p = projected.get(e.id);
    return p === undefined ? e.nullable : e.nullable && mayBeNull(p);
  }
  if (e.kind === "Cast") {
    const from = exprType(e.child).kind, to = e.to.kind;
    const widening = ["byte", "short", "int", "long"].includes(from) && (to === "long" || to === "double");
    if (widening) return mayBeNull(e.child);
  }
  if (e.kind === "BinaryExpr" && ["+", "-", "*"].includes(e.op) && ["float", "double"].includes(exprType(e).kind)) return mayBeNull(e.left) || mayBeNull(e.right);
  if (e.kind === "Alias") return mayBeNull(e.child);
  return exprNullable(e);
}

/** What one fused aggregation loop computes, over batches whose columns are `input`. */
export interface FusedAggregateSpec {
  readonly input: readonly AttributeRef[];
  /** Rows failing this (over `input`) are skipped. */
  readonly filter: Expr | null;
  /**
   * Named expressions over `input` (a Project below the aggregate) that the keys and aggregate
   * arguments refer to by their attribute ids; null when they refer to `input` directly.
   */
  readonly projections: readonly Expr[] | null;
  readonly projectionOutput: readonly AttributeRef[] | null;
  readonly groupingExprs: readonly Expr[];
  readonly aggCalls: readonly AggCall[];
  /**
   * An Expand between `input` and the filter (each input row becomes one row per projection,
   * columns `output`), run inside the loop; null when none.
   */
  readonly expand: { readonly projections: readonly (readonly Expr[])[]; readonly output: readonly AttributeRef[] } | null;
}

type AggPlan = { readonly kind: "count" } | { readonly kind: "numeric"; readonly spec: NumericSpec };

/** The per-call plan when every aggregate has a generated update, else null. */
export function fusedAggPlans(calls: readonly AggCall[], fctx: ExecFunctionContext): AggPlan[] | null {
  const out: AggPlan[] = [];
  for (const c of calls) {
    if (isSimpleCount(c)) out.push({ kind: "count" });
    else {
      const spec = numericSpec(c, fctx, true);
      if (!spec) return null;
      out.push({ kind: "numeric", spec });
    }
  }
  return out;
}

/**
 * Accumulator arrays, grown together; index = group id. Counters (count, and the number of
 * non-null inputs each sum/avg/min/max saw) are shared by aggregates that count the same rows;
 * sum and avg of one argument share their sum.
 */
class AccState {
  cap = 0;
  readonly arrays: Float64Array[] = [];
  private readonly fills: number[] = [];
  readonly bigMark: (Uint8Array | null)[] = [];
  readonly big: (Map<number, bigint> | null)[] = [];

  /** A new accumulator array (new capacity is filled with `fill`); `exactSum` tracks bigints. */
  add(fill: number, exactSum: boolean): number {
    this.arrays.push(new Float64Array(this.cap).fill(fill));
    this.fills.push(fill);
    this.bigMark.push(exactSum ? new Uint8Array(this.cap) : null);
    this.big.push(null);
    return this.arrays.length - 1;
  }

  ensure(need: number): void {
    if (need <= this.cap) return;
    const cap = Math.max(need, this.cap * 2, 1024);
    for (let j = 0; j < this.arrays.length; j++) {
      // A pooled array holds stale values: the new capacity is filled whatever the fill.
      const b = tablePool.float64(cap);
      b.set(this.arrays[j]!);
      b.fill(this.fills[j]!, this.cap);
      tablePool.giveBack(this.arrays[j]!);
      this.arrays[j] = b;
      const m = this.bigMark[j];
      if (m) {
        const mm = tablePool.uint8(cap);
        mm.set(m);
        mm.fill(0, this.cap);
        tablePool.giveBack(m);
        this.bigMark[j] = mm;
      }
    }
    this.cap = cap;
  }

  /** Gives the arrays to the thread's table pool; the state is not used again. */
  release(): void {
    for (const a of this.arrays) tablePool.giveBack(a);
    for (const m of this.bigMark) if (m) tablePool.giveBack(m);
    this.arrays.length = 0;
    this.bigMark.length = 0;
    this.cap = 0;
  }

  /**
   * min/max of longs: a bigint (beyond 2^53) moves the group's extreme into `big` (numbers and
   * bigints compare exactly in JavaScript), where later values of the group are compared too.
   */
  minMaxBig(j: number, g: number, x: number | bigint, isMin: boolean): void {
    const m = (this.big[j] ??= new Map());
    const cur = this.bigMark[j]![g] === 1 ? m.get(g)! : this.arrays[j]![g]!;
    // The accumulator starts at NaN for min (no value yet) and -Infinity for max.
    const take = isMin ? cur !== cur || x < cur : x > cur;
    m.set(g, take ? BigInt(x) : BigInt(cur));
    this.bigMark[j]![g] = 1;
  }

  /** Integer sums leave Float64 when they would pass 2^53; from then on the group sums in a bigint. */
  addBig(j: number, g: number, x: number | bigint): void {
    const m = (this.big[j] ??= new Map());
    const cur = m.get(g);
    m.set(g, (cur === undefined ? BigInt(this.arrays[j]![g]!) : cur) + BigInt(x));
    this.bigMark[j]![g] = 1;
  }
}

/** Where one aggregate call keeps its state: its row counter and (except count) its value. */
interface CallLayout {
  readonly counter: number;
  readonly acc: number;
  /** This call writes the counter / the accumulator (the first call that uses each does). */
  readonly ownsCounter: boolean;
  readonly ownsAcc: boolean;
}

function layoutCalls(calls: readonly AggCall[], plans: readonly AggPlan[], accs: AccState, nullable: (e: Expr) => boolean): CallLayout[] {
  const counters = new Map<string, number>(), values = new Map<string, number>();
  return calls.map((c, j) => {
    const plan = plans[j]!;
    const filterKey = c.filter ? canonicalKey(c.filter) : "";
    // A row is counted when it passes the FILTER and no argument that may be null is null.
    const nullableArgs = c.args.filter(nullable).map(canonicalKey).sort();
    const counterKey = JSON.stringify([nullableArgs, filterKey]);
    let counter = counters.get(counterKey), ownsCounter = false;
    if (counter === undefined) {
      counter = accs.add(0, false);
      counters.set(counterKey, counter);
      ownsCounter = true;
    }
    if (plan.kind === "count") return { counter, acc: -1, ownsCounter, ownsAcc: false };
    const fn = plan.spec.fn === "avg" ? "sum" : plan.spec.fn;
    const valueKey = JSON.stringify([fn, plan.spec.integral, canonicalKey(c.args[0]!), filterKey]);
    let acc = values.get(valueKey), ownsAcc = false;
    if (acc === undefined) {
      // min starts at NaN (the top of Spark's double order), max at -Infinity (the bottom).
      const exact = (fn === "sum" && plan.spec.integral) || (fn !== "sum" && exprType(c.args[0]!).kind === "long");
      acc = accs.add(fn === "min" ? NaN : fn === "max" ? -Infinity : 0, exact);
      values.set(valueKey, acc);
      ownsAcc = true;
    }
    return { counter, acc, ownsCounter, ownsAcc };
  });
}

type Kernel = (cols: readonly Vector[], n: number) => void;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Hash aggregation as one generated loop per batch (Spark's whole-stage code generation for
 * Filter -> Project -> HashAggregate): each row is filtered, its projected values computed into
 * locals, each grouping key mapped to a dense code (a direct array for small integer ranges, a
 * Map otherwise), the codes mapped to a group (directly for one key, an open-addressing table
 * of code tuples for several), and every aggregate updated in place in Float64Array
 * accumulators. Semantics match the column-wise path (CountSlot, NumericSlot, GroupTable):
 * nulls skipped, NaN ordered above numbers in min/max, integer sums exact beyond 2^53.
 *
 * An Expand below the filter (sliding time windows, grouping sets) runs inside too: one loop
 * over the batch per projection, in ExpandExec's order, so groups and sums are the same. A
 * sliding `window` column is two locals (start, end; GetField reads them) instead of an array
 * per row and window, and as a grouping key it is coded by its window index, a dense integer.
 */
export class FusedAggregate {
  private readonly spec: FusedAggregateSpec;
  private readonly coders: KeyCoder[];
  private readonly table: TupleTable | null;
  private readonly accs: AccState;
  private readonly plans: AggPlan[];
  private readonly layout: CallLayout[];
  /** Whether an aggregate argument may be null (looking through the folded-in projection). */
  private readonly nullable: (e: Expr) => boolean;
  private readonly kernels = new Map<boolean, { kernel: Kernel; source: string; refs: readonly unknown[] }>();
  private readonly usedInputs: number[];

  constructor(
    spec: FusedAggregateSpec,
    private readonly fctx: ExecFunctionContext,
  ) {
    this.spec = spec = { ...spec, groupingExprs: spec.groupingExprs.map((g) => projectedTimeWindow(spec, g) ?? g) };
    const plans = fusedAggPlans(spec.aggCalls, fctx);
    if (!plans) throw new Error("FusedAggregate: an aggregate has no generated update");
    this.plans = plans;
    this.coders = spec.groupingExprs.map((g) => {
      const w = g.kind === "AttributeRef" ? expandedTimeWindow(spec.expand, g.id) : (timeWindowCall(g)?.spec ?? null);
      return w !== null ? new WindowKeyCoder(w) : new KeyCoder(exprType(g));
    });
    // With a time window among several keys, one hash table per window (see TupleTable).
    this.table = this.coders.length >= 2 ? new TupleTable(this.coders.length, this.coders.findIndex((c) => c instanceof WindowKeyCoder)) : null;
    this.accs = new AccState();
    const projected = new Map<number, Expr>();
    spec.projectionOutput?.forEach((a, j) => projected.set(a.id, spec.projections![j]!));
    this.nullable = (e) => mayBeNull(e, projected);
    this.layout = layoutCalls(spec.aggCalls, plans, this.accs, this.nullable);
    this.usedInputs = this.inputColumnsUsed();
    if (this.coders.length === 0) this.accs.ensure(1);
  }

  get groupCount(): number {
    const k = this.coders.length;
    return k === 0 ? 1 : k === 1 ? this.coders[0]!.size : this.table!.count;
  }

  /** The generated source (null-free variant), for debugging and EXPLAIN. */
  get source(): string {
    return this.kernelFor(true).source;
  }

  update(batch: RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    let nullFree = true;
    for (const c of this.usedInputs) if (batch.columns[c]!.nulls !== null) nullFree = false;
    // At most one new group per row and Expand projection: the kernel's accumulators stay put.
    this.accs.ensure(this.groupCount + n * (this.spec.expand?.projections.length ?? 1));
    this.kernelFor(nullFree).kernel(batch.columns, n);
  }

  /** Gives the tables' arrays back to the thread's pool, once `result()`'s keys have been read. */
  release(): void {
    this.accs.release();
    this.table?.release();
    for (const c of this.coders) c.release();
  }

  /**
   * Key vectors and aggregate results, one row per group in group-id order. With `transient`
   * (their reader keeps no column and is done before `release`), counts and the keys' values are
   * views of the pooled tables instead of copies.
   */
  result(transient = false): { groups: number; keys: GroupKeys; aggs: Vector[] } {
    const groups = this.groupCount;
    this.accs.ensure(groups);
    const keys = new GroupKeys(this.coders, this.table, groups, transient);
    const aggs = this.spec.aggCalls.map((c, j) => this.aggResult(j, c.dataType, groups, transient));
    return { groups, keys, aggs };
  }

  private aggResult(j: number, type: DataType, groups: number, transient: boolean): Vector {
    const plan = this.plans[j]!, layout = this.layout[j]!;
    const count = this.accs.arrays[layout.counter]!;
    if (plan.kind === "count") return makeVector(type, groups, transient ? count.subarray(0, groups) : count.slice(0, groups), null);
    const fn = plan.spec.fn;
    const acc = this.accs.arrays[layout.acc]!, big = this.accs.big[layout.acc];
    if (big && fn !== "avg") {
      // Rare: some integer sum passed 2^53, or a long min/max met a bigint; the long column may need bigints.
      const b = new VectorBuilder(type, groups);
      for (let g = 0; g < groups; g++) {
        const bg = big.get(g);
        b.append(count[g] === 0 ? null : bg !== undefined ? (fn === "sum" ? integralSumResult(bg, type) : normalizeLong(BigInt.asIntN(64, bg))) : acc[g]!);
      }
      return b.finish();
    }
    const values = allocateValues(storageKind(type), groups) as Float64Array;
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groups; g++) {
      const n = count[g]!;
      if (n === 0) {
        (nulls ??= new Uint8Array(groups))[g] = 1;
        continue;
      }
      if (fn === "avg") {
        const bg = big?.get(g);
        values[g] = (bg !== undefined ? Number(bg) : acc[g]!) / n;
      } else values[g] = acc[g]!;
    }
    return makeVector(type, groups, values, nulls);
  }

  private inputColumnsUsed(): number[] {
    const ids = new Set<number>();
    const s = this.spec;
    if (s.filter) referencedIds(s.filter, ids);
    if (s.expand) for (const p of s.expand.projections) for (const e of p) referencedIds(e, ids);
    if (s.projections) for (const p of s.projections) referencedIds(p, ids);
    else {
      for (const g of s.groupingExprs) referencedIds(g, ids);
      for (const c of s.aggCalls) referencedIds(c, ids);
    }
    const out: number[] = [];
    s.input.forEach((a, i) => {
      if (ids.has(a.id) && !out.some((j) => s.input[j]!.id === a.id)) out.push(i);
    });
    return out;
  }

  private kernelFor(nullFree: boolean): { kernel: Kernel; source: string } {
    let k = this.kernels.get(nullFree);
    if (!k) {
      k = this.generate(nullFree);
      this.kernels.set(nullFree, k);
    }
    return k;
  }

  /** The objects of this instance that generated code refers to (its state), in a fixed order. */
  private owned(): unknown[] {
    return [...this.coders.flatMap((c) => [c, c.encode]), this.table, this.accs];
  }

  /**
   * The kernels generated so far, for another instance of the same spec to {@link adopt}: each
   * reference to this instance's state is kept as its place in {@link owned} (so a template does
   * not hold this run's groups), the others as they are.
   */
  kernelTemplates(): FusedKernelTemplate[] {
    const owned = this.owned();
    return [...this.kernels].map(([nullFree, k]) => {
      const state = k.refs.map((r) => (r === null ? -1 : owned.indexOf(r)));
      return { nullFree, source: k.source, refs: k.refs.map((r, i) => (state[i]! < 0 ? r : null)), state };
    });
  }

  /**
   * Takes the kernels another instance of the same spec generated (a plan run again for the next
   * micro-batch), bound to this instance's state: generating them again cost more than a
   * few-hundred-row batch's aggregation. Only for the same function context (see query-time.ts).
   */
  adopt(templates: readonly FusedKernelTemplate[]): void {
    const mine = this.owned();
    for (const t of templates) {
      if (this.kernels.has(t.nullFree)) continue;
      const refs = t.refs.map((r, i) => (t.state[i]! < 0 ? r : mine[t.state[i]!]));
      this.kernels.set(t.nullFree, { kernel: batchKernel<Kernel>(t.source, refs), source: t.source, refs });
    }
  }

  private generate(nullFree: boolean): { kernel: Kernel; source: string; refs: readonly unknown[] } {
    const s = this.spec;
    const bindings = new Map<number, InputBinding>();
    const ctx = new CodegenContext(bindings, this.fctx);
    let prelude = "";
    for (const idx of this.usedInputs) {
      const a = s.input[idx]!;
      const values = `c${idx}v`, nulls = nullFree ? "null" : `c${idx}n`;
      bindings.set(a.id, { values, nulls, type: a.dataType });
      prelude += nullFree ? `const ${values} = cols[${idx}].values;\n` : `const ${values} = cols[${idx}].values, ${nulls} = cols[${idx}].nulls;\n`;
    }
    // Locals declared once before the loop (the body may be generated once per Expand projection).
    const refs = new Map<unknown, string>();
    const ref = (v: unknown): string => {
      let r = refs.get(v);
      if (r === undefined) refs.set(v, (r = ctx.ref(v)));
      return r;
    };
    const tupleCodes = new Int32Array(s.groupingExprs.length);
    let locals = "";
    const declared = new Set<string>();
    const local = (name: string, decl: string): void => {
      if (declared.has(name)) return;
      declared.add(name);
      locals += decl;
    };
    // Grouping keys whose code is computed once per input row, before the Expand's copies.
    const hoisted = new Set<number>();
    const keyCode = (j: number): string => {
      const e = s.groupingExprs[j]!;
      const coder = this.coders[j]!;
      const K = ref(coder), c = `k${j}`;
      const onNull = `${c} = ${K}.nullCode >= 0 ? ${K}.nullCode : ${K}.codeNull();`;
      let gk: { code: string; isNull: string; value: string };
      const call = coder instanceof WindowKeyCoder ? timeWindowCall(e) : null;
      if (call) {
        // A window computed right here (a tumbling window): its index from the time, no struct.
        const t = genExpr(call.ts, ctx), ix = ctx.fresh("wi");
        const { slideMicros: sl, startMicros: st } = call.spec;
        gk = { code: `${t.code}\nlet ${ix} = 0;\nif (!(${t.isNull})) { ${remainderCode("rem", `${t.value} - ${st}`, sl)} ${ix} = (${t.value} - rem - ${st}) / ${sl} - ${call.k}; }\n`, isNull: t.isNull, value: ix };
      } else if (coder instanceof WindowKeyCoder) {
        // The window struct is coded by its index (start - startTime) / slide, an exact integer.
        const b = bindings.get((e as AttributeRef).id)!;
        gk = { code: "", isNull: b.nulls, value: `((${b.fields![0]} - ${coder.spec.startMicros}) / ${coder.spec.slideMicros})` };
      } else gk = genExpr(e, ctx);
      let onValue: string;
      if (coder.integerLike) {
        const D = `D${j}`, B = `B${j}`, v = `kv${j}`;
        local(D, `let ${D} = ${K}.dense, ${B} = ${K}.base;\n`);
        const val = coder.type.kind === "boolean" ? `(${gk.value} ? 1 : 0)` : gk.value;
        // A long may be a bigint, or far from the window: only an exact index reads the array.
        const lookup = coder.type.kind === "long"
          ? `const o = typeof ${v} === "number" ? ${v} - ${B} : -1; ${c} = (o >>> 0) === o && o < ${D}.length ? ${D}[o] : -1;`
          : `const o = ${v} - ${B}; ${c} = (o >>> 0) < ${D}.length ? ${D}[o] : -1;`;
        onValue = `const ${v} = ${val}; ${lookup} if (${c} < 0) { ${c} = ${K}.code(${v}); ${D} = ${K}.dense; ${B} = ${K}.base; }`;
      } else if (coder.hashed) {
        // The number table inline (KeyCoder.findNumber); a miss adds the value through code().
        const HS = `HS${j}`, HK = `HK${j}`, HM = `HM${j}`, v = `kv${j}`, h = `kh${j}`;
        local(HS, `let ${HS} = ${K}.hslots, ${HK} = ${K}.hkeys, ${HM} = ${K}.hmask;\n`);
        const hash = numberHashCode(v, h, ref(NUMBER_HASH_SCRATCH.bits), ref(NUMBER_HASH_SCRATCH.words));
        onValue = `const ${v} = ${gk.value};
if (${v} !== ${v}) ${c} = ${K}.nanCode >= 0 ? ${K}.nanCode : ${K}.code(${v});
else {
  ${hash}
  for (let s = ${h} & ${HM}; ; s = (s + 1) & ${HM}) {
    const e = ${HS}[s];
    if (e === 0) { ${c} = ${K}.code(${v}); ${HS} = ${K}.hslots; ${HK} = ${K}.hkeys; ${HM} = ${K}.hmask; break; }
    if (${HK}[e - 1] === ${v}) { ${c} = e - 1; break; }
  }
}`;
      } else {
        const M = `M${j}`;
        local(M, `const ${M} = ${K}.map;\n`);
        const key = coder.encode ? `${ref(coder.encode)}(${gk.value})` : gk.value;
        onValue = `${c} = ${M}.get(${key}); if (${c} === undefined) ${c} = ${K}.code(${gk.value});`;
      }
      return `${gk.code}\nlet ${c};\nif (${gk.isNull}) { ${onNull} } else { ${onValue} }\n`;
    };
    /** The per-row work after the Expand (if any); `skip` leaves it for the row. */
    const body = (skip: string): string => {
      let out = "";
      if (s.filter) {
        const g = genExpr(s.filter, ctx);
        out += `${g.code}\nif (${g.isNull} || !(${g.value})) ${skip};\n`;
      }
      // Projected values the keys and aggregates use, computed once per kept row.
      if (s.projections && s.projectionOutput) {
        const needed = new Set<number>();
        for (const g of s.groupingExprs) referencedIds(g, needed);
        for (const c of s.aggCalls) referencedIds(c, needed);
        const inputBindings = new Map(bindings);
        s.projections.forEach((p, j) => {
          const o = s.projectionOutput![j]!;
          if (!needed.has(o.id)) return;
          const inner = p.kind === "Alias" ? p.child : p;
          if (inner.kind === "AttributeRef" && inputBindings.has(inner.id)) {
            bindings.set(o.id, inputBindings.get(inner.id)!);
            return;
          }
          const g = genExpr(p, ctx);
          const pn = ctx.fresh("pn"), pv = ctx.fresh("pv");
          out += `${g.code}\nconst ${pn} = ${g.isNull}, ${pv} = ${g.value};\n`;
          bindings.set(o.id, { values: pv, nulls: pn, type: o.dataType, scalar: true });
        });
      }
      // Grouping keys -> codes -> group id.
      const codes = s.groupingExprs.map((_, j) => `k${j}`);
      s.groupingExprs.forEach((_, j) => {
        if (!hoisted.has(j)) out += keyCode(j);
      });
      if (codes.length === 0) out += "const g = 0;\n";
      else if (codes.length === 1) out += `const g = ${codes[0]};\n`;
      else {
        const T = ref(this.table), W = codes.length;
        const CODES = ref(tupleCodes);
        local("TS", `let TS = ${T}.slots, TM = ${T}.mask, TK = ${T}.keys, TD = ${T}.direct;\n` + codes.map((_, j) => `let TB${j} = ${T}.bits[${j}], TH${j} = ${T}.shift[${j}];\n`).join(""));
        const reload = `TD = ${T}.direct; ${codes.map((_, j) => `TB${j} = ${T}.bits[${j}]; TH${j} = ${T}.shift[${j}];`).join(" ")}`;
        const fits = codes.map((c, j) => `(${c} >>> TB${j})`).join(" | ");
        const directIx = codes.map((c, j) => `(${c} << TH${j})`).join(" | ");
        const part = this.table!.partColumn;
        const hashed = part < 0 ? codes : codes.filter((_, j) => j !== part);
        const mix = hashed.map((c) => `h = Math.imul(h ^ ${c}, ${TUPLE_HASH_MUL});`).join(" ");
        const match = codes.map((c, j) => (j === part ? "" : `TK[b + ${j}] === ${c}`)).filter((m) => m !== "").join(" && ");
        const fill = codes.map((c, j) => `${CODES}[${j}] = ${c};`).join(" ");
        // The hash table: the one over all groups, or the partitioning code's own.
        let probe: string;
        if (part < 0) {
          probe = `let h = 0; ${mix} h = (h ^ (h >>> 16)) & TM;
  for (;;) {
    const e = TS[h];
    if (e === 0) { ${fill} g = ${T}.insert(h, ${CODES}); TS = ${T}.slots; TM = ${T}.mask; TK = ${T}.keys; break; }
    const b = (e - 1) * ${W};
    if (${match}) { g = e - 1; break; }
    h = (h + 1) & TM;
  }`;
        } else {
          local("TP", `const TP = ${T}.parts;
`);
          probe = `let P = TP[${codes[part]}]; if (P === undefined) P = ${T}.part(${codes[part]});
  const PS = P.slots, PM = P.mask;
  let h = 0; ${mix} h = (h ^ (h >>> 16)) & PM;
  for (;;) {
    const e = PS[h];
    if (e === 0) { ${fill} g = ${T}.insertInPart(P, h, ${CODES}); TK = ${T}.keys; break; }
    const b = (e - 1) * ${W};
    if (${match}) { g = e - 1; break; }
    h = (h + 1) & PM;
  }`;
        }
        // Small codes: one load from the direct cache. Otherwise (or on a cache miss) the hash table.
        out += `const fits = (${fits}) === 0, dix = ${directIx};
let g = fits ? TD[dix] - 1 : -1;
if (g < 0) {
  ${probe}
  if (${T}.directEnabled) { ${fill} ${T}.cache(g, ${CODES}); ${reload} }
}
`;
      }
      // Aggregate updates.
      const A = ref(this.accs);
      const arr = (ix: number): string => {
        local(`a${ix}`, `const a${ix} = ${A}.arrays[${ix}]${this.accs.bigMark[ix] ? `, bm${ix} = ${A}.bigMark[${ix}]` : ""};\n`);
        return `a${ix}`;
      };
      s.aggCalls.forEach((call, j) => {
        const plan = this.plans[j]!, lay = this.layout[j]!;
        if (!lay.ownsCounter && !lay.ownsAcc) return;
        const args = call.args.map((x) => genExpr(x, ctx));
        // Arguments declared non-null are not tested (the analyzer's contract, as in Spark).
        const nonNull = call.args.map((x, i) => (this.nullable(x) ? `!(${args[i]!.isNull})` : "")).filter((x) => x !== "").join(" && ") || "true";
        let update = lay.ownsCounter ? `${arr(lay.counter)}[g] += 1;\n` : "";
        if (lay.ownsAcc && plan.kind === "numeric") update += numericUpdate(plan.spec, args[0]!.value, exprType(call.args[0]!), lay.acc, arr(lay.acc), A);
        update = `${args.map((g) => g.code).join("\n")}\nif (${nonNull}) {\n${update}\n}`;
        if (call.filter) {
          const gf = genExpr(call.filter, ctx);
          update = `${gf.code}\nif (!(${gf.isNull}) && ${gf.value}) {\n${update}\n}`;
        }
        out += `{\n${update}\n}\n`;
      });
      return out;
    };
    let loops: string;
    const x = s.expand;
    if (x === null) loops = `for (let i = 0; i < n; i++) {\n${body("continue")}}\n`;
    else {
      // The Expand fused in: one loop over the rows per projection, in the order ExpandExec
      // yields them (so groups and sums come out exactly as unfused); the columns every
      // projection passes through unchanged are read from the input.
      const varying = x.output.map((_, c) => !x.projections.every((p) => p[c]!.kind === "AttributeRef" && (p[c] as AttributeRef).id === x.output[c]!.id && bindings.has(x.output[c]!.id)));
      loops = "";
      // Keys on passed-through columns are coded once per row, first (only with several keys:
      // one key's codes are its groups, and a row every projection filters out must not make one).
      let pre = "", read = "";
      if (s.groupingExprs.length >= 2) {
        s.groupingExprs.forEach((e, j) => {
          if (e.kind === "AttributeRef" && bindings.has(e.id) && x.output.some((o, c) => o.id === e.id && !varying[c])) {
            hoisted.add(j);
            loops += `const H${j} = ${ref(LOOP_ARRAYS)}.int32(${j}, n);\n`;
            pre += `${keyCode(j)}H${j}[i] = k${j};\n`;
            read += `const k${j} = H${j}[i];\n`;
          }
        });
      }
      // A time window's latest start (k = 0) is computed once per row (one % per row, not per
      // projection), when every projection windows the same time expression.
      const starts = new Map<number, string>();
      x.output.forEach((_, c) => {
        if (!varying[c] || expandedTimeWindow(x, x.output[c]!.id) === null) return;
        const ws = x.projections.map((p) => timeWindowCall(p[c]!)!);
        if (ws.some((w) => canonicalKey(w.ts) !== canonicalKey(ws[0]!.ts))) return;
        const t = genExpr(ws[0]!.ts, ctx);
        const { slideMicros: sl, startMicros: st } = ws[0]!.spec;
        const W = `W${c}`;
        starts.set(c, W);
        loops += `const ${W} = ${ref(LOOP_ARRAYS)}.float64(${c}, n);\n`;
        pre += `${t.code}\n{ let r = NaN; if (!(${t.isNull})) { ${remainderCode("rem", `${t.value} - ${st}`, sl)} r = ${t.value} - rem; } ${W}[i] = r; }\n`;
      });
      if (pre !== "") loops += `for (let i = 0; i < n; i++) {\n${pre}}\n`;
      x.projections.forEach((p) => {
        let code = read;
        x.output.forEach((o, c) => {
          if (!varying[c]) return;
          const e = p[c]!;
          const w = timeWindowCall(e);
          if (w !== null) {
            // The window struct as two locals (no array per row and window): start and end.
            const wn = ctx.fresh("wn"), ws = ctx.fresh("ws"), we = ctx.fresh("we");
            const { slideMicros: sl, startMicros: st, durationMicros: d } = w.spec;
            const W = starts.get(c);
            if (W !== undefined) code += `const ${ws} = ${W}[i] - ${w.k * sl}, ${we} = ${ws} + ${d}, ${wn} = ${ws} !== ${ws};\n`;
            else {
              const t = genExpr(w.ts, ctx);
              code += `${t.code}\nconst ${wn} = ${t.isNull}; let ${ws} = 0, ${we} = 0;\nif (!${wn}) { ${remainderCode("rem", `${t.value} - ${st}`, sl)} ${ws} = ${t.value} - rem - ${w.k * sl}; ${we} = ${ws} + ${d}; }\n`;
            }
            bindings.set(o.id, { values: `[${ws}, ${we}]`, nulls: wn, type: o.dataType, scalar: true, fields: [ws, we] });
            return;
          }
          const g = genExpr(e, ctx);
          const xn = ctx.fresh("xn"), xv = ctx.fresh("xv");
          code += `${g.code}\nconst ${xn} = ${g.isNull}, ${xv} = ${g.value};\n`;
          bindings.set(o.id, { values: xv, nulls: xn, type: o.dataType, scalar: true });
        });
        loops += `for (let i = 0; i < n; i++) {\n${code}${body("continue")}}\n`;
      });
    }
    const source = `return function aggregateKernel(cols, n, R) {
${ctx.prologue()}
${localizeRefs(`${prelude}${locals}${loops}`)}};`;
    const kernel = batchKernel<Kernel>(source, ctx.refs);
    return { kernel, source, refs: ctx.refs };
  }
}

/** A generated aggregation kernel, its references apart from the generating instance's state (FusedAggregate.adopt). */
export interface FusedKernelTemplate {
  readonly nullFree: boolean;
  readonly source: string;
  /** The references, null where `state` names a state object instead. */
  readonly refs: readonly unknown[];
  /** Per reference, its place among an instance's state objects (coders, their encoders, table, accumulators), or -1. */
  readonly state: readonly number[];
}

/** The generated loops' per-batch columns (keys coded once per row, windows' latest starts), kept for the next batch. */
const LOOP_ARRAYS = new ReusableArrays();

/** Declares `rem` = x mod sl in [0, sl): time-window.ts's slideRemainder, inlined. */
function remainderCode(rem: string, x: string, sl: number): string {
  const exact = `const ${rem}x = ${x}; let ${rem} = ${rem}x % ${sl}; if (${rem} < 0) ${rem} += ${sl};`;
  if (!Number.isInteger(sl)) return exact;
  const limit = 2 ** 53 - sl;
  return `const ${rem}x = ${x}; let ${rem} = ${rem}x - Math.floor(${rem}x / ${sl}) * ${sl}; if (!(${rem}x < ${limit} && ${rem}x > -${limit} && ${rem} >= 0 && ${rem} < ${sl})) { ${rem} = ${rem}x % ${sl}; if (${rem} < 0) ${rem} += ${sl}; }`;
}

/**
 * A grouping column that the folded-in projection computes as a time window (Nexmark q7: a
 * tumbling window projected, then grouped by): the window call itself, so the key is coded by the
 * window's index from the time, with no struct per row. Null otherwise.
 */
function projectedTimeWindow(spec: FusedAggregateSpec, g: Expr): Expr | null {
  if (g.kind !== "AttributeRef" || spec.projections === null || spec.projectionOutput === null) return null;
  const j = spec.projectionOutput.findIndex((a) => a.id === g.id);
  const p = j < 0 ? null : spec.projections[j]!;
  const call = p?.kind === "Alias" ? p.child : p;
  return call !== null && timeWindowCall(call) !== null ? call : null;
}

/** The time window an Expand computes as column `id` (every projection a window call of one spec), or null. */
function expandedTimeWindow(x: FusedAggregateSpec["expand"], id: number): TimeWindowSpec | null {
  const c = x?.output.findIndex((o) => o.id === id) ?? -1;
  if (x === null || c < 0) return null;
  const calls = x.projections.map((p) => timeWindowCall(p[c]!));
  const first = calls[0];
  if (!first || calls.some((w) => w === null || !sameWindowSpec(w.spec, first.spec))) return null;
  return first.spec;
}

/**
 * Codes the `window` struct of a time window by its index, (start - startTime) / slide (the end
 * follows from the start); the dictionary gives the structs back.
 */
class WindowKeyCoder extends KeyCoder {
  constructor(readonly spec: TimeWindowSpec) {
    super(LongType);
  }

  override dictionary(): Vector {
    const { slideMicros, startMicros, durationMicros } = this.spec;
    const n = this.values.length;
    const b = new VectorBuilder(WINDOW_STRUCT, n);
    for (let code = 0; code < n; code++) {
      const v = this.values.at(code);
      if (v === null) b.append(null);
      else {
        const start = startMicros + (v as number) * slideMicros;
        b.append([start, start + durationMicros]);
      }
    }
    return b.finish();
  }
}

function numericUpdate(spec: NumericSpec, value: string, argType: DataType, ix: number, acc: string, A: string): string {
  const head = `const x = ${value};\n`;
  switch (spec.fn) {
    case "sum": case "avg": {
      if (!spec.integral) return `${head}${acc}[g] += x;`;
      const notNumber = argType.kind === "long" ? `typeof x !== "number" || ` : "";
      return `${head}if (${notNumber}bm${ix}[g] === 1) ${A}.addBig(${ix}, g, x); else { const t = ${acc}[g] + x; if (t > ${MAX_SAFE} || t < -${MAX_SAFE}) ${A}.addBig(${ix}, g, x); else ${acc}[g] = t; }`;
    }
    case "min":
      if (argType.kind === "long") return `${head}if (typeof x !== "number" || bm${ix}[g] === 1) ${A}.minMaxBig(${ix}, g, x, true); else { const p = ${acc}[g]; if (p !== p || x < p) ${acc}[g] = x; }`;
      // Spark orders NaN above every number; the accumulator starts at NaN.
      return `${head}const p = ${acc}[g]; if (x === x && (p !== p || x < p)) ${acc}[g] = x;`;
    case "max":
      if (argType.kind === "long") return `${head}if (typeof x !== "number" || bm${ix}[g] === 1) ${A}.minMaxBig(${ix}, g, x, false); else if (x > ${acc}[g]) ${acc}[g] = x;`;
      // The accumulator starts at -Infinity; NaN, the largest, replaces anything.
      return `${head}if (x !== x || x > ${acc}[g]) ${acc}[g] = x;`;
  }
}
