// Charts where people would rather look than read: a time series (uPlot, ~20 kB gzipped, draws
// to one canvas) and plain CSS bar lists for "top N" figures, which need no library at all.
/*! uPlot v1.6.32, Copyright (c) 2025 Leon Sorokin, MIT licence, https://github.com/leeoniya/uPlot */
import uPlot from 'uplot';
import { h } from './dom.js';
import { count } from './format.js';

export interface SeriesChart {
  el: HTMLElement;
  /** x in epoch ms, then one array per series */
  set(x: number[], ...ys: number[][]): void;
  destroy(): void;
}

const COLOURS = ['#1d5fbf', '#c62828', '#1a7f37', '#9a6700'];

export function timeChart(labels: string[], opts: { height?: number; title?: string; spanSeconds?: number } = {}): SeriesChart {
  const el = h('div', { class: 'chart', role: 'img', aria: { label: opts.title ?? labels.join(' and ') } });
  let plot: uPlot | undefined;
  let data: uPlot.AlignedData = [[], ...labels.map(() => [])];
  // The x axis always spans the window up to now, however few points there are yet.
  const span = opts.spanSeconds ?? 3600;
  let xMax = Date.now() / 1000;
  const width = () => Math.max(280, el.clientWidth || el.parentElement?.clientWidth || 600);
  const make = () => {
    plot = new uPlot({
      width: width(), height: opts.height ?? 200,
      series: [{}, ...labels.map((label, i) => ({ label, stroke: COLOURS[i % COLOURS.length], width: 2, fill: i === 0 ? 'rgba(29,95,191,.08)' : undefined }))],
      axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor', size: 50 }],
      scales: { x: { time: true, range: () => [xMax - span, xMax] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      legend: { live: true },
    }, data, el);
  };
  const resize = () => plot?.setSize({ width: width(), height: opts.height ?? 200 });
  const observer = new ResizeObserver(resize);
  observer.observe(el);
  return {
    el,
    set(x, ...ys) {
      data = [x.map((t) => t / 1000), ...ys];
      xMax = Math.max(Date.now() / 1000, ...data[0].map((t) => t + 60));
      if (!plot) {
        if (!el.isConnected) return;
        make();
      } else plot.setData(data);
    },
    destroy() {
      observer.disconnect();
      plot?.destroy();
      plot = undefined;
    },
  };
}

/** A "top N" list as horizontal bars (names arrive from the API and are set as text). */
export function barList(items: readonly { name: string; count: number }[], empty = 'Nothing yet.'): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, empty);
  const max = Math.max(...items.map((i) => i.count), 1);
  return h('div', { class: 'bars' }, items.map((i) => {
    const fill = h('div', { class: 'fill' });
    fill.style.width = `${Math.round((i.count / max) * 100)}%`;
    return h('div', { class: 'bar' }, h('span', { class: 'label', title: i.name }, i.name), h('div', { class: 'track' }, fill), h('span', { class: 'num' }, count(i.count)));
  }));
}
