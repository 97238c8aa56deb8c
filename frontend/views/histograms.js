// Histograms (TensorBoard's offset/ridge view and an overlay of steps) and Distributions
// (percentile bands over steps), both drawn from GET /api/histograms.

import { runColor, stepShade, withAlpha } from '../colors.js';
import { el } from '../dom.js';
import { BAND_FRACTIONS, normalizeHistogram, percentile, resample, thin } from '../histo.js';
import { api } from '../model.js';
import { plot } from '../plot.js';
import { state } from '../state.js';
import { cardFrame } from './plugin_view.js';

const CONFIG = { displaylogo: false, displayModeBar: false, responsive: true };
const MAX_STEPS = 30;
const BINS = 48;

function baseLayout(extra) {
  return {
    height: 260, margin: { l: 50, r: 14, t: 6, b: 30 }, showlegend: false,
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: 'Inter, system-ui, sans-serif', size: 10, color: '#4a5160' },
    hovermode: 'closest',
    ...extra,
  };
}

const axis = (extra) => ({ gridcolor: '#eceff3', zeroline: false, ...extra });

async function fetchHistograms(run, tag) {
  const response = await api.histograms(run, tag);
  const list = Array.isArray(response) ? response : (response.histograms ?? response.events ?? []);
  return list.map(normalizeHistogram).sort((a, b) => a.step - b.step);
}

class HistogramCardBase {
  constructor(run, tag) {
    this.run = run;
    this.tag = tag;
    this.plot = el('div', { class: 'plot' });
    Object.assign(this, cardFrame(run, tag, runColor(run), this.plot));
  }

  async load() {
    this.data = await fetchHistograms(this.run, this.tag);
    this.draw();
  }

  showError(err) {
    this.foot.textContent = `Could not load: ${err.message}`;
    this.foot.classList.add('error');
  }

  render(traces, layout) {
    plot(this.plot, traces, baseLayout(layout), CONFIG).then(() => {
      this.element.dataset.drawn = String(Date.now());
    });
    const steps = this.data.length;
    this.foot.textContent = steps
      ? `${steps} step${steps > 1 ? 's' : ''}, ${this.data[0].step} to ${this.data[steps - 1].step}`
      : 'No data yet.';
  }
}

export class HistogramCard extends HistogramCardBase {
  draw() {
    const shown = thin(this.data, MAX_STEPS);
    const lo = Math.min(...shown.map((h) => h.min));
    const hi = Math.max(...shown.map((h) => h.max));
    const sampled = shown.map((h) => ({ step: h.step, ...resample(h, lo, hi, BINS) }));
    if (state.hist === 'overlay') this.drawOverlay(sampled);
    else this.drawOffset(sampled);
  }

  drawOverlay(sampled) {
    const traces = sampled.map((s, i) => ({
      x: s.centers, y: s.counts, type: 'scatter', mode: 'lines', name: `step ${s.step}`,
      line: { color: stepShade(i, sampled.length), width: 1.3, shape: 'spline' },
      hovertemplate: `step ${s.step}<br>%{x:.4g}: %{y:.4g}<extra></extra>`,
    }));
    this.render(traces, { xaxis: axis({}), yaxis: axis({ title: { text: 'count' } }) });
  }

  /** Ridge plot: each step is a filled curve raised above its own baseline at y = step. */
  drawOffset(sampled) {
    const first = sampled[0]?.step ?? 0;
    const last = sampled[sampled.length - 1]?.step ?? 1;
    const gap = (last - first) / Math.max(1, sampled.length - 1) || 1;
    const peak = Math.max(1e-12, ...sampled.flatMap((s) => s.counts));
    const traces = [];
    sampled.forEach((s, i) => {
      const color = stepShade(i, sampled.length);
      traces.push({ x: s.centers, y: s.centers.map(() => s.step), type: 'scatter',
        mode: 'lines', line: { width: 0 }, hoverinfo: 'skip' });
      traces.push({ x: s.centers, y: s.counts.map((c) => s.step - (2.5 * gap * c) / peak),
        type: 'scatter', mode: 'lines', fill: 'tonexty', fillcolor: color,
        line: { color: '#ffffff', width: 0.8, shape: 'spline' }, name: `step ${s.step}`,
        customdata: s.counts, hovertemplate: `step ${s.step}<br>%{x:.4g}: %{customdata:.4g}<extra></extra>` });
    });
    // Ticks only at steps: the ridges' peaks rise above the first step's baseline.
    const ticks = thin(sampled.map((s) => s.step), 6);
    this.render(traces, { xaxis: axis({}), yaxis: axis({ autorange: 'reversed',
      title: { text: 'step' }, tickmode: 'array', tickvals: ticks }) });
  }
}

export class DistributionCard extends HistogramCardBase {
  /** Bands between symmetric percentiles, darker toward the median. */
  draw() {
    const steps = this.data.map((h) => h.step);
    const lines = BAND_FRACTIONS.map((f) => this.data.map((h) => percentile(h, f)));
    const color = runColor(this.run);
    const traces = [];
    const half = (BAND_FRACTIONS.length - 1) / 2;
    for (let i = 0; i < half; i++) {
      // Nested bands, each translucent: the overlap darkens toward the median.
      traces.push({ x: steps, y: lines[i], type: 'scatter', mode: 'lines',
        line: { width: 0, color }, hoverinfo: 'skip' });
      traces.push({ x: steps, y: lines[BAND_FRACTIONS.length - 1 - i], type: 'scatter',
        mode: 'lines', fill: 'tonexty', line: { width: 0, color }, fillcolor: withAlpha(color, 0.2),
        name: `${(BAND_FRACTIONS[i] * 100).toFixed(1)}-${(BAND_FRACTIONS[BAND_FRACTIONS.length - 1 - i] * 100).toFixed(1)}%`,
        hoverinfo: 'skip' });
    }
    traces.push({ x: steps, y: lines[half], type: 'scatter', mode: 'lines', name: 'median',
      line: { color, width: 1.6 }, hovertemplate: 'step %{x}<br>median %{y:.4g}<extra></extra>' });
    this.render(traces, { xaxis: axis({ title: { text: 'step' } }), yaxis: axis({}) });
  }
}
