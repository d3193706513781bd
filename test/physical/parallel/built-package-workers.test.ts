// The compiled package (dist/, built by `npm ci` through `prepare`) starts its worker threads
// from a process given node and V8 options, as an application would be started.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const dist = fileURLToPath(new URL("../../../dist/index.js", import.meta.url));

const script = `
import { Session, col } from ${JSON.stringify(dist)};
const spark = Session.builder().appName("built").config("sluice.executor.threads", 2).config("sluice.executor.minRowsPerTask", 1000).create();
const rows = await spark.range(0, 200000).groupBy(col("id").mod(7).alias("k")).count().orderBy("k").collect();
console.log(JSON.stringify(rows.map((r) => [r.k, Number(r.count)])));
spark.stop();
`;

describe("the built package's worker threads", () => {
  it("start in a process run with a V8 option and a node option (the workers inherit them)", () => {
    assert.ok(existsSync(dist), `${dist} is missing: build the package first (npm run build; npm ci runs it)`);
    const r = spawnSync(process.execPath, ["--max-old-space-size=2048", "--no-warnings", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const want = [0, 1, 2, 3, 4, 5, 6].map((k) => [k, Math.floor((200000 - 1 - k) / 7) + 1]);
    assert.deepEqual(JSON.parse(r.stdout.trim()), want);
  });
});
