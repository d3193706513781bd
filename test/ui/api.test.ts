import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { QueryMetrics } from "../../src/monitoring/metrics.js";
import { QueryTracker } from "../../src/monitoring/query-tracker.js";
import { UiServer, UiServerError } from "../../src/ui/ui-server.js";
import { QID, RUN, progress, started } from "../monitoring/fixtures.js";

async function get(url: string, init?: RequestInit): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

void describe("UI server: JSON API, events, metrics, bad input", () => {
  const tracker = new QueryTracker({ planOf: () => "== Physical Plan ==\nScan memory" });
  const metrics = new QueryMetrics();
  const ui = new UiServer(tracker, { port: 0, metrics });
  let url = "";

  before(async () => {
    url = await ui.start();
    for (const l of [tracker.listener, metrics.listener]) {
      l.onQueryStarted!(started);
      l.onQueryProgress!({ progress: progress(0) });
      l.onQueryProgress!({ progress: progress(1, { eventTime: { watermark: "2024-01-01T00:00:00.000Z" } }) });
    }
  });
  after(() => ui.stop());

  void it("binds to 127.0.0.1 by default", () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  void it("lists queries and serves one query and its recent progress", async () => {
    const list = await get(url + "api/v1/queries");
    assert.equal(list.status, 200);
    assert.match(list.type, /^application\/json/);
    const qs = JSON.parse(list.body) as Record<string, unknown>[];
    assert.deepEqual(
      qs.map((q) => [q["id"], q["runId"], q["name"], q["status"], q["batches"], q["inputRowsPerSecond"], q["watermark"]]),
      [[QID, RUN, "meters", "active", 2, 100, "2024-01-01T00:00:00.000Z"]],
    );
    const one = JSON.parse((await get(`${url}api/v1/queries/${QID}`)).body) as Record<string, unknown>;
    assert.equal(one["runId"], RUN);
    assert.equal(one["plan"], "== Physical Plan ==\nScan memory");
    assert.equal((one["lastProgress"] as { batchId: number }).batchId, 1);
    const prog = JSON.parse((await get(`${url}api/v1/queries/${RUN}/progress?limit=1`)).body) as { batchId: number }[];
    assert.deepEqual(prog.map((p) => p.batchId), [1]);
  });

  void it("answers malformed and unknown requests with a 4xx and a JSON message", async () => {
    const cases: [string, number, RegExp, RequestInit?][] = [
      ["api/v1/queries/no%20such%20id!", 400, /Malformed query id/],
      [`api/v1/queries/${QID}/progress?limit=-1`, 400, /limit "-1" is not a positive integer/],
      [`api/v1/queries/${QID}/progress?limit=10&x=1`, 400, /Unknown query parameter "x"; allowed: limit/],
      ["api/v1/queries/%E0%A4%A", 400, /malformed percent-encoding/],
      ["api/v1/queries/00000000-0000-0000-0000-000000000000", 404, /No query with id or run id/],
      [`api/v1/queries/${QID}/state`, 404, /Unknown API path/],
      ["api/v2/queries", 404, /Unknown API version "v2"/],
      ["etc/passwd", 404, /No page at \/etc\/passwd/],
      ["api/v1/queries", 405, /read-only/, { method: "POST", body: "{}" }],
      ["api/v1/queries?" + "x".repeat(3000), 414, /longer than 2048/],
    ];
    for (const [p, status, msg, init] of cases) {
      const r = await get(url + p, init);
      assert.equal(r.status, status, `${p}: ${r.body}`);
      assert.match(r.type, /^application\/json/, p);
      assert.match((JSON.parse(r.body) as { error: string }).error, msg, p);
    }
  });

  void it("serves the page, its bundle, security headers and /metrics", async () => {
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.match(await page.text(), /<script src="\/app\.js">/);
    const js = await get(url + "app.js");
    assert.equal(js.status, 200);
    assert.ok(js.body.length > 20_000, "bundle includes preact and uPlot");
    const m = await get(url + "metrics");
    assert.match(m.body, new RegExp(`sluice_query_input_rows_total\\{query_name="meters",query_id="${QID}"\\} 200`));
  });

  void it("streams tracker events as server-sent events", async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const req = http.get(url + "api/v1/events", (res) => {
        assert.equal(res.headers["content-type"], "text/event-stream; charset=utf-8");
        let buf = "";
        res.on("data", (c: Buffer) => {
          buf += c.toString();
          if (buf.includes("event: progress")) {
            req.destroy();
            resolve(buf);
          }
        });
        setTimeout(() => tracker.listener.onQueryProgress!({ progress: progress(2) }), 50);
      });
      req.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(e)));
    });
    const data = /event: progress\ndata: (.*)\n/.exec(got)![1]!;
    const ev = JSON.parse(data) as { query: { batches: number }; progress: { batchId: number } };
    assert.equal(ev.progress.batchId, 2);
    assert.equal(ev.query.batches, 3);
  });
});

void describe("UI server: ports", () => {
  void it("a busy port: a clear error naming the port and setting, or the next free port (Spark's way)", async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const busy = (blocker.address() as AddressInfo).port;
    const tracker = new QueryTracker();
    const strict = new UiServer(tracker, { port: busy, maxRetries: 0 });
    await assert.rejects(strict.start(), (e: unknown) => e instanceof UiServerError && e.message === `Cannot start the Sluice UI: port ${busy} is in use on 127.0.0.1 (sluice.ui.port = ${busy}). Set sluice.ui.port to a free port, or 0 to pick any free port.`);
    const retrying = new UiServer(tracker, { port: busy, maxRetries: 16 });
    const u = await retrying.start();
    assert.notEqual(new URL(u).port, String(busy));
    await retrying.stop();
    await assert.rejects(new UiServer(tracker, { port: 70000 }).start(), /UI port 70000 \(sluice\.ui\.port\) is not a port number/);
    await assert.rejects(new UiServer(tracker, { port: 0, host: "192.0.2.1" }).start(), /address 192\.0\.2\.1 \(sluice\.ui\.host\) is not an address of this machine/);
    await new Promise<void>((r) => blocker.close(() => r()));
  });
});

void describe("UI from the session settings", () => {
  void it("sluice.ui.enabled starts the UI with the first query, which then shows it", async () => {
    const { Session } = await import("../../src/api/session.js");
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-ui-conf-"));
    const spark = Session.builder().config("sluice.ui.enabled", true).config("sluice.ui.port", 0).create();
    assert.equal(spark.monitoring.uiUrl, null);
    const input = spark.memoryStream("n INT");
    const q = await input.toDF().writeStream.format("memory").queryName("first").option("checkpointLocation", path.join(dir, "c")).start();
    input.addData([{ n: 1 }]);
    await q.processAllAvailable();
    for (let i = 0; i < 100 && spark.monitoring.uiUrl === null; i++) await new Promise((r) => setTimeout(r, 20));
    const url = spark.monitoring.uiUrl!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:/);
    const qs = JSON.parse((await get(url + "api/v1/queries")).body) as { name: string; batches: number; inputRowsTotal: number }[];
    assert.deepEqual(qs.map((x) => [x.name, x.inputRowsTotal]), [["first", 1]]);
    await q.stop();
    await spark.monitoring.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
