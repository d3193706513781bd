import { type DateTimeFormat, compileDateTimeFormat } from "../../types/datetime-format.js";
import { isUtc, parseDate, parseTimestamp } from "../../types/datetime.js";
import { MICROS_PER_DAY } from "../../types/interval.js";

const DEFAULT_TIMESTAMP_OUT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

/**
 * Text ↔ date/timestamp for a data source: the user's pattern (see types/datetime-format.ts) when
 * one is given, else Spark's lenient ISO-8601 parsing and the format's default output pattern.
 */
export class DatetimeCodec {
  private readonly tsIn: DateTimeFormat | null;
  private readonly dateIn: DateTimeFormat | null;
  private readonly tsOut: DateTimeFormat;
  private readonly dateOut: DateTimeFormat;
  private readonly utcDefault: boolean;

  constructor(
    timestampFormat: string | undefined,
    dateFormat: string | undefined,
    readonly timeZone: string,
    defaultTimestampOut = DEFAULT_TIMESTAMP_OUT,
  ) {
    this.tsIn = timestampFormat ? compileDateTimeFormat(timestampFormat) : null;
    this.dateIn = dateFormat ? compileDateTimeFormat(dateFormat) : null;
    this.tsOut = this.tsIn ?? compileDateTimeFormat(defaultTimestampOut);
    this.dateOut = this.dateIn ?? compileDateTimeFormat("yyyy-MM-dd");
    this.utcDefault = this.tsIn === null && defaultTimestampOut === DEFAULT_TIMESTAMP_OUT && isUtc(timeZone);
  }

  get hasTimestampFormat(): boolean {
    return this.tsIn !== null;
  }

  get hasDateFormat(): boolean {
    return this.dateIn !== null;
  }

  parseTimestamp(text: string): number | null {
    if (this.tsIn !== null) return this.tsIn.parse(text.trim(), this.timeZone);
    return parseTimestamp(text, this.timeZone);
  }

  /** The date the text names; a zone in the text is ignored, as Spark's data sources do. */
  parseDate(text: string): number | null {
    if (this.dateIn !== null) return this.dateIn.parseLocalDate(text.trim());
    return parseDate(text);
  }

  /** Strict date parse for inference: the pattern, or exactly `yyyy-MM-dd` by default. */
  parseDateStrict(text: string): number | null {
    if (this.dateIn !== null) return this.dateIn.parseLocalDate(text.trim());
    return /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseDate(text) : null;
  }

  formatTimestamp(micros: number): string {
    // Fast path: the default pattern in UTC is exactly Date#toISOString for years 0..9999.
    if (this.utcDefault && micros >= -62167219200e6 && micros < 253402300800e6) return new Date(Math.floor(micros / 1000)).toISOString();
    return this.tsOut.format(micros, this.timeZone);
  }

  formatDate(days: number): string {
    return this.dateOut.format(days * MICROS_PER_DAY, "UTC");
  }
}
