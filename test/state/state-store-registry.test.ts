import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RuntimeConfig } from "../../src/api/runtime-config.js";
import { StateStoreCoordinator, resolveStateStoreProvider } from "../../src/state/state-store-registry.js";
import { encodeKey, stateStoreConfFrom } from "../../src/state/state-store.js";

void describe("state store provider selection", () => {
  void it("resolves providerClass names and Spark aliases", () => {
    assert.equal(resolveStateStoreProvider("memory"), "memory");
    assert.equal(resolveStateStoreProvider("org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider"), "memory");
    assert.equal(resolveStateStoreProvider("LMDB"), "lmdb");
    assert.equal(resolveStateStoreProvider("org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"), "lmdb");
    assert.throws(() => resolveStateStoreProvider("redis"), /Unknown state store provider "redis"/);
  });
  void it("reads settings from the session config and keeps one provider per store", async () => {
    const rc = new RuntimeConfig({ "sluice.sql.streaming.stateStore.providerClass": "lmdb", "sluice.sql.streaming.stateStore.minDeltasForSnapshot": 5 });
    const conf = stateStoreConfFrom((k) => rc.getOption(k));
    assert.deepEqual(conf, { providerClass: "lmdb", minDeltasForSnapshot: 5, minBatchesToRetain: 100 });
    assert.throws(() => stateStoreConfFrom((k) => (k.endsWith("minDeltasForSnapshot") ? "zero" : undefined)), /must be an integer/);
    const ck = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-registry-"));
    const coord = new StateStoreCoordinator(conf);
    try {
      const id = { checkpointLocation: ck, operatorId: 1, partitionId: 2 };
      assert.equal(coord.provider(id).providerName, "lmdb");
      assert.equal(coord.provider(id), coord.provider({ ...id, checkpointLocation: ck + "/." }));
      const s = coord.getStore<number>(id, 0);
      s.put(encodeKey(["a"]), 1);
      s.commit();
      coord.maintenance();
      assert.ok(fs.existsSync(path.join(ck, "state/1/2/1.changelog")));
      await coord.unload(id);
      assert.equal(coord.isLoaded(id), false);
      assert.equal(coord.getStore<number>(id, 1).get(encodeKey(["a"])), 1);
    } finally {
      await coord.close();
      fs.rmSync(ck, { recursive: true, force: true });
    }
  });
});
