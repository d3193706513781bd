import { ParseError } from "../errors/errors.js";
import { RESERVED, suggestKeyword } from "./keywords.js";
import type { Token, TokenList } from "./token.js";

/**
 * Reading position over a token list, with the checks every parser layer uses and the one way
 * syntax errors are raised: `Syntax error at or near 'X': expected Y.` with line, column and caret.
 */
export class TokenCursor {
  protected readonly text: string;
  protected readonly toks: readonly Token[];
  protected readonly hintsAt: ReadonlyMap<number, readonly Token[]>;
  protected pos = 0;
  /** The last word read as an implicit alias (`SELECT a FORM t`): named in errors when it looks like a misspelled keyword. */
  protected lastImplicitAlias: Token | null = null;

  constructor(list: TokenList) {
    this.text = list.text;
    this.toks = list.tokens;
    this.hintsAt = list.hints;
  }

  protected peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)]!;
  }
  protected next(): Token {
    const t = this.toks[this.pos]!;
    if (t.type !== "eof") this.pos++;
    return t;
  }
  protected atEnd(): boolean {
    return this.peek().type === "eof";
  }

  /** True when the token `k` ahead is the bare word `word` (upper case). */
  protected isKw(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === "ident" && t.upper === word;
  }
  /** Consumes the words in sequence when all are next; otherwise consumes nothing. */
  protected acceptKw(...words: string[]): boolean {
    for (let i = 0; i < words.length; i++) if (!this.isKw(words[i]!, i)) return false;
    this.pos += words.length;
    return true;
  }
  protected expectKw(...words: string[]): Token {
    const first = this.peek();
    for (const w of words) {
      if (!this.isKw(w)) this.fail(this.peek(), words.join(" "));
      this.next();
    }
    return first;
  }
  protected isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === "op" && t.value === op;
  }
  protected acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.pos++;
    return true;
  }
  protected expectOp(op: string, expected = `'${op}'`): Token {
    const t = this.peek();
    if (!this.isOp(op)) this.fail(t, expected);
    return this.next();
  }

  /** True when the next token can be read as a name: a backticked word, or a bare word that is not reserved. */
  protected isIdentifier(k = 0): boolean {
    const t = this.peek(k);
    return t.type === "quoted" || (t.type === "ident" && !RESERVED.has(t.upper));
  }
  protected identifier(expected = "an identifier"): string {
    const t = this.peek();
    if (!this.isIdentifier()) this.fail(t, expected);
    this.next();
    return t.type === "quoted" ? t.value : t.text;
  }
  /**
   * A name where nothing else can stand (after `AS`, in a column list `t(a, b)`, a CTE name): any
   * bare word, as in Spark's default (non-ANSI) mode where keywords are non-reserved there
   * (`AS end`, `AS start`, `AS select`), or a backticked name.
   */
  protected aliasAfterAs(expected = "an alias after AS"): string {
    const t = this.peek();
    if (t.type !== "quoted" && t.type !== "ident") this.fail(t, expected);
    this.next();
    return t.type === "quoted" ? t.value : t.text;
  }
  /** `a.b.c` (each part a name; reserved words are allowed after a dot, as in `t.order`). */
  protected multipartIdentifier(expected = "a name"): string[] {
    const parts = [this.identifier(expected)];
    while (this.isOp(".") && (this.peek(1).type === "ident" || this.peek(1).type === "quoted")) {
      this.next();
      const t = this.next();
      parts.push(t.type === "quoted" ? t.value : t.text);
    }
    return parts;
  }

  /** Throws the syntax error for `tok`: what was found, what was `expected`, and a caret under it. */
  protected fail(tok: Token, expected: string): never {
    if (tok.type === "error") throw this.errorAt(tok, tok.value);
    const found = tok.type === "eof" ? "Syntax error at end of input" : `Syntax error at or near '${tok.text}'`;
    let msg = `${found}: expected ${expected}.`;
    const hint = this.misspellingHint(tok);
    if (hint) msg += ` ${hint}`;
    throw this.errorAt(tok, msg);
  }

  protected errorAt(tok: Token, message: string): ParseError {
    return new ParseError(message, tok.line, tok.column, this.text, tok.end - tok.start);
  }

  private misspellingHint(tok: Token): string | undefined {
    if (tok.type === "ident") {
      const s = suggestKeyword(tok.text);
      if (s) return `Did you mean ${s}?`;
    }
    const alias = this.lastImplicitAlias;
    if (alias && alias.end <= tok.start) {
      const s = suggestKeyword(alias.text);
      if (s) return `'${alias.text}' was read as an alias; did you mean ${s}?`;
    }
    return undefined;
  }
}
