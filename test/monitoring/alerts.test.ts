import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { AlertEvaluator } from "../../src/monitoring/alerts/alert-evaluator.js";
import { AlertManager, readAlertConfigFile, type AlertLog } from "../../src/monitoring/alerts/alert-manager.js";
import { AlertConfigError, type AlertRule, validateAlertRule } from "../../src/monitoring/alerts/alert-rule.js";
import { StreamingQueryException } from "../../src/streaming/streaming-query-exception.js";
import { QID, RUN, progress, started } from "./fixtures.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-alerts-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function rules(...specs: unknown[]): () => AlertRule[] {
  const r = specs.map((s, i) => validateAlertRule(s, `rules[${i}]`));
  return () => r;
}

function memoryLog(): AlertLog & { lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  return { lines, warn: (obj, msg) => lines.push({ level: "warn", obj, msg }), error: (obj, msg) => lines.push({ level: "error", obj, msg }) };
}

/** A local webhook receiver (as Slack's incoming webhooks): records JSON bodies. */
async function webhookServer(status = 200): Promise<{ url: string; bodies: unknown[]; close: () => Promise<void> }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => {
      bodies.push({ method: req.method, type: req.headers["content-type"], body: JSON.parse(data) as unknown });
      res.writeHead(status).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/secret`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

void describe("alert rules", () => {
  void it("validates rules, naming the bad key", () => {
    assert.throws(() => validateAlertRule({ type: "watermarkLag" }, "rules[0]"), /rules\[0\]\.max is required/);
    assert.throws(() => validateAlertRule({ type: "watermarkLag", max: "ten minutes" }, "rules[1]"), (e: unknown) => e instanceof AlertConfigError && /rules\[1\]\.max/.test(e.message));
    assert.throws(() => validateAlertRule({ type: "stateSize", maxRow: 5 }, "rules[2]"), /unknown key "maxRow".*allowed keys: .*maxRows/);
    assert.throws(() => validateAlertRule({ type: "late" }, "rules[3]"), /rules\[3\]\.type must be one of queryFailed, fallingBehind, noInput, watermarkLag, stateSize/);
    assert.throws(() => validateAlertRule({ type: "queryFailed", webhooks: ["ftp://x"] }, "r"), /r\.webhooks\[0\] must be an http or https URL/);
    assert.throws(() => validateAlertRule({ type: "fallingBehind", batches: 0 }, "r"), /r\.batches must be a positive integer/);
    assert.deepEqual(validateAlertRule({ type: "noInput", for: "5 minutes" }), { name: "noInput", query: null, severity: "warning", webhooks: [], type: "noInput", forMs: 300_000 });
  });

  void it("fires fallingBehind once after N batches behind, and again after recovering", () => {
    const ev = new AlertEvaluator(rules({ type: "fallingBehind", batches: 2 }));
    ev.onStarted(started, 0);
    const behind = { inputRowsPerSecond: 1000, processedRowsPerSecond: 400 };
    assert.equal(ev.onProgress(progress(0, behind), 1).length, 0);
    const fired = ev.onProgress(progress(1, behind), 2);
    assert.equal(fired.length, 1);
    assert.match(fired[0]!.message, /\[warning\] fallingBehind: query meters processing 400 rows\/s is below input 1000 rows\/s for 2 batches/);
    assert.equal(ev.onProgress(progress(2, behind), 3).length, 0, "fires once per episode");
    assert.equal(ev.onProgress(progress(3), 4).length, 0);
    ev.onProgress(progress(4, behind), 5);
    assert.equal(ev.onProgress(progress(5, behind), 6).length, 1);
  });

  void it("watermark lag, state size, and the epoch as 'no watermark yet'", () => {
    const ev = new AlertEvaluator(rules({ type: "watermarkLag", max: "30 seconds" }, { type: "stateSize", maxRows: 1000, query: "meters" }, { type: "stateSize", maxRows: 1, query: "other" }));
    ev.onStarted(started, 0);
    assert.equal(ev.onProgress(progress(40, { eventTime: { watermark: "1970-01-01T00:00:00.000Z" } }), 0).length, 0);
    const a = ev.onProgress(progress(40, { eventTime: { watermark: "2024-01-01T00:00:05.000Z" }, state: [{ numRowsTotal: 600 }, { numRowsTotal: 600 }] }), 1);
    assert.deepEqual(a.map((x) => x.type).sort(), ["stateSize", "watermarkLag"]);
    assert.equal(a.find((x) => x.type === "watermarkLag")!.details["lagMs"], 35_000);
    assert.equal(a.find((x) => x.type === "stateSize")!.details["stateRows"], 1200);
  });

  void it("noInput fires on the timer after the duration without input rows", () => {
    const ev = new AlertEvaluator(rules({ type: "noInput", for: "1 minute" }));
    ev.onStarted(started, 0);
    ev.onProgress(progress(0), 1000);
    assert.equal(ev.tick(50_000).length, 0);
    ev.onProgress(progress(1, { numInputRows: 0 }), 55_000);
    const a = ev.tick(61_000);
    assert.equal(a.length, 1);
    assert.match(a[0]!.message, /no input rows for 60 s \(bound 60 s\)/);
    assert.equal(ev.tick(70_000).length, 0);
    ev.onProgress(progress(2), 71_000);
    assert.equal(ev.tick(140_000).length, 1);
  });

  void it("queryFailed is critical and carries the batch", () => {
    const ev = new AlertEvaluator(rules({ type: "queryFailed" }));
    ev.onStarted(started, 0);
    const error = new StreamingQueryException("meters", new Error("disk full"), 7);
    const a = ev.onTerminated({ id: QID, runId: RUN, exception: "Error: disk full", errorClassOnException: null, error }, 5);
    assert.equal(a.length, 1);
    assert.equal(a[0]!.severity, "critical");
    assert.match(a[0]!.message, /query meters failed in batch 7: Error: disk full/);
  });
});

void describe("alert delivery", () => {
  void it("logs and POSTs Slack-compatible { text } to webhooks; a failing webhook is logged, not thrown", async () => {
    const hook = await webhookServer();
    const broken = await webhookServer(500);
    const log = memoryLog();
    const seen: string[] = [];
    const m = new AlertManager({ log });
    m.add({ type: "fallingBehind", batches: 1, webhooks: [broken.url] }).addWebhook(hook.url).onAlert((a) => void seen.push(a.rule));
    m.listener.onQueryStarted!(started);
    m.listener.onQueryProgress!({ progress: progress(0, { inputRowsPerSecond: 900, processedRowsPerSecond: 10 }) });
    await m.flush();
    assert.equal(hook.bodies.length, 1);
    const got = hook.bodies[0] as { method: string; type: string; body: { text: string } };
    assert.equal(got.method, "POST");
    assert.equal(got.type, "application/json");
    assert.deepEqual(Object.keys(got.body), ["text"]);
    assert.match(got.body.text, /fallingBehind: query meters processing 10 rows\/s is below input 900 rows\/s/);
    assert.deepEqual(seen, ["fallingBehind"]);
    assert.equal(log.lines[0]!.level, "warn");
    assert.ok(log.lines.some((l) => /answered HTTP 500/.test(l.msg) && !l.msg.includes("secret")), "the webhook failure is logged without the URL's secret path");
    await hook.close();
    await broken.close();
  });

  void it("reads a JSON config file and reports bad ones with the file and key", () => {
    const good = path.join(root, "alerts.json");
    fs.writeFileSync(good, JSON.stringify({ webhooks: ["https://hooks.slack.com/services/T/B/X"], rules: [{ type: "queryFailed" }, { type: "noInput", for: "10 minutes", query: "meters" }] }));
    const c = readAlertConfigFile(good);
    assert.equal(c.rules.length, 2);
    assert.equal(c.webhooks.length, 1);
    const bad = path.join(root, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ rules: [{ type: "queryFailed" }, { type: "watermarkLag", max: -5 }] }));
    assert.throws(() => readAlertConfigFile(bad), (e: unknown) => e instanceof AlertConfigError && e.message.startsWith(bad) && /rules\[1\]\.max must be a positive number/.test(e.message));
    fs.writeFileSync(bad, "{ rules: [");
    assert.throws(() => readAlertConfigFile(bad), /is not valid JSON/);
    fs.writeFileSync(bad, JSON.stringify({ rule: [] }));
    assert.throws(() => readAlertConfigFile(bad), /unknown key "rule"; allowed keys: rules, webhooks/);
    assert.throws(() => readAlertConfigFile(path.join(root, "missing.json")), /Cannot read the alert config file .*missing\.json: ENOENT/);
  });

  void it("a session with sluice.alerts.configFile fails to build on a bad file, and alerts a real failing query", async () => {
    const bad = path.join(root, "bad2.json");
    fs.writeFileSync(bad, JSON.stringify({ rules: [{ type: "stateSize" }] }));
    assert.throws(() => Session.builder().config("sluice.alerts.configFile", bad).create(), /bad2\.json: rules\[0\] needs maxRows or maxBytes/);
    const hook = await webhookServer();
    const good = path.join(root, "good2.json");
    fs.writeFileSync(good, JSON.stringify({ webhooks: [hook.url], rules: [{ type: "queryFailed", name: "pipeline down" }] }));
    const spark = Session.builder().config("sluice.alerts.configFile", good).create();
    const log = memoryLog();
    spark.monitoring.alerts.useLog(log);
    spark.udf.register("explode_on_3", (n: number) => {
      if (n === 3) throw new Error("bad reading 3");
      return n;
    }, "int");
    const input = spark.memoryStream("n INT");
    const q = await input.toDF().selectExpr("explode_on_3(n) AS n").writeStream.format("memory").queryName("alerted").option("checkpointLocation", path.join(root, "ck")).start();
    input.addData([{ n: 3 }]);
    await q.awaitTermination().catch(() => undefined);
    await spark.monitoring.alerts.flush();
    assert.equal(hook.bodies.length, 1);
    assert.match((hook.bodies[0] as { body: { text: string } }).body.text, /\[critical\] pipeline down: query alerted failed in batch 0: .*bad reading 3/);
    assert.equal(log.lines[0]!.level, "error");
    await hook.close();
  });
});
