import { type DataFrame, col, functions as F, window } from "../../src/index.js";

/** The Yahoo benchmark's query as DataFrame code over ad events whose event_time is `time` (a TIMESTAMP column). */
export function yahooQuery(events: DataFrame, campaigns: DataFrame, time: ReturnType<typeof col>): DataFrame {
  return events.filter(col("event_type").eq("view"))
    .select(col("ad_id"), time.alias("event_time"))
    .join(F.broadcast(campaigns), "ad_id")
    .groupBy(col("campaign_id"), window(col("event_time"), "10 seconds"))
    .agg(F.count("*").alias("n"));
}
