import { type LogicalPlan, Plan } from "../plan/logical-plan.js";
import type { StructType } from "../types/data-type.js";
import { QueryParser } from "./query-parser.js";
import { withColumnAliases } from "./relations.js";
import type { ExplainMode, Statement } from "./statement.js";

const EXPLAIN_MODES: Readonly<Record<string, ExplainMode>> = { EXTENDED: "extended", CODEGEN: "codegen", COST: "cost", FORMATTED: "formatted", LOGICAL: "simple" };
const STATEMENT_STARTS = "a statement (SELECT, WITH, VALUES, CREATE, INSERT, EXPLAIN, DESCRIBE, SHOW, SET, RESET, DROP, CACHE, UNCACHE)";

const f = <T extends object>(o: T): T => Object.freeze(o);

/** Statements: queries and the commands a session runs (views, INSERT, EXPLAIN, SET, SHOW, ...). */
export class StatementParser extends QueryParser {
  /** Exactly one statement, an optional `;`, then the end of the text. */
  singleStatement(): Statement {
    const s = this.statement();
    while (this.acceptOp(";"));
    if (!this.atEnd()) this.fail(this.peek(), "the end of the statement");
    return s;
  }

  /** Statements separated by `;` (empty statements skipped). */
  script(): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      while (this.acceptOp(";"));
      if (this.atEnd()) return out;
      out.push(this.statement());
      if (!this.atEnd() && !this.isOp(";")) this.fail(this.peek(), "';' or the end of the statement");
    }
  }

  /** A query and nothing after it (a `;` allowed). */
  singleQuery(): LogicalPlan {
    const t = this.peek();
    if (!(this.startsQuery() || this.isOp("("))) this.fail(t, "a query (SELECT, WITH, VALUES, TABLE or '(')");
    const plan = this.query();
    while (this.acceptOp(";"));
    if (!this.atEnd()) this.fail(this.peek(), "the end of the query");
    return plan;
  }

  /** One expression, optionally named (`a + 1 AS b`), and nothing after it. */
  singleExpression(): ReturnType<QueryParser["namedExpression"]> {
    const e = this.namedExpression();
    if (!this.atEnd()) this.fail(this.peek(), "the end of the expression");
    return e;
  }

  singleDataType(): ReturnType<QueryParser["dataType"]> {
    const t = this.dataType();
    if (!this.atEnd()) this.fail(this.peek(), "the end of the data type");
    return t;
  }

  statement(): Statement {
    const t = this.peek();
    if (this.startsQuery() || this.isOp("(")) return f({ kind: "Query", plan: this.query() });
    if (t.type === "ident") {
      switch (t.upper) {
        case "CREATE": return this.create();
        case "INSERT": return this.insert();
        case "EXPLAIN": return this.explain();
        case "DROP": return this.drop();
        case "SHOW": return this.show();
        case "DESCRIBE": case "DESC": return this.describe();
        case "SET": return this.set();
        case "RESET": return this.reset();
        case "CACHE": return this.cache();
        case "UNCACHE": return this.uncache();
      }
    }
    this.fail(t, STATEMENT_STARTS);
  }

  private create(): Statement {
    this.expectKw("CREATE");
    const replace = this.acceptKw("OR", "REPLACE");
    const global = this.acceptKw("GLOBAL");
    const temp = this.acceptKw("TEMPORARY") || this.acceptKw("TEMP");
    const viewTok = this.peek();
    if (!this.isKw("VIEW")) this.fail(viewTok, temp ? "VIEW" : "[OR REPLACE] [GLOBAL] TEMPORARY VIEW");
    if (!temp) throw this.errorAt(viewTok, "Only temporary views are supported: write CREATE TEMPORARY VIEW (Sluice has no persistent catalog).");
    this.next();
    const ifNotExists = this.acceptKw("IF", "NOT", "EXISTS");
    const name = this.objectName("a view name");
    let columns: string[] | null = null;
    let schema: StructType | undefined;
    if (this.isOp("(")) {
      if ((this.peek(1).type === "ident" || this.peek(1).type === "quoted") && (this.isOp(",", 2) || this.isOp(")", 2))) columns = this.identifierList();
      else {
        this.next();
        schema = this.columnDefinitions();
        this.expectOp(")", "',' or ')' in the column definitions");
      }
    }
    if (this.acceptKw("USING")) {
      const provider = this.identifier("a data source name after USING").toLowerCase();
      const options = this.acceptKw("OPTIONS") ? this.optionList() : {};
      return f({ kind: "CreateTempViewUsing", name, replace, provider, options, ...(schema ? { schema } : {}) });
    }
    if (schema) this.fail(this.peek(), "USING after column definitions (a view over a query takes column names only)");
    this.expectKw("AS");
    let plan = this.query();
    if (columns) {
      const r = withColumnAliases(plan, columns);
      if (typeof r === "string") throw this.errorAt(viewTok, r);
      plan = r;
    }
    return f({ kind: "CreateView", name, plan, replace, ifNotExists, global });
  }

  /** `( key [=] value, ... )`: keys are dotted names or strings; values strings, numbers, booleans or words. */
  private optionList(): Record<string, string> {
    this.expectOp("(", "'(' after OPTIONS");
    const out: Record<string, string> = {};
    if (this.acceptOp(")")) return out;
    do {
      const k = this.peek();
      let key: string;
      if (k.type === "string") key = this.next().value;
      else if (k.type === "ident" || k.type === "quoted") {
        const parts = [this.next()];
        while (this.isOp(".") && (this.peek(1).type === "ident" || this.peek(1).type === "quoted")) {
          this.next();
          parts.push(this.next());
        }
        key = parts.map((p) => (p.type === "quoted" ? p.value : p.text)).join(".");
      } else this.fail(k, "an option name");
      this.acceptOp("=");
      const v = this.peek();
      let value: string;
      if (v.type === "string") value = this.next().value;
      else if (v.type === "number") value = this.next().text;
      else if (this.isOp("-") && this.peek(1).type === "number") {
        this.next();
        value = "-" + this.next().text;
      } else if (v.type === "ident") value = this.next().text;
      else this.fail(v, `a value for option '${key}'`);
      out[key] = value;
    } while (this.acceptOp(","));
    this.expectOp(")", "',' or ')' in OPTIONS");
    return out;
  }

  private insert(): Statement {
    this.expectKw("INSERT");
    let overwrite = false;
    if (this.acceptKw("OVERWRITE")) overwrite = true;
    else this.expectKw("INTO");
    this.acceptKw("TABLE");
    const table = this.multipartIdentifier("a table name");
    const columns = this.isOp("(") && !this.startsQuery(1) ? this.identifierList() : null;
    const plan = this.query();
    return f({ kind: "InsertInto", table: Object.freeze(table), plan, overwrite, columns: columns ? Object.freeze(columns) : null });
  }

  private explain(): Statement {
    this.expectKw("EXPLAIN");
    const t = this.peek();
    const mode = t.type === "ident" ? EXPLAIN_MODES[t.upper] : undefined;
    if (mode) this.next();
    return f({ kind: "Explain", statement: this.statement(), mode: mode ?? "simple" });
  }

  private drop(): Statement {
    this.expectKw("DROP");
    this.acceptKw("TEMPORARY");
    if (!this.isKw("VIEW")) this.fail(this.peek(), "VIEW (only temporary views can be dropped)");
    this.next();
    const ifExists = this.acceptKw("IF", "EXISTS");
    return f({ kind: "DropView", name: this.objectName("a view name"), ifExists });
  }

  private show(): Statement {
    this.expectKw("SHOW");
    if (this.acceptKw("TABLES") || this.acceptKw("VIEWS")) {
      if (this.acceptKw("FROM") || this.acceptKw("IN")) this.multipartIdentifier("a database name");
      return f({ kind: "ShowTables", pattern: this.likePattern() });
    }
    if (this.isKw("USER") || this.isKw("SYSTEM") || this.isKw("ALL")) this.next();
    if (this.acceptKw("FUNCTIONS")) return f({ kind: "ShowFunctions", pattern: this.likePattern() });
    this.fail(this.peek(), "TABLES or FUNCTIONS after SHOW");
  }

  /** `[LIKE] 'pattern'` or nothing. */
  private likePattern(): string | null {
    const like = this.acceptKw("LIKE");
    if (this.peek().type === "string") return this.next().value;
    if (like) this.fail(this.peek(), "a pattern string after LIKE");
    return null;
  }

  private describe(): Statement {
    this.next();
    if (this.isKw("FUNCTION")) throw this.errorAt(this.peek(), "DESCRIBE FUNCTION is not supported; use SHOW FUNCTIONS.");
    this.acceptKw("QUERY");
    if ((this.startsQuery() && !this.isKw("TABLE")) || this.isOp("(")) return f({ kind: "DescribeQuery", plan: this.query() });
    // DESCRIBE [TABLE] [EXTENDED|FORMATTED] name: the words are options unless they are the name itself.
    while ((this.isKw("TABLE") || this.isKw("EXTENDED") || this.isKw("FORMATTED")) && !this.isOp(".", 1) && !this.atEndOfStatement(1)) this.next();
    const parts = this.multipartIdentifier("a table or view name, or a query");
    return f({ kind: "DescribeQuery", plan: Plan.unresolvedRelation(parts) });
  }

  private atEndOfStatement(k: number): boolean {
    const t = this.peek(k);
    return t.type === "eof" || (t.type === "op" && t.value === ";");
  }

  /** `SET` / `SET key` / `SET key = value`: read as raw text up to `;`, as Spark does. */
  private set(): Statement {
    this.expectKw("SET");
    const raw = this.rawUntilEnd();
    if (raw === "") return f({ kind: "SetConfig", key: null, value: null });
    const eq = raw.indexOf("=");
    if (eq < 0) return f({ kind: "SetConfig", key: unquoteKey(raw), value: null });
    return f({ kind: "SetConfig", key: unquoteKey(raw.slice(0, eq).trim()), value: unquoteValue(raw.slice(eq + 1).trim()) });
  }

  private reset(): Statement {
    this.expectKw("RESET");
    const raw = this.rawUntilEnd();
    return f({ kind: "ResetConfig", key: raw === "" ? null : unquoteKey(raw) });
  }

  /** The source text from here to the next `;` (or the end), trimmed; the tokens in between are skipped. */
  private rawUntilEnd(): string {
    const first = this.peek();
    while (!this.atEnd() && !this.isOp(";")) this.next();
    return this.text.slice(first.start, this.peek().start).trim();
  }

  private cache(): Statement {
    this.expectKw("CACHE");
    const lazy = this.acceptKw("LAZY");
    this.expectKw("TABLE");
    const name = this.objectName("a table name");
    if (this.acceptKw("OPTIONS")) this.optionList();
    let plan: LogicalPlan | null = null;
    if (this.acceptKw("AS") || this.startsQuery() || this.isOp("(")) plan = this.query();
    return f({ kind: "CacheTable", name, plan, lazy });
  }

  private uncache(): Statement {
    this.expectKw("UNCACHE");
    this.expectKw("TABLE");
    const ifExists = this.acceptKw("IF", "EXISTS");
    return f({ kind: "UncacheTable", name: this.objectName("a table name"), ifExists });
  }

  /** A view or table name; parts of a multi-part name are joined with dots (backticked when they contain one). */
  private objectName(expected: string): string {
    return this.multipartIdentifier(expected).map((p) => (p.includes(".") ? "`" + p.replace(/`/g, "``") + "`" : p)).join(".");
  }
}

function unquoteKey(s: string): string {
  return /^`.*`$/.test(s) ? s.slice(1, -1).replace(/``/g, "`") : s;
}

function unquoteValue(s: string): string {
  const m = /^(['"])(.*)\1$/s.exec(s);
  return m ? m[2]! : s;
}
