/** Small file-system helpers: never overwrite without --force, and write atomically. */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from './errors';

/** Refuse to overwrite an existing file unless forced. */
export function assertWritable(file: string, force: boolean): void {
  if (!force && fs.existsSync(file)) {
    throw new UserError(`${file}: already exists (use --force to overwrite)`);
  }
}

/** Write via a temporary file in the same folder and rename: readers never see a half-written file. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
