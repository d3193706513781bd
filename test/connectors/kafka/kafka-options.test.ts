import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../../src/api/session.js";
import { clientOptions } from "../../../src/connectors/kafka/kafka-client.js";
import { backlog, offsetsFromJson, offsetsToJson, rateLimit, shouldTrigger, splitRanges, tpKey } from "../../../src/connectors/kafka/kafka-offsets.js";
import { parseClientSettings, parseDurationMs } from "../../../src/connectors/kafka/kafka-options.js";

const spark = Session.builder().getOrCreate();
const m = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));

void describe("Kafka offset planning (pure)", () => {
  void it("rateLimit: shares proportional to backlog; small shares rounded up, large ones down", () => {
    assert.deepEqual(Object.fromEntries(rateLimit(8, m({ "t:0": 0, "t:1": 0 }), m({ "t:0": 30, "t:1": 10 }))), { "t:0": 6, "t:1": 2 });
    // 1 record of backlog on a small partition still moves (ceil of 0.1).
    assert.deepEqual(Object.fromEntries(rateLimit(10, m({ "a:0": 0, "b:0": 5 }), m({ "a:0": 1000, "b:0": 6 }))), { "a:0": 9, "b:0": 6 });
    // Never past the latest offset; partitions without backlog keep their end.
    assert.deepEqual(Object.fromEntries(rateLimit(100, m({ "t:0": 0, "t:1": 7 }), m({ "t:0": 3, "t:1": 7 }))), { "t:0": 3, "t:1": 7 });
    // New partitions count from fromNew.
    assert.deepEqual(Object.fromEntries(rateLimit(4, m({ "t:0": 10 }), m({ "t:0": 14, "t:1": 4 }), m({ "t:1": 0 }))), { "t:0": 12, "t:1": 2 });
    assert.equal(backlog(m({ "t:0": 10 }), m({ "t:0": 14, "t:1": 4 })), 8);
  });

  void it("shouldTrigger: enough records, or the delay has passed", () => {
    assert.equal(shouldTrigger(5, 5, 0, 0, 1000), true);
    assert.equal(shouldTrigger(4, 5, 999, 0, 1000), false);
    assert.equal(shouldTrigger(4, 5, 1000, 0, 1000), true);
  });

  void it("splitRanges: minPartitions splits ranges in proportion to size, contiguous, nothing lost", () => {
    const ranges = [{ topic: "t", partition: 0, from: 0, until: 90 }, { topic: "t", partition: 1, from: 5, until: 15 }, { topic: "t", partition: 2, from: 3, until: 3 }];
    assert.deepEqual(splitRanges(ranges, 2), ranges.slice(0, 2), "already enough ranges");
    const split = splitRanges(ranges, 10);
    assert.deepEqual(split.filter((r) => r.partition === 0).length, 9);
    assert.deepEqual(split.filter((r) => r.partition === 1), [{ topic: "t", partition: 1, from: 5, until: 15 }]);
    for (const p of [0, 1]) {
      const parts = split.filter((r) => r.partition === p);
      for (let i = 1; i < parts.length; i++) assert.equal(parts[i]!.from, parts[i - 1]!.until);
      assert.equal(parts.reduce((s, r) => s + r.until - r.from, 0), p === 0 ? 90 : 10);
    }
  });

  void it("checkpoint JSON is Spark's {topic: {partition: offset}}, canonical whatever the insertion order", () => {
    const a = offsetsToJson(new Map([[tpKey("b", 10), 1], [tpKey("b", 2), 5], [tpKey("a", 0), 7]]));
    assert.equal(JSON.stringify(a), `{"a":{"0":7},"b":{"2":5,"10":1}}`);
    assert.deepEqual([...offsetsFromJson(a)].sort(), [["a:0", 7], ["b:10", 1], ["b:2", 5]]);
  });

  void it("client settings: Kafka names map to the client's options", () => {
    const o = clientOptions(parseClientSettings({ "kafka.bootstrap.servers": "h1:9092, h2:9093", "kafka.client.id": "me", "kafka.request.timeout.ms": "1234", "kafka.security.protocol": "SASL_PLAINTEXT", "kafka.sasl.mechanism": "SCRAM-SHA-256", "kafka.sasl.jaas.config": `org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";` }), "consumer");
    assert.deepEqual(o["bootstrapBrokers"], ["h1:9092", "h2:9093"]);
    assert.equal(o["clientId"], "me");
    assert.equal(o["requestTimeout"], 1234);
    assert.deepEqual(o["sasl"], { mechanism: "SCRAM-SHA-256", username: "u", password: "p", token: undefined });
    assert.equal(parseDurationMs("maxTriggerDelay", "15m"), 900_000);
    assert.equal(parseDurationMs("maxTriggerDelay", "30 seconds"), 30_000);
  });
});

void describe("Kafka options: each error names the option and what is allowed", () => {
  const base = { "kafka.bootstrap.servers": "127.0.0.1:9", subscribe: "t" };
  const cases: [string, Record<string, string>, RegExp][] = [
    ["no bootstrap servers", { subscribe: "t" }, /'kafka\.bootstrap\.servers' must be specified/],
    ["bad bootstrap entry", { ...base, "kafka.bootstrap.servers": "nohost" }, /'kafka\.bootstrap\.servers': expected host:port entries, got 'nohost'/],
    ["no subscription", { "kafka.bootstrap.servers": "h:1" }, /One of the following options must be specified for the Kafka source: subscribe, subscribePattern, assign/],
    ["two subscriptions", { ...base, subscribePattern: "t.*" }, /Only one of the options subscribe, subscribePattern, assign may be specified; got subscribe, subscribePattern|Only one of the options subscribe, subscribePattern, assign may be specified for the Kafka source; got subscribe, subscribePattern/],
    ["bad assign", { "kafka.bootstrap.servers": "h:1", assign: "[1]" }, /'assign': expected JSON such as \{"topicA":\[0,1\],"topicB":\[2,4\]\}/],
    ["bad pattern", { "kafka.bootstrap.servers": "h:1", subscribePattern: "(" }, /'subscribePattern': not a valid regular expression/],
    ["bad startingOffsets", { ...base, startingOffsets: "first" }, /'startingOffsets': expected 'earliest', 'latest' or JSON such as \{"topicA":\{"0":23,"1":-2\}\}, got 'first'/],
    ["bad offset in JSON", { ...base, startingOffsets: `{"t":{"0":-3}}` }, /'startingOffsets': the offset of t-0 must be an integer >= 0, or -2 \(earliest\) or -1 \(latest\); got -3/],
    ["endingOffsets in streaming", { ...base, endingOffsets: "latest" }, /'endingOffsets': ending offsets are not valid in streaming queries/],
    ["maxOffsetsPerTrigger", { ...base, maxOffsetsPerTrigger: "0" }, /'maxOffsetsPerTrigger': must be a positive integer, got '0'/],
    ["min > max", { ...base, maxOffsetsPerTrigger: "5", minOffsetsPerTrigger: "6" }, /'minOffsetsPerTrigger': \(6\) must not be greater than maxOffsetsPerTrigger \(5\)/],
    ["maxTriggerDelay", { ...base, maxTriggerDelay: "soon" }, /'maxTriggerDelay': must be a duration such as '15m', '30s' or '500ms', got 'soon'/],
    ["minPartitions", { ...base, minPartitions: "-1" }, /'minPartitions': must be a positive integer, got '-1'/],
    ["failOnDataLoss", { ...base, failOnDataLoss: "maybe" }, /'failOnDataLoss': allowed values are 'true' and 'false', got 'maybe'/],
    ["includeHeaders", { ...base, includeHeaders: "yes" }, /'includeHeaders': allowed values are 'true' and 'false', got 'yes'/],
    ["strategy", { ...base, startingOffsetsByTimestampStrategy: "earliest" }, /'startingOffsetsByTimestampStrategy': allowed values are 'error' and 'latest', got 'earliest'/],
    ["startingTimestamp", { ...base, startingTimestamp: "yesterday" }, /'startingTimestamp': must be milliseconds since the epoch/],
    ["auto.offset.reset", { ...base, "kafka.auto.offset.reset": "earliest" }, /'kafka\.auto\.offset\.reset' is not supported\. Set the source option 'startingOffsets' instead/],
    ["enable.auto.commit", { ...base, "kafka.enable.auto.commit": "true" }, /'kafka\.enable\.auto\.commit' is not supported/],
  ];
  for (const [name, opts, re] of cases) {
    void it(name, () => {
      assert.throws(() => spark.readStream.format("kafka").options(opts).load(), re);
    });
  }

  void it("batch reads: latest cannot start, earliest cannot end", () => {
    const r = () => spark.read.format("kafka").option("kafka.bootstrap.servers", "h:1").option("subscribe", "t");
    assert.throws(() => r().option("startingOffsets", "latest").load(), /'startingOffsets': 'latest' is not allowed for startingOffsets in batch queries; allowed values are 'earliest' or JSON offsets/);
    assert.throws(() => r().option("endingOffsets", "earliest").load(), /'endingOffsets': 'earliest' is not allowed for endingOffsets; allowed values are 'latest' or JSON offsets/);
    assert.throws(() => r().option("endingOffsets", `{"t":{"0":-2}}`).load(), /-2 \(earliest\) is not allowed as an ending offset/);
  });

  void it("producer settings: compression and acks", () => {
    const s = (o: Record<string, string>) => parseClientSettings({ "kafka.bootstrap.servers": "h:1", ...o });
    assert.throws(() => clientOptions(s({ "kafka.compression.type": "zstd" }), "producer"), /'kafka\.compression\.type': allowed values are none, gzip, snappy, lz4 \(zstd is not available on Node 20\); got 'zstd'/);
    assert.throws(() => clientOptions(s({ "kafka.acks": "1" }), "producer"), /'kafka\.acks' must be 'all' while kafka\.enable\.idempotence is true/);
    assert.throws(() => clientOptions(s({ "kafka.security.protocol": "TLS" }), "producer"), /'kafka\.security\.protocol': allowed values are PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL; got 'TLS'/);
  });
});
