import type { PhysicalOp } from "../../src/physical/physical-op.js";

/** The first operator of class `cls` in `op`'s tree (depth first), or null. */
export function findOp<T extends PhysicalOp>(op: PhysicalOp, cls: abstract new (...args: never[]) => T): T | null {
  if (op instanceof cls) return op;
  for (const c of op.children) {
    const found = findOp(c, cls);
    if (found) return found;
  }
  return null;
}
