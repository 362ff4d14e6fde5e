/**
 * Finding WAV files and reading many of them. A corpus always has a few bad files: they become problems
 * ({file, reason}) that the caller reports, not crashes, unless strict mode asks for the first one to be fatal.
 */
import * as fs from 'fs';
import * as path from 'path';
import { oneLine, UserError } from '../util/errors';

export interface Problem {
  file: string;
  reason: string;
}

const isWav = (name: string) => /\.wav$/i.test(name);

/** All .wav files (any case) under dir, recursively, sorted; a single file path is accepted as is. */
export function scanWavFolder(dir: string): { files: string[]; problems: Problem[] } {
  const files: string[] = [];
  const problems: Problem[] = [];
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${dir}: ${code === 'ENOENT' ? 'no such file or folder' : oneLine(err)}`);
  }
  if (!st.isDirectory()) return { files: [dir], problems };
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ file: d, reason: code === 'EACCES' ? 'folder not readable (permission denied)' : oneLine(err) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(d, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const t = fs.statSync(p);
          isDir = t.isDirectory();
          isFile = t.isFile();
        } catch {
          if (isWav(e.name)) problems.push({ file: p, reason: 'broken symbolic link' });
          continue;
        }
      }
      if (isDir) walk(p);
      else if (isFile && isWav(e.name)) files.push(p);
    }
  };
  walk(dir);
  files.sort();
  return { files, problems };
}

export interface ReadAllResult<T> {
  items: { file: string; value: T }[];
  problems: Problem[];
}

/** Apply loader to every file, collecting failures as problems; strict makes the first failure throw. */
export function readAll<T>(
  files: string[], loader: (file: string) => T, opts: { strict?: boolean } = {},
): ReadAllResult<T> {
  const items: { file: string; value: T }[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    try {
      items.push({ file, value: loader(file) });
    } catch (err) {
      if (opts.strict) throw err instanceof UserError ? err : new UserError(`${file}: ${oneLine(err)}`);
      // Loader messages already start with the file name; keep only the reason.
      const msg = oneLine(err);
      problems.push({ file, reason: msg.startsWith(`${file}: `) ? msg.slice(file.length + 2) : msg });
    }
  }
  return { items, problems };
}
