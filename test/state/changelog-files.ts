import * as fs from "node:fs";
import * as path from "node:path";
import { changelogName } from "../../src/state/state-changelog.js";
import { listStateFiles } from "../../src/state/state-file-plan.js";

/** Where the delta of `version` is in a store directory's changelogs: the file and the block body's [start, end). */
export function deltaBlock(dir: string, version: number): { file: string; start: number; end: number } {
  const ref = listStateFiles(dir).files.find((f) => f.kind === "delta" && f.version === version && f.changelog !== undefined);
  if (ref?.changelog === undefined) throw new Error(`no changelog in ${dir} holds the delta of version ${version}`);
  const { start, block } = ref.changelog;
  return { file: path.join(dir, changelogName(start)), start: block.start, end: block.end };
}

/** Flips one bit in the middle of the delta of `version`; returns the changelog's path. */
export function corruptDelta(dir: string, version: number): string {
  const { file, start, end } = deltaBlock(dir, version);
  const bytes = fs.readFileSync(file);
  const at = Math.floor((start + end) / 2);
  bytes[at] = bytes[at]! ^ 0x40;
  fs.writeFileSync(file, bytes);
  return file;
}

/**
 * Cuts the changelog holding `version` inside that version's block (`keep` bytes of the block
 * are left, header included): what a crash while the delta was appended leaves. Returns the path.
 */
export function tearDelta(dir: string, version: number, keep: number): string {
  const { file, start } = deltaBlock(dir, version);
  fs.truncateSync(file, start - 12 + keep);
  return file;
}
