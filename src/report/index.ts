/** Reports: SVG charts, self-contained HTML, markdown tables, the json/md/html trio, and embedded audio. */
export * from './svg';
export * from './html';
export * from './metrics-curves';
export { encodePng, decodePng, pngDataUri, crc32 } from './png';
export type { PngImage } from './png';
export { PALETTE, seriesColor, colorLut } from './colors';
export type { ColorScale } from './colors';
export { formatNumber, formatTick } from './format';
