import {
  CalendarIntervalType, type DataType, type StructField, type StructType, arrayType, mapType, structField, structType,
} from "../types/data-type.js";
import { primitiveTypeFromName } from "../types/ddl.js";
import { TokenCursor } from "./token-cursor.js";

/**
 * Data types inside SQL text (CAST targets, `x::type`, view column lists): the same names as
 * DDL strings (src/types/ddl.ts `primitiveTypeFromName`), plus `interval`.
 */
export class TypeParser extends TokenCursor {
  dataType(): DataType {
    const t = this.peek();
    if (t.type !== "ident") this.fail(t, "a data type");
    this.next();
    const name = t.upper;
    if (name === "ARRAY" && this.isOp("<")) {
      this.next();
      const el = this.dataType();
      this.closeAngle();
      return arrayType(el, true);
    }
    if (name === "MAP" && this.isOp("<")) {
      this.next();
      const k = this.dataType();
      this.expectOp(",");
      const v = this.dataType();
      this.closeAngle();
      return mapType(k, v, true);
    }
    if (name === "STRUCT" && this.isOp("<")) {
      this.next();
      const fields: StructField[] = [];
      if (!this.isOp(">")) {
        do {
          const fname = this.fieldName();
          this.acceptOp(":");
          fields.push(this.fieldRest(fname));
        } while (this.acceptOp(","));
      }
      this.closeAngle();
      return structType(fields);
    }
    if (name === "INTERVAL") return CalendarIntervalType;
    const params: number[] = [];
    if (this.acceptOp("(")) {
      do {
        const n = this.peek();
        if (n.type !== "number" || !/^\d+$/.test(n.text)) this.fail(n, `a number in the parameters of ${t.text}`);
        this.next();
        params.push(Number(n.text));
      } while (this.acceptOp(","));
      this.expectOp(")");
    }
    const dt = primitiveTypeFromName(name, params);
    if (!dt) throw this.errorAt(t, `Unsupported data type '${t.text}${params.length ? `(${params.join(",")})` : ""}'.`);
    return dt;
  }

  /** `name type [NOT NULL] [COMMENT '...'], ...` as in `CREATE TEMP VIEW v (a INT, b STRING) USING ...`. */
  columnDefinitions(): StructType {
    const fields: StructField[] = [];
    do fields.push(this.fieldRest(this.fieldName()));
    while (this.acceptOp(","));
    return structType(fields);
  }

  private fieldName(): string {
    const t = this.peek();
    if (t.type !== "ident" && t.type !== "quoted") this.fail(t, "a field name");
    this.next();
    return t.type === "quoted" ? t.value : t.text;
  }

  private fieldRest(name: string): StructField {
    const dt = this.dataType();
    let nullable = true;
    let comment: string | undefined;
    for (;;) {
      if (this.acceptKw("NOT", "NULL")) nullable = false;
      else if (this.acceptKw("COMMENT")) {
        const s = this.peek();
        if (s.type !== "string") this.fail(s, "a string after COMMENT");
        this.next();
        comment = s.value;
      } else break;
    }
    return structField(name, dt, nullable, comment === undefined ? undefined : { comment });
  }

  private closeAngle(): void {
    this.expectOp(">", "'>'");
  }
}
