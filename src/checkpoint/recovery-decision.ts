/**
 * Where a query resumes, from two facts read from its checkpoint: the highest batch id in
 * `offsets/` and the highest in `commits/`. Pure, so the whole table is tested in one place:
 *
 * | last offsets | last commit | decision                                              |
 * |--------------|-------------|-------------------------------------------------------|
 * | none         | none        | start fresh at batch 0                                |
 * | none         | some        | corrupt: commits without offsets                      |
 * | N            | N           | batch N is done: start batch N+1                      |
 * | N            | N-1 or none | batch N was planned, not committed: re-run batch N    |
 * |              | (none: N=0) | with exactly the logged offsets                       |
 * | N            | < N-1       | corrupt: a batch before N was never committed         |
 * | N            | > N         | corrupt: a commit for a batch never planned           |
 */
export type RecoveryDecision =
  | { readonly kind: "startFresh"; readonly batchId: 0 }
  | { readonly kind: "rerunBatch"; readonly batchId: number }
  | { readonly kind: "startNext"; readonly batchId: number }
  | { readonly kind: "corrupt"; readonly reason: string };

export function recoveryDecision(lastOffsets: number | undefined, lastCommit: number | undefined): RecoveryDecision {
  if (lastOffsets === undefined) {
    if (lastCommit === undefined) return { kind: "startFresh", batchId: 0 };
    return { kind: "corrupt", reason: `commits/ has batch ${lastCommit} but offsets/ is empty` };
  }
  if (lastCommit === lastOffsets) return { kind: "startNext", batchId: lastOffsets + 1 };
  if ((lastCommit === undefined && lastOffsets === 0) || lastCommit === lastOffsets - 1) return { kind: "rerunBatch", batchId: lastOffsets };
  if (lastCommit === undefined || lastCommit < lastOffsets) {
    return { kind: "corrupt", reason: `offsets/ ends at batch ${lastOffsets} but commits/ ends at ${lastCommit ?? "nothing"}: batches before ${lastOffsets} were never committed` };
  }
  return { kind: "corrupt", reason: `commits/ has batch ${lastCommit} but offsets/ ends at batch ${lastOffsets}` };
}
