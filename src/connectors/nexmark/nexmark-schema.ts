import { LongType, StringType, type StructType, TimestampType, structField, structType } from "../../types/data-type.js";
import type { NexmarkTable } from "./nexmark-config.js";

/**
 * The three Nexmark tables, with the field names of the Nexmark SQL benchmark (camelCase, as
 * Flink, RisingWave and Feldera spell them; Sluice resolves names case-insensitively). Every
 * field is non-null. Times are TIMESTAMP (microseconds inside, milliseconds of precision).
 */
export const PERSON_SCHEMA = structType([
  structField("id", LongType, false),
  structField("name", StringType, false),
  structField("emailAddress", StringType, false),
  structField("creditCard", StringType, false),
  structField("city", StringType, false),
  structField("state", StringType, false),
  structField("dateTime", TimestampType, false),
  structField("extra", StringType, false),
]);

export const AUCTION_SCHEMA = structType([
  structField("id", LongType, false),
  structField("itemName", StringType, false),
  structField("description", StringType, false),
  structField("initialBid", LongType, false),
  structField("reserve", LongType, false),
  structField("dateTime", TimestampType, false),
  structField("expires", TimestampType, false),
  structField("seller", LongType, false),
  structField("category", LongType, false),
  structField("extra", StringType, false),
]);

export const BID_SCHEMA = structType([
  structField("auction", LongType, false),
  structField("bidder", LongType, false),
  structField("price", LongType, false),
  structField("channel", StringType, false),
  structField("url", StringType, false),
  structField("dateTime", TimestampType, false),
  structField("extra", StringType, false),
]);

export function nexmarkSchema(table: NexmarkTable): StructType {
  return table === "person" ? PERSON_SCHEMA : table === "auction" ? AUCTION_SCHEMA : BID_SCHEMA;
}

/** DDL of each table, for DuckDB and the JSON reader. */
export const NEXMARK_DDL: Readonly<Record<NexmarkTable, string>> = {
  person: "id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING, dateTime TIMESTAMP, extra STRING",
  auction: "id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra STRING",
  bid: "auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime TIMESTAMP, extra STRING",
};
