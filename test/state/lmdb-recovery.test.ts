import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { LmdbStateStoreProvider } from "../../src/state/lmdb-state-store.js";
import { MemoryStateStoreProvider } from "../../src/state/memory-state-store.js";
import { encodeKey, type StateStoreConf, type StateStoreProvider } from "../../src/state/state-store.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-lmdb-recovery-"));
const opened: StateStoreProvider[] = [];
after(async () => {
  await Promise.all(opened.map((p) => p.close()));
  fs.rmSync(root, { recursive: true, force: true });
});
let n = 0;
const fresh = (): string => path.join(root, String(n++));
const conf: StateStoreConf = { providerClass: "lmdb", minDeltasForSnapshot: 10, minBatchesToRetain: 100 };
const lmdb = (ck: string): LmdbStateStoreProvider => {
  const p = new LmdbStateStoreProvider({ checkpointLocation: ck, operatorId: 0, partitionId: 0 }, conf);
  opened.push(p);
  return p;
};
const memory = (ck: string): MemoryStateStoreProvider => {
  const p = new MemoryStateStoreProvider({ checkpointLocation: ck, operatorId: 0, partitionId: 0 }, conf);
  opened.push(p);
  return p;
};
const k = (...v: unknown[]): string => encodeKey(v);
const commit = (p: StateStoreProvider, version: number, value: number): void => {
  const s = p.getStore<number>(version);
  s.put(k("v"), value);
  s.put(k("n", version), value);
  assert.equal(s.commit(), version + 1);
};

void describe("lmdb state store recovery", () => {
  void it("rolls forward after a crash between the delta and the LMDB commit", async () => {
    const a = fresh(), b = fresh();
    const pa = lmdb(a);
    commit(pa, 0, 10);
    await pa.close();
    fs.cpSync(a, b, { recursive: true });
    const pa2 = lmdb(a);
    commit(pa2, 1, 20);
    await pa2.close();
    // b: LMDB still at version 1, but the delta of 2 is durable — what a crash right after the delta leaves.
    for (const f of fs.readdirSync(path.join(a, "state/0/0")).filter((n) => n.endsWith(".changelog"))) fs.copyFileSync(path.join(a, "state/0/0", f), path.join(b, "state/0/0", f));
    const pb = lmdb(b);
    assert.equal(pb.liveVersion(), 1);
    const s = pb.getStore<number>(2);
    assert.equal(s.get(k("v")), 20);
    assert.equal(s.get(k("n", 0)), 10);
    s.abort();
    assert.equal(pb.liveVersion(), 2);
    assert.equal(pb.getStore<number>(1).get(k("v")), 10);
  });

  void it("rebuilds from the checkpoint when the environment is lost or belongs to other files", async () => {
    const ck = fresh();
    const p = lmdb(ck);
    for (let v = 0; v < 4; v++) commit(p, v, v * 100);
    await p.close();
    fs.rmSync(path.join(ck, "state/0/0/_lmdb"), { recursive: true });
    const q = lmdb(ck);
    assert.equal(q.getStore<number>(4).get(k("v")), 300);
    await q.close();
    // The files of version 4 were rewritten elsewhere (a re-run on another machine): stamp mismatch -> rebuild.
    const m = memory(ck);
    const s = m.getStore<number>(3);
    s.put(k("v"), 999);
    s.commit();
    const r = lmdb(ck);
    assert.equal(r.getStore<number>(4).get(k("v")), 999);
  });

  void it("restores a checkpoint written by the memory provider, and the other way round", async () => {
    const ck = fresh();
    const m = memory(ck);
    for (let v = 0; v < 3; v++) commit(m, v, v + 1);
    m.maintenance();
    const l = lmdb(ck);
    assert.equal(l.getStore<number>(3).get(k("v")), 3);
    commit(l, 3, 4);
    await l.close();
    assert.equal(memory(ck).getStore<number>(4).get(k("v")), 4);
  });

  void it("refuses keys longer than LMDB allows, with the reason", () => {
    const s = lmdb(fresh()).getStore(0);
    assert.throws(() => s.put(k("x".repeat(3000)), 1), /too large for the lmdb state store/);
  });
});
