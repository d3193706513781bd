/**
 * Tokens of Spark SQL text. Keywords are not a separate kind: a bare word is an `ident` and the
 * parser decides from context whether it is a keyword (most Spark keywords are non-reserved,
 * so `window`, `date`, `key` or `count` still work as names).
 */
export type TokenType =
  /** A bare word: `select`, `a`, `window`. `upper` holds its upper-case spelling. */
  | "ident"
  /** A `backticked` identifier; `value` is the name with `` `` `` unescaped. */
  | "quoted"
  /** '...' or "..." (escapes resolved into `value`); adjacent literals are not merged here. */
  | "string"
  /** X'CAFE': `value` holds the hex digits. */
  | "hex"
  /** 12, 1.5, .5e3, 10L, 1.2BD: `value` is the raw text. */
  | "number"
  /** Punctuation and operators: ( ) , . ; = <=> || :: -> ... */
  | "op"
  /** An optimizer hint comment `/*+ ... *\/`; `value` holds the text between the markers. Kept out of the token stream. */
  | "hint"
  | "eof"
  /** A character or construct the lexer rejects; `value` holds the message. */
  | "error";

export interface Token {
  readonly type: TokenType;
  /** The exact source text of the token. */
  readonly text: string;
  /** Unescaped value (names, string contents), the operator, or an error message. */
  readonly value: string;
  /** Upper-case spelling of a bare word (for keyword checks); "" for other tokens. */
  readonly upper: string;
  /** 0-based offsets into the source text. */
  readonly start: number;
  readonly end: number;
  /** 1-based line and column of `start`. */
  readonly line: number;
  readonly column: number;
}

/** The result of lexing: the tokens (ending with `eof`) and the optimizer hints found, by the index of the token that follows each. */
export interface TokenList {
  readonly text: string;
  readonly tokens: readonly Token[];
  readonly hints: ReadonlyMap<number, readonly Token[]>;
}
