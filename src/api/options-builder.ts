/** A value given to `.option(key, value)`; kept as its text, as Spark does. */
export type OptionValue = string | number | boolean;

/**
 * The `format` / `option` / `options` part shared by spark.read, df.write (and the streaming
 * reader and writer): a source or sink name, lower-cased, and string options, a later call
 * for the same key winning.
 */
export abstract class OptionsBuilder {
  protected readonly opts: Record<string, string> = {};

  constructor(protected fmt: string) {}

  format(source: string): this {
    this.fmt = source.toLowerCase();
    return this;
  }
  option(key: string, value: OptionValue): this {
    this.opts[key] = String(value);
    return this;
  }
  options(options: Record<string, OptionValue>): this {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this;
  }
}
