import type { RecordBatch } from "../../batch/record-batch.js";
import { makeBatch } from "../../batch/record-batch.js";
import { type Vector, makeVector, storageKind } from "../../batch/vector.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import { referencedIds } from "../../expr/expr-tree.js";
import { exprType } from "../../expr/expr-type.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { type DataType, type StructType, sameType } from "../../types/data-type.js";
import { CodegenContext, type InputBinding, genCommonSubexpressions, genExpr, localizeRefs } from "./expr-codegen.js";
import { batchKernel } from "./kernel-cache.js";
import type { ReusableArrays } from "../../batch/reusable-arrays.js";

/**
 * A compiled filter-and-project over batches of one input layout. With `arrays`, computed
 * columns of fixed-width types are written into its arrays (the same ones every batch) instead of
 * new ones: for a consumer that keeps no column (ExecOptions.reuseBuffers).
 */
export interface CompiledProjection {
  (batch: RecordBatch, arrays?: ReusableArrays | null): RecordBatch;
  /** The generated JavaScript, for EXPLAIN CODEGEN and debugging. */
  readonly source: string;
}

interface RawOutput {
  values: unknown[];
  nulls: (Uint8Array | null)[];
  count: number;
}
type Kernel = (cols: readonly Vector[], n: number, arrays: ReusableArrays | null) => RawOutput;

/**
 * Compiles `filter` (optional) and `projections` over `input` into one loop (whole-stage code
 * generation): each row is tested and, when kept, every output column is computed and written
 * into preallocated typed arrays. No per-row allocation for fixed-width outputs.
 */
export function compileProjection(
  input: readonly AttributeRef[],
  filter: Expr | null,
  projections: readonly Expr[],
  outputSchema: StructType,
  fctx: ExecFunctionContext,
): CompiledProjection {
  // Without a filter, an output that is an input column (or an alias of one) is that column as
  // it is: no copy. The loop computes the others.
  const picks = filter === null ? projections.map((p) => pickedColumn(input, p)) : projections.map(() => -1);
  const computed = projections.filter((_, j) => picks[j]! < 0);
  const used = usedColumns(input, filter, computed);
  const types = projections.map(exprType);
  if (computed.length === 0) {
    // Columns as they are (a projection that renames or reorders): no loop, no copy. EXPLAIN
    // CODEGEN shows the loop that would copy them.
    const picker = new ColumnPicker(outputSchema, picks);
    const pick = (batch: RecordBatch): RecordBatch => picker.pick(batch);
    const source = (): string => generateKernel(input, usedColumns(input, null, projections), null, projections, fctx, false).source;
    return Object.defineProperty(pick, "source", { get: source, enumerable: true }) as CompiledProjection;
  }
  const projection = new KernelProjection(outputSchema, picks, types, used, (nullFree) => generateKernel(input, used, filter, computed, fctx, nullFree));
  const run = (batch: RecordBatch, arrays: ReusableArrays | null = null): RecordBatch => projection.run(batch, arrays);
  // The source (general variant) is generated only when asked for (EXPLAIN CODEGEN).
  return Object.defineProperty(run, "source", { get: () => projection.variant(false).source, enumerable: true }) as CompiledProjection;
}

// The per-batch work lives in methods of long-lived classes; the function a query gets only
// forwards to them. V8 drops a closure's optimized code when the closure dies, so per-batch
// loops written in a closure made per query were compiled again in every run (see expr-tree.ts).

class ColumnPicker {
  constructor(
    private readonly outputSchema: StructType,
    private readonly picks: readonly number[],
  ) {}

  pick(batch: RecordBatch): RecordBatch {
    const cols: Vector[] = [];
    for (const i of this.picks) cols.push(batch.columns[i]!);
    return makeBatch(this.outputSchema, cols, batch.numRows);
  }
}

class KernelProjection {
  /** Two variants: one for batches whose used columns have no null masks (null tests vanish from the loop), one general. */
  private readonly variants = new Map<boolean, { kernel: Kernel; source: string }>();

  constructor(
    private readonly outputSchema: StructType,
    private readonly picks: readonly number[],
    private readonly types: readonly DataType[],
    private readonly used: readonly number[],
    private readonly generate: (nullFree: boolean) => { kernel: Kernel; source: string },
  ) {}

  variant(nullFree: boolean): { kernel: Kernel; source: string } {
    let v = this.variants.get(nullFree);
    if (!v) {
      v = this.generate(nullFree);
      this.variants.set(nullFree, v);
    }
    return v;
  }

  run(batch: RecordBatch, arrays: ReusableArrays | null): RecordBatch {
    const n = batch.numRows;
    let nullFree = true;
    for (const c of this.used) if (batch.columns[c]!.nulls !== null) nullFree = false;
    const raw = this.variant(nullFree).kernel(batch.columns, n, arrays);
    const k = raw.count;
    let next = 0;
    const cols: Vector[] = [];
    for (let j = 0; j < this.picks.length; j++) {
      const pick = this.picks[j]!;
      if (pick >= 0) {
        cols.push(batch.columns[pick]!);
        continue;
      }
      const c = next++;
      let v = raw.values[c] as Float64Array | unknown[];
      let nulls = raw.nulls[c]!;
      if (k < n) {
        v = Array.isArray(v) ? v.slice(0, k) : v.subarray(0, k);
        if (nulls) nulls = nulls.subarray(0, k);
      }
      cols.push(makeVector(this.types[j]!, k, v, nulls));
    }
    return makeBatch(this.outputSchema, cols, k);
  }
}

/** Indexes of the input columns `filter` and `projections` read (each column once). */
function usedColumns(input: readonly AttributeRef[], filter: Expr | null, projections: readonly Expr[]): number[] {
  const needed = new Set<number>();
  if (filter) referencedIds(filter, needed);
  for (const p of projections) referencedIds(p, needed);
  const used: number[] = [];
  input.forEach((a, idx) => {
    if (needed.has(a.id) && !used.some((j) => input[j]!.id === a.id)) used.push(idx);
  });
  return used;
}

/** The index of the input column a projection is (or aliases) with the same type, else -1. */
function pickedColumn(input: readonly AttributeRef[], p: Expr): number {
  const e = p.kind === "Alias" ? p.child : p;
  if (e.kind !== "AttributeRef") return -1;
  const i = input.findIndex((a) => a.id === e.id);
  return i >= 0 && sameType(input[i]!.dataType, e.dataType, true) ? i : -1;
}

function generateKernel(
  input: readonly AttributeRef[],
  used: readonly number[],
  filter: Expr | null,
  projections: readonly Expr[],
  fctx: ExecFunctionContext,
  nullFree: boolean,
): { kernel: Kernel; source: string } {
  const bindings = new Map<number, InputBinding>();
  let prelude = "";
  for (const idx of used) {
    const a = input[idx]!;
    const values = `c${idx}v`, nulls = nullFree ? "null" : `c${idx}n`;
    bindings.set(a.id, { values, nulls, type: a.dataType });
    prelude += nullFree ? `const ${values} = cols[${idx}].values;\n` : `const ${values} = cols[${idx}].values, ${nulls} = cols[${idx}].nulls;\n`;
  }
  const ctx = new CodegenContext(bindings, fctx);
  let body = "";
  if (filter) {
    body += genCommonSubexpressions([filter], projections, ctx);
    const g = genExpr(filter, ctx);
    body += `${g.code}\nif (${g.isNull} || !(${g.value})) continue;\n`;
  }
  body += genCommonSubexpressions(projections, [], ctx);
  let alloc = "";
  const outs: string[] = [];
  projections.forEach((p, j) => {
    const t = exprType(p);
    const g = genExpr(p, ctx);
    const o = `o${j}`, on = `on${j}`;
    outs.push(o);
    const kind = storageKind(t);
    const ctor = { u8: "Uint8Array", i8: "Int8Array", i16: "Int16Array", i32: "Int32Array", f32: "Float32Array", f64: "Float64Array", array: "Array" }[kind];
    // A reused array is cleared as a new one would be: a null row's value stays 0.
    const reused = { u8: "uint8", i32: "int32", f64: "float64" }[kind as "u8" | "i32" | "f64"] as string | undefined;
    alloc += reused ? `let ${o} = A == null ? new ${ctor}(n) : A.${reused}(${j}, n).fill(0), ${on} = null;\n` : `let ${o} = new ${ctor}(n), ${on} = null;\n`;
    const markNull = `if (${on} === null) ${on} = new Uint8Array(n); ${on}[k] = 1;`;
    let write: string;
    if (kind === "array") write = `${o}[k] = ${g.isNull} ? null : ${g.value};`;
    else if (kind === "u8") write = `${o}[k] = ${g.value} ? 1 : 0;`;
    else if (t.kind === "long" || t.kind === "decimal") write = `{ const x = ${g.value}; if (typeof x === "bigint" && !Array.isArray(${o})) ${o} = ${ctx.ref(widenTo)}(${o}, k, ${on}); ${o}[k] = x; }`;
    else write = `${o}[k] = ${g.value};`;
    body += `${g.code}\nif (${g.isNull}) { ${markNull} ${kind === "array" ? `${o}[k] = null;` : ""} } else { ${write} }\n`;
  });
  const source = `return function kernel(cols, n, R, A) {
${ctx.prologue()}
${localizeRefs(`${prelude}${alloc}let k = 0;
for (let i = 0; i < n; i++) {
${body}k++;
}
return { values: [${outs.join(", ")}], nulls: [${outs.map((_, j) => `on${j}`).join(", ")}], count: k };`)}
};`;
  const kernel = batchKernel<Kernel>(source, ctx.refs);
  return { kernel, source };
}

function widenTo(out: Float64Array, upTo: number, nulls: Uint8Array | null): unknown[] {
  const a = new Array<unknown>(out.length).fill(null);
  for (let i = 0; i < upTo; i++) a[i] = nulls !== null && nulls[i] === 1 ? null : out[i];
  return a;
}
