import type pg from "pg";
import { AnalysisError, IllegalArgumentError } from "../../errors/errors.js";
import { type StructType, simpleString } from "../../types/data-type.js";
import { quoteIdent } from "./postgres-connection.js";
import { describeQuery, describeSql } from "./postgres-describe.js";
import { type PgType, pgTypeText, sparkToPgDdl, writableInto } from "./postgres-types.js";

/** A column of an existing table. */
export interface TableColumn {
  readonly name: string;
  readonly type: PgType;
  readonly notNull: boolean;
  readonly hasDefault: boolean;
}

/** Where each DataFrame column goes: the table's column name and type (null for a table Sluice creates). */
export interface ColumnTarget {
  readonly name: string;
  readonly type: PgType | null;
}

/** The columns of table `table` (SQL text as the user wrote it), or null when it does not exist. */
export async function tableColumns(client: pg.Client, table: string): Promise<TableColumn[] | null> {
  const oid = (await client.query<{ oid: string | null }>("SELECT to_regclass($1)::oid::text AS oid", [table])).rows[0]?.oid ?? null;
  if (oid === null) return null;
  const described = await describeQuery(client, describeSql(table));
  const attrs = (await client.query<{ attname: string; attnotnull: string; atthasdef: string }>(
    "SELECT attname::text, attnotnull::text, atthasdef::text FROM pg_catalog.pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
    [oid],
  )).rows;
  const byName = new Map(attrs.map((a) => [a.attname, a]));
  return described.map((c) => {
    const a = byName.get(c.name);
    return { name: c.name, type: c.type, notNull: a?.attnotnull === "t" || a?.attnotnull === "true", hasDefault: a?.atthasdef === "t" || a?.atthasdef === "true" };
  });
}

/**
 * Matches a DataFrame schema to an existing table's columns (exact name first, then ignoring
 * case, as Spark's JDBC writer resolves names) and checks each type can be written without
 * changing its meaning. Every mismatch is named in one error, with the table and server.
 */
export function matchSchema(table: string, server: string, schema: StructType, columns: readonly TableColumn[]): ColumnTarget[] {
  const problems: string[] = [];
  const targets: ColumnTarget[] = [];
  const used = new Set<string>();
  for (const f of schema.fields) {
    const col = columns.find((c) => c.name === f.name) ?? columns.find((c) => c.name.toLowerCase() === f.name.toLowerCase());
    if (col === undefined) {
      problems.push(`column \`${f.name}\` (${simpleString(f.dataType)}) does not exist in the table`);
      continue;
    }
    used.add(col.name);
    if (!writableInto(f.dataType, col.type)) problems.push(`column \`${f.name}\` is ${simpleString(f.dataType)} in the DataFrame but ${pgTypeText(col.type)} in the table`);
    targets.push({ name: col.name, type: col.type });
  }
  for (const c of columns) {
    if (!used.has(c.name) && c.notNull && !c.hasDefault) problems.push(`table column "${c.name}" is NOT NULL without a default and the DataFrame has no such column`);
  }
  if (problems.length > 0) {
    throw new AnalysisError(
      "POSTGRES_SCHEMA_MISMATCH",
      `The DataFrame does not match table ${table} at ${server}: ${problems.join("; ")}. Table columns: ${columns.map((c) => `${c.name} ${pgTypeText(c.type)}`).join(", ")}. Select and cast the DataFrame's columns to fit, or write to another table (option 'dbtable').`,
    );
  }
  return targets;
}

/** `CREATE TABLE table ("a" bigint, ...)` from a DataFrame schema, with `createTableColumnTypes` overrides and an optional primary key. */
export function createTableSql(table: string, schema: StructType, columnTypes: string | null, primaryKey: readonly string[] = []): string {
  const overrides = parseColumnTypes(columnTypes, schema);
  const cols = schema.fields.map((f) => `${quoteIdent(f.name)} ${overrides.get(f.name.toLowerCase()) ?? sparkToPgDdl(f.dataType, f.name)}${f.nullable && !primaryKey.includes(f.name) ? "" : " NOT NULL"}`);
  if (primaryKey.length > 0) cols.push(`PRIMARY KEY (${primaryKey.map(quoteIdent).join(", ")})`);
  return `CREATE TABLE ${table} (${cols.join(", ")})`;
}

/** Parses `name TYPE, other VARCHAR(10)` (commas inside parentheses belong to the type). */
export function parseColumnTypes(text: string | null, schema: StructType): Map<string, string> {
  const out = new Map<string, string>();
  if (text === null || text.trim() === "") return out;
  const items: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  for (const item of items) {
    const m = /^\s*(?:`([^`]+)`|"([^"]+)"|([^\s]+))\s+(.+?)\s*$/.exec(item);
    if (!m) throw new IllegalArgumentError("POSTGRES_OPTION_INVALID", `Option 'createTableColumnTypes' must be 'column TYPE, ...', got '${item.trim()}'.`);
    const name = m[1] ?? m[2] ?? m[3]!;
    if (!schema.fields.some((f) => f.name.toLowerCase() === name.toLowerCase())) {
      throw new AnalysisError("POSTGRES_OPTION_INVALID", `Option 'createTableColumnTypes' names column \`${name}\`, which is not in the DataFrame (${schema.fields.map((f) => f.name).join(", ")}).`);
    }
    out.set(name.toLowerCase(), m[4]!);
  }
  return out;
}
