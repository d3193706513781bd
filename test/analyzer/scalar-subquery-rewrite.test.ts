import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";
import { type LogicalPlan, children } from "../../src/plan/logical-plan.js";

// Spark's SubquerySuite tables l(a, b) and r(c, d); expected answers are Spark's (checkAnswer ignores order).
const spark = Session.builder().create();
spark.createDataFrame([[1, 2.0], [1, 2.0], [2, 1.0], [2, 1.0], [3, 3.0], [null, null], [null, 5.0], [6, null]].map(([a, b]) => ({ a, b })), "a INT, b DOUBLE").createOrReplaceTempView("l");
spark.createDataFrame([[2, 3.0], [2, 3.0], [3, 2.0], [4, 1.0], [null, null], [null, 5.0], [6, null]].map(([c, d]) => ({ c, d })), "c INT, d DOUBLE").createOrReplaceTempView("r");

const rows = async (q: string): Promise<string[]> => (await spark.sql(q).collect()).map((r) => JSON.stringify(Object.values(r))).sort();
const expect = (...rs: unknown[][]): string[] => rs.map((r) => JSON.stringify(r)).sort();

const joinTypes = (p: LogicalPlan, out: string[] = []): string[] => {
  if (p.kind === "Join") out.push(p.joinType);
  for (const c of children(p)) joinTypes(c, out);
  return out;
};

test("correlated scalar subquery in SELECT becomes a left outer join with an aggregate", async () => {
  const q = "select a, (select sum(b) from l l2 where l2.a = l1.a) sum_b from l l1";
  assert.deepEqual(joinTypes(spark.sql(q).plan), ["left_outer"]);
  // Spark names an unaliased subquery column after the outer columns it uses.
  assert.deepEqual(spark.sql("select a, (select count(*) from r where l.a = r.c), (select max(d) from r) from l").columns, ["a", "scalarsubquery(a)", "scalarsubquery()"]);
  assert.deepEqual(await rows(q), expect([1, 4], [1, 4], [2, 2], [2, 2], [3, 3], [null, null], [null, null], [6, null]));
  assert.deepEqual(await rows("select a, (select sum(b) from l l2 where l2.a <=> l1.a) sum_b from l l1"), expect([1, 4], [1, 4], [2, 2], [2, 2], [3, 3], [null, 5], [null, 5], [6, null]));
});

test("correlated scalar subquery in WHERE", async () => {
  assert.deepEqual(await rows("select * from l where b < (select max(d) from r where a = c)"), expect([2, 1], [2, 1]));
  assert.deepEqual(spark.sql("select * from l where b < (select max(d) from r where a = c)").columns, ["a", "b"]);
});

test("the COUNT bug: count over no matching rows is 0, not null (SPARK-15370)", async () => {
  assert.deepEqual(await rows("select a, (select count(*) from r where l.a = r.c) as cnt from l"), expect([1, 0], [1, 0], [2, 2], [2, 2], [3, 1], [null, 0], [null, 0], [6, 1]));
  assert.deepEqual(await rows("select l.a from l where (select count(*) from r where l.a = r.c) < l.a"), expect([1], [1], [3], [6]));
  assert.deepEqual(await rows("select l.a from l where (select count(*) from r where l.a = r.c) = 0"), expect([1], [1], [null], [null]));
  assert.deepEqual(await rows("select l.a from l where (select sum(r.d) is null from r where l.a = r.c)"), expect([1], [1], [null], [null], [6]));
  assert.deepEqual(await rows("select l.a from l where (select case when count(*) = 1 then null else count(*) end as cnt from r where l.a = r.c) = 0"), expect([1], [1], [null], [null]));
  assert.deepEqual(await rows("select l.b, (select (min(r.c) + count(*)) is null from r where l.a = r.c) from l"), expect([1, false], [1, false], [2, true], [2, true], [3, false], [5, true], [null, false], [null, true]));
});

test("COUNT bug in an aggregate's argument (SPARK-15370): the join goes under the aggregation", async () => {
  assert.deepEqual(await rows("select l.a as aval, sum((select count(*) from r where l.a = r.c)) as cnt from l group by l.a order by aval"), expect([null, 0], [1, 0], [2, 4], [3, 1], [6, 1]));
});

test("COUNT bug in HAVING (SPARK-15370), also next to aggregates", async () => {
  assert.deepEqual(await rows("select l.a as grp_a from l group by l.a having (select count(*) from r where grp_a = r.c) = 0 order by grp_a"), expect([null], [1]));
  assert.deepEqual(await rows("select a, count(*) from l group by a having count(*) > (select count(*) from r where r.c = l.a)"), expect([1, 2], [null, 2]));
});

test("in the select list of an aggregation, correlated on grouping columns: joined above the aggregation", async () => {
  assert.deepEqual(await rows("select a, count(*) n, (select count(*) from r where r.c = l.a) m from l group by a"), expect([1, 2, 0], [2, 2, 2], [3, 1, 1], [6, 1, 1], [null, 2, 0]));
  assert.deepEqual(await rows("select a, sum(b) + (select count(*) from r where r.c = l.a) s from l group by a"), expect([1, 4], [2, 4], [3, 4], [6, null], [null, 5]));
  // Correlated on a column that is not grouped: refused, as Spark does.
  assert.throws(() => spark.sql("select (select count(*) from r where r.c = l.b) from l group by a"), /UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY/);
});

test("COUNT bug negative examples (SPARK-15370)", async () => {
  assert.deepEqual(await rows("select l.a from l where (select sum(r.d) from r where l.a = r.c) is null"), expect([1], [1], [null], [null], [6]));
  assert.deepEqual(await rows("select l.a from l where (select count(*) from r where l.a = r.c) > 0"), expect([2], [2], [3], [6]));
  assert.deepEqual(await rows("select l.a from l where (select count(*) + sum(r.d) from r where l.a = r.c) = 0"), []);
});

test("subquery over the same view as the outer query (the outer columns stay distinct)", async () => {
  assert.deepEqual(await rows("select x.a, (select count(*) from l y where y.a = x.a + 1) from l x where x.a is not null"), expect([1, 2], [1, 2], [2, 1], [2, 1], [3, 0], [6, 0]));
  assert.deepEqual(await rows("select * from l x where exists (select 1 from l y where y.a = x.a + 1)"), expect([1, 2], [1, 2], [2, 1], [2, 1]));
});

test("non-equality and disjunctive correlated predicates: a join with the distinct outer values first", async () => {
  assert.deepEqual(await rows("select a, (select sum(b) from l l2 where l2.a < l1.a) sum_b from l l1"), expect([1, null], [1, null], [2, 4], [2, 4], [3, 6], [null, null], [null, null], [6, 9]));
  assert.deepEqual(await rows("select a from l where (select count(*) from r where (a = c and d = 2.0) or (a = c and d = 1.0)) > 0"), expect([3]));
  assert.deepEqual(await rows("select a, (select count(*) from r where r.c > l.a) cnt from l where a is null or a > 2"), expect([3, 2], [6, 0], [null, 0], [null, 0]));
});

test("a non-aggregated correlated scalar subquery is refused with a clear error", () => {
  assert.throws(() => spark.sql("select a, (select d from r where r.c = l.a) from l"), /must be aggregated/);
});

test("a domain join larger than one batch of candidate pairs (nested loop sliced)", async () => {
  spark.range(3000).selectExpr("id AS k").createOrReplaceTempView("big_o");
  spark.range(3000).selectExpr("id AS v").createOrReplaceTempView("big_i");
  const r = await spark.sql("SELECT sum(c) AS s, count(*) AS n FROM (SELECT k, (SELECT count(*) FROM big_i WHERE big_i.v < big_o.k) c FROM big_o)").collect();
  // For k in 0..2999 there are k smaller values: the sum is 2999 * 3000 / 2.
  assert.deepEqual(r, [{ s: 4498500, n: 3000 }]);
});
