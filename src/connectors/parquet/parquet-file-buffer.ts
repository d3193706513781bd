import * as fs from "node:fs";
import type { AsyncBuffer } from "hyparquet";

/** A local file as hyparquet's AsyncBuffer: byte ranges are read on demand, not the whole file. */
export interface FileBuffer extends AsyncBuffer {
  close(): void;
}

export function openFileBuffer(path: string): FileBuffer {
  const fd = fs.openSync(path, "r");
  const byteLength = fs.fstatSync(fd).size;
  return {
    byteLength,
    slice(start: number, end?: number): ArrayBuffer {
      const stop = Math.min(end ?? byteLength, byteLength);
      const buf = new Uint8Array(new ArrayBuffer(Math.max(0, stop - start)));
      let off = 0;
      while (off < buf.length) {
        const n = fs.readSync(fd, buf, off, buf.length - off, start + off);
        if (n === 0) break;
        off += n;
      }
      return buf.buffer;
    },
    close(): void {
      fs.closeSync(fd);
    },
  };
}
