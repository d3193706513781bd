import { test } from "node:test";
import assert from "node:assert/strict";
import { IntegerType, StringType, TimestampType, arrayType, mapType, structField, structType, DoubleType } from "../../src/types/data-type.js";
import { type Arg, ev, evalCall } from "./eval-helper.js";

const s = (v: string | null): Arg => [v, StringType];

void test("JSON functions match Spark's documented examples", () => {
  assert.deepEqual(ev("from_json", s('{"a":1, "b":0.8}'), s("a INT, b DOUBLE")), [1, 0.8]);
  assert.deepEqual(evalCall("from_json", [s('{"a":1}'), s("a INT, b DOUBLE")]).type, structType([structField("a", IntegerType), structField("b", DoubleType)]));
  assert.deepEqual(ev("from_json", s('{"a" 1}'), s("a INT")), [null]);
  assert.deepEqual(ev("from_json", s('{"a":"x","b":2}'), s("a INT, b INT")), [null, 2]);
  assert.deepEqual(ev("from_json", s('{"teacher": "Alice", "student": [{"name": "Bob", "rank": 1}]}'), s("teacher STRING, student ARRAY<STRUCT<name: STRING, rank: INT>>")), ["Alice", [["Bob", 1]]]);
  assert.deepEqual(ev("from_json", s("[1,2,null]"), s("array<int>")), [1, 2, null]);
  assert.deepEqual(ev("from_json", s('{"a":9007199254740993}'), s("a BIGINT")), [9007199254740993n]);
  assert.deepEqual(ev("from_json", s('{"t":"2015-08-26 00:00:00"}'), s("t TIMESTAMP")), [Date.UTC(2015, 7, 26) * 1000]);
  assert.equal(ev("from_json", s(null), s("a INT")), null);
  const st = structType([structField("a", IntegerType), structField("b", IntegerType)]);
  assert.equal(ev("to_json", [[1, 2], st]), '{"a":1,"b":2}');
  assert.equal(ev("to_json", [[1, null], st]), '{"a":1}');
  assert.equal(ev("to_json", [[[1, 2]], structType([structField("a", arrayType(IntegerType))])]), '{"a":[1,2]}');
  assert.equal(ev("to_json", [new Map([["a", 1]]), mapType(StringType, IntegerType)]), '{"a":1}');
  assert.equal(ev("to_json", [[[1.0e10]], structType([structField("d", arrayType(DoubleType))])]), '{"d":[1.0E10]}');
  assert.equal(ev("to_json", [[Date.UTC(2015, 7, 26) * 1000], structType([structField("t", TimestampType)])]), '{"t":"2015-08-26T00:00:00.000Z"}');
  assert.equal(ev("get_json_object", s('{"a":"b"}'), s("$.a")), "b");
  assert.equal(ev("get_json_object", s('{"a":{"b":[1.0,{"c":2}]}}'), s("$.a.b[1]")), '{"c":2}');
  assert.equal(ev("get_json_object", s('{"a":{"b":[1.0,{"c":2}]}}'), s("$.a.b[0]")), "1.0");
  assert.equal(ev("get_json_object", s('[{"x":1},{"x":2}]'), s("$[*].x")), "[1,2]");
  assert.equal(ev("get_json_object", s('{"a":1}'), s("$.z")), null);
  assert.equal(ev("get_json_object", s("not json"), s("$.a")), null);
  assert.equal(ev("schema_of_json", s('[{"col":0}]')), "ARRAY<STRUCT<col: BIGINT>>");
  assert.equal(ev("schema_of_json", s('{"b":"x","a":1.5,"c":[true]}')), "STRUCT<a: DOUBLE, b: STRING, c: ARRAY<BOOLEAN>>");
  assert.equal(ev("json_array_length", s("[1,2,3,{\"f1\":1,\"f2\":[5,6]},4]")), 5);
  assert.equal(ev("json_array_length", s("{}")), null);
  assert.deepEqual(ev("json_object_keys", s('{"f1":"abc","f2":{"f3":"a", "f4":"b"}}')), ["f1", "f2"]);
  assert.throws(() => evalCall("from_json", [s("{}"), s("a INTEGR")]), /INVALID_SCHEMA|schema/);
});
