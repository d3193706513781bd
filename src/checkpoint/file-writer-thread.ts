import { Worker } from "node:worker_threads";
import { atomicWrite, publishTemp, syncDirectoryWith } from "./atomic-file.js";

/** One atomic write (atomicWrite's arguments), as the writer thread receives it. */
interface FileWrite {
  readonly file: string;
  readonly tmp: string;
  readonly data: Uint8Array;
  readonly overwrite: boolean;
  readonly fsync: boolean;
}

type FileWriteReply = { readonly id: number; readonly ok: true; readonly written: boolean } | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

interface Pending {
  resolve(written: boolean): void;
  reject(e: Error): void;
}

/** The thread's program: the source text of atomicWrite and the two functions it calls, run per message. */
const WRITER_SOURCE = `const { parentPort } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
${syncDirectoryWith.toString()}
${publishTemp.toString()}
const atomicWrite = ${atomicWrite.toString()};
parentPort.on("message", (m) => {
  let reply;
  try {
    reply = { id: m.id, ok: true, written: atomicWrite(fs, path, m.file, m.tmp, m.data, m.overwrite, m.fsync) };
  } catch (e) {
    reply = { id: m.id, ok: false, message: String(e && e.message), code: e && e.code };
  }
  parentPort.postMessage(reply);
});`;

/**
 * A thread that writes checkpoint files (atomicWrite: temp file, fsync, rename, directory fsync)
 * while the caller goes on computing. Done with promises on libuv's pool, each of those steps
 * waits for a turn of the event loop, so a write started before a long computation would finish
 * only after it; on this thread it proceeds whatever the main thread does. One thread for the
 * process, started on first use (a streaming query warms it when it starts) and unreferenced
 * while idle.
 */
class FileWriterThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  warm(): void {
    this.ensure();
  }

  /** Resolves with atomicWrite's answer (false: `overwrite` was off and the file exists). */
  write(w: FileWrite): Promise<boolean> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<boolean>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced while a write is in flight: the process must not exit under it.
      worker.ref();
      worker.postMessage({ id, ...w });
    });
  }

  private ensure(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(WRITER_SOURCE, { eval: true });
    worker.on("message", (r: FileWriteReply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if (p === undefined) return;
      if (r.ok) p.resolve(r.written);
      else p.reject(Object.assign(new Error(r.message), r.code === undefined ? {} : { code: r.code }));
    });
    const fail = (why: Error): void => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(new Error(`The checkpoint file writer thread stopped: ${why.message}`, { cause: why }));
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

export const fileWriterThread = new FileWriterThread();
