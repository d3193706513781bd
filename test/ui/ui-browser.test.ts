// The web UI in a real headless Chromium (Debian's, driven by playwright-core): a streaming query
// runs, the query page's charts fill in live from server-sent events, and the screenshot the test
// takes is checked not to be blank (SLUICE_UPDATE_SCREENSHOT=1 also copies it to docs/ui-screenshot.png).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { Session } from "../../src/api/session.js";
import type { StreamingQuery } from "../../src/api/streaming-query.js";
import { col, expr, window } from "../../src/api/functions.js";
import { decodePng, pixelStats } from "./png.js";

const CHROMIUM = process.env["SLUICE_CHROMIUM"] ?? "/usr/bin/chromium";
const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, "__output__");
const docsShot = path.join(here, "..", "..", "docs", "ui-screenshot.png");

void describe("web UI in headless Chromium", { timeout: 40_000 }, () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-ui-browser-"));
  const spark = Session.builder().appName("ui-browser-test").create();
  let browser: Browser | null = null;
  let url = "";
  let query: StreamingQuery | null = null;
  let failed: StreamingQuery | null = null;

  before(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      assert.fail(`Chromium is missing at ${CHROMIUM}: the UI test needs Debian's chromium package. Run \`bash scripts/setup-system.sh\` (or set SLUICE_CHROMIUM to a Chromium binary).`);
    }
    url = await spark.monitoring.startUi({ port: 0 });
    const start = Date.now();
    // event time follows processing time, so the watermark lag chart shows seconds, not decades
    const events = spark.readStream.format("rate-micro-batch").option("rowsPerBatch", 40).option("startTimestamp", start).option("advanceMillisPerBatch", 150).load();
    const counts = events
      .withWatermark("timestamp", "2 seconds")
      .groupBy(window(col("timestamp"), "1 second"), expr("value % 7").alias("k"))
      .count();
    query = await counts.writeStream.format("memory").queryName("meter_counts").outputMode("update").option("checkpointLocation", path.join(root, "ckpt")).trigger({ processingTime: "150 ms" }).start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  });

  after(async () => {
    await browser?.close();
    await query?.stop();
    await failed?.stop();
    await spark.monitoring.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  void it("shows live charts with a non-zero input rate and takes a non-blank screenshot", async () => {
    const page = await browser!.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    // the list shows the query; its link opens the query page without a reload
    await page.locator(`[data-run-id="${query!.runId}"] a`).waitFor({ timeout: 10_000 });
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await page.locator(`[data-run-id="${query!.runId}"] a`).click();
    await page.getByTestId("query-page").waitFor({ timeout: 10_000 });
    await page.waitForFunction(
      () => {
        const text = document.querySelector('[data-testid="latest-rates"]')?.textContent ?? "";
        const m = /input rows\/s ([\d.]+)(k|M|G)?/.exec(text);
        return m !== null && Number(m[1]) > 0 && document.querySelectorAll('[data-testid="chart-rates"] canvas').length > 0;
      },
      undefined,
      { timeout: 15_000 },
    );
    // state rows and the watermark lag arrive too (a stateful query with a watermark)
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="chart-state-rows"] canvas, [data-testid="chart-lag"] canvas').length >= 2, undefined, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, "the page reloaded");
    const batchesBefore = Number(await page.getByTestId("fact-batches").textContent());
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="fact-batches"]')?.textContent) > n, batchesBefore, { timeout: 5_000 });
    assert.match((await page.getByTestId("plan").textContent()) ?? "", /Aggregate|stateStore|StateStore/i);
    assert.match((await page.getByTestId("progress-json").textContent()) ?? "", /"numInputRows"/);
    await page.waitForTimeout(600); // a few more points on the charts
    fs.mkdirSync(outDir, { recursive: true });
    const shot = path.join(outDir, "query-page.png");
    const png = await page.screenshot({ path: shot, fullPage: true });
    // The README's picture is refreshed on request only, so test runs leave the tree clean.
    if (process.env["SLUICE_UPDATE_SCREENSHOT"] === "1") fs.copyFileSync(shot, docsShot);
    const stats = pixelStats(decodePng(png));
    assert.ok(stats.distinctColors > 200, `the screenshot looks blank: ${stats.distinctColors} distinct colours`);
    assert.ok(stats.luminanceStdDev > 10, `the screenshot looks blank: luminance deviation ${stats.luminanceStdDev.toFixed(1)}`);
    // a blank page, for contrast, fails both checks
    const blank = await browser!.newPage({ viewport: { width: 400, height: 300 } });
    const blankStats = pixelStats(decodePng(await blank.screenshot()));
    assert.ok(blankStats.distinctColors <= 2 && blankStats.luminanceStdDev < 1);
    await blank.close();
    assert.deepEqual(errors, []);
    await page.close();
  });

  void it("shows a failed query's exception, live", async () => {
    const input = spark.memoryStream("n INT");
    const boom = spark.udf.register("boom", (n: number) => {
      if (n === 13) throw new Error("meter 13 sent a reading the parser cannot read");
      return n;
    }, "int");
    void boom;
    failed = await input.toDF().selectExpr("boom(n) AS n").writeStream.format("memory").queryName("will_fail").option("checkpointLocation", path.join(root, "fail")).start();
    const page = await browser!.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`${url}#/query/${failed.runId}`);
    await page.getByTestId("query-page").waitFor({ timeout: 10_000 });
    input.addData([{ n: 13 }]);
    await failed.awaitTermination().catch(() => undefined);
    await page.getByTestId("exception").waitFor({ timeout: 10_000 });
    assert.match((await page.getByTestId("exception").textContent()) ?? "", /meter 13 sent a reading/);
    await page.goto(`${url}#/`);
    await page.locator(`[data-run-id="${failed.runId}"] .status.failed`).waitFor({ timeout: 10_000 });
    await page.close();
  });
});
