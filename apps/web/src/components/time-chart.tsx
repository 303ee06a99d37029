// uPlot behind a React component: created once per shape of series, fed with setData on every
// update (cheap: one canvas redraw a second), sized to its container, coloured from the theme.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { si } from '../format.ts';

export type Scale = 'pps' | 'bps' | '%';

export interface ChartSeries {
  label: string;
  scale: Scale;
  /** A CSS variable name ("--c-pps") or a colour. */
  color: string;
  /** Reference lines (baseline, threshold) are drawn dashed. */
  dash?: boolean;
  fill?: boolean;
}

interface Props {
  name: string;
  title: string;
  series: ChartSeries[];
  /** [x (seconds), ...one array per series] */
  data: (number | null)[][];
  height?: number;
  /** A text summary for screen readers (the canvas says nothing). */
  summary: string;
}

const UNIT: Record<Scale, string> = { pps: 'pps', bps: 'bps', '%': '%' };

function cssColor(c: string): string {
  if (!c.startsWith('--')) return c;
  return getComputedStyle(document.documentElement).getPropertyValue(c).trim() || '#888';
}

function options(p: Props, width: number, onFirstDraw: () => void): uPlot.Options {
  const fg = cssColor('--muted');
  const grid = cssColor('--grid');
  const scales = [...new Set(p.series.map((s) => s.scale))];
  const fmt = (scale: Scale) => (_u: uPlot, vals: number[]) => vals.map((v) => (scale === '%' ? `${v}%` : si(v, '')));
  let drawn = false;
  return {
    width,
    height: p.height ?? 220,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: Object.fromEntries(scales.map((s) => [s, s === '%' ? { range: [0, 100] as uPlot.Range.MinMax } : { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.1 : 1] as uPlot.Range.MinMax }])),
    series: [
      { label: 'Time' },
      ...p.series.map((s) => {
        const stroke = cssColor(s.color);
        return {
          label: s.label,
          scale: s.scale,
          stroke,
          width: s.dash ? 1.5 : 2,
          ...(s.dash ? { dash: [6, 4] } : {}),
          ...(s.fill ? { fill: `${stroke}22` } : {}),
          points: { show: false },
          spanGaps: s.dash === true,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : s.scale === '%' ? `${Math.round(v * 10) / 10} %` : si(v, UNIT[s.scale])),
        };
      }),
    ],
    axes: [
      {
        stroke: fg, space: 90, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 },
        values: (_u: uPlot, splits: number[]) => splits.map((s) => new Date(s * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })),
      },
      ...scales.map((s, i) => ({
        scale: s, stroke: fg, side: i === 0 ? 3 : 1, size: 56, values: fmt(s),
        grid: { show: i === 0, stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 },
      })),
    ],
    hooks: {
      draw: [
        (u: uPlot) => {
          if (!drawn && (u.data[0]?.length ?? 0) > 0) {
            drawn = true;
            onFirstDraw();
          }
        },
      ],
    },
  };
}

export function TimeChart(p: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(p);
  latest.current = p;
  const shape = JSON.stringify(p.series) + String(p.height);

  useEffect(() => {
    const el = box.current!;
    const create = () => {
      plot.current?.destroy();
      const first = () => {
        el.dataset.drawn = 'true';
        performance.mark(`bw:chart:${latest.current.name}`);
      };
      plot.current = new uPlot(options(latest.current, Math.max(200, el.clientWidth), first), latest.current.data as uPlot.AlignedData, el);
    };
    create();
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: latest.current.height ?? 220 }));
    ro.observe(el);
    window.addEventListener('bw:theme', create);
    return () => {
      ro.disconnect();
      window.removeEventListener('bw:theme', create);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(p.data as uPlot.AlignedData);
  }, [p.data]);

  return (
    <figure className="chart" aria-label={p.title}>
      <figcaption>{p.title}</figcaption>
      <div ref={box} className="chart-canvas" data-chart={p.name} role="img" aria-label={`${p.title}: ${p.summary}`} />
      <p className="sr-only" aria-live="off">{p.summary}</p>
    </figure>
  );
}

/** A constant series for a reference line (null where unknown, so nothing is drawn). */
export function flat(xs: readonly number[], v: number | null | undefined): (number | null)[] {
  return xs.map(() => (v === null || v === undefined ? null : v));
}
