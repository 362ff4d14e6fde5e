/**
 * A problem the user can fix (bad file, bad flag, missing model). The CLI prints its message as one line,
 * without a stack trace unless --verbose; everything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** The message of any thrown value, on one line. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}
