import { DatetimeCodec } from "../files/datetime-codec.js";
import { FileOptions } from "../files/file-options.js";
import { type ParseMode, corruptColumnName, parseMode } from "../files/parse-mode.js";
import type { NumberWords } from "../files/text-value.js";

/** Spark's CSV options (read and write), read once per file. */
export interface CsvOptions {
  readonly sep: string;
  readonly quote: string;
  readonly escape: string;
  readonly comment: string;
  readonly header: boolean;
  readonly inferSchema: boolean;
  readonly enforceSchema: boolean;
  readonly samplingRatio: number;
  readonly ignoreLeadingWhiteSpace: boolean;
  readonly ignoreTrailingWhiteSpace: boolean;
  readonly nullValue: string;
  readonly emptyValue: string;
  readonly words: NumberWords;
  readonly multiLine: boolean;
  readonly lineSep: string | undefined;
  readonly mode: ParseMode;
  readonly corruptColumn: string;
  readonly quoteAll: boolean;
  readonly escapeQuotes: boolean;
  readonly preferDate: boolean;
  readonly encoding: BufferEncoding;
  readonly datetime: DatetimeCodec;
}

export function csvOptions(options: Readonly<Record<string, string>>, timeZone: string, forWrite = false): CsvOptions {
  const o = new FileOptions(options);
  const sepName = o.has("sep") ? "sep" : "delimiter";
  return {
    sep: o.char(sepName, ","),
    quote: o.char("quote", '"', true),
    escape: o.char("escape", "\\"),
    comment: o.char("comment", "", true),
    header: o.bool("header", false),
    inferSchema: o.bool("inferSchema", false),
    enforceSchema: o.bool("enforceSchema", true),
    samplingRatio: o.number("samplingRatio", 1),
    ignoreLeadingWhiteSpace: o.bool("ignoreLeadingWhiteSpace", forWrite),
    ignoreTrailingWhiteSpace: o.bool("ignoreTrailingWhiteSpace", forWrite),
    nullValue: o.string("nullValue", ""),
    emptyValue: o.string("emptyValue", forWrite ? '""' : ""),
    words: { nanValue: o.string("nanValue", "NaN"), positiveInf: o.string("positiveInf", "Inf"), negativeInf: o.string("negativeInf", "-Inf") },
    multiLine: o.bool("multiLine", false),
    lineSep: o.get("lineSep"),
    mode: parseMode(o),
    corruptColumn: corruptColumnName(o),
    quoteAll: o.bool("quoteAll", false),
    escapeQuotes: o.bool("escapeQuotes", true),
    preferDate: o.bool("preferDate", true),
    encoding: (o.get("encoding") ?? o.get("charset") ?? "utf8").toLowerCase().replace("-", "") as BufferEncoding,
    datetime: new DatetimeCodec(o.get("timestampFormat"), o.get("dateFormat"), o.get("timeZone") ?? timeZone),
  };
}
