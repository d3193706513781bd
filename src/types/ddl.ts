import { ParseError } from "../errors/errors.js";
import {
  BinaryType, BooleanType, ByteType, type DataType, DateType, DoubleType, FloatType, IntegerType, LongType,
  MAX_DECIMAL_PRECISION, NullType, ShortType, StringType, type StructField, type StructType, TimestampType,
  arrayType, decimalType, mapType, structField, structType,
} from "./data-type.js";

/**
 * Parses Spark DDL: a schema (`"a INT, b STRING NOT NULL, ts TIMESTAMP"`) or a single type
 * (`"array<struct<x:int>>"`). Keywords are case-insensitive; names may be `backticked`.
 */
export function parseSchemaDDL(text: string): StructType {
  const p = new DdlParser(text);
  const s = p.schema();
  p.expectEnd();
  return s;
}

/** Parses one type name such as `int`, `decimal(10,2)` or `map<string,array<int>>`. */
export function parseDataTypeDDL(text: string): DataType {
  const p = new DdlParser(text);
  const t = p.dataType();
  p.expectEnd();
  return t;
}

/** Accepts either a schema DDL or `struct<...>` and returns the struct. */
export function parseSchemaOrStruct(text: string): StructType {
  const trimmed = text.trim();
  if (/^struct\s*</i.test(trimmed)) {
    const t = parseDataTypeDDL(trimmed);
    if (t.kind === "struct") return t;
  }
  return parseSchemaDDL(text);
}

/**
 * The data type named by a simple (parameterless or numeric-parameter) type name, or undefined.
 * Shared with the SQL parser so that CAST(x AS ...) and DDL accept the same names.
 */
export function primitiveTypeFromName(name: string, params: readonly number[] = []): DataType | undefined {
  switch (name.toLowerCase()) {
    case "boolean": case "bool": return BooleanType;
    case "tinyint": case "byte": return ByteType;
    case "smallint": case "short": return ShortType;
    case "int": case "integer": return IntegerType;
    case "bigint": case "long": return LongType;
    case "float": case "real": return FloatType;
    case "double": return DoubleType;
    case "decimal": case "dec": case "numeric": {
      const precision = params[0] ?? 10;
      const scale = params[1] ?? 0;
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision) return undefined;
      return decimalType(precision, scale);
    }
    case "string": case "varchar": case "char": case "text": return StringType;
    case "binary": return BinaryType;
    case "date": return DateType;
    case "timestamp": case "timestamp_ltz": case "timestamp_ntz": return TimestampType;
    case "void": case "null": return NullType;
    default: return undefined;
  }
}

interface Tok { text: string; pos: number; kind: "ident" | "quoted" | "number" | "string" | "punct" | "end" }

class DdlParser {
  private readonly toks: Tok[];
  private i = 0;
  constructor(private readonly text: string) {
    this.toks = tokenize(text);
  }

  schema(): StructType {
    const fields: StructField[] = [];
    if (this.peek().kind === "end") return structType([]);
    do {
      fields.push(this.field(false));
    } while (this.accept(","));
    return structType(fields);
  }

  dataType(): DataType {
    const t = this.next();
    if (t.kind !== "ident") this.fail(t, `Expected a data type but found '${t.text || "end of input"}'`);
    const name = t.text.toLowerCase();
    if (name === "array") {
      this.expect("<");
      const el = this.dataType();
      this.expect(">");
      return arrayType(el, true);
    }
    if (name === "map") {
      this.expect("<");
      const k = this.dataType();
      this.expect(",");
      const v = this.dataType();
      this.expect(">");
      return mapType(k, v, true);
    }
    if (name === "struct") {
      this.expect("<");
      const fields: StructField[] = [];
      if (!this.accept(">")) {
        do fields.push(this.field(true));
        while (this.accept(","));
        this.expect(">");
      }
      return structType(fields);
    }
    const params: number[] = [];
    if (this.accept("(")) {
      do {
        const n = this.next();
        if (n.kind !== "number") this.fail(n, `Expected a number in the parameters of ${t.text}`);
        params.push(Number(n.text));
      } while (this.accept(","));
      this.expect(")");
    }
    const dt = primitiveTypeFromName(name, params);
    if (!dt) this.fail(t, `Unsupported data type '${t.text}${params.length ? `(${params.join(",")})` : ""}'`);
    return dt;
  }

  private field(inStruct: boolean): StructField {
    const n = this.next();
    if (n.kind !== "ident" && n.kind !== "quoted") this.fail(n, `Expected a column name but found '${n.text || "end of input"}'`);
    if (inStruct) this.accept(":");
    const dt = this.dataType();
    let nullable = true;
    let comment: string | undefined;
    for (;;) {
      const k = this.peek();
      if (k.kind === "ident" && k.text.toUpperCase() === "NOT") {
        this.next();
        const nu = this.next();
        if (nu.text.toUpperCase() !== "NULL") this.fail(nu, "Expected NULL after NOT");
        nullable = false;
      } else if (k.kind === "ident" && k.text.toUpperCase() === "COMMENT") {
        this.next();
        const s = this.next();
        if (s.kind !== "string") this.fail(s, "Expected a string after COMMENT");
        comment = s.text;
      } else break;
    }
    return structField(n.text, dt, nullable, comment === undefined ? undefined : { comment });
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== "end") this.fail(t, `Unexpected '${t.text}'`);
  }
  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    const t = this.toks[this.i]!;
    if (t.kind !== "end") this.i++;
    return t;
  }
  private accept(p: string): boolean {
    const t = this.peek();
    if (t.kind === "punct" && t.text === p) {
      this.i++;
      return true;
    }
    return false;
  }
  private expect(p: string): void {
    const t = this.peek();
    if (!this.accept(p)) this.fail(t, `Expected '${p}' but found '${t.text || "end of input"}'`);
  }
  private fail(t: Tok, msg: string): never {
    const exact = t.kind === "ident" || t.kind === "number" || t.kind === "punct";
    throw parseErrorAt(this.text, t.pos, `${msg}.`, exact ? t.text.length : 0);
  }
}

/** A ParseError at 0-based offset `pos` of `text`. */
function parseErrorAt(text: string, pos: number, msg: string, length: number): ParseError {
  const before = text.slice(0, pos);
  return new ParseError(msg, before.split("\n").length, pos - before.lastIndexOf("\n"), text, length);
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "`") {
      let j = i + 1;
      let s = "";
      while (j < text.length) {
        if (text[j] === "`") {
          if (text[j + 1] === "`") { s += "`"; j += 2; continue; }
          break;
        }
        s += text[j++];
      }
      if (j >= text.length) throw parseErrorAt(text, i, "Unclosed backtick.", 1);
      toks.push({ text: s, pos: i, kind: "quoted" });
      i = j + 1;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = "";
      while (j < text.length && text[j] !== c) {
        if (text[j] === "\\" && j + 1 < text.length) j++;
        s += text[j++];
      }
      toks.push({ text: s, pos: i, kind: "string" });
      i = j + 1;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) { toks.push({ text: id[0], pos: i, kind: "ident" }); i += id[0].length; continue; }
    const num = /^[0-9]+/.exec(text.slice(i));
    if (num) { toks.push({ text: num[0], pos: i, kind: "number" }); i += num[0].length; continue; }
    if ("<>(),:".includes(c)) { toks.push({ text: c, pos: i, kind: "punct" }); i++; continue; }
    throw parseErrorAt(text, i, `Unexpected character '${c}'.`, 1);
  }
  toks.push({ text: "", pos: text.length, kind: "end" });
  return toks;
}
