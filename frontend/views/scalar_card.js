// One chart card per scalar tag: a line per visible run, fetched with one batch request at
// the card's pixel width, refetched for the visible range on zoom, extended by live points.

import { runColor } from '../colors.js';
import { el, formatNumber } from '../dom.js';
import { api } from '../model.js';
import { plot, plotWhenIdle } from '../plot.js';
import {
  appendPoints, autorange, mergeRange, nearestIndex, relativeUnit, robustRange, TZ_SHIFT_MS,
  xValues,
} from '../series.js';
import { state } from '../state.js';
import { attachTooltip } from './tooltip.js';

const MARGIN = { l: 50, r: 14, t: 6, b: 34 };
const PLOT_CONFIG = {
  displaylogo: false,
  displayModeBar: 'hover',
  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'],
};

function batchResults(response) {
  return Array.isArray(response) ? response : (response.results ?? response.series ?? []);
}

export class ScalarCard {
  /**
   * `ctx`: { runsFor(tag) -> run names to draw, schedule(fn, {urgent}) -> Promise (the fetch
   * queue; urgent jumps it) }.
   */
  constructor(tag, ctx) {
    this.tag = tag;
    this.ctx = ctx;
    this.coarse = new Map(); // run -> series over the whole x range
    this.fine = null; // { start, end, key, series: Map } after a zoom
    this.fetchKey = null;
    this.loading = null;
    this.appended = 0;
    this.inflight = new Set(); // runs whose coarse series is being fetched
    this.drawSeq = 0; // bumped by every draw; a deferred draw of older lines is dropped
    this.build();
  }

  build() {
    this.plot = el('div', { class: 'plot' });
    this.plotWrap = el('div', { class: 'plot-wrap' }, this.plot);
    this.foot = el('div', { class: 'card-foot' });
    this.downloads = el('div', { class: 'menu' });
    const menu = el('details', { class: 'download', ontoggle: () => this.fillDownloads() },
      el('summary', { title: 'Download data', 'aria-label': 'Download data' }, '⤓'),
      this.downloads);
    this.element = el('section', { class: 'card', dataset: { tag: this.tag } },
      el('header', { class: 'card-head' },
        el('h3', { class: 'card-title', title: this.tag }, this.tag),
        el('div', { class: 'card-actions' }, menu,
          el('button', { type: 'button', class: 'icon enlarge', title: 'Enlarge',
            'aria-label': 'Enlarge', onclick: () => this.toggleEnlarged() }, '⤢'))),
      this.plotWrap, this.foot);
    attachTooltip(this);
  }

  fillDownloads() {
    const rows = this.ctx.runsFor(this.tag).map((run) =>
      el('div', { class: 'menu-row' },
        el('span', { class: 'swatch', style: { background: runColor(run) } }),
        el('span', { class: 'run-name' }, run),
        ...['csv', 'json'].map((fmt) => el('a', {
          href: api.scalarsDownloadURL(run, this.tag, fmt), download: '',
          class: `dl-${fmt}`, dataset: { run },
        }, fmt.toUpperCase()))));
    this.downloads.replaceChildren(...rows);
  }

  toggleEnlarged() {
    this.element.classList.toggle('enlarged');
    this.element.scrollIntoView({ block: 'nearest' });
    this.refresh();
  }

  serverX() {
    return state.x === 'step' ? 'step' : 'wall_time';
  }

  /** Pixels across the plotting area: one M4 bucket each (4 points at most). */
  width() {
    const card = this.plot.clientWidth || 400;
    return Math.max(50, Math.round(card - MARGIN.l - MARGIN.r));
  }

  /** Fetch what is missing for the current runs and settings, then draw. */
  refresh() {
    const runs = this.ctx.runsFor(this.tag);
    const key = `${this.serverX()}|${state.smoothing}|${this.width()}`;
    if (key !== this.fetchKey) {
      this.coarse.clear();
      this.inflight.clear(); // fetches for the old settings are dropped when they land
      this.fine = null;
      this.fetchKey = key;
    }
    const missing = runs.filter((r) => !this.coarse.has(r) && !this.inflight.has(r));
    if (!missing.length) {
      if (!this.inflight.size) this.draw();
      return this.loading ?? Promise.resolve();
    }
    for (const run of missing) this.inflight.add(run);
    this.loading = this.ctx.schedule(() => this.fetchCoarse(missing, key)).then(() => {
      if (this.fine) return this.fetchFine(this.fine.start, this.fine.end);
      return this.draw();
    }).catch((err) => this.showError(err)).finally(() => {
      for (const run of missing) this.inflight.delete(run);
    });
    return this.loading;
  }

  async fetchCoarse(runs, key) {
    const response = await api.scalarsBatch(runs.map((run) => ({ run, tag: this.tag })), {
      points: this.width(), x: this.serverX(), smoothing: state.smoothing || undefined,
    });
    if (key !== this.fetchKey) return;
    for (const series of batchResults(response)) this.coarse.set(series.run, series);
  }

  /** After a zoom: the visible range [start, end] (server x units) at full resolution. */
  async fetchFine(start, end) {
    const runs = this.ctx.runsFor(this.tag).filter((r) => this.coarse.has(r));
    const key = this.fetchKey;
    const response = await this.ctx.schedule(() => api.scalarsBatch(
      runs.map((run) => ({ run, tag: this.tag })),
      { points: this.width(), x: this.serverX(), smoothing: state.smoothing || undefined,
        start, end }), { urgent: true });
    if (key !== this.fetchKey) return;
    const series = new Map(batchResults(response).map((s) => [s.run, s]));
    this.fine = { start, end, key: this.serverX(), series };
    this.draw();
  }

  /**
   * Live: the stream announced new points of `run`. Fetch from the last step held (itself
   * included, to check it is still the same point) and append what follows.
   */
  async extend(run) {
    const have = this.coarse.get(run);
    if (!have?.step.length || !this.plot.isConnected) return;
    const n = have.step.length;
    const key = this.fetchKey;
    const response = await this.ctx.schedule(() => api.scalarsBatch([{ run, tag: this.tag }], {
      x: 'step', smoothing: state.smoothing || undefined, start: have.step[n - 1],
    }));
    const [more] = batchResults(response);
    if (!more || key !== this.fetchKey || this.coarse.get(run) !== have) return;
    // A restart purges later points and writes new ones: then the last point we hold is
    // gone or different, or the count is off. Fetch the whole run anew.
    const same = more.step[0] === have.step[n - 1] && more.wall_time[0] === have.wall_time[n - 1]
      && more.total === (have.total ?? n) + more.step.length - 1;
    this.appended += more.step.length - 1;
    if (!same || this.appended > this.width()) {
      // Exact appended points grow a line past the card's width: redo the M4 fetch then.
      this.appended = 0;
      this.coarse.delete(run);
      await this.refresh();
      return;
    }
    this.coarse.set(run, { ...have, ...appendPoints(have, more), total: more.total });
    this.draw();
  }

  seriesFor(run) {
    const coarse = this.coarse.get(run);
    const fine = this.fine?.series.get(run);
    if (!coarse || !fine) return coarse;
    return mergeRange(coarse, fine, this.fine.key, this.fine.start, this.fine.end);
  }

  /** Per-run plotted data: run, color, x, y (smoothed or raw), raw, step. */
  lines() {
    const runs = this.ctx.runsFor(this.tag).filter((r) => this.coarse.has(r));
    const all = runs.map((run) => ({ run, series: this.seriesFor(run) }));
    const starts = all.map(({ series }) => series.wall_time[0] ?? 0);
    const span = Math.max(0, ...all.map(({ series }, i) =>
      (series.wall_time[series.wall_time.length - 1] ?? 0) - starts[i]));
    this.unit = relativeUnit(span);
    return all.map(({ run, series }, i) => ({
      run,
      color: runColor(run),
      x: xValues(series, state.x, starts[i], this.unit.seconds),
      raw: series.value,
      y: state.smoothing > 0 && series.smoothed ? series.smoothed : series.value,
      step: series.step,
      total: series.total ?? series.step.length,
      downsampled: Boolean(this.coarse.get(run).downsampled),
    }));
  }

  traces(lines, { raw = true } = {}) {
    const traces = [];
    const smoothed = state.smoothing > 0;
    for (const line of lines) {
      if (smoothed && raw) {
        traces.push({ x: line.x, y: line.raw, type: 'scatter', mode: 'lines', hoverinfo: 'none',
          line: { color: line.color, width: 1 }, opacity: 0.25,
          meta: { run: line.run, kind: 'raw' } });
      }
      traces.push({ x: line.x, y: line.y, type: 'scatter', mode: 'lines', hoverinfo: 'none',
        // No trace `name`: plotly renders names as (sanitised) HTML; the run is in meta.
        line: { color: line.color, width: smoothed ? 1.8 : 1.4 },
        meta: { run: line.run, kind: 'line' } });
    }
    return traces;
  }

  layout(lines) {
    const yaxis = { type: state.logy ? 'log' : 'linear', gridcolor: '#eceff3', zeroline: false,
      tickfont: { size: 10 }, automargin: true };
    if (state.outliers) {
      const range = robustRange(lines.flatMap((l) => l.y), state.logy);
      if (range) Object.assign(yaxis, { range, autorange: false });
    }
    const xTitle = { step: 'step', wall: '', relative: `relative time (${this.unit.label})` };
    return {
      height: this.element.classList.contains('enlarged') ? 460 : 230,
      margin: MARGIN,
      showlegend: false,
      hovermode: false,
      dragmode: 'zoom',
      uirevision: `${state.x}|${state.logy}|${state.outliers}`,
      paper_bgcolor: 'rgba(0,0,0,0)',
      plot_bgcolor: 'rgba(0,0,0,0)',
      font: { family: 'Inter, system-ui, sans-serif', size: 11, color: '#4a5160' },
      xaxis: { type: state.x === 'wall' ? 'date' : 'linear', gridcolor: '#eceff3',
        zeroline: false, tickfont: { size: 10 },
        title: xTitle[state.x] ? { text: xTitle[state.x], font: { size: 10 } } : undefined },
      yaxis,
    };
  }

  /**
   * Plot the lines. A card's first picture with smoothing on has the smoothed lines only (at
   * the y range the whole chart will have, so nothing moves); the faint raw lines, as many
   * points again, are added once every card waiting for its first picture has it.
   * `data-shown` marks the first picture, `data-drawn` a chart showing everything.
   */
  draw() {
    const lines = this.lines();
    this.current = lines;
    const seq = ++this.drawSeq;
    const layout = this.layout(lines);
    const markShown = () => {
      this.listen();
      this.element.dataset.shown ??= String(Date.now());
    };
    const complete = () => {
      markShown();
      if (seq === this.drawSeq) this.element.dataset.drawn = String(Date.now());
    };
    if (this.element.dataset.shown || !(state.smoothing > 0)) {
      plot(this.plot, this.traces(lines), layout, PLOT_CONFIG).then(complete);
    } else {
      plot(this.plot, this.traces(lines, { raw: false }), this.firstLayout(layout, lines),
        PLOT_CONFIG).then(markShown);
      plotWhenIdle(this.plot, () => (seq === this.drawSeq
        ? [this.traces(lines), layout, PLOT_CONFIG] : null)).then(complete);
    }
    const total = lines.reduce((n, l) => n + l.total, 0);
    const shown = lines.reduce((n, l) => n + l.x.length, 0);
    this.foot.textContent = lines.length
      ? `${lines.length} run${lines.length > 1 ? 's' : ''} · ${shown.toLocaleString()} of ${total.toLocaleString()} points drawn`
      : 'No selected run has this tag.';
  }

  /** `layout` with the y range fixed to the one autorange will give the complete chart. */
  firstLayout(layout, lines) {
    if (layout.yaxis.range) return layout;
    const range = autorange(lines.flatMap((l) => [l.raw, l.y]), state.logy);
    return range ? { ...layout, yaxis: { ...layout.yaxis, range, autorange: false } } : layout;
  }

  listen() {
    if (this.listening) return;
    this.listening = true;
    this.plot.on('plotly_relayout', (ev) => this.onRelayout(ev));
  }

  onRelayout(ev) {
    if (ev['xaxis.autorange'] || ev.autosize) {
      if (this.fine) {
        this.fine = null;
        this.draw();
      }
      return;
    }
    const x0 = ev['xaxis.range[0]'] ?? ev['xaxis.range']?.[0];
    const x1 = ev['xaxis.range[1]'] ?? ev['xaxis.range']?.[1];
    if (x0 == null || x1 == null) return;
    const [start, end] = this.toServerRange(x0, x1);
    this.fetchFine(start, end).catch((err) => this.showError(err));
  }

  /** Axis range -> server x range; relative time maps back through each run's start. */
  toServerRange(x0, x1) {
    if (state.x === 'step') return [Math.floor(x0), Math.ceil(x1)];
    if (state.x === 'wall') {
      const toSeconds = (x) => (this.plot._fullLayout.xaxis.r2c(x) + TZ_SHIFT_MS) / 1000;
      return [toSeconds(x0), toSeconds(x1)];
    }
    const starts = [...this.coarse.values()].map((s) => s.wall_time[0]).filter(Number.isFinite);
    const u = this.unit.seconds;
    return [Math.min(...starts) + x0 * u, Math.max(...starts) + x1 * u];
  }

  /** For the tooltip: every drawn run's value nearest to x, sorted by value (largest first). */
  valuesAt(x) {
    const rows = [];
    for (const line of this.current ?? []) {
      const i = nearestIndex(line.x, x);
      if (i < 0) continue;
      rows.push({ run: line.run, color: line.color, value: line.y[i], raw: line.raw[i],
        step: line.step[i] });
    }
    rows.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
    return rows;
  }

  showError(err) {
    this.foot.textContent = `Could not load: ${err.message}`;
    this.foot.classList.add('error');
  }

  formatX(x) {
    if (state.x === 'wall') return new Date(x + TZ_SHIFT_MS).toLocaleString();
    if (state.x === 'relative') return `${formatNumber(x)} ${this.unit.label}`;
    return `step ${Math.round(x)}`;
  }
}
