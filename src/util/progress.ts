/**
 * A progress bar on stderr with rate and ETA. On a terminal it redraws one line; elsewhere (CI, pipes) it
 * prints a plain line at most every `logEverySec` seconds so logs stay readable.
 */
export interface ProgressOptions {
  total: number;
  label: string;
  unit?: string;
  logEverySec?: number;
  stream?: NodeJS.WriteStream;
  silent?: boolean;
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '--:--';
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(r).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M`;
  if (perSec >= 1e4) return `${(perSec / 1e3).toFixed(1)}k`;
  return perSec.toFixed(perSec >= 100 ? 0 : 1);
}

export class Progress {
  private readonly start = Date.now();
  private lastLog = 0;
  private done = 0;
  private lastRendered = -1;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
  }

  /** Change the total when it is only estimated (e.g. a time-bounded run). */
  setTotal(total: number): void {
    this.opts.total = total;
  }

  /** Set the absolute amount done; `extra` is shown after the bar (loss, etc.). */
  update(done: number, extra = ''): void {
    this.done = done;
    if (this.opts.silent) return;
    const now = Date.now();
    const every = (this.opts.logEverySec ?? 10) * 1000;
    if (!this.tty && now - this.lastLog < every && done < this.opts.total) return;
    if (this.tty && now - this.lastLog < 100 && done < this.opts.total) return;
    this.lastLog = now;
    this.lastRendered = done;
    const line = this.render(extra);
    if (this.tty) this.stream.write(`\r${line}\x1b[K`);
    else this.stream.write(`${line}\n`);
  }

  render(extra = ''): string {
    const { total, label } = this.opts;
    const unit = this.opts.unit ?? 'it';
    const frac = total > 0 ? Math.min(1, this.done / total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const elapsed = (Date.now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? (total - this.done) / rate : Infinity;
    const pct = (frac * 100).toFixed(0).padStart(3);
    return `${label} ${bar} ${pct}% ${this.done}/${total} ${formatRate(rate)} ${unit}/s ` +
      `${formatDuration(elapsed)}<${formatDuration(eta)}${extra ? ' ' + extra : ''}`;
  }

  finish(extra = ''): void {
    if (this.opts.silent) return;
    if (!this.tty && this.lastRendered === this.done && !extra) return; // the last log line already says it
    this.lastLog = 0;
    const line = this.render(extra);
    if (this.tty) this.stream.write(`\r${line}\x1b[K\n`);
    else this.stream.write(`${line}\n`);
  }
}
