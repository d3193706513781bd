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

/** SQL text (or a DDL string, or an expression string) that does not parse. */
export class ParseError extends SluiceError {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly text: string,
  ) {
    super("PARSE_SYNTAX_ERROR", formatWithCaret(message, text, line, column));
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

/** Renders `message` followed by the offending line of `text` and a caret under `column` (1-based). */
export function formatWithCaret(message: string, text: string, line: number, column: number): string {
  const lines = text.split(/\r?\n/);
  const src = lines[line - 1] ?? "";
  const caret = " ".repeat(Math.max(0, column - 1)) + "^";
  return `${message} (line ${line}, pos ${column})\n\n== SQL ==\n${src}\n${caret}`;
}
