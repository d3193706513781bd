/**
 * The Nexmark queries q0-q22 (q6 and q10 are not part of the Nexmark SQL suite's common set),
 * each as Sluice SQL over the views `person`, `auction`, `bid` (and `side_input` for q13) and as
 * DataFrame code, with the semantics of the Nexmark SQL definitions (Flink's nexmark repo,
 * followed by RisingWave and Feldera), restated here in our words:
 *
 * | q   | what it computes                                                                      |
 * |-----|---------------------------------------------------------------------------------------|
 * | q0  | pass-through: every bid's auction, bidder, price, dateTime, extra                     |
 * | q1  | currency conversion: q0 with price * 0.908 (dollars to euros)                         |
 * | q2  | selection: (auction, price) of bids on auctions whose id is a multiple of 123         |
 * | q3  | local item suggestion: sellers in OR, ID or CA with auctions in category 10 (join)    |
 * | q4  | average closing price per category: the best bid within each auction's lifetime,    |
 * |     | averaged per category                                                                 |
 * | q5  | hot items: per 10 s window sliding by 2 s, the auctions with the most bids            |
 * | q7  | highest bid: per 10 s tumbling window, the bids whose price is the window's maximum   |
 * | q8  | new users: people who created an account and an auction in the same 10 s window      |
 * | q9  | winning bids: per auction, the highest bid (earliest on ties) within its lifetime     |
 * | q11 | user sessions: bids per bidder per session (gap 10 s)                                 |
 * | q12 | processing-time windows: bids per bidder per 10 s of processing time                  |
 * | q13 | bounded side input join: bids joined to a 10,000-row table on auction mod 10000       |
 * | q14 | calculation: euro price, time-of-day class and a count of 'c' in extra, for bids     |
 * |     | priced between 1,000,000 and 50,000,000 euro cents                                    |
 * | q15 | bidding statistics per day: bids, bidders, auctions, in total and per price rank     |
 * | q16 | channel statistics per day: q15 per channel, plus the last minute seen               |
 * | q17 | auction statistics per day: bid counts per price rank, min/max/avg/sum of price      |
 * | q18 | last bid of every (bidder, auction)                                                   |
 * | q19 | the 10 highest bids of every auction                                                  |
 * | q20 | bids expanded with their auction, for auctions in category 10                        |
 * | q21 | bids of known channels with a channel id (from the name or the URL's channel_id)     |
 * | q22 | the first three directories of each bid's URL                                         |
 *
 * Windows in the batch engine use `window(dateTime, ...)`, which is what a streaming query with a
 * watermark computes once all windows are closed. Where a query needs something Sluice does not
 * have yet, `missing` says what (the query still runs in the form given).
 */
import { type DataFrame, type Session, Window, col, expr, functions as F, lit, udf, window } from "../../src/index.js";
import type { NexmarkTable } from "../../src/connectors/nexmark/nexmark-config.js";

export interface NexmarkTables {
  readonly person: DataFrame;
  readonly auction: DataFrame;
  readonly bid: DataFrame;
  readonly side_input: DataFrame;
}

export interface NexmarkQuery {
  readonly name: string;
  readonly title: string;
  /** Tables the query reads (the benchmark counts the events behind them once). */
  readonly tables: readonly (NexmarkTable | "side_input")[];
  /** Sluice SQL over the temp views person, auction, bid, side_input. */
  readonly sql: string;
  /** The same as DataFrame code. */
  dataframe(t: NexmarkTables): DataFrame;
  /**
   * Runs as a streaming query whose answer, once every event is read, is the batch answer:
   * stateless queries (projections, filters, stream-static joins), stream-stream joins (append
   * mode) and aggregations in complete mode.
   */
  readonly streaming: boolean;
  /** The streaming run's output mode (default append); in complete mode the last batch holds the whole answer. */
  readonly streamMode?: "append" | "complete";
  /**
   * The stream form, where it differs from `dataframe`: windowed queries in append mode need a
   * watermark on event time and join on the window itself. Such a stream ends with the windows its
   * last watermark closed (a window still open when the events run out is never emitted, as in
   * Spark): `closed` keeps those windows of the batch answer, the stream's reference.
   */
  readonly stream?: {
    dataframe(t: NexmarkTables): DataFrame;
    closed(answer: DataFrame, watermark: Date): DataFrame;
  };
  /** A numeric output column whose sum cross-checks engines (besides the row count); null: count only. */
  readonly checkColumn: string | null;
  /** The same query in DuckDB SQL (tables person, auction, bid, side_input); absent: not compared. */
  readonly duckdb?: string;
  /** Features the faithful form needs that Sluice lacks (and what the given form does instead), or how the stream form runs. */
  readonly missing?: string;
  /** Answers depend on something besides the events (processing time): never cross-checked. */
  readonly nondeterministic?: boolean;
}

const RANKS = `count(*) FILTER (WHERE price < 10000) AS rank1_bids,
    count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
    count(*) FILTER (WHERE price >= 1000000) AS rank3_bids`;
const DISTINCT_RANKS = (c: string, n: string): string => `count(DISTINCT ${c}) AS total_${n},
    count(DISTINCT ${c}) FILTER (WHERE price < 10000) AS rank1_${n},
    count(DISTINCT ${c}) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_${n},
    count(DISTINCT ${c}) FILTER (WHERE price >= 1000000) AS rank3_${n}`;

const rank1 = col("price").lt(10000), rank2 = col("price").geq(10000).and(col("price").lt(1000000)), rank3 = col("price").geq(1000000);
const countIf = (c: ReturnType<typeof col>, name: string): ReturnType<typeof col> => F.count(F.when(c, lit(1))).alias(name);
const distinctIf = (c: ReturnType<typeof col>, x: string, name: string): ReturnType<typeof col> => F.countDistinct(F.when(c, col(x))).alias(name);
const day = (): ReturnType<typeof col> => F.date_format(col("dateTime"), "yyyy-MM-dd");

/** The rows of an answer whose 10 s window (starting at `starttime`) the watermark has passed: a windowed stream form's reference. */
const tenSecondWindowsClosed = (answer: DataFrame, watermark: Date): DataFrame => answer.filter(col("starttime").plus(expr("INTERVAL '10' SECOND")).leq(lit(watermark)));

export const QUERIES: readonly NexmarkQuery[] = [
  {
    name: "q0", title: "pass-through", tables: ["bid"], streaming: true, checkColumn: "price",
    sql: "SELECT auction, bidder, price, dateTime, extra FROM bid",
    dataframe: (t) => t.bid.select("auction", "bidder", "price", "dateTime", "extra"),
    duckdb: "SELECT auction, bidder, price, dateTime, extra FROM bid",
  },
  {
    name: "q1", title: "currency conversion", tables: ["bid"], streaming: true, checkColumn: "price",
    sql: "SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid",
    dataframe: (t) => t.bid.select(col("auction"), col("bidder"), lit(0.908).cast("decimal(3,3)").multiply(col("price")).alias("price"), col("dateTime"), col("extra")),
    duckdb: "SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid",
  },
  {
    name: "q2", title: "selection", tables: ["bid"], streaming: true, checkColumn: "price",
    sql: "SELECT auction, price FROM bid WHERE auction % 123 = 0",
    dataframe: (t) => t.bid.filter(col("auction").mod(123).eq(0)).select("auction", "price"),
    duckdb: "SELECT auction, price FROM bid WHERE auction % 123 = 0",
  },
  {
    name: "q3", title: "local item suggestion", tables: ["person", "auction"], streaming: true, checkColumn: "id",
    sql: `SELECT P.name, P.city, P.state, A.id FROM auction A JOIN person P ON A.seller = P.id
    WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`,
    dataframe: (t) => t.auction.filter(col("category").eq(10))
      .join(t.person.filter(col("state").isin("OR", "ID", "CA")).withColumnRenamed("id", "pid"), col("seller").eq(col("pid")))
      .select("name", "city", "state", "id"),
    duckdb: `SELECT P.name, P.city, P.state, A.id FROM auction A JOIN person P ON A.seller = P.id
    WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`,
    missing: "as a stream without a watermark (Nexmark's q3 has none): both sides stay in the join's state",
  },
  {
    name: "q4", title: "average price per category", tables: ["auction", "bid"], streaming: false, checkColumn: "category",
    sql: `SELECT Q.category, avg(Q.final) AS avg_final FROM (
      SELECT max(B.price) AS final, A.category FROM auction A JOIN bid B
      ON A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires GROUP BY A.id, A.category) Q
    GROUP BY Q.category`,
    dataframe: (t) => t.auction.join(t.bid.withColumnRenamed("dateTime", "bidTime"), col("id").eq(col("auction")).and(col("bidTime").between(col("dateTime"), col("expires"))))
      .groupBy("id", "category").agg(F.max("price").alias("final"))
      .groupBy("category").agg(F.avg("final").alias("avg_final")),
    duckdb: `SELECT Q.category, avg(Q.final) AS avg_final FROM (
      SELECT max(B.price) AS final, A.category FROM auction A JOIN bid B
      ON A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires GROUP BY A.id, A.category) Q
    GROUP BY Q.category`,
    missing: "as a stream: the aggregation above the join groups by auction id, not by event time, so append mode cannot close its groups, and update and complete modes do not follow a stream-stream join",
  },
  {
    name: "q5", title: "hot items", tables: ["bid"], streaming: true, checkColumn: "num",
    sql: `WITH counts AS (SELECT auction, count(*) AS num, window.start AS starttime, window.end AS endtime
      FROM bid GROUP BY auction, window(dateTime, '10 seconds', '2 seconds'))
    SELECT AuctionBids.auction, AuctionBids.num, AuctionBids.starttime FROM counts AS AuctionBids
    JOIN (SELECT max(num) AS maxn, starttime, endtime FROM counts GROUP BY starttime, endtime) AS MaxBids
    ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime AND AuctionBids.num >= MaxBids.maxn`,
    dataframe: (t) => {
      const counts = t.bid.groupBy(col("auction"), window(col("dateTime"), "10 seconds", "2 seconds")).agg(F.count("*").alias("num"))
        .select(col("auction"), col("num"), col("window.start").alias("starttime"), col("window.end").alias("endtime"));
      const maxes = counts.groupBy("starttime", "endtime").agg(F.max("num").alias("maxn")).withColumnsRenamed({ starttime: "mstart", endtime: "mend" });
      return counts.join(maxes, col("starttime").eq(col("mstart")).and(col("endtime").eq(col("mend"))).and(col("num").geq(col("maxn")))).select("auction", "num", "starttime");
    },
    duckdb: `WITH w AS (SELECT auction, ws AS starttime, ws + INTERVAL 10 SECOND AS endtime FROM (
        SELECT auction, unnest(generate_series(time_bucket(INTERVAL 2 SECOND, dateTime) - INTERVAL 8 SECOND, time_bucket(INTERVAL 2 SECOND, dateTime), INTERVAL 2 SECOND)) AS ws FROM bid)),
      counts AS (SELECT auction, count(*) AS num, starttime, endtime FROM w GROUP BY auction, starttime, endtime)
    SELECT c.auction, c.num, c.starttime FROM counts c JOIN (SELECT max(num) AS maxn, starttime, endtime FROM counts GROUP BY starttime, endtime) m
    ON c.starttime = m.starttime AND c.endtime = m.endtime AND c.num >= m.maxn`,
    missing: "windows start at multiples of 2 s from the epoch",
    // As a stream: the counts per auction and window, their maximum per window (an aggregation of an aggregation), joined on the window.
    stream: {
      dataframe: (t) => {
        const counts = (): DataFrame => t.bid.withWatermark("dateTime", "1 second").groupBy(col("auction"), window(col("dateTime"), "10 seconds", "2 seconds")).agg(F.count("*").alias("num"));
        const maxes = counts().groupBy(col("window")).agg(F.max("num").alias("maxn")).withColumnRenamed("window", "mwindow");
        return counts().join(maxes, col("window").eq(col("mwindow")).and(col("num").geq(col("maxn")))).select(col("auction"), col("num"), col("window.start").alias("starttime"));
      },
      closed: tenSecondWindowsClosed,
    },
  },
  {
    name: "q7", title: "highest bid", tables: ["bid"], streaming: true, checkColumn: "price",
    sql: `SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra FROM bid B
    JOIN (SELECT max(price) AS maxprice, window.end AS dateTime FROM bid GROUP BY window(dateTime, '10 seconds')) B1
    ON B.price = B1.maxprice WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime`,
    dataframe: (t) => {
      const maxes = t.bid.groupBy(window(col("dateTime"), "10 seconds")).agg(F.max("price").alias("maxprice")).select(col("maxprice"), col("window.end").alias("wend"));
      return t.bid.join(maxes, col("price").eq(col("maxprice")))
        .filter(col("dateTime").between(col("wend").minus(expr("INTERVAL '10' SECOND")), col("wend")))
        .select("auction", "price", "bidder", "dateTime", "extra");
    },
    duckdb: `SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra FROM bid B
    JOIN (SELECT max(price) AS maxprice, time_bucket(INTERVAL 10 SECOND, dateTime) + INTERVAL 10 SECOND AS dateTime FROM bid GROUP BY 2) B1
    ON B.price = B1.maxprice WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL 10 SECOND AND B1.dateTime`,
    // As a stream: each window's maximum joined back to the bids, a bid kept in the join's state
    // until the watermark passes 10 s after it (the range against the window's end bounds it).
    stream: {
      dataframe: (t) => {
        const bids = t.bid.withWatermark("dateTime", "1 second");
        const maxes = bids.groupBy(window(col("dateTime"), "10 seconds")).agg(F.max("price").alias("maxprice")).select(col("maxprice"), col("window.end").alias("wend"));
        return bids.join(maxes, col("price").eq(col("maxprice")).and(col("dateTime").between(col("wend").minus(expr("INTERVAL '10' SECOND")), col("wend"))))
          .select("auction", "price", "bidder", "dateTime", "extra");
      },
      // The bids before the last closed window's end E. (A bid at exactly E priced at the maximum of
      // the window ending at E is in the stream's answer and not here: the check would report it.)
      closed: (answer, watermark) => answer.filter(col("dateTime").lt(lit(new Date(Math.floor(watermark.getTime() / 10_000) * 10_000)))),
    },
  },
  {
    name: "q8", title: "monitor new users", tables: ["person", "auction"], streaming: true, checkColumn: "id",
    sql: `SELECT P.id, P.name, P.starttime FROM
      (SELECT id, name, window.start AS starttime, window.end AS endtime FROM person GROUP BY id, name, window(dateTime, '10 seconds')) P
    JOIN (SELECT seller, window.start AS starttime, window.end AS endtime FROM auction GROUP BY seller, window(dateTime, '10 seconds')) A
    ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`,
    dataframe: (t) => {
      const p = t.person.groupBy(col("id"), col("name"), window(col("dateTime"), "10 seconds")).agg(F.count("*").alias("_n")).select(col("id"), col("name"), col("window.start").alias("starttime"), col("window.end").alias("endtime"));
      const a = t.auction.groupBy(col("seller"), window(col("dateTime"), "10 seconds")).agg(F.count("*").alias("_n")).select(col("seller"), col("window.start").alias("astart"), col("window.end").alias("aend"));
      return p.join(a, col("id").eq(col("seller")).and(col("starttime").eq(col("astart"))).and(col("endtime").eq(col("aend")))).select("id", "name", "starttime");
    },
    duckdb: `SELECT P.id, P.name, P.starttime FROM
      (SELECT id, name, time_bucket(INTERVAL 10 SECOND, dateTime) AS starttime FROM person GROUP BY ALL) P
    JOIN (SELECT seller, time_bucket(INTERVAL 10 SECOND, dateTime) AS starttime FROM auction GROUP BY ALL) A
    ON P.id = A.seller AND P.starttime = A.starttime`,
    // As a stream: two windowed aggregations (append mode, a watermark on each table) joined on their window.
    stream: {
      dataframe: (t) => {
        const perWindow = (df: DataFrame, ...keys: string[]): DataFrame => df.withWatermark("dateTime", "1 second").groupBy(...keys.map((k) => col(k)), window(col("dateTime"), "10 seconds")).agg(F.count("*").alias("_n"));
        const p = perWindow(t.person, "id", "name");
        const a = perWindow(t.auction, "seller").withColumnRenamed("window", "awindow").withColumnRenamed("_n", "_auctions");
        return p.join(a, col("id").eq(col("seller")).and(col("window").eq(col("awindow")))).select(col("id"), col("name"), col("window.start").alias("starttime"));
      },
      closed: tenSecondWindowsClosed,
    },
  },
  {
    name: "q9", title: "winning bids", tables: ["auction", "bid"], streaming: false, checkColumn: "price",
    sql: `SELECT id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra,
      auction, bidder, price, bid_dateTime, bid_extra FROM (
      SELECT A.*, B.auction, B.bidder, B.price, B.dateTime AS bid_dateTime, B.extra AS bid_extra,
        row_number() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.dateTime ASC) AS rownum
      FROM auction A JOIN bid B ON A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires)
    WHERE rownum <= 1`,
    dataframe: (t) => {
      const b = t.bid.select(col("auction"), col("bidder"), col("price"), col("dateTime").alias("bid_dateTime"), col("extra").alias("bid_extra"));
      return t.auction.join(b, col("id").eq(col("auction")).and(col("bid_dateTime").between(col("dateTime"), col("expires"))))
        .withColumn("rownum", F.row_number().over(Window.partitionBy("id").orderBy(col("price").desc(), col("bid_dateTime").asc())))
        .filter(col("rownum").leq(1)).drop("rownum");
    },
    duckdb: `SELECT * EXCLUDE (rownum) FROM (
      SELECT A.*, B.auction, B.bidder, B.price, B.dateTime AS bid_dateTime, B.extra AS bid_extra,
        row_number() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.dateTime ASC) AS rownum
      FROM auction A JOIN bid B ON A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires)
    WHERE rownum <= 1`,
    missing: "as a stream: row_number over a stream-stream join, partitioned by auction and ordered by price (streaming window functions order by the watermarked event time)",
  },
  {
    name: "q11", title: "user sessions", tables: ["bid"], streaming: false, checkColumn: "bid_count",
    sql: `SELECT bidder, count(*) AS bid_count, min(dateTime) AS starttime, max(dateTime) + INTERVAL '10' SECOND AS endtime FROM (
      SELECT bidder, dateTime, sum(newSession) OVER (PARTITION BY bidder ORDER BY dateTime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session FROM (
        SELECT bidder, dateTime, CASE WHEN lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) IS NULL
          OR lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) < dateTime - INTERVAL '10' SECOND THEN 1 ELSE 0 END AS newSession
        FROM bid))
    GROUP BY bidder, session`,
    dataframe: (t) => {
      const w = Window.partitionBy("bidder").orderBy("dateTime");
      const prev = F.lag("dateTime").over(w);
      return t.bid.select(col("bidder"), col("dateTime"), F.when(prev.isNull().or(prev.lt(col("dateTime").minus(expr("INTERVAL '10' SECOND")))), lit(1)).otherwise(lit(0)).alias("newSession"))
        .withColumn("session", F.sum("newSession").over(w.rowsBetween(Window.unboundedPreceding, Window.currentRow)))
        .groupBy("bidder", "session").agg(F.count("*").alias("bid_count"), F.min("dateTime").alias("starttime"), F.max("dateTime").plus(expr("INTERVAL '10' SECOND")).alias("endtime"))
        .select("bidder", "bid_count", "starttime", "endtime");
    },
    duckdb: `SELECT bidder, count(*) AS bid_count, min(dateTime) AS starttime, max(dateTime) + INTERVAL 10 SECOND AS endtime FROM (
      SELECT bidder, dateTime, sum(newSession) OVER (PARTITION BY bidder ORDER BY dateTime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session FROM (
        SELECT bidder, dateTime, CASE WHEN lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) IS NULL
          OR lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) < dateTime - INTERVAL 10 SECOND THEN 1 ELSE 0 END AS newSession
        FROM bid))
    GROUP BY bidder, session`,
    missing: "sessions computed with lag and a running sum, as the Nexmark SQL does without session windows (session_window gives the same sessions: test/bench); as a stream, session_window with a watermark leaves the sessions still open at the end unemitted",
  },
  {
    name: "q12", title: "processing-time windows", tables: ["bid"], streaming: false, checkColumn: "bid_count", nondeterministic: true,
    sql: `SELECT bidder, count(*) AS bid_count, window.start AS starttime, window.end AS endtime
    FROM (SELECT *, current_timestamp() AS p_time FROM bid) GROUP BY bidder, window(p_time, '10 seconds')`,
    dataframe: (t) => t.bid.withColumn("p_time", F.current_timestamp()).groupBy(col("bidder"), window(col("p_time"), "10 seconds")).agg(F.count("*").alias("bid_count"))
      .select(col("bidder"), col("bid_count"), col("window.start").alias("starttime"), col("window.end").alias("endtime")),
    missing: "a processing-time attribute per row (PROCTIME()); in batch current_timestamp() is one value per query, so every bid lands in one window",
  },
  {
    name: "q13", title: "bounded side input join", tables: ["bid", "side_input"], streaming: true, checkColumn: "price",
    sql: "SELECT B.auction, B.bidder, B.price, B.dateTime, S.value FROM bid B JOIN side_input S ON B.auction % 10000 = S.key",
    dataframe: (t) => t.bid.join(t.side_input, col("auction").mod(10000).eq(col("key"))).select("auction", "bidder", "price", "dateTime", "value"),
    duckdb: "SELECT B.auction, B.bidder, B.price, B.dateTime, S.value FROM bid B JOIN side_input S ON B.auction % 10000 = S.key",
    missing: "a processing-time temporal join (FOR SYSTEM_TIME AS OF); a stream-static join with a fixed table is equivalent for a side input that does not change",
  },
  {
    name: "q14", title: "calculation", tables: ["bid"], streaming: true, checkColumn: "c_counts",
    sql: `SELECT auction, bidder, 0.908 * price AS price,
      CASE WHEN hour(dateTime) >= 8 AND hour(dateTime) <= 18 THEN 'dayTime'
           WHEN hour(dateTime) <= 6 OR hour(dateTime) >= 20 THEN 'nightTime' ELSE 'otherTime' END AS bidTimeType,
      dateTime, extra, count_char(extra, 'c') AS c_counts
    FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`,
    dataframe: (t) => {
      const euro = lit(0.908).cast("decimal(3,3)").multiply(col("price"));
      const h = F.hour(col("dateTime"));
      return t.bid.filter(euro.gt(1000000).and(euro.lt(50000000))).select(col("auction"), col("bidder"), euro.alias("price"),
        F.when(h.geq(8).and(h.leq(18)), lit("dayTime")).when(h.leq(6).or(h.geq(20)), lit("nightTime")).otherwise(lit("otherTime")).alias("bidTimeType"),
        col("dateTime"), col("extra"), countChar(col("extra"), lit("c")).alias("c_counts"));
    },
    duckdb: `SELECT auction, bidder, 0.908 * price AS price,
      CASE WHEN hour(dateTime) >= 8 AND hour(dateTime) <= 18 THEN 'dayTime'
           WHEN hour(dateTime) <= 6 OR hour(dateTime) >= 20 THEN 'nightTime' ELSE 'otherTime' END AS bidTimeType,
      dateTime, extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
    FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`,
    // Nexmark's count_char is a user-defined function: here a Sluice udf (DuckDB: length - length of the replaced text).
  },
  {
    name: "q15", title: "bidding statistics per day", tables: ["bid"], streaming: false, checkColumn: "total_bidders",
    sql: `SELECT date_format(dateTime, 'yyyy-MM-dd') AS day, count(*) AS total_bids, ${RANKS},
      ${DISTINCT_RANKS("bidder", "bidders")}, ${DISTINCT_RANKS("auction", "auctions")}
    FROM bid GROUP BY date_format(dateTime, 'yyyy-MM-dd')`,
    dataframe: (t) => t.bid.groupBy(day().alias("day")).agg(F.count("*").alias("total_bids"), countIf(rank1, "rank1_bids"), countIf(rank2, "rank2_bids"), countIf(rank3, "rank3_bids"),
      F.countDistinct("bidder").alias("total_bidders"), distinctIf(rank1, "bidder", "rank1_bidders"), distinctIf(rank2, "bidder", "rank2_bidders"), distinctIf(rank3, "bidder", "rank3_bidders"),
      F.countDistinct("auction").alias("total_auctions"), distinctIf(rank1, "auction", "rank1_auctions"), distinctIf(rank2, "auction", "rank2_auctions"), distinctIf(rank3, "auction", "rank3_auctions")),
    duckdb: `SELECT strftime(dateTime, '%Y-%m-%d') AS day, count(*) AS total_bids, ${RANKS},
      ${DISTINCT_RANKS("bidder", "bidders")}, ${DISTINCT_RANKS("auction", "auctions")}
    FROM bid GROUP BY 1`,
    missing: "as a stream: count(DISTINCT) (streaming aggregations reject distinct aggregates, as Spark's do)",
  },
  {
    name: "q16", title: "channel statistics per day", tables: ["bid"], streaming: false, checkColumn: "total_bidders",
    sql: `SELECT channel, date_format(dateTime, 'yyyy-MM-dd') AS day, max(date_format(dateTime, 'HH:mm')) AS minute,
      count(*) AS total_bids, ${RANKS}, ${DISTINCT_RANKS("bidder", "bidders")}, ${DISTINCT_RANKS("auction", "auctions")}
    FROM bid GROUP BY channel, date_format(dateTime, 'yyyy-MM-dd')`,
    dataframe: (t) => t.bid.groupBy(col("channel"), day().alias("day")).agg(F.max(F.date_format(col("dateTime"), "HH:mm")).alias("minute"), F.count("*").alias("total_bids"),
      countIf(rank1, "rank1_bids"), countIf(rank2, "rank2_bids"), countIf(rank3, "rank3_bids"),
      F.countDistinct("bidder").alias("total_bidders"), distinctIf(rank1, "bidder", "rank1_bidders"), distinctIf(rank2, "bidder", "rank2_bidders"), distinctIf(rank3, "bidder", "rank3_bidders"),
      F.countDistinct("auction").alias("total_auctions"), distinctIf(rank1, "auction", "rank1_auctions"), distinctIf(rank2, "auction", "rank2_auctions"), distinctIf(rank3, "auction", "rank3_auctions")),
    duckdb: `SELECT channel, strftime(dateTime, '%Y-%m-%d') AS day, max(strftime(dateTime, '%H:%M')) AS minute,
      count(*) AS total_bids, ${RANKS}, ${DISTINCT_RANKS("bidder", "bidders")}, ${DISTINCT_RANKS("auction", "auctions")}
    FROM bid GROUP BY 1, 2`,
    missing: "as a stream: count(DISTINCT) (streaming aggregations reject distinct aggregates, as Spark's do)",
  },
  {
    name: "q17", title: "auction statistics per day", tables: ["bid"], streaming: true, streamMode: "complete", checkColumn: "sum_price",
    sql: `SELECT auction, date_format(dateTime, 'yyyy-MM-dd') AS day, count(*) AS total_bids, ${RANKS},
      min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
    FROM bid GROUP BY auction, date_format(dateTime, 'yyyy-MM-dd')`,
    dataframe: (t) => t.bid.groupBy(col("auction"), day().alias("day")).agg(F.count("*").alias("total_bids"), countIf(rank1, "rank1_bids"), countIf(rank2, "rank2_bids"), countIf(rank3, "rank3_bids"),
      F.min("price").alias("min_price"), F.max("price").alias("max_price"), F.avg("price").alias("avg_price"), F.sum("price").alias("sum_price")),
    duckdb: `SELECT auction, strftime(dateTime, '%Y-%m-%d') AS day, count(*) AS total_bids, ${RANKS},
      min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
    FROM bid GROUP BY 1, 2`,
    missing: "as a stream in complete mode: every batch emits every (auction, day) group so far (update mode emits the changed ones; their sum is not the answer)",
  },
  {
    name: "q18", title: "last bid per bidder and auction", tables: ["bid"], streaming: false, checkColumn: "auction",
    sql: `SELECT auction, bidder, price, channel, url, dateTime, extra FROM (
      SELECT *, row_number() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) AS rank_number FROM bid)
    WHERE rank_number <= 1`,
    dataframe: (t) => t.bid.withColumn("rank_number", F.row_number().over(Window.partitionBy("bidder", "auction").orderBy(col("dateTime").desc())))
      .filter(col("rank_number").leq(1)).select("auction", "bidder", "price", "channel", "url", "dateTime", "extra"),
    duckdb: `SELECT auction, bidder, price, channel, url, dateTime, extra FROM (
      SELECT *, row_number() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) AS rank_number FROM bid)
    WHERE rank_number <= 1`,
    missing: "as a stream: row_number ordered by dateTime descending (a latest-row-per-key deduplication; streaming window functions need a watermark and emit rows once it passes)",
  },
  {
    name: "q19", title: "top 10 bids per auction", tables: ["bid"], streaming: false, checkColumn: "price",
    sql: `SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid)
    WHERE rank_number <= 10`,
    dataframe: (t) => t.bid.withColumn("rank_number", F.row_number().over(Window.partitionBy("auction").orderBy(col("price").desc()))).filter(col("rank_number").leq(10)),
    duckdb: `SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid)
    WHERE rank_number <= 10`,
    missing: "as a stream: top-N per auction ordered by price (streaming window functions order by the watermarked event time)",
  },
  {
    name: "q20", title: "expand bid with auction", tables: ["auction", "bid"], streaming: true, checkColumn: "price",
    sql: `SELECT auction, bidder, price, channel, url, B.dateTime, B.extra, itemName, description, initialBid, reserve,
      A.dateTime AS auction_dateTime, expires, seller, category, A.extra AS auction_extra
    FROM bid AS B JOIN auction AS A ON B.auction = A.id WHERE A.category = 10`,
    dataframe: (t) => t.bid.join(t.auction.filter(col("category").eq(10)).withColumnsRenamed({ dateTime: "auction_dateTime", extra: "auction_extra" }), col("auction").eq(col("id")))
      .select("auction", "bidder", "price", "channel", "url", "dateTime", "extra", "itemName", "description", "initialBid", "reserve", "auction_dateTime", "expires", "seller", "category", "auction_extra"),
    duckdb: `SELECT auction, bidder, price, channel, url, B.dateTime, B.extra, itemName, description, initialBid, reserve,
      A.dateTime AS auction_dateTime, expires, seller, category, A.extra AS auction_extra
    FROM bid AS B JOIN auction AS A ON B.auction = A.id WHERE A.category = 10`,
    missing: "as a stream without a watermark (Nexmark's q20 has none): every bid stays in the join's state",
  },
  {
    name: "q21", title: "add channel id", tables: ["bid"], streaming: true, checkColumn: "price",
    sql: `SELECT auction, bidder, price, channel,
      CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
           WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
           ELSE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
    FROM bid WHERE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) <> '' OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')`,
    dataframe: (t) => {
      const ch = F.lower(col("channel")), id = F.regexp_extract(col("url"), "(&|^)channel_id=([^&]*)", 2);
      return t.bid.filter(id.notEqual("").or(ch.isin("apple", "google", "facebook", "baidu"))).select(col("auction"), col("bidder"), col("price"), col("channel"),
        F.when(ch.eq("apple"), lit("0")).when(ch.eq("google"), lit("1")).when(ch.eq("facebook"), lit("2")).when(ch.eq("baidu"), lit("3")).otherwise(id).alias("channel_id"));
    },
    duckdb: `SELECT auction, bidder, price, channel,
      CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
           WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
           ELSE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
    FROM bid WHERE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) <> '' OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')`,
    missing: "none (Spark's regexp_extract gives '' where Flink's gives NULL, so the filter tests <> '')",
  },
  {
    name: "q22", title: "URL directories", tables: ["bid"], streaming: true, checkColumn: "price",
    sql: "SELECT auction, bidder, price, channel, split(url, '/')[3] AS dir1, split(url, '/')[4] AS dir2, split(url, '/')[5] AS dir3 FROM bid",
    dataframe: (t) => {
      const parts = F.split(col("url"), "/");
      return t.bid.select(col("auction"), col("bidder"), col("price"), col("channel"), parts.getItem(3).alias("dir1"), parts.getItem(4).alias("dir2"), parts.getItem(5).alias("dir3"));
    },
    duckdb: "SELECT auction, bidder, price, channel, string_split(url, '/')[4] AS dir1, string_split(url, '/')[5] AS dir2, string_split(url, '/')[6] AS dir3 FROM bid",
  },
];

export function query(name: string): NexmarkQuery {
  const q = QUERIES.find((x) => x.name === name);
  if (!q) throw new Error(`unknown Nexmark query ${name} (known: ${QUERIES.map((x) => x.name).join(", ")})`);
  return q;
}

/** Reads the three tables over the same events; batch tables are also registered (with side_input) as temp views. */
/**
 * Nexmark's count_char (q14): how many times the character `c` occurs in `s`. A udf travels to
 * worker threads as its source text, so it uses nothing but its arguments.
 */
export const countChar = udf((s: string | null, c: string | null): number | null => {
  if (s === null || c === null) return null;
  if (c.length === 0) return 0;
  let n = 0;
  for (let p = s.indexOf(c); p >= 0; p = s.indexOf(c, p + c.length)) n++;
  return n;
}, "int", { name: "count_char" });

/**
 * What a stream of `q` ends with, over the batch tables: the batch answer, or (a query with a
 * windowed stream form) its windows the stream's last batch watermark closed.
 */
export function streamAnswer(q: NexmarkQuery, batch: NexmarkTables, watermark: Date): DataFrame {
  return q.stream === undefined ? q.dataframe(batch) : q.stream.closed(q.dataframe(batch), watermark);
}

export function nexmarkTables(spark: Session, options: Readonly<Record<string, string | number>>, streaming = false): NexmarkTables {
  spark.udf.register("count_char", countChar);
  const read = (table: NexmarkTable): DataFrame => {
    const r = streaming ? spark.readStream.format("nexmark") : spark.read.format("nexmark");
    return r.options({ ...options, table }).load();
  };
  const t: NexmarkTables = {
    person: read("person"),
    auction: read("auction"),
    bid: read("bid"),
    side_input: spark.range(10000).selectExpr("id AS key", "CAST(id AS STRING) AS value"),
  };
  if (!streaming) for (const [name, df] of Object.entries(t)) (df as DataFrame).createOrReplaceTempView(name);
  return t;
}
