/**
 * Hand-written SVG: one horizontal bar chart per figure, rollcall next to the bare etcd3
 * consumer (or the seeds' approach). No dependency; the files are embedded by docs/benchmarks.md.
 */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Colour class: ours or the comparison. */
  readonly kind: 'rollcall' | 'raw';
}

const ROW = 22;
const LEFT = 210;
const WIDTH = 720;
const COLOURS = { rollcall: '#2f6fba', raw: '#9a9a9a' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1e5) return value.toExponential(1).replace('e+', 'e');
  return String(value);
}

/** A titled bar chart; `log` scales bars by log10 for figures spanning several orders of magnitude. */
export function barChart(title: string, unit: string, bars: readonly Bar[], log = false): string {
  const finite = bars.filter((b) => Number.isFinite(b.value) && b.value > 0);
  const scaled = (v: number): number => (log ? Math.log10(Math.max(1, v)) : v);
  const max = Math.max(1e-9, ...finite.map((b) => scaled(b.value)));
  const span = WIDTH - LEFT - 90;
  const height = 40 + bars.length * ROW + 10;
  const rows = bars.map((bar, i) => {
    const y = 34 + i * ROW;
    const w = Number.isFinite(bar.value) && bar.value > 0 ? Math.max(1, (scaled(bar.value) / max) * span) : 0;
    return [
      `<text x="${LEFT - 8}" y="${y + 14}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${LEFT}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${COLOURS[bar.kind]}"/>`,
      `<text x="${(LEFT + w + 6).toFixed(1)}" y="${y + 14}">${escape(formatValue(bar.value))}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="${WIDTH - 10}" y="20" text-anchor="end" fill="#555">${escape(unit)}${log ? ' (log scale)' : ''}</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
