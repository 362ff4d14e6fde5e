/** Shared pieces of the command modules. */
import { oneLine, UserError } from '../util/errors';

export interface GlobalArgs {
  verbose?: boolean;
}

/** Report an error as one line on stderr (stack only with --verbose) and set a non-zero exit code. */
export function reportError(err: unknown, verbose: boolean): void {
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  const prefix = err instanceof UserError ? 'binwave: ' : 'binwave: internal error: ';
  process.stderr.write(`${prefix}${oneLine(err)}\n`);
  process.exitCode = 1;
}

/** Wrap a command handler so every failure ends as one line and exit code 1. */
export function handler<A extends GlobalArgs>(fn: (args: A) => Promise<void> | void): (args: A) => Promise<void> {
  return async (args: A) => {
    try {
      await fn(args);
    } catch (err) {
      reportError(err, Boolean(args.verbose));
    }
  };
}

/** Parse "16,64,256" into numbers, naming the flag on error. */
export function parseNumberList(flag: string, value: string | number | (string | number)[]): number[] {
  const parts = Array.isArray(value) ? value.flatMap((v) => String(v).split(',')) : String(value).split(',');
  return parts.filter((p) => p.trim() !== '').map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n)) throw new UserError(`--${flag}: "${p}" is not a number`);
    return n;
  });
}
