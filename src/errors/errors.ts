/**
 * Every error a user can cause is one of these classes. Each message names the thing and
 * where it is (a column, an option, a line of SQL, a file and line).
 */
export class SluiceError extends Error {
  /** A stable, Spark-like error class name, e.g. `UNRESOLVED_COLUMN`. */
  readonly errorClass: string;
  constructor(errorClass: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorClass = errorClass;
    this.name = new.target.name;
  }
}

/** A name, type or shape problem found while resolving a query (Spark's AnalysisException). */
export class AnalysisError extends SluiceError {}

/**
 * SQL text (or a DDL string, or an expression string) that does not parse. `line` and `column`
 * are 1-based; the message shows Spark's 0-based `pos` (see formatWithCaret).
 */
export class ParseError extends SluiceError {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly text: string,
    /** Characters of the offending token (underlined with carets); 0 or unknown: Spark's `^^^`. */
    readonly length = 0,
  ) {
    super("PARSE_SYNTAX_ERROR", formatWithCaret(`[PARSE_SYNTAX_ERROR] ${message}`, text, line, column, length));
  }
}

/** A bad value at run time: an invalid cast under ANSI mode, a division by zero in ANSI mode, ... */
export class ExecutionError extends SluiceError {}

/** A bad option, argument or configuration value. */
export class IllegalArgumentError extends SluiceError {}

/** A file that cannot be read or parsed, with its path and line where known. */
export class FileFormatError extends SluiceError {}

/** An operation that is valid Spark but not on a streaming DataFrame (or vice versa). */
export class StreamingError extends AnalysisError {}

/**
 * Spark's ParseException text: `message(line L, pos P)` with P the 0-based column, then
 * `== SQL ==` and the whole text, the offending line followed by dashes up to the column and
 * carets under the token (`length` of them, cut at the end of the line; three, as Spark prints,
 * when the length is 0 or unknown).
 *
 * @example
 * formatWithCaret("Syntax error at or near 'FROM'.", "SELECT a,\nFROM t", 2, 1, 4)
 * // Syntax error at or near 'FROM'.(line 2, pos 0)
 * //
 * // == SQL ==
 * // SELECT a,
 * // FROM t
 * // ^^^^
 */
export function formatWithCaret(message: string, text: string, line: number, column: number, length = 0): string {
  const lines = text.split(/\r?\n/);
  const pos = Math.max(0, column - 1);
  const rest = (lines[line - 1] ?? "").length - pos;
  const carets = length > 0 ? Math.max(1, Math.min(length, rest)) : 3;
  const marker = "-".repeat(pos) + "^".repeat(carets);
  const sql = [...lines.slice(0, line), marker, ...lines.slice(line)].join("\n");
  return `${message}(line ${line}, pos ${pos})\n\n== SQL ==\n${sql}`;
}
