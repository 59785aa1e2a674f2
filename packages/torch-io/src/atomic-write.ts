/** Writes a file so readers see either the old file or the whole new one: temp file beside it, then rename. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';

export function writeChunksAtomic(file: string, chunks: Iterable<Uint8Array>): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w');
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new Error(`${file}: cannot write: ${(error as Error).message}`);
  }
}

/** `writeChunksAtomic` for one string or byte array, creating the folder if needed. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeChunksAtomic(file, [typeof data === 'string' ? Buffer.from(data, 'utf8') : data]);
}
