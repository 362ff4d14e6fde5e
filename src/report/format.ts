/** Text helpers shared by the SVG charts, the HTML and the markdown: escaping and number formatting. */

/** Escape text for XML/HTML content and attribute values; drops control characters that XML forbids. */
export function escapeXml(text: unknown): string {
  return String(text)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Strip float noise: 0.30000000000000004 → 0.3. */
function clean(v: number, digits = 12): number {
  return Number(v.toPrecision(digits));
}

/**
 * A number for a table cell: integers as they are (thousands are not grouped, so steps and counts copy
 * cleanly), others with 4 significant digits, very large or small magnitudes in exponent form; NaN as "NaN",
 * ±Infinity as "∞"/"−∞".
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e15) return String(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(clean(v, 4));
}

/** A tick label: as many decimals as the tick step needs, no more. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(1).replace(/\.0e/, 'e').replace('e+', 'e');
  const decimals = step > 0 ? Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9))) : 0;
  const s = clean(v).toFixed(decimals);
  return s === '-0' ? '0' : s.replace(/^-/, '−');
}
