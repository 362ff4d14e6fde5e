/**
 * Self-contained HTML reports (inline CSS, inline SVG, data: URIs; nothing loaded from elsewhere, no script),
 * their markdown twins, and writing the json/md/html trio atomically.
 */
import * as path from 'path';
import { UserError } from '../util/errors';
import { assertWritable, writeFileAtomic } from '../util/files';
import { escapeXml, formatNumber } from './format';

export type Cell = string | number | null | undefined;

export interface Table {
  columns: string[];
  rows: Cell[][];
  caption?: string;
}

export interface Figure {
  /** An SVG string from ./svg (trusted markup: it is embedded as is). */
  svg: string;
  caption?: string;
}

export interface AudioClip {
  label: string;
  /** WAV bytes (e.g. from src/audio's encodeWav) or their base64 text. */
  wav: Uint8Array | string;
  caption?: string;
}

export interface Section {
  heading: string;
  /**
   * Markdown-ish paragraphs: `code`, **bold**, *italic*, [text](https://…) links; a paragraph whose lines all
   * start with "- " is a bulleted list. Everything else is escaped.
   */
  paragraphs?: string[];
  tables?: Table[];
  figures?: Figure[];
  audio?: AudioClip[];
}

export interface Report {
  title: string;
  subtitle?: string;
  sections: Section[];
  /** A line at the bottom (e.g. the command and version that made it). */
  footer?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/** Inline markdown-ish → HTML (escaped; links only to http(s), relative paths and #anchors). */
export function inlineMarkdown(text: string): string {
  const parts = text.split('`');
  return parts
    .map((part, i) => {
      // Odd parts are inside backticks (an unmatched last backtick is kept literally).
      if (i % 2 === 1 && i < parts.length - 1) return `<code>${escapeXml(part)}</code>`;
      let s = escapeXml(i % 2 === 1 ? '`' + part : part);
      s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, label: string, url: string) =>
        /^(https?:\/\/|#|\.{0,2}\/|[\w.-]+(?:[#?/]|$))/.test(url.replace(/&amp;/g, '&')) ? `<a href="${url}">${label}</a>` : m,
      );
      s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
      s = s.replace(/(^|[^\w*])\*([^*\s][^*]*)\*(?![\w*])/g, '$1<em>$2</em>');
      return s;
    })
    .join('');
}

function paragraphHtml(p: string): string {
  const lines = p.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > 0 && lines.every((l) => /^\s*[-*] /.test(l))) {
    return `<ul>${lines.map((l) => `<li>${inlineMarkdown(l.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`;
  }
  return `<p>${inlineMarkdown(lines.join(' '))}</p>`;
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return '';
  return typeof c === 'number' ? formatNumber(c) : c;
}

/** Columns whose non-empty cells are all numbers: right-aligned in both HTML and markdown. */
function numericColumns(columns: string[], rows: Cell[][]): boolean[] {
  return columns.map((_, j) => {
    let any = false;
    for (const row of rows) {
      const c = row[j];
      if (c === null || c === undefined || c === '') continue;
      if (typeof c !== 'number') return false;
      any = true;
    }
    return any;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// HTML

const CSS = `
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--soft:#f3f4f6;--accent:#3b6fd4;--bg:#f6f7f9}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.6 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}
main{max-width:980px;margin:0 auto;padding:36px 24px 56px}
header.bw-head{padding:0 4px 18px;margin-bottom:8px;border-bottom:1px solid var(--line)}
h1{font-size:28px;line-height:1.25;margin:0;letter-spacing:-.015em;font-weight:700}
.bw-subtitle{margin:6px 0 0;color:var(--muted);font-size:15.5px}
nav.bw-toc{margin:14px 0 0;font-size:13.5px;color:var(--muted)}
nav.bw-toc a{color:var(--accent);text-decoration:none;margin-right:14px;white-space:nowrap}
nav.bw-toc a:hover{text-decoration:underline}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 26px 22px;margin:20px 0;box-shadow:0 1px 2px rgba(16,24,40,.04)}
h2{font-size:19px;line-height:1.3;margin:0 0 12px;font-weight:650;letter-spacing:-.005em}
p{margin:0 0 12px;max-width:72ch}
ul{margin:0 0 12px;padding-left:22px}
a{color:var(--accent)}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:1px 5px;border-radius:4px}
.bw-table{overflow-x:auto;margin:14px 0 18px}
table{border-collapse:collapse;font-size:14px;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:13px;padding-top:8px}
th{text-align:left;font-weight:600;padding:7px 14px;border-bottom:2px solid var(--line);white-space:nowrap}
td{padding:6px 14px;border-bottom:1px solid #eef0f3}
th:first-child,td:first-child{padding-left:2px}
th.num,td.num{text-align:right}
tbody tr:last-child td{border-bottom:none}
tbody tr:hover td{background:#fafbfc}
figure{margin:18px 0 20px}
figure svg{display:block;max-width:100%;height:auto;border:1px solid #eef0f3;border-radius:8px}
figcaption{color:var(--muted);font-size:13.5px;margin-top:8px;max-width:80ch}
.bw-audio-list{display:grid;grid-template-columns:repeat(auto-fill,minmax(290px,1fr));gap:12px;margin:14px 0 6px}
.bw-audio{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fcfcfd}
.bw-audio-label{font-weight:600;font-size:14px;margin-bottom:6px}
.bw-audio audio{width:100%;height:36px;display:block}
.bw-audio-caption{color:var(--muted);font-size:12.5px;margin-top:4px}
footer{color:var(--muted);font-size:12.5px;padding:8px 4px}
@media print{body{background:#fff}section{box-shadow:none;break-inside:avoid}}
`.trim();

function slug(s: string, i: number): string {
  const base = s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `s${i + 1}${base ? '-' + base.slice(0, 40) : ''}`;
}

function tableHtml(t: Table): string {
  const num = numericColumns(t.columns, t.rows);
  const cls = (j: number) => (num[j] ? ' class="num"' : '');
  const head = t.columns.map((c, j) => `<th${cls(j)}>${escapeXml(c)}</th>`).join('');
  const body = t.rows
    .map((row) => `<tr>${t.columns.map((_, j) => `<td${cls(j)}>${escapeXml(cellText(row[j]))}</td>`).join('')}</tr>`)
    .join('\n');
  const caption = t.caption ? `<caption>${inlineMarkdown(t.caption)}</caption>` : '';
  return `<div class="bw-table"><table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** data: URI for WAV bytes or base64 text (a full data: URI is passed through). */
function wavDataUri(wav: Uint8Array | string): string {
  if (typeof wav === 'string') {
    if (wav.startsWith('data:')) return wav;
    const b64 = wav.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new UserError('audio: wav is neither bytes nor base64 text');
    return `data:audio/wav;base64,${b64}`;
  }
  return `data:audio/wav;base64,${Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength).toString('base64')}`;
}

function audioHtml(a: AudioClip): string {
  return (
    `<div class="bw-audio"><div class="bw-audio-label">${escapeXml(a.label)}</div>` +
    `<audio controls preload="metadata" src="${escapeXml(wavDataUri(a.wav))}"></audio>` +
    (a.caption ? `<div class="bw-audio-caption">${inlineMarkdown(a.caption)}</div>` : '') +
    `</div>`
  );
}

function sectionHtml(s: Section, i: number): string {
  const out: string[] = [`<section id="${slug(s.heading, i)}">`, `<h2>${escapeXml(s.heading)}</h2>`];
  for (const p of s.paragraphs ?? []) out.push(paragraphHtml(p));
  for (const t of s.tables ?? []) out.push(tableHtml(t));
  for (const f of s.figures ?? []) {
    out.push(`<figure>${f.svg}${f.caption ? `<figcaption>${inlineMarkdown(f.caption)}</figcaption>` : ''}</figure>`);
  }
  if (s.audio && s.audio.length) out.push(`<div class="bw-audio-list">${s.audio.map(audioHtml).join('')}</div>`);
  out.push('</section>');
  return out.join('\n');
}

/** One self-contained HTML page: inline CSS, inline SVG figures, audio as data: URIs; no script, no fetches. */
export function renderReport(report: Report): string {
  const toc =
    report.sections.length > 2
      ? `<nav class="bw-toc">${report.sections
          .map((s, i) => `<a href="#${slug(s.heading, i)}">${escapeXml(s.heading)}</a>`)
          .join('')}</nav>`
      : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src data:">`,
    `<title>${escapeXml(report.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header class="bw-head"><h1>${escapeXml(report.title)}</h1>` +
      (report.subtitle ? `<p class="bw-subtitle">${inlineMarkdown(report.subtitle)}</p>` : '') +
      toc +
      '</header>',
    ...report.sections.map(sectionHtml),
    report.footer ? `<footer>${inlineMarkdown(report.footer)}</footer>` : '',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

function mdCell(c: Cell): string {
  return cellText(c).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured markdown table; numeric columns right-aligned, cells padded so the source reads well. */
export function markdownTable(columns: string[], rows: Cell[][]): string {
  const num = numericColumns(columns, rows);
  const head = columns.map((c) => mdCell(c));
  const body = rows.map((row) => columns.map((_, j) => mdCell(row[j])));
  const w = columns.map((_, j) => Math.max(3, head[j].length, ...body.map((r) => r[j].length)));
  const pad = (s: string, j: number) => (num[j] ? s.padStart(w[j]) : s.padEnd(w[j]));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${w.map((n, j) => (num[j] ? '-'.repeat(n - 1) + ':' : '-'.repeat(n))).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** The markdown twin of a report: the same text and tables; figures and audio by caption/label only. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [`# ${report.title}`, ''];
  if (report.subtitle) out.push(report.subtitle, '');
  for (const s of report.sections) {
    out.push(`## ${s.heading}`, '');
    for (const p of s.paragraphs ?? []) out.push(p, '');
    for (const t of s.tables ?? []) {
      out.push(markdownTable(t.columns, t.rows), '');
      if (t.caption) out.push(`*${t.caption}*`, '');
    }
    (s.figures ?? []).forEach((f, i) => out.push(`*Figure ${i + 1}${f.caption ? `: ${f.caption}` : ''} (see the HTML report).*`, ''));
    for (const a of s.audio ?? []) out.push(`- Audio: ${a.label}${a.caption ? ` (${a.caption})` : ''} (in the HTML report)`);
    if (s.audio && s.audio.length) out.push('');
  }
  if (report.footer) out.push('---', '', report.footer, '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Files

export interface ReportFiles {
  json: string;
  markdown: string;
  html: string;
}

/** JSON with typed arrays as arrays and non-finite numbers as null (JSON has no NaN). */
export function reportJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_k, v) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v),
      2,
    ) + '\n'
  );
}

/** Refuse, before any work, to overwrite an existing report `name` in dir unless forced. */
export function assertReportWritable(dir: string, name: string, force: boolean): void {
  for (const ext of ['json', 'md', 'html']) assertWritable(path.join(dir, `${name}.${ext}`), force);
}

/**
 * Write `name.json`, `name.md` and `name.html` into dir, each atomically. `json` may be a value (serialised
 * with reportJson) or text already serialised. Returns the three paths.
 */
export function writeReport(
  dir: string,
  name: string,
  content: { json: unknown; markdown: string; html: string },
): ReportFiles {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new UserError(`report name "${name}" must be letters, digits, '_', '-' or '.', not starting with '.' or '-'`);
  }
  const files: ReportFiles = {
    json: path.join(dir, `${name}.json`),
    markdown: path.join(dir, `${name}.md`),
    html: path.join(dir, `${name}.html`),
  };
  writeFileAtomic(files.json, typeof content.json === 'string' ? content.json : reportJson(content.json));
  writeFileAtomic(files.markdown, content.markdown.endsWith('\n') ? content.markdown : content.markdown + '\n');
  writeFileAtomic(files.html, content.html);
  return files;
}
