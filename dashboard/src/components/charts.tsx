// Charts. Time series are uPlot (canvas, ~50 kB, fast at tens of thousands of points); stacked bars
// are drawn as cumulative series, largest first, so each visible band is one series' share while
// the legend shows that series' own value. Distributions and gauges are plain SVG/CSS.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar } from '../theme';

export const palette = [
  '#4f7cff',
  '#f0883e',
  '#3fb950',
  '#d2a8ff',
  '#f85149',
  '#39c5cf',
  '#e3b341',
  '#8b949e',
];

export interface StackSeries {
  label: string;
  values: number[];
}

export function StackedBars({
  days,
  series,
  format,
  label,
  dayLabel,
  theme,
}: {
  dayLabel: string;
  days: string[];
  series: StackSeries[];
  format: (v: number) => string;
  label: string;
  theme: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the colours come from CSS variables, so a theme change redraws
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const x = days.map((_, i) => i);
    const cumulative = series.map((_, i) =>
      days.map((__, d) => series.slice(i).reduce((sum, s) => sum + (s.values[d] ?? 0), 0)),
    );
    const text = cssVar('--muted');
    const grid = cssVar('--border');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const bars = uPlot.paths.bars?.({ size: [0.7, 48] });
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: 240,
      scales: {
        x: { time: false, range: [-0.5, Math.max(days.length - 0.5, 0.5)] },
        // Bars start at zero; an empty range still shows an axis.
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        {
          ...axis,
          values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (days[i]?.slice(5) ?? '') : '')),
        },
        {
          ...axis,
          values: (_u, splits) => splits.map((v) => format(v)),
          // Wide enough for the longest label (money has up to six decimals).
          size: (_u, values) => 16 + 7.5 * Math.max(3, ...(values ?? []).map((v) => String(v).length)),
        },
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: dayLabel, value: (_u, i) => (i === null ? '' : (days[i] ?? '')) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: palette[i % palette.length],
          fill: palette[i % palette.length],
          width: 0,
          paths: bars,
          points: { show: false },
          value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) =>
            idx === null ? '' : format(s.values[idx] ?? 0),
        })),
      ],
    };
    const plot = new uPlot(opts, [x, ...cumulative], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 240 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days, series, format, theme, dayLabel]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}

/** Horizontal share bars: a distribution at a glance, with the figure beside each bar. */
export function ShareBars({
  rows,
  label,
}: {
  rows: { key: string; share: number; text: string }[];
  label: string;
}) {
  return (
    <ul className="share-bars" aria-label={label}>
      {rows.map((r, i) => (
        <li key={r.key}>
          <span className="share-key">{r.key}</span>
          <span className="share-track">
            <span
              className="share-fill"
              style={{ width: `${Math.min(100, r.share * 100)}%`, background: palette[i % palette.length] }}
            />
          </span>
          <span className="share-text">{r.text}</span>
        </li>
      ))}
    </ul>
  );
}

/** A half-ring gauge for "used of limit". */
export function Gauge({ percent, title, detail }: { percent: number | null; title: string; detail: string }) {
  const p = percent === null ? 0 : Math.max(0, Math.min(100, percent));
  const r = 40;
  const half = Math.PI * r;
  const level = p >= 90 ? 'bad' : p >= 70 ? 'warn' : 'good';
  return (
    <figure className={`gauge ${level}`}>
      <meter className="visually-hidden" min={0} max={100} value={p} aria-label={title} />
      <svg viewBox="0 0 100 56" aria-hidden="true">
        <path d="M10 50 A40 40 0 0 1 90 50" className="gauge-track" />
        <path
          d="M10 50 A40 40 0 0 1 90 50"
          className="gauge-fill"
          strokeDasharray={`${(p / 100) * half} ${half}`}
          visibility={p > 0 ? 'visible' : 'hidden'}
        />
        <text x="50" y="48" textAnchor="middle">
          {percent === null ? '—' : `${percent}%`}
        </text>
      </svg>
      <figcaption>
        <strong>{title}</strong>
        <span>{detail}</span>
      </figcaption>
    </figure>
  );
}
