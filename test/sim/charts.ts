// The two charts of a run: traffic (offered, admitted, refused; the event's focus against its
// limit) and load (calls per second at the busiest object of each kind against the budget).
import type { Figures } from './figures';
import { type Chart, lineChart, type Series } from './svg';
import type { RunData } from './world';

/** Per-second rates over sliding 1 s windows, stepped every 100 ms. */
function perSecond(bins: ArrayLike<number>): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < bins.length - 1; i++) {
    sum += bins[i] as number;
    if (i >= 10) sum -= bins[i - 10] as number;
    out.push(i >= 9 ? sum : (sum * 10) / (i + 1));
  }
  return out;
}

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2'];

export function charts(run: RunData, f: Figures): Record<string, string> {
  const t = run.timeline;
  const traffic: Series[] = [
    { name: 'offered req/s', color: '#94a3b8', values: perSecond(t.offered) },
    { name: 'admitted', color: COLORS[1] as string, values: perSecond(t.admitted) },
    { name: 'refused', color: COLORS[2] as string, values: perSecond(t.refused) },
    { name: 'false refusals', color: COLORS[4] as string, values: perSecond(t.falseRefused) },
    { name: 'errors', color: COLORS[3] as string, values: perSecond(t.errors) },
  ];
  const out: Record<string, string> = {
    traffic: lineChart({
      title: `${f.scenario}: requests`,
      yLabel: 'requests / s',
      step: 0.1,
      series: traffic,
    }),
  };
  if (run.focus.kind !== 'none') {
    const focus: Chart = {
      title: `${f.scenario}: ${run.focus.label}`,
      yLabel: 'requests / s',
      step: 0.1,
      series: [
        { name: 'offered', color: '#94a3b8', values: perSecond(t.focusOffered) },
        { name: 'admitted', color: COLORS[1] as string, values: perSecond(t.focusAdmitted) },
      ],
      lines: run.focus.limitRate
        ? [{ name: 'limit (rpm / 60)', y: run.focus.limitRate, color: '#dc2626' }]
        : [],
    };
    out['focus'] = lineChart(focus);
  }
  const objects = new Map([...run.governors.values()].map((g) => [g.obj.id, g.obj]));
  for (const e of run.epochs) objects.set(e.id, e);
  const load: Series[] = f.busiestByLevel.map((o, i) => ({
    name: `${o.level} ${o.id}`,
    color: COLORS[i % COLORS.length] as string,
    values: perSecond(objects.get(o.id)?.bins ?? []),
  }));
  out['load'] = lineChart({
    title: `${f.scenario}: calls per second at the busiest object of each kind`,
    yLabel: 'calls / s',
    step: 0.1,
    series: load,
    lines: [{ name: `budget ${f.budgetPerS}/s`, y: f.budgetPerS, color: '#000' }],
  });
  return out;
}
