// A small line chart in SVG (no chart library): a few series over the last minutes, a grid line at
// the top value, the latest values in the legend.
import { html } from "./html.js";

export interface Series {
  label: string;
  color: string;
  values: number[];
}

const W = 600;
const H = 120;
const PAD_TOP = 12;
const PAD_BOTTOM = 4;

function niceMax(v: number): number {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function LineChart(props: { title: string; series: Series[]; unit?: string; step?: boolean; testId?: string }) {
  const n = Math.max(2, ...props.series.map((s) => s.values.length));
  const max = niceMax(Math.max(0, ...props.series.flatMap((s) => s.values)) * 1.15); // headroom above the top value
  const x = (i: number, len: number) => ((i + (n - len)) / (n - 1)) * W;
  const y = (v: number) => H - PAD_BOTTOM - (v / max) * (H - PAD_TOP - PAD_BOTTOM);
  const path = (vals: number[]) => {
    if (vals.length === 0) return "";
    const pts: string[] = [];
    vals.forEach((v, i) => {
      if (props.step && i > 0) pts.push(`${x(i, vals.length).toFixed(1)},${y(vals[i - 1]!).toFixed(1)}`);
      pts.push(`${x(i, vals.length).toFixed(1)},${y(v).toFixed(1)}`);
    });
    return pts.join(" ");
  };
  return html`
    <div class="panel" data-test=${props.testId}>
      <h2>${props.title}</h2>
      <div class="legend">
        ${props.series.map(
          (s) => html`<span><i style=${{ background: s.color }}></i>${s.label}: <b>${s.values.length ? s.values[s.values.length - 1] : 0}</b>${props.unit ?? ""}</span>`,
        )}
      </div>
      <svg class="chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label=${props.title}>
        <line class="grid-line" x1="0" x2=${W} y1=${y(max)} y2=${y(max)} />
        <line class="grid-line" x1="0" x2=${W} y1=${y(max / 2)} y2=${y(max / 2)} />
        <line class="grid-line" x1="0" x2=${W} y1=${y(0)} y2=${y(0)} />
        <text x="4" y=${y(max) + 10}>${max}</text>
        ${props.series.map((s) => html`<polyline fill="none" stroke=${s.color} stroke-width="2" vector-effect="non-scaling-stroke" points=${path(s.values)} />`)}
      </svg>
    </div>
  `;
}
