// Line charts as standalone SVG (no dependency): a few series over simulated time, optional
// horizontal reference lines (a budget, a limit), linear axes with round ticks.
export interface Series {
  name: string;
  color: string;
  /** y per x step. */
  values: number[];
}

export interface Chart {
  title: string;
  yLabel: string;
  /** Seconds per value. */
  step: number;
  series: Series[];
  lines?: { name: string; y: number; color: string }[];
}

const W = 720;
const H = 300;
const PAD = { left: 64, right: 16, top: 36, bottom: 56 };

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (v >= 1_000_000 ? `${v / 1_000_000}M` : v >= 1_000 ? `${v / 1_000}k` : `${v}`);

export function lineChart(c: Chart): string {
  const n = Math.max(...c.series.map((s) => s.values.length), 2);
  const maxY = Math.max(1, ...c.series.flatMap((s) => s.values), ...(c.lines ?? []).map((l) => l.y)) * 1.08;
  const yStep = niceStep(maxY, 5);
  const top = Math.ceil(maxY / yStep) * yStep;
  const xs = (i: number) => PAD.left + (i / (n - 1)) * (W - PAD.left - PAD.right);
  const ys = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11" role="img">`,
    `<title>${esc(c.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="20" font-size="13" font-weight="600">${esc(c.title)}</text>`,
  ];
  for (let v = 0; v <= top + 1e-9; v += yStep) {
    const y = ys(v).toFixed(1);
    out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(
      `<text x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(v)}</text>`,
    );
  }
  const seconds = (n - 1) * c.step;
  const xStep = niceStep(seconds, 8);
  for (let t = 0; t <= seconds + 1e-9; t += xStep) {
    const x = xs(t / c.step).toFixed(1);
    out.push(`<text x="${x}" y="${H - PAD.bottom + 16}" text-anchor="middle">${t}s</text>`);
  }
  out.push(
    `<text transform="translate(14 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`,
  );
  for (const l of c.lines ?? []) {
    const y = ys(l.y).toFixed(1);
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="${l.color}" stroke-dasharray="6 4"/>`,
    );
  }
  for (const s of c.series) {
    const pts = s.values.map((v, i) => `${xs(i).toFixed(1)},${ys(v).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/>`);
  }
  const legend = [
    ...c.series.map((s) => ({ name: s.name, color: s.color, dash: false })),
    ...(c.lines ?? []).map((l) => ({ name: l.name, color: l.color, dash: true })),
  ];
  let lx = PAD.left;
  for (const item of legend) {
    const y = H - 14;
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="2"${item.dash ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${lx + 22}" y="${y}" dominant-baseline="middle">${esc(item.name)}</text>`);
    lx += Math.round(30 + item.name.length * 6.2);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
