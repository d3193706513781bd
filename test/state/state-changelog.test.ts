import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { LmdbStateStoreProvider } from "../../src/state/lmdb-state-store.js";
import { MemoryStateStoreProvider } from "../../src/state/memory-state-store.js";
import { StateFileWriter, stateFileName } from "../../src/state/state-file.js";
import { listStateFiles } from "../../src/state/state-file-plan.js";
import { commitStore, decodeKey, encodeKey, stateStoreDir, type StateStoreConf, type StateStoreProvider } from "../../src/state/state-store.js";
import { deltaBlock } from "./changelog-files.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-changelog-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(root, String(n++));
const conf: StateStoreConf = { providerClass: "memory", minDeltasForSnapshot: 3, minBatchesToRetain: 2 };
const id = (ck: string) => ({ checkpointLocation: ck, operatorId: 0, partitionId: 0 });
const k = (x: string): string => encodeKey([x]);
const providers: [string, (ck: string) => StateStoreProvider][] = [
  ["memory", (ck) => new MemoryStateStoreProvider(id(ck), conf)],
  ["lmdb", (ck) => new LmdbStateStoreProvider(id(ck), conf)],
];

/** Commits versions from..to, each setting "v" to the version and "n<version>" to 1. */
function commit(p: StateStoreProvider, from: number, to: number): void {
  for (let v = from; v <= to; v++) {
    const s = p.getStore<number>(v - 1);
    s.put(k("v"), v);
    s.put(k(`n${v}`), 1);
    assert.equal(s.commit(), v);
  }
}

for (const [name, open] of providers) {
  void describe(`state changelogs (${name} provider)`, () => {
    void it("appends every commit of a run to one changelog, and starts a new one after a snapshot", async () => {
      const ck = fresh();
      const p = open(ck);
      commit(p, 1, 4);
      const dir = stateStoreDir(id(ck));
      assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.startsWith("_")), ["1.changelog"]);
      p.maintenance(); // 4 deltas since version 0: a snapshot of 4
      commit(p, 5, 6);
      await p.close();
      assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.startsWith("_")).sort(), ["1.changelog", "4.snapshot", "5.changelog"]);
      const q = open(ck);
      const s = q.getStore<number>(6);
      assert.equal(s.get(k("v")), 6);
      assert.equal(s.get(k("n2")), 1);
      s.abort();
      // Retention 2: versions 5 and 6 load from the snapshot of 4 and the second changelog; the first goes.
      q.maintenance();
      assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.startsWith("_")).sort(), ["4.snapshot", "5.changelog"]);
      await q.close();
    });

    void it("a re-run from an older version starts a changelog that supersedes the old blocks from there on", async () => {
      const ck = fresh();
      const p = open(ck);
      commit(p, 1, 5);
      await p.close();
      const q = open(ck);
      const s = q.getStore<number>(2);
      s.put(k("v"), 30);
      assert.equal(s.commit(), 3);
      await q.close();
      const dir = stateStoreDir(id(ck));
      const listed = listStateFiles(dir).files.map((f) => `${f.version}@${f.changelog?.start ?? "file"}`);
      assert.deepEqual(listed, ["1@1", "2@1", "3@3"]);
      const r = open(ck);
      assert.equal(r.latestVersion(), 3);
      const again = r.getStore<number>(3);
      assert.equal(again.get(k("v")), 30);
      assert.equal(again.get(k("n3")), undefined, "the old run's block of version 3 does not count");
      again.abort();
      await r.close();
    });

    void it("loads a checkpoint whose deltas are files of their own (earlier Sluice), then appends after them", async () => {
      const ck = fresh();
      const dir = stateStoreDir(id(ck));
      fs.mkdirSync(dir, { recursive: true });
      for (let v = 1; v <= 3; v++) {
        const w = StateFileWriter.toFile(path.join(dir, stateFileName(v, "delta")), "delta");
        w.put(k("v"), v);
        w.put(k(`n${v}`), 1);
        w.finish();
      }
      const p = open(ck);
      assert.equal(p.latestVersion(), 3);
      commit(p, 4, 4);
      await p.close();
      assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.startsWith("_")).sort(), ["1.delta", "2.delta", "3.delta", "4.changelog"]);
      const q = open(ck);
      const s = q.getStore<number>(4);
      assert.deepEqual([s.get(k("v")), s.get(k("n1")), s.get(k("n3")), s.get(k("n4"))], [4, 1, 1, 1]);
      s.abort();
      await q.close();
    });

    void it("a changelog left without its header by a crash right after its creation holds nothing", async () => {
      const ck = fresh();
      const p = open(ck);
      commit(p, 1, 2);
      await p.close();
      const dir = stateStoreDir(id(ck));
      fs.writeFileSync(path.join(dir, "3.changelog"), Buffer.from("SL", "latin1"));
      const q = open(ck);
      assert.equal(q.latestVersion(), 2);
      commit(q, 3, 3);
      await q.close();
      const r = open(ck);
      assert.equal(r.getStore<number>(3).get(k("v")), 3);
      await r.close();
    });
  });
}

void it("a provider that wrote version v and another that wrote v + 1 since: the first's re-run of v + 1 replaces it (as a rename over a file did)", async () => {
  const ck = fresh();
  const a = new MemoryStateStoreProvider(id(ck), conf);
  commit(a, 1, 2);
  const b = new MemoryStateStoreProvider(id(ck), conf);
  const sb = b.getStore<number>(2);
  sb.put(k("v"), -3);
  assert.equal(sb.commit(), 3);
  const sa = a.getStore<number>(2);
  sa.put(k("v"), 33);
  assert.equal(sa.commit(), 3);
  await a.close();
  await b.close();
  const r = new MemoryStateStoreProvider(id(ck), conf);
  assert.equal(r.getStore<number>(3).get(k("v")), 33);
  await r.close();
});

void it("a changelog closed while a commit's fdatasync runs stays open until it ends (the commit succeeds and loads)", async () => {
  const ck = fresh();
  const p = new MemoryStateStoreProvider(id(ck), conf);
  commit(p, 1, 1);
  const s = p.getStore<number>(1);
  s.put(k("v"), 2);
  const pending = s.commitAsync!();
  const closing = p.close(); // closes the changelog while the fdatasync of version 2 runs
  assert.equal(await pending, 2);
  await closing;
  const r = new MemoryStateStoreProvider(id(ck), conf);
  assert.equal(r.getStore<number>(2).get(k("v")), 2);
  await r.close();
});

/** One step of a store's life: a batch (from the latest version or re-run from an older one), a crash mid-append, maintenance, a restart. */
type Step = { kind: "commit"; back: number; puts: [number, number][]; removes: number[] } | { kind: "tear"; keep: number } | { kind: "maintain" } | { kind: "restart" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("commit" as const), back: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }), puts: fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer()), { maxLength: 4 }), removes: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("tear" as const), keep: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "maintain" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "restart" as const }) },
);

for (const [name, open] of providers) {
  void it(`property (${name}): after any run of batches, re-runs, torn appends, maintenance and restarts, every retained version loads exactly as written`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        const ck = fresh();
        const dir = stateStoreDir(id(ck));
        // The model: the state of every version that counts, as a plain map of key -> value.
        const versions = new Map<number, Map<number, number>>([[0, new Map()]]);
        let latest = 0;
        // Versions below this may be gone: maintenance keeps the last minBatchesToRetain of the latest it saw.
        let retainedFrom = 0;
        // A torn append is the latest commit's, before anything (maintenance) could act on it as committed.
        let tearable = false;
        let p = open(ck);
        try {
          for (const step of steps) {
            if (step.kind === "commit") {
              // A batch re-runs from a version that is still retained (maintenance runs only after commits).
              const base = Math.max(0, retainedFrom, latest - step.back);
              const s = p.getStore<number>(base);
              const next = new Map(versions.get(base)!);
              for (const [key, v] of step.puts) { s.put(k(`k${key}`), v); next.set(key, v); }
              for (const key of step.removes) { s.remove(k(`k${key}`)); next.delete(key); }
              assert.equal(await commitStore(s), base + 1);
              for (const v of [...versions.keys()]) if (v > base) versions.delete(v);
              versions.set(base + 1, next);
              latest = base + 1;
              tearable = true;
            } else if (step.kind === "tear") {
              // A crash while the latest version's delta was appended: only when it is the last block of a changelog.
              await p.close();
              const last = listStateFiles(dir).files.filter((f) => f.version === latest);
              if (tearable && last.length === 1 && last[0]!.changelog !== undefined) {
                const { file, start, end } = deltaBlock(dir, latest);
                if (fs.statSync(file).size === end) {
                  fs.truncateSync(file, start - 12 + Math.min(step.keep, end - start + 11));
                  versions.delete(latest);
                  latest--;
                }
              }
              tearable = false;
              p = open(ck);
            } else if (step.kind === "maintain") {
              p.maintenance();
              tearable = false;
              retainedFrom = Math.max(retainedFrom, latest - conf.minBatchesToRetain + 1);
            } else {
              await p.close();
              p = open(ck);
            }
          }
          await p.close();
          p = open(ck);
          assert.equal(p.latestVersion(), latest);
          for (const [v, expected] of versions) {
            if (v === 0 || v < Math.max(retainedFrom, latest - conf.minBatchesToRetain + 1)) continue;
            const s = p.getReadStore<number>(v);
            const got = new Map([...s.iterator()].map((e) => [Number((decodeKey(e.key)[0] as string).slice(1)), e.value]));
            assert.deepEqual(got, expected, `version ${v}`);
          }
        } finally {
          await p.close();
        }
      }),
      { numRuns: 40 },
    );
  });
}
