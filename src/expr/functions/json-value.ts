/**
 * A small JSON reader that keeps number text as written (so longs beyond 2^53 and decimals stay
 * exact, and `1.0` stays `1.0`), and a writer with Jackson's spelling of values.
 */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonNumber { readonly num: string }
export interface JsonObject { readonly obj: [string, JsonValue][] }

export function isNumber(v: JsonValue): v is JsonNumber {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "num" in v;
}
export function isObject(v: JsonValue): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "obj" in v;
}

/** Parses one JSON document; null (the JS value) when malformed. JSON `null` is returned as `{ nul: true }`-free null, so callers check with `ok`. */
export function parseJson(text: string): { ok: true; value: JsonValue } | { ok: false } {
  const p = new Reader(text);
  try {
    p.ws();
    const v = p.value();
    p.ws();
    if (p.i !== text.length) return { ok: false };
    return { ok: true, value: v };
  } catch {
    return { ok: false };
  }
}

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  ws(): void {
    while (this.i < this.s.length && " \t\n\r".includes(this.s[this.i]!)) this.i++;
  }
  fail(): never {
    throw new Error("malformed JSON");
  }
  value(): JsonValue {
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "t" && this.s.startsWith("true", this.i)) { this.i += 4; return true; }
    if (c === "f" && this.s.startsWith("false", this.i)) { this.i += 5; return false; }
    if (c === "n" && this.s.startsWith("null", this.i)) { this.i += 4; return null; }
    for (const lit of ["NaN", "Infinity", "+Infinity", "-Infinity"]) {
      if (this.s.startsWith(lit, this.i)) { this.i += lit.length; return { num: lit }; }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail();
    this.i += m[0].length;
    return { num: m[0] };
  }
  object(): JsonObject {
    this.i++;
    const obj: [string, JsonValue][] = [];
    this.ws();
    if (this.s[this.i] === "}") { this.i++; return { obj }; }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail();
      const k = this.string();
      this.ws();
      if (this.s[this.i++] !== ":") this.fail();
      this.ws();
      obj.push([k, this.value()]);
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return { obj };
      if (c !== ",") this.fail();
    }
  }
  array(): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.i] === "]") { this.i++; return out; }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return out;
      if (c !== ",") this.fail();
    }
  }
  string(): string {
    const start = ++this.i;
    let out = "";
    let seg = start;
    for (;;) {
      if (this.i >= this.s.length) this.fail();
      const c = this.s.charCodeAt(this.i);
      if (c === 34) { out += this.s.slice(seg, this.i); this.i++; return out; }
      if (c === 92) {
        out += this.s.slice(seg, this.i);
        const e = this.s[this.i + 1];
        this.i += 2;
        switch (e) {
          case "n": out += "\n"; break;
          case "t": out += "\t"; break;
          case "r": out += "\r"; break;
          case "b": out += "\b"; break;
          case "f": out += "\f"; break;
          case "u": out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 4), 16)); this.i += 4; break;
          case undefined: this.fail(); break;
          default: out += e;
        }
        seg = this.i;
        continue;
      }
      this.i++;
    }
  }
}

/** Compact JSON text of a parsed value (numbers as written). */
export function writeJson(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(writeJson).join(",") + "]";
  if (isNumber(v)) return v.num;
  return "{" + v.obj.map(([k, x]) => JSON.stringify(k) + ":" + writeJson(x)).join(",") + "}";
}
