import { main } from "./main.js";

/**
 * What `bin/sluice` runs: the CLI with the process's arguments and streams, exiting with its
 * code. A reader that closes the pipe early (`sluice --help | head`) is not an error: the
 * EPIPE on stdout ends the process quietly with status 0 instead of an unhandled 'error' event.
 */
export function runFromProcess(): void {
  exitQuietlyOnEpipe(process.stdout);
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}

/** Ends the process (status 0) when `stream`'s reader has gone away; other stream errors still throw. */
export function exitQuietlyOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}
