import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic-file.js";
import { CheckpointError } from "./checkpoint-error.js";

/** A column of a stateful operator's key or value, by name and SQL type. */
export interface StateColumnMetadata {
  readonly name: string;
  readonly type: string;
}

/**
 * `<checkpoint>/state/<operatorId>/_metadata`: what one stateful operator keeps, written when the
 * operator first runs, so that a restart of a changed query is refused before it misreads state.
 * For an aggregation the key is the grouping columns and the value the aggregate buffers (named by
 * the aggregate call, e.g. `count(1)`, so renaming an output column is harmless).
 */
export interface OperatorMetadata {
  readonly operatorId: number;
  readonly operatorName: string;
  readonly numPartitions: number;
  readonly keySchema: readonly StateColumnMetadata[];
  readonly valueSchema: readonly StateColumnMetadata[];
}

const VERSION = 1;

export function operatorMetadataFile(checkpointDir: string, operatorId: number): string {
  return path.join(checkpointDir, "state", String(operatorId), "_metadata");
}

export function readOperatorMetadata(checkpointDir: string, operatorId: number): OperatorMetadata | undefined {
  const file = operatorMetadataFile(checkpointDir, operatorId);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let parsed: OperatorMetadata & { version?: number };
  try {
    parsed = JSON.parse(text) as OperatorMetadata & { version?: number };
  } catch (e) {
    throw new CheckpointError("CHECKPOINT_CORRUPT", `The checkpoint file ${file} is not valid JSON: ${(e as Error).message}.`);
  }
  if ((parsed.version ?? 1) > VERSION) {
    throw new CheckpointError("CHECKPOINT_VERSION_TOO_NEW", `The checkpoint file ${file} has format version v${parsed.version}, but this version of Sluice reads up to v${VERSION}. Upgrade Sluice to use it.`);
  }
  return parsed;
}

export function writeOperatorMetadata(checkpointDir: string, m: OperatorMetadata, fsync = true): void {
  writeFileAtomic(operatorMetadataFile(checkpointDir, m.operatorId), JSON.stringify({ version: VERSION, ...m }, null, 1), { fsync });
}

/** Operator ids that have a `state/<id>` directory in the checkpoint. */
export function checkpointOperatorIds(checkpointDir: string): number[] {
  try {
    return fs.readdirSync(path.join(checkpointDir, "state")).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/**
 * What changed between the operator a checkpoint recorded and the one the query has now, as
 * sentences; empty when compatible. Pure, so the rules are tested on their own: the operator
 * kind, the key columns (names and types, in order) and the value columns must all match.
 */
export function operatorMetadataChanges(stored: OperatorMetadata, now: OperatorMetadata): string[] {
  const out: string[] = [];
  const cols = (cs: readonly StateColumnMetadata[]): string => `(${cs.map((c) => `${c.name} ${c.type}`).join(", ")})`;
  const same = (a: readonly StateColumnMetadata[], b: readonly StateColumnMetadata[]): boolean =>
    a.length === b.length && a.every((c, i) => c.name.toLowerCase() === b[i]!.name.toLowerCase() && c.type === b[i]!.type);
  if (stored.operatorName !== now.operatorName) out.push(`the operator was ${stored.operatorName} and is now ${now.operatorName}`);
  if (!same(stored.keySchema, now.keySchema)) out.push(`the state key changed from ${cols(stored.keySchema)} to ${cols(now.keySchema)}`);
  if (!same(stored.valueSchema, now.valueSchema)) out.push(`the state value changed from ${cols(stored.valueSchema)} to ${cols(now.valueSchema)}`);
  if (stored.numPartitions !== now.numPartitions) out.push(`the number of state partitions changed from ${stored.numPartitions} to ${now.numPartitions}`);
  return out;
}

/**
 * Checks the query's stateful operators against the checkpoint and records those it does not
 * know yet. Throws STATE_SCHEMA_MISMATCH naming every change; a checkpoint with state for an
 * operator the query no longer has is refused too (its state would be silently dropped).
 */
export function checkOperatorMetadata(checkpointDir: string, operators: readonly OperatorMetadata[], fsync = true): void {
  const problems: string[] = [];
  for (const op of operators) {
    const stored = readOperatorMetadata(checkpointDir, op.operatorId);
    if (stored === undefined) continue;
    for (const c of operatorMetadataChanges(stored, op)) problems.push(`stateful operator ${op.operatorId} (${op.operatorName}): ${c}`);
  }
  for (const id of checkpointOperatorIds(checkpointDir)) {
    if (id >= operators.length && fs.existsSync(operatorMetadataFile(checkpointDir, id))) {
      const stored = readOperatorMetadata(checkpointDir, id)!;
      problems.push(`stateful operator ${id} (${stored.operatorName}) has state in the checkpoint but the query has ${operators.length === 0 ? "no stateful operators" : `only ${operators.length}`}`);
    }
  }
  if (problems.length > 0) {
    throw new CheckpointError(
      "STATE_SCHEMA_MISMATCH",
      `The checkpoint at ${checkpointDir} does not fit the query's stateful operators: ${problems.join("; ")}. Changing the keys or aggregates of a stateful operator is not allowed; use a new checkpoint location.`,
    );
  }
  for (const op of operators) if (readOperatorMetadata(checkpointDir, op.operatorId) === undefined) writeOperatorMetadata(checkpointDir, op, fsync);
}
