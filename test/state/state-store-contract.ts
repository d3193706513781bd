// The contract every state store provider must keep, run by one test file per provider.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { commitStore, decodeKey, encodeKey, StateStoreCorruptError, StateStoreError, type StateStore, type StateStoreConf, type StateStoreId, type StateStoreProvider } from "../../src/state/state-store.js";
import { corruptDelta, tearDelta } from "./changelog-files.js";

export type ProviderFactory = (id: StateStoreId, conf: StateStoreConf) => StateStoreProvider;

const baseConf = (over: Partial<StateStoreConf> = {}): StateStoreConf => ({ providerClass: "memory", minDeltasForSnapshot: 10, minBatchesToRetain: 100, ...over });

/** Everything in a store as [decoded key tuple, value], sorted by key bytes. */
function contents(s: { iterator(): Iterable<{ key: string; value: unknown }> }): [unknown[], unknown][] {
  return [...s.iterator()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => [decodeKey(e.key), e.value]);
}

const k = (...v: unknown[]): string => encodeKey(v);

export function runStateStoreContract(name: string, make: ProviderFactory): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-state-${name}-`));
  const open: StateStoreProvider[] = [];
  after(async () => {
    await Promise.all(open.map((p) => p.close()));
    fs.rmSync(root, { recursive: true, force: true });
  });
  let n = 0;
  const fresh = (): string => path.join(root, String(n++));
  const provider = (checkpointLocation: string, conf = baseConf(), partitionId = 0, operatorId = 0): StateStoreProvider => {
    const p = make({ checkpointLocation, operatorId, partitionId }, conf);
    open.push(p);
    return p;
  };
  const stateDir = (ck: string, part = 0): string => path.join(ck, "state", "0", String(part));

  /** Commits versions 1..n; version v holds keys ("k", i) for i < v with value v*10+i, and key ("v") = v. */
  const commitVersions = (p: StateStoreProvider, from: number, to: number, maintain = false): void => {
    for (let v = from; v <= to; v++) {
      const s = p.getStore<number>(v - 1);
      s.put(k("k", v - 1), 0);
      for (let i = 0; i < v; i++) s.put(k("k", i), v * 10 + i);
      s.put(k("v"), v);
      assert.equal(s.commit(), v);
      if (maintain) p.maintenance();
    }
  };
  const expectVersion = (s: StateStore<number> | { get(key: string): unknown; iterator(): Iterable<{ key: string; value: unknown }> }, v: number): void => {
    assert.equal(s.get(k("v")), v);
    assert.equal([...s.iterator()].length, v + 1);
    for (let i = 0; i < v; i++) assert.equal(s.get(k("k", i)), v * 10 + i);
  };

  void describe(`state store contract: ${name}`, () => {
    void it("puts, gets and removes; commit makes version 1 and the store is closed after it", () => {
      const p = provider(fresh());
      const s = p.getStore<{ count: number }>(0);
      assert.equal(s.version, 0);
      assert.equal(s.get(k("a")), undefined);
      s.put(k("a"), { count: 1 });
      s.put(k("b"), { count: 2 });
      s.put(k("a"), { count: 3 });
      s.remove(k("b"));
      s.remove(k("missing"));
      assert.deepEqual(s.get(k("a")), { count: 3 });
      assert.equal(s.get(k("b")), undefined);
      const m = s.metrics();
      assert.equal(m.numKeys, 1);
      assert.equal(m.numRowsUpdated, 3);
      assert.equal(m.numRowsRemoved, 1);
      assert.equal(s.commit(), 1);
      assert.equal(s.committed, true);
      assert.throws(() => s.put(k("c"), { count: 0 }), StateStoreError);
      const s1 = p.getStore<{ count: number }>(1);
      assert.deepEqual(contents(s1), [[["a"], { count: 3 }]]);
      s1.abort();
    });

    void it("scans by prefix and by range in the order of the key tuples", () => {
      const p = provider(fresh());
      const s = p.getStore<number>(0);
      const words = ["b", "a", "é", "😀", "", "aa", "\u0000x"];
      for (const ws of [3_000_000, -5, 0, 2n ** 62n, 1_000_000]) for (const w of words) s.put(k(ws, w), 1);
      s.commit();
      for (const st of [p.getStore<number>(1), p.getReadStore<number>(1)]) {
        const got = [...st.prefixScan(k(1_000_000))].map((e) => decodeKey(e.key));
        const sortedWords = [...words].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y))));
        assert.deepEqual(got, sortedWords.map((w) => [1_000_000, w]));
        const starts = [...st.rangeScan(k(0), k(3_000_000))].map((e) => decodeKey(e.key)[0]);
        assert.deepEqual([...new Set(starts)], [0, 1_000_000]);
        const all = [...st.rangeScan(undefined, undefined)].map((e) => decodeKey(e.key)[0]);
        assert.deepEqual([...new Set(all)], [-5, 0, 1_000_000, 3_000_000, 2n ** 62n]);
        assert.equal([...st.prefixScan("")].length, 35);
        st.abort();
      }
    });

    void it("scans see the store's own uncommitted puts and removes, and eviction during a scan is safe", () => {
      const p = provider(fresh());
      commitVersions(p, 1, 1);
      const s = p.getStore<number>(1);
      s.put(k("k", 5), 5);
      s.remove(k("v"));
      s.put(k("a"), 1);
      assert.deepEqual([...s.rangeScan(undefined, undefined)].map((e) => decodeKey(e.key)), [["a"], ["k", 0], ["k", 5]]);
      for (const e of s.prefixScan(k("k"))) s.remove(e.key);
      assert.deepEqual(contents(s), [[["a"], 1]]);
      assert.equal(s.commit(), 2);
      assert.deepEqual(contents(p.getReadStore(2)), [[["a"], 1]]);
    });

    void it("random batches of single and batch puts/removes, scans, commits, aborts and reloads agree with a model", () => {
      type Op = { kind: "put" | "remove" | "putMany" | "removeMany" | "scan"; keys: number[]; value: number; to: number };
      const opArb = fc.record({ kind: fc.constantFrom<Op["kind"]>("put", "remove", "putMany", "removeMany", "scan"), keys: fc.array(fc.nat(40), { minLength: 1, maxLength: 8 }), value: fc.nat(1000), to: fc.nat(45) });
      const batchArb = fc.record({ ops: fc.array(opArb, { maxLength: 30 }), end: fc.constantFrom("commit", "commit", "commit", "abort", "reload") });
      fc.assert(
        fc.property(fc.array(batchArb, { minLength: 1, maxLength: 8 }), (batches) => {
          const ck = fresh();
          let p = provider(ck);
          let model = new Map<string, number>();
          let version = 0;
          for (const b of batches) {
            const s = p.getStore<number>(version);
            const next = new Map(model);
            for (const op of b.ops) {
              const keys = op.keys.map((i) => k("k", i));
              if (op.kind === "put") {
                s.put(keys[0]!, op.value);
                next.set(keys[0]!, op.value);
              } else if (op.kind === "remove") {
                s.remove(keys[0]!);
                next.delete(keys[0]!);
              } else if (op.kind === "putMany") {
                const uniq = [...new Set(keys)];
                const values = uniq.map((_, i) => op.value + i);
                const prev = s.getMany(uniq);
                assert.deepEqual(prev, uniq.map((x) => next.get(x)));
                s.putMany(uniq, values, prev);
                uniq.forEach((x, i) => next.set(x, values[i]!));
              } else if (op.kind === "removeMany") {
                s.removeMany(keys);
                for (const x of keys) next.delete(x);
              } else {
                const to = k("k", op.to);
                const want = [...next.keys()].filter((x) => x < to).sort();
                assert.deepEqual([...s.rangeScan(undefined, to)].map((e) => e.key), want);
              }
            }
            if (b.end === "abort") s.abort();
            else {
              assert.equal(s.commit(), version + 1);
              version++;
              model = next;
            }
            if (b.end === "reload") p = provider(ck);
            const r = p.getReadStore<number>(version);
            assert.deepEqual(contents(r), [...model].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([key, v]) => [decodeKey(key), v]));
            assert.deepEqual([...r.rangeScan(undefined, undefined)].map((e) => e.key), [...model.keys()].sort());
            r.abort();
          }
        }),
        { numRuns: 40 },
      );
    });

    void it("abort drops every change and writes nothing", () => {
      const ck = fresh();
      const p = provider(ck);
      commitVersions(p, 1, 2);
      const s = p.getStore<number>(2);
      s.put(k("new"), 1);
      s.put(k("v"), 99);
      s.remove(k("k", 0));
      s.abort();
      assert.throws(() => s.get(k("v")), StateStoreError);
      expectVersion(p.getStore<number>(2), 2);
      assert.equal(provider(ck).latestVersion(), 2);
    });

    void it("a new writable store aborts one left open by a failed attempt", () => {
      const p = provider(fresh());
      commitVersions(p, 1, 1);
      const s = p.getStore<number>(1);
      s.put(k("v"), 42);
      const again = p.getStore<number>(1);
      expectVersion(again, 1);
      again.abort();
    });

    void it("loads exactly version N after reopening, and a re-run of a batch replaces its version", async () => {
      const ck = fresh();
      const p = provider(ck);
      commitVersions(p, 1, 5);
      await p.close();
      const q = provider(ck);
      assert.equal(q.latestVersion(), 5);
      for (const v of [3, 5, 0, 4]) {
        const s = q.getStore<number>(v);
        if (v === 0) assert.equal([...s.iterator()].length, 0);
        else expectVersion(s, v);
        s.abort();
      }
      // Re-run batch 3 with different output: version 4 is replaced and 5 discarded.
      const s = q.getStore<number>(3);
      s.put(k("v"), 400);
      assert.equal(s.commit(), 4);
      const r = provider(ck);
      assert.equal(r.getStore<number>(4).get(k("v")), 400);
      assert.throws(() => r.getStore(5), StateStoreCorruptError);
    });

    void it("refuses a version that is not in the checkpoint, naming the missing file", () => {
      const ck = fresh();
      const p = provider(ck);
      commitVersions(p, 1, 2);
      assert.throws(() => provider(ck).getStore(3), (e: unknown) => e instanceof StateStoreCorruptError && e.file.endsWith("3.delta") && /delta of version 3 is missing/.test(e.message));
      fs.rmSync(path.join(stateDir(ck), "1.changelog"));
      assert.throws(() => provider(ck).getStore(2), (e: unknown) => e instanceof StateStoreCorruptError && e.file.endsWith(`${path.sep}1.delta`) && /missing/.test(e.message));
    });

    void it("reports a corrupt delta instead of loading empty state", () => {
      const ck = fresh();
      const p = provider(ck);
      commitVersions(p, 1, 3);
      const dir = stateDir(ck);
      const good = fs.readFileSync(path.join(dir, "1.changelog"));
      const f = corruptDelta(dir, 2);
      assert.throws(() => provider(ck).getStore(3), (e: unknown) => e instanceof StateStoreCorruptError && e.file === f && /delta of version 2 .*checksum/.test(e.message));
      assert.throws(() => provider(ck).getReadStore(2), (e: unknown) => e instanceof StateStoreCorruptError && e.file === f);
      expectVersion(provider(ck).getStore<number>(1), 1);
      fs.writeFileSync(f, good);
      expectVersion(provider(ck).getStore<number>(3), 3);
      // A changelog that is not one is named too.
      fs.writeFileSync(f, Buffer.from("not a changelog"));
      assert.throws(() => provider(ck).getStore(1), (e: unknown) => e instanceof StateStoreCorruptError && e.file === f && /SLCL/.test(e.message));
    });

    void it("a crash while appending a delta leaves the previous version loadable, and the batch's re-run supersedes the torn block", async () => {
      const ck = fresh();
      const p = provider(ck);
      commitVersions(p, 1, 3);
      await p.close();
      const dir = stateDir(ck);
      // Torn anywhere in the block of version 3 (the header is written last, so a torn header or body).
      for (const keep of [0, 5, 12, 30]) {
        const good = fs.readFileSync(path.join(dir, "1.changelog"));
        tearDelta(dir, 3, keep);
        const q = provider(ck);
        assert.equal(q.latestVersion(), 2, `torn after ${keep} bytes`);
        assert.throws(() => q.getStore(3), StateStoreCorruptError);
        expectVersion(q.getStore<number>(2), 2);
        await q.close();
        fs.writeFileSync(path.join(dir, "1.changelog"), good);
      }
      // The batch runs again from version 2: a new changelog at 3 supersedes the old file's blocks from 3 on.
      const q = provider(ck);
      const s = q.getStore<number>(2);
      s.put(k("v"), 300);
      assert.equal(s.commit(), 3);
      await q.close();
      assert.ok(fs.existsSync(path.join(dir, "3.changelog")));
      const r = provider(ck);
      assert.equal(r.latestVersion(), 3);
      assert.equal(r.getStore<number>(3).get(k("v")), 300);
      // Leftover temp files (a snapshot's) go at maintenance.
      fs.writeFileSync(path.join(dir, ".4.snapshot.0b1c2d3e.tmp"), "partial");
      r.maintenance();
      assert.equal(fs.readdirSync(dir).some((f) => f.endsWith(".tmp")), false);
    });

    void it("writes snapshots, deletes versions older than retention, and keeps retained versions loadable", () => {
      const ck = fresh();
      const conf = baseConf({ minDeltasForSnapshot: 3, minBatchesToRetain: 4 });
      const p = provider(ck, conf);
      commitVersions(p, 1, 20, true);
      const files = fs.readdirSync(stateDir(ck)).filter((f) => /^\d+\./.test(f));
      assert.ok(files.some((f) => f.endsWith(".snapshot")), `snapshots written: ${files.join(" ")}`);
      assert.ok(!files.includes("1.changelog"), `old changelogs deleted: ${files.join(" ")}`);
      assert.ok(files.filter((f) => f.endsWith(".changelog")).length <= 3, `a changelog per snapshot interval: ${files.join(" ")}`);
      const q = provider(ck, conf);
      for (const v of [17, 18, 19, 20]) {
        const s = q.getStore<number>(v);
        expectVersion(s, v);
        s.abort();
      }
      assert.throws(() => q.getStore(2), StateStoreCorruptError);
      // A corrupt snapshot is reported too.
      const snap = files.filter((f) => f.endsWith(".snapshot")).sort((a, b) => parseInt(b) - parseInt(a))[0]!;
      const f = path.join(stateDir(ck), snap);
      const bytes = fs.readFileSync(f);
      bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 1;
      fs.writeFileSync(f, bytes);
      assert.throws(() => provider(ck, conf).getStore(20), (e: unknown) => e instanceof StateStoreCorruptError && e.file === f);
    });

    void it("keeps large values, bigints, unicode and exotic values exactly", async () => {
      const ck = fresh();
      const p = provider(ck);
      const big = "x".repeat(3_000_000) + "é";
      const values: [string, unknown][] = [
        [k(2n ** 63n - 1n, "😀"), { sum: 2n ** 63n - 1n, neg: -(2n ** 100n), n: 9007199254740993n }],
        [k(-(2n ** 63n), "\ud800"), [NaN, Infinity, -Infinity, -0, 0.1, null, true, undefined]],
        [k(0, "a\u0000b"), new Map<unknown, unknown>([["x", 1], [2n, new Uint8Array([0, 255])]])],
        [k(1.5, "中文"), { big, arr: Array.from({ length: 100_000 }, (_, i) => i * 1.5), at: new Date(1234) }],
        [k(true, null, new Uint8Array([0, 1, 255])), "\ud83d lone and 😀 pair"],
        [k(), { __proto__: 1, "": "empty key tuple" }],
      ];
      const s = p.getStore<unknown>(0);
      for (const [key, v] of values) s.put(key, v);
      s.commit();
      await p.close();
      const q = provider(ck);
      const r = q.getStore<unknown>(1);
      for (const [key, v] of values) assert.deepStrictEqual(r.get(key), v);
      assert.deepEqual(decodeKey(values[0]![0]), [2n ** 63n - 1n, "😀"]);
      r.abort();
    });

    void it("stores of different partitions work side by side", () => {
      const ck = fresh();
      const p0 = provider(ck, baseConf(), 0);
      const p1 = provider(ck, baseConf(), 1);
      const a = p0.getStore<number>(0);
      const b = p1.getStore<number>(0);
      for (let i = 0; i < 100; i++) {
        a.put(k(i), i);
        b.put(k(i), -i);
        if (i % 3 === 0) b.remove(k(i));
      }
      assert.equal(a.commit(), 1);
      assert.equal(b.commit(), 1);
      assert.equal(provider(ck, baseConf(), 0).getStore(1).get(k(3)), 3);
      assert.equal(provider(ck, baseConf(), 1).getStore(1).get(k(3)), undefined);
      assert.equal(provider(ck, baseConf(), 1).getStore(1).get(k(4)), -4);
      assert.ok(fs.existsSync(path.join(stateDir(ck, 1), "1.changelog")));
    });

    void it("commitStore commits several partitions at once (commitAsync where offered): each version durable and loadable, writes refused meanwhile", async () => {
      const ck = fresh();
      const ps = [0, 1, 2, 3].map((part) => provider(ck, baseConf(), part));
      const stores = ps.map((p) => p.getStore<number>(0));
      stores.forEach((st, part) => {
        for (let i = 0; i < 50; i++) st.put(k(i), i * 10 + part);
      });
      const pending = stores.map((st) => commitStore(st));
      // While the files go to disk, no change can enter a committing store.
      if (stores[0]!.commitAsync !== undefined) assert.throws(() => stores[0]!.put(k("late"), 1), StateStoreError);
      assert.deepEqual(await Promise.all(pending), [1, 1, 1, 1]);
      for (const part of [0, 1, 2, 3]) {
        assert.ok(fs.existsSync(path.join(stateDir(ck, part), "1.changelog")));
        const again = provider(ck, baseConf(), part).getStore<number>(1);
        assert.equal(again.get(k(7)), 70 + part);
        assert.equal(again.get(k("late")), undefined);
        again.abort();
      }
    });

    void it("read stores see a fixed version", () => {
      const ck = fresh();
      const p = provider(ck);
      commitVersions(p, 1, 3);
      expectVersion(p.getReadStore(2), 2);
      const r3 = p.getReadStore(3);
      expectVersion(r3, 3);
      assert.throws(() => (r3 as unknown as StateStore).put(k("x"), 1), StateStoreError);
      r3.abort();
    });

    void it("reports metrics", () => {
      const p = provider(fresh());
      const s = p.getStore<number>(0);
      for (let i = 0; i < 1000; i++) s.put(k(i), i);
      s.commit();
      const m = s.metrics();
      assert.equal(m.numKeys, 1000);
      assert.equal(m.numRowsUpdated, 1000);
      assert.ok(m.commitTimeMs >= 0 && m.allUpdatesTimeMs >= 0);
      assert.ok((m.customMetrics.deltaFileBytes ?? 0) > 1000 * 10);
    });
  });
}
