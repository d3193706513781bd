import { DatetimeCodec } from "../files/datetime-codec.js";
import { FileOptions } from "../files/file-options.js";
import { type ParseMode, corruptColumnName, parseMode } from "../files/parse-mode.js";
import type { JsonSyntax } from "./json-text-parser.js";

/** Spark's JSON options, read once per file. */
export interface JsonOptions {
  readonly multiLine: boolean;
  readonly mode: ParseMode;
  readonly corruptColumn: string;
  readonly primitivesAsString: boolean;
  readonly prefersDecimal: boolean;
  readonly inferTimestamp: boolean;
  readonly dropFieldIfAllNull: boolean;
  readonly samplingRatio: number;
  readonly ignoreNullFields: boolean;
  readonly lineSep: string | undefined;
  readonly encoding: BufferEncoding;
  readonly syntax: JsonSyntax;
  /** True when some syntax option asks for more than JSON.parse accepts. */
  readonly lenient: boolean;
  readonly datetime: DatetimeCodec;
}

export function jsonOptions(options: Readonly<Record<string, string>>, timeZone: string): JsonOptions {
  const o = new FileOptions(options);
  const syntax: JsonSyntax = {
    allowComments: o.bool("allowComments", false),
    allowSingleQuotes: o.bool("allowSingleQuotes", true),
    allowUnquotedFieldNames: o.bool("allowUnquotedFieldNames", false),
    allowNonNumericNumbers: o.bool("allowNonNumericNumbers", true),
    allowNumericLeadingZeros: o.bool("allowNumericLeadingZeros", false),
    allowBackslashEscapingAnyCharacter: o.bool("allowBackslashEscapingAnyCharacter", false),
  };
  return {
    multiLine: o.bool("multiLine", false),
    mode: parseMode(o),
    corruptColumn: corruptColumnName(o),
    primitivesAsString: o.bool("primitivesAsString", false),
    prefersDecimal: o.bool("prefersDecimal", false),
    inferTimestamp: o.bool("inferTimestamp", false),
    dropFieldIfAllNull: o.bool("dropFieldIfAllNull", false),
    samplingRatio: o.number("samplingRatio", 1),
    ignoreNullFields: o.bool("ignoreNullFields", true),
    lineSep: o.get("lineSep"),
    encoding: (o.get("encoding") ?? o.get("charset") ?? "utf8").toLowerCase().replace("-", "") as BufferEncoding,
    syntax,
    lenient: Object.values(syntax).some((v) => v),
    datetime: new DatetimeCodec(o.get("timestampFormat"), o.get("dateFormat"), o.get("timeZone") ?? timeZone),
  };
}
