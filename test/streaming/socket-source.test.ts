import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, afterEach, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col } from "../../src/api/functions.js";
import type { StreamingQuery } from "../../src/api/streaming-query.js";
import type { MemorySink } from "../../src/connectors/memory/memory-sink.js";
import { IllegalArgumentError } from "../../src/errors/errors.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-socket-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
// A failed assertion leaves its query running (and the process alive): stop what a test left.
afterEach(async () => {
  for (const q of spark.streams.active) await q.stop();
});

/** A line server on 127.0.0.1 (port 0): `send` writes to every connected client. */
async function lineServer(): Promise<{ port: number; clients: () => number; send: (text: string) => void; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    clients: () => sockets.size,
    send: (text) => sockets.forEach((s) => s.write(text)),
    close: () => new Promise((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    }),
  };
}

/** Bounded polling for a condition that depends on the network (no fixed sleeps). */
async function eventually(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const rowsOf = (q: StreamingQuery): Record<string, unknown>[] => (q.sink as MemorySink).allRows();

void describe("socket source", () => {
  void it("reads lines as `value` rows (word count over the lines, stateless part)", async () => {
    const server = await lineServer();
    try {
      const lines = spark.readStream.format("socket").option("host", "127.0.0.1").option("port", server.port).load();
      assert.equal(lines.isStreaming, true);
      assert.deepEqual(lines.schema.fields.map((f) => `${f.name}:${f.dataType.kind}`), ["value:string"]);
      const q = await lines.where(col("value").notEqual("")).writeStream.format("memory").queryName("socket_lines").start();
      await eventually("the connection", () => server.clients() === 1);
      server.send("hello world\r\nsecond li");
      server.send("ne\n\nthird\n");
      await eventually("three lines", () => rowsOf(q).length === 3);
      assert.deepEqual(await spark.table("socket_lines").collect(), [{ value: "hello world" }, { value: "second line" }, { value: "third" }]);
      // The sink has the rows before the batch commits and reports its progress.
      await q.processAllAvailable();
      assert.match(q.lastProgress!.sources[0]!.description, /^TextSocketV2\[host: 127\.0\.0\.1, port: \d+\]$/);
      await q.stop();
    } finally {
      await server.close();
    }
  });

  void it("includeTimestamp adds the time each line arrived", async () => {
    const server = await lineServer();
    try {
      const df = spark.readStream.format("socket").option("host", "127.0.0.1").option("port", server.port).option("includeTimestamp", true).load();
      assert.deepEqual(df.schema.fields.map((f) => `${f.name}:${f.dataType.kind}`), ["value:string", "timestamp:timestamp"]);
      const q = await df.writeStream.format("memory").queryName("socket_ts").start();
      await eventually("the connection", () => server.clients() === 1);
      const before = Date.now();
      server.send("a\n");
      await eventually("one line", () => rowsOf(q).length === 1);
      const row = rowsOf(q)[0]!;
      assert.equal(row["value"], "a");
      assert.ok(row["timestamp"] instanceof Date && row["timestamp"].getTime() >= before - 5 && row["timestamp"].getTime() <= Date.now());
      await q.stop();
    } finally {
      await server.close();
    }
  });

  void it("is not replayable: after a restart, committed lines stay, lines of the stopped run are gone, new ones continue", async () => {
    const server = await lineServer();
    const ckpt = path.join(root, "ckpt");
    try {
      const start = (name: string) => spark.readStream.format("socket").option("host", "127.0.0.1").option("port", server.port).load().writeStream.format("memory").queryName(name).option("checkpointLocation", ckpt).start();
      const q1 = await start("socket_r1");
      await eventually("the connection", () => server.clients() === 1);
      server.send("one\ntwo\n");
      await eventually("two lines", () => rowsOf(q1).length === 2);
      await q1.stop();
      await eventually("the disconnect", () => server.clients() === 0);
      server.send("lost\n"); // nobody is connected: never read
      const q2 = await start("socket_r2");
      await eventually("the reconnection", () => server.clients() === 1);
      server.send("three\n");
      await eventually("the new line", () => rowsOf(q2).length === 1);
      assert.deepEqual(rowsOf(q2), [{ value: "three" }]);
      await q2.processAllAvailable();
      assert.deepEqual(q2.lastProgress!.sources[0]!.startOffset, 1, "offsets continue after the checkpoint's");
      assert.deepEqual(q2.lastProgress!.sources[0]!.endOffset, 2);
      await q2.stop();
    } finally {
      await server.close();
    }
  });

  void it("a refused connection fails start() (Source.open) naming host:port, and checks its options", async () => {
    const server = await lineServer();
    const port = server.port;
    await server.close();
    await assert.rejects(
      spark.readStream.format("socket").option("host", "127.0.0.1").option("port", port).load().writeStream.format("memory").queryName("socket_refused").start(),
      new RegExp(`could not read from 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`),
    );
    assert.equal(spark.streams.active.some((q) => q.name === "socket_refused"), false);
    assert.throws(() => spark.readStream.format("socket").option("host", "localhost").load(), (e: unknown) => e instanceof IllegalArgumentError && /port/.test(e.message));
    assert.throws(() => spark.readStream.format("socket").option("host", "localhost").option("port", "x").load(), IllegalArgumentError);
    assert.throws(() => spark.readStream.format("socket").schema("a INT").option("host", "h").option("port", 1).load(), /does not support a user-specified schema/);
  });
});
