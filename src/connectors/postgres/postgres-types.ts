import { AnalysisError } from "../../errors/errors.js";
import {
  type DataType,
  BinaryType,
  BooleanType,
  DateType,
  DoubleType,
  FloatType,
  IntegerType,
  LongType,
  MAX_DECIMAL_PRECISION,
  ShortType,
  StringType,
  TimestampType,
  arrayType,
  decimalType,
  simpleString,
} from "../../types/data-type.js";

/**
 * A PostgreSQL column type as the catalog describes it: the base type's name (domains are
 * replaced by their base type), its category (pg_type.typcategory), its typmod, and for arrays
 * the element type.
 */
export interface PgType {
  /** pg_type.typname of the base type: `int8`, `numeric`, `timestamptz`, `_int4`, ... */
  readonly name: string;
  /** pg_type.typcategory: N numeric, S string, B boolean, D date/time, A array, U user, E enum, ... */
  readonly category: string;
  readonly typmod: number;
  readonly element: PgType | null;
}

/** Spark's DecimalType for unconstrained `numeric` (DecimalType.SYSTEM_DEFAULT). */
export const UNCONSTRAINED_NUMERIC = decimalType(38, 18);

/**
 * PostgreSQL → Spark types, as Spark's PostgresDialect maps them (exact: int8 → bigint,
 * numeric(p,s) → decimal(p,s), unconstrained numeric → decimal(38,18)). Types without a Spark
 * counterpart (json, uuid, interval, time, enums, network types, ...) read as their text.
 */
export function pgToSpark(t: PgType): DataType {
  if (t.element !== null) return arrayType(pgToSpark(t.element), true);
  switch (t.name) {
    case "bool": return BooleanType;
    case "int2": return ShortType;
    case "int4": return IntegerType;
    case "int8": case "oid": return LongType;
    case "float4": return FloatType;
    case "float8": return DoubleType;
    case "numeric": {
      if (t.typmod < 4) return UNCONSTRAINED_NUMERIC;
      const p = ((t.typmod - 4) >> 16) & 0xffff;
      const s = (t.typmod - 4) & 0xffff;
      // Spark's DecimalType.bounded; a negative scale (PostgreSQL 15) reads at scale 0.
      return decimalType(Math.min(p, MAX_DECIMAL_PRECISION), s > 0x7ff ? 0 : Math.min(s, MAX_DECIMAL_PRECISION));
    }
    case "date": return DateType;
    case "timestamp": case "timestamptz": return TimestampType;
    case "bytea": return BinaryType;
    default: return StringType;
  }
}

/**
 * Spark → PostgreSQL column types for CREATE TABLE (Spark's PostgresDialect, except that
 * TIMESTAMP becomes `timestamp with time zone`: Spark's TIMESTAMP is an instant, and timestamptz
 * stores an instant, so a round trip is exact whatever the session time zone).
 */
export function sparkToPgDdl(t: DataType, column: string): string {
  switch (t.kind) {
    case "boolean": return "boolean";
    case "byte": case "short": return "smallint";
    case "int": return "integer";
    case "long": return "bigint";
    case "float": return "real";
    case "double": return "double precision";
    case "decimal": return `numeric(${t.precision},${t.scale})`;
    case "string": case "null": return "text";
    case "binary": return "bytea";
    case "date": return "date";
    case "timestamp": return "timestamp with time zone";
    case "array": {
      let e: DataType = t.elementType;
      while (e.kind === "array") e = e.elementType;
      return `${sparkToPgDdl(e, column)}[]`;
    }
    default:
      throw new AnalysisError("POSTGRES_UNSUPPORTED_TYPE", `Column \`${column}\` has type ${simpleString(t)}, which cannot be written to PostgreSQL. Convert it first, e.g. to_json(\`${column}\`) for a jsonb or text column.`);
  }
}

/** Whether a value of Spark type `t` can be written into a column of PostgreSQL type `pg` without changing its meaning. */
export function writableInto(t: DataType, pg: PgType): boolean {
  if (pg.element !== null) {
    if (t.kind !== "array") return false;
    let e: DataType = t.elementType;
    while (e.kind === "array") e = e.elementType;
    return writableInto(e, pg.element);
  }
  switch (t.kind) {
    case "boolean": return pg.category === "B";
    case "byte": case "short": case "int": case "long": case "float": case "double": case "decimal":
      return pg.category === "N" && pg.name !== "oid";
    case "string": case "null": return !["N", "B", "D", "A"].includes(pg.category) && pg.name !== "bytea";
    case "binary": return pg.name === "bytea";
    case "date": return pg.name === "date" || pg.name === "timestamp" || pg.name === "timestamptz";
    case "timestamp": return pg.name === "timestamp" || pg.name === "timestamptz";
    default: return false;
  }
}

/** `int8`, `numeric(38,10)`, `int4[]`: a PgType as people write it, for messages. */
export function pgTypeText(t: PgType): string {
  if (t.element !== null) return `${pgTypeText(t.element)}[]`;
  if (t.name === "numeric" && t.typmod >= 4) return `numeric(${((t.typmod - 4) >> 16) & 0xffff},${(t.typmod - 4) & 0xffff})`;
  return t.name;
}
