import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic-file.js";
import { CheckpointError } from "./checkpoint-error.js";

/** `<checkpoint>/metadata`: the query id, stable across restarts. */
export interface StreamMetadata {
  readonly id: string;
}

const METADATA_VERSION = 1;

/** Reads `<dir>/metadata`, or creates it with a new id when absent. */
export function readOrCreateStreamMetadata(checkpointDir: string): StreamMetadata {
  const file = path.join(checkpointDir, "metadata");
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, "utf8");
    let parsed: { version?: number; id?: unknown };
    try {
      parsed = JSON.parse(text) as { version?: number; id?: unknown };
    } catch (e) {
      throw new CheckpointError("CHECKPOINT_CORRUPT", `The checkpoint file ${file} is not valid JSON: ${(e as Error).message}.`);
    }
    if ((parsed.version ?? 1) > METADATA_VERSION) {
      throw new CheckpointError("CHECKPOINT_VERSION_TOO_NEW", `The checkpoint file ${file} has format version v${parsed.version}, but this version of Sluice reads up to v${METADATA_VERSION}. Upgrade Sluice to use it.`);
    }
    if (typeof parsed.id !== "string") throw new CheckpointError("CHECKPOINT_CORRUPT", `The checkpoint file ${file} has no query id.`);
    return { id: parsed.id };
  }
  const meta: StreamMetadata = { id: randomUUID() };
  writeFileAtomic(file, JSON.stringify({ version: METADATA_VERSION, ...meta }));
  return meta;
}
