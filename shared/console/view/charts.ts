/**
 * Charts as inline SVG view trees: no library, no external asset, no inline style (the console's CSP forbids
 * it); colours come from CSS classes. Labels are text nodes, so a path or user agent in a label stays text.
 */
import { formatNumber } from '../evidence.js';
import { h, type VNode } from './vnode.js';

export interface Point {
  t: number;
  value: number;
}

const W = 640;

function timeLabel(t: number, span: number): string {
  const d = new Date(t);
  const iso = d.toISOString();
  return span > 2 * 86_400_000 ? iso.slice(5, 10) : iso.slice(11, 16);
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value) return m * p;
  return 10 * p;
}

/** A time series as an area with an optional baseline (a dashed line, flat or per point). */
export function timeChart(options: {
  points: readonly Point[];
  baseline?: number | readonly Point[];
  label: string;
  baselineLabel?: string;
  height?: number;
  /** Draw columns instead of an area (few points). */
  columns?: boolean;
}): VNode {
  const H = options.height ?? 180;
  const pad = { l: 44, r: 12, t: 14, b: 24 };
  const pts = options.points;
  if (pts.length === 0) {
    return h('div', { class: 'chart-empty' }, 'No data yet for this chart.');
  }
  const base = options.baseline;
  const baseMax = typeof base === 'number' ? base : Math.max(0, ...(base ?? []).map((p) => p.value));
  const max = niceMax(Math.max(baseMax, ...pts.map((p) => p.value)));
  const t0 = pts[0]?.t ?? 0;
  const t1 = pts.at(-1)?.t ?? t0;
  const span = Math.max(1, t1 - t0);
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const asColumns = options.columns === true || pts.length < 3;
  const bw = Math.max(3, Math.min(40, (iw / Math.max(1, pts.length)) * 0.7));
  // Columns are inset by half a column so that the first and last stay inside the plot.
  const inset = asColumns ? bw / 2 + 2 : 0;
  const x = (t: number) => pad.l + inset + (pts.length === 1 ? iw / 2 - inset : ((t - t0) / span) * (iw - 2 * inset));
  const y = (v: number) => pad.t + ih - (v / max) * ih;
  const children: VNode[] = [];
  for (const f of [0, 0.5, 1]) {
    const yy = y(max * f);
    children.push(h('line', { class: 'grid', x1: pad.l, x2: W - pad.r, y1: yy, y2: yy }));
    children.push(h('text', { class: 'axis', x: pad.l - 6, y: yy + 4, 'text-anchor': 'end' }, formatNumber(max * f)));
  }
  const ticks = Math.min(6, pts.length);
  for (let i = 0; i < ticks; i++) {
    const p = pts[Math.round((i * (pts.length - 1)) / Math.max(1, ticks - 1))];
    if (!p) continue;
    children.push(h('text', { class: 'axis', x: x(p.t), y: H - 6, 'text-anchor': 'middle' }, timeLabel(p.t, span)));
  }
  if (asColumns) {
    for (const p of pts) {
      children.push(
        h(
          'rect',
          { class: 'bar', x: x(p.t) - bw / 2, y: y(p.value), width: bw, height: Math.max(0, pad.t + ih - y(p.value)) },
          h('title', {}, `${timeLabel(p.t, span)}: ${formatNumber(p.value)}`),
        ),
      );
    }
  } else {
    const line = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    children.push(
      h('path', {
        class: 'area',
        d: `${line} L${x(t1).toFixed(1)},${pad.t + ih} L${x(t0).toFixed(1)},${pad.t + ih} Z`,
      }),
    );
    children.push(h('path', { class: 'line', d: line }));
  }
  if (typeof base === 'number') {
    children.push(h('line', { class: 'baseline', x1: pad.l, x2: W - pad.r, y1: y(base), y2: y(base) }));
  } else if (base && base.length > 0) {
    const d = base.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    children.push(h('path', { class: 'baseline', d }));
  }
  return h(
    'figure',
    { class: 'chart' },
    h('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': options.label }, ...children),
    h(
      'figcaption',
      {},
      h('span', { class: 'key key-series' }, options.label),
      base !== undefined ? h('span', { class: 'key key-baseline' }, options.baselineLabel ?? 'baseline') : null,
    ),
  );
}

/** Horizontal bars, one per item (counts by classification, severity, …). `cls` picks the colour. */
export function barList(items: ReadonlyArray<{ label: string; value: number; cls?: string; href?: string }>): VNode {
  const max = Math.max(1, ...items.map((i) => i.value));
  return h(
    'ul',
    { class: 'bars' },
    items.map((item) =>
      h(
        'li',
        { class: item.value === 0 ? 'zero' : undefined },
        item.href
          ? h('a', { href: item.href, class: 'bar-label' }, item.label)
          : h('span', { class: 'bar-label' }, item.label),
        h(
          'svg',
          { class: 'bar-track', viewBox: '0 0 100 8', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
          h('rect', { class: `bar-fill ${item.cls ?? ''}`, x: 0, y: 0, height: 8, width: (item.value / max) * 100 }),
        ),
        h('span', { class: 'bar-value' }, formatNumber(item.value)),
      ),
    ),
  );
}

/** One stacked bar with a legend: a status mix. */
export function stackedBar(parts: ReadonlyArray<{ label: string; value: number; cls: string }>): VNode {
  const total = parts.reduce((s, p) => s + p.value, 0);
  let x = 0;
  const rects: VNode[] = [];
  for (const p of parts) {
    if (p.value <= 0 || total === 0) continue;
    const w = (p.value / total) * 100;
    rects.push(
      h(
        'rect',
        { class: `seg ${p.cls}`, x, y: 0, width: w, height: 10 },
        h('title', {}, `${p.label}: ${formatNumber(p.value)}`),
      ),
    );
    x += w;
  }
  return h(
    'div',
    { class: 'stack' },
    h('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', role: 'img', 'aria-label': 'status mix' }, ...rects),
    h(
      'ul',
      { class: 'legend' },
      parts
        .filter((p) => p.value > 0)
        .map((p) =>
          h(
            'li',
            {},
            h(
              'svg',
              { class: 'swatch', viewBox: '0 0 10 10', 'aria-hidden': 'true' },
              h('rect', { class: `seg ${p.cls}`, width: 10, height: 10 }),
            ),
            `${p.label} ${formatNumber(p.value)} (${total > 0 ? Math.round((p.value / total) * 100) : 0} %)`,
          ),
        ),
    ),
  );
}

/** A small inline meter 0..1 (auth share, error rate) for table cells. */
export function meter(share: number, cls = ''): VNode {
  const v = Math.max(0, Math.min(1, share));
  return h(
    'span',
    { class: 'meter-cell' },
    h(
      'svg',
      { class: 'meter', viewBox: '0 0 40 6', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
      h('rect', { class: 'meter-track', width: 40, height: 6 }),
      h('rect', { class: `meter-fill ${cls}`, width: v * 40, height: 6 }),
    ),
    `${Math.round(v * 100)} %`,
  );
}
