import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareIds, isEntryId } from "../../../src/connectors/redis/redis-entry-id.js";
import { canonicalOffsets, detectDataLoss, splitByBacklog, toStreamOffsets } from "../../../src/connectors/redis/redis-offsets.js";
import { parseRedisSinkOptions, parseRedisSourceOptions } from "../../../src/connectors/redis/redis-options.js";

const URL = "redis://127.0.0.1:6379";

void describe("Redis entry IDs", () => {
  void it("compares both halves as unsigned 64-bit integers, past 2^53", () => {
    assert.ok(compareIds("9-0", "10-0") < 0);
    assert.ok(compareIds("10-2", "10-10") < 0);
    assert.equal(compareIds("5-5", "5-5"), 0);
    assert.ok(compareIds("18446744073709551615-1", "18446744073709551615-0") > 0);
    assert.ok(compareIds("9007199254740993-0", "9007199254740992-0") > 0);
    assert.equal(isEntryId("1-0"), true);
    assert.equal(isEntryId("1"), false);
    assert.equal(isEntryId("18446744073709551616-0"), false);
  });
});

void describe("Redis offsets (pure decisions)", () => {
  void it("splitByBacklog: all when it fits, else proportional, at least one per non-empty stream", () => {
    assert.deepEqual(splitByBacklog(10, [3, 4]), [3, 4]);
    assert.deepEqual(splitByBacklog(100, [300, 100]), [75, 25]);
    assert.deepEqual(splitByBacklog(100, [300, 100, 0]), [75, 25, 0]);
    assert.deepEqual(splitByBacklog(10, [1000, 1]), [9, 1]);
    assert.deepEqual(splitByBacklog(10, [5, 5, 5]), [4, 3, 3]);
    for (let t = 0; t < 200; t++) {
      const backlogs = Array.from({ length: 1 + (t % 5) }, (_, i) => ((t * 7919 + i * 104729) % 500));
      const limit = 1 + (t % 97);
      const take = splitByBacklog(limit, backlogs);
      const total = backlogs.reduce((s, b) => s + b, 0);
      take.forEach((x, i) => assert.ok(x >= 0 && x <= backlogs[i]!, `take ${x} within backlog ${backlogs[i]}`));
      const nonEmpty = backlogs.filter((b) => b > 0).length;
      const sum = take.reduce((s, x) => s + x, 0);
      assert.equal(sum, total <= limit ? total : Math.max(limit, Math.min(nonEmpty, total)));
    }
  });

  void it("detectDataLoss: the first entry after the committed position means trimmed data", () => {
    assert.equal(detectDataLoss({ stream: "s", from: "5-0", to: "9-0", firstId: "3-0" }), null);
    assert.equal(detectDataLoss({ stream: "s", from: "5-0", to: "9-0", firstId: "5-0" }), null);
    assert.deepEqual(detectDataLoss({ stream: "s", from: "5-0", to: "9-0", firstId: "7-0" }), { stream: "s", after: "5-0", firstAvailable: "7-0", plannedEnd: "9-0" });
    assert.deepEqual(detectDataLoss({ stream: "s", from: "5-0", to: "9-0", firstId: null }), { stream: "s", after: "5-0", firstAvailable: null, plannedEnd: "9-0" });
    assert.equal(detectDataLoss({ stream: "s", from: "0-0", to: "9-0", firstId: "7-0" }), null);
  });

  void it("offsets are canonical (sorted keys) and validated", () => {
    assert.equal(JSON.stringify(canonicalOffsets({ b: "1-0", a: "2-0" })), '{"a":"2-0","b":"1-0"}');
    assert.throws(() => toStreamOffsets({ a: 3 }), /stream 'a' has position 3/);
    assert.throws(() => toStreamOffsets([1]), /Not a Redis source offset/);
  });
});

void describe("Redis options", () => {
  const src = (o: Record<string, string>, mode: "stream" | "batch" = "stream") => parseRedisSourceOptions({ url: URL, streams: "a,b", ...o }, null, mode);

  void it("parses positions, limits and the field schema", () => {
    const o = src({ startingOffsets: '{"a":"earliest","b":"1700000000000-3"}', maxEntriesPerTrigger: "50", schema: "n INT, t TIMESTAMP", failOnDataLoss: "false" });
    assert.deepEqual(o.streams, ["a", "b"]);
    assert.deepEqual(o.startingOffsets, { kind: "perStream", positions: { a: { kind: "earliest" }, b: { kind: "id", id: "1700000000000-3" } } });
    assert.equal(o.maxEntriesPerTrigger, 50);
    assert.equal(o.failOnDataLoss, false);
    assert.deepEqual(o.fieldSchema!.fields.map((f) => f.name), ["n", "t"]);
    assert.deepEqual(src({}).startingOffsets, { kind: "latest" });
    assert.deepEqual(src({}, "batch").startingOffsets, { kind: "earliest" });
  });

  void it("names the option and the allowed values when a value is wrong", () => {
    assert.throws(() => parseRedisSourceOptions({ streams: "a" }, null, "stream"), /Option 'url' is required/);
    assert.throws(() => parseRedisSourceOptions({ url: URL }, null, "stream"), /Option 'streams' is required/);
    assert.throws(() => parseRedisSourceOptions({ url: "http://x" }, null, "stream"), /Option 'url' must start with redis:\/\//);
    assert.throws(() => src({ startingOffsets: "newest" }), /Option 'startingOffsets' must be 'earliest', 'latest' or a JSON object/);
    assert.throws(() => src({ startingOffsets: '{"a":"earliest"}' }), /missing: b/);
    assert.throws(() => src({ startingOffsets: '{"a":"earliest","b":"x","c":"1-0"}' }), /stream 'b' must be an entry ID/);
    assert.throws(() => src({ startingOffsets: '{"a":"1-0","b":"1-0","zz":"1-0"}' }), /names stream 'zz', which is not in option 'streams'/);
    assert.throws(() => src({ maxEntriesPerTrigger: "0" }), /Option 'maxEntriesPerTrigger' must be an integer >= 1, got '0'/);
    assert.throws(() => src({ failOnDataLoss: "yes" }), /Option 'failOnDataLoss' must be 'true' or 'false', got 'yes'/);
    assert.throws(() => src({ schema: "id INT" }), /clashes with the built-in column/);
    assert.throws(() => src({ schema: "a INT," }), /Option 'schema' must be a DDL schema/);
    assert.throws(() => src({ startingOffsets: "latest" }, "batch"), /does not accept 'latest' here; allowed: 'earliest'/);
    assert.throws(() => src({ endingOffsets: "latest" }), /Option 'endingOffsets' is for batch reads/);
    assert.throws(() => src({ stream: "x" }), /Option 'stream' is an option of the Redis sink/);
    assert.throws(() => parseRedisSinkOptions({ url: URL, maxlen: "-1" }), /Option 'maxlen' must be an integer >= 1, got '-1'/);
    assert.throws(() => parseRedisSinkOptions({ url: URL, streams: "a" }), /Option 'streams' is an option of the Redis source/);
  });
});
