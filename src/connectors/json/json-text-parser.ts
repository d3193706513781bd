import { normalizeLong } from "../../types/long.js";

/** Features beyond strict JSON that Spark's JSON options enable. */
export interface JsonSyntax {
  readonly allowComments: boolean;
  readonly allowSingleQuotes: boolean;
  readonly allowUnquotedFieldNames: boolean;
  readonly allowNonNumericNumbers: boolean;
  readonly allowNumericLeadingZeros: boolean;
  readonly allowBackslashEscapingAnyCharacter: boolean;
}

export class JsonSyntaxError extends Error {}

/** A number with its source text (for schema inference, which tells `1` from `1.0`). */
export class NumberText {
  constructor(readonly text: string) {}
}

/**
 * A JSON parser for the cases JSON.parse cannot handle: integers beyond 2^53 (returned as
 * normalized longs, so no digit is lost), comments, single quotes, unquoted names, NaN/Infinity.
 * Slower than JSON.parse; readers use it only for lines that need it.
 */
export function parseJsonText(text: string, syntax: JsonSyntax, keepNumberText = false): unknown {
  const p = new Parser(text, syntax, keepNumberText);
  p.ws();
  const v = p.value();
  p.ws();
  if (p.pos < text.length) p.fail("unexpected text after the value");
  return v;
}

class Parser {
  pos = 0;
  constructor(
    readonly s: string,
    readonly syn: JsonSyntax,
    readonly keepNumberText: boolean,
  ) {}

  fail(why: string): never {
    throw new JsonSyntaxError(`${why} at position ${this.pos}`);
  }

  ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else if (c === 47 && this.syn.allowComments) {
        const n = s[this.pos + 1];
        if (n === "/") {
          const e = s.indexOf("\n", this.pos);
          this.pos = e < 0 ? s.length : e + 1;
        } else if (n === "*") {
          const e = s.indexOf("*/", this.pos + 2);
          if (e < 0) this.fail("unterminated comment");
          this.pos = e + 2;
        } else return;
      } else if (c === 35 && this.syn.allowComments) {
        const e = s.indexOf("\n", this.pos);
        this.pos = e < 0 ? s.length : e + 1;
      } else return;
    }
  }

  value(): unknown {
    const c = this.s[this.pos];
    switch (c) {
      case "{": return this.object();
      case "[": return this.array();
      case '"': return this.string('"');
      case "'":
        if (!this.syn.allowSingleQuotes) this.fail("single quotes are not allowed");
        return this.string("'");
      case "t": return this.word("true", true);
      case "f": return this.word("false", false);
      case "n": return this.word("null", null);
      case "N": if (this.syn.allowNonNumericNumbers) return this.word("NaN", NaN); return this.fail("unexpected character");
      case "I": if (this.syn.allowNonNumericNumbers) return this.word("Infinity", Infinity); return this.fail("unexpected character");
      default: return this.number();
    }
  }

  word<T>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.pos)) this.fail("unexpected token");
    this.pos += w.length;
    return v;
  }

  object(): Record<string, unknown> {
    this.pos++;
    const o: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.pos] === "}") { this.pos++; return o; }
    for (;;) {
      this.ws();
      const c = this.s[this.pos];
      let key: string;
      if (c === '"') key = this.string('"');
      else if (c === "'" && this.syn.allowSingleQuotes) key = this.string("'");
      else if (this.syn.allowUnquotedFieldNames && c !== undefined && /[A-Za-z_$]/.test(c)) {
        const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.s.slice(this.pos, this.pos + 256))!;
        key = m[0];
        this.pos += key.length;
      } else this.fail("expected a field name");
      this.ws();
      if (this.s[this.pos] !== ":") this.fail("expected ':'");
      this.pos++;
      this.ws();
      o[key] = this.value();
      this.ws();
      const d = this.s[this.pos++];
      if (d === "}") return o;
      if (d !== ",") this.fail("expected ',' or '}'");
    }
  }

  array(): unknown[] {
    this.pos++;
    const a: unknown[] = [];
    this.ws();
    if (this.s[this.pos] === "]") { this.pos++; return a; }
    for (;;) {
      this.ws();
      a.push(this.value());
      this.ws();
      const d = this.s[this.pos++];
      if (d === "]") return a;
      if (d !== ",") this.fail("expected ',' or ']'");
    }
  }

  string(q: string): string {
    const s = this.s;
    let i = this.pos + 1;
    let out = "";
    let start = i;
    for (;;) {
      if (i >= s.length) this.fail("unterminated string");
      const c = s[i]!;
      if (c === q) break;
      if (c === "\\") {
        out += s.slice(start, i);
        const e = s[i + 1];
        switch (e) {
          case '"': out += '"'; break;
          case "'": out += "'"; break;
          case "\\": out += "\\"; break;
          case "/": out += "/"; break;
          case "b": out += "\b"; break;
          case "f": out += "\f"; break;
          case "n": out += "\n"; break;
          case "r": out += "\r"; break;
          case "t": out += "\t"; break;
          case "u": {
            const h = s.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail("bad unicode escape");
            out += String.fromCharCode(parseInt(h, 16));
            i += 4;
            break;
          }
          default:
            if (!this.syn.allowBackslashEscapingAnyCharacter || e === undefined) this.fail("bad escape");
            out += e;
        }
        i += 2;
        start = i;
        continue;
      }
      if (c.charCodeAt(0) < 32 && c !== "\t") this.fail("control character in string");
      i++;
    }
    out += s.slice(start, i);
    this.pos = i + 1;
    return out;
  }

  number(): number | bigint | NumberText {
    const m = /^-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (m === null) {
      if (this.syn.allowNonNumericNumbers) {
        for (const [w, v] of [["-Infinity", -Infinity], ["+Infinity", Infinity], ["+INF", Infinity], ["-INF", -Infinity]] as const) {
          if (this.s.startsWith(w, this.pos)) { this.pos += w.length; return v; }
        }
      }
      this.fail("unexpected character");
    }
    const t = m[0];
    if (!this.syn.allowNumericLeadingZeros && /^-?0\d/.test(t)) this.fail("leading zeros are not allowed");
    this.pos += t.length;
    if (this.keepNumberText) return new NumberText(t);
    // A fraction with more digits than a double holds keeps its text (exact decimals).
    if (!/^-?\d+$/.test(t) && t.replace(/[-.eE+]/g, "").replace(/^0+/, "").length > 15) return new NumberText(t);
    if (/^-?\d+$/.test(t) && t.length > 15) {
      const n = Number(t);
      if (!Number.isSafeInteger(n)) return normalizeLong(BigInt(t));
      return n;
    }
    return Number(t);
  }
}
