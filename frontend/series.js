// Pure helpers on scalar series ({step, wall_time, value, smoothed}) used by the charts.

// plotly draws millisecond x values as UTC dates; shift them so the axis reads local time.
export const TZ_SHIFT_MS = new Date().getTimezoneOffset() * 60000;

/** The x values a chart plots for the axis mode: steps, relative time or wall time (ms). */
export function xValues(series, mode, runStart, unit) {
  if (mode === 'step') return series.step;
  if (mode === 'wall') return series.wall_time.map((t) => t * 1000 - TZ_SHIFT_MS);
  return series.wall_time.map((t) => (t - runStart) / unit);
}

/** Seconds per unit of relative time, picked so the axis reads naturally. */
export function relativeUnit(spanSeconds) {
  if (spanSeconds > 3 * 3600) return { seconds: 3600, label: 'hours' };
  if (spanSeconds > 180) return { seconds: 60, label: 'minutes' };
  return { seconds: 1, label: 'seconds' };
}

const FIELDS = ['step', 'wall_time', 'value', 'smoothed'];

function take(series, from, to) {
  const out = {};
  for (const f of FIELDS) if (series[f]) out[f] = series[f].slice(from, to);
  return out;
}

function concat(...parts) {
  const out = {};
  for (const f of FIELDS) {
    if (parts.every((p) => p[f])) out[f] = [].concat(...parts.map((p) => p[f]));
  }
  return out;
}

function lowerBound(values, x) {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Replace the part of a coarse (downsampled) series inside [start, end] of `key`
 * ('step' or 'wall_time') by the finer series fetched for that range after a zoom.
 */
export function mergeRange(coarse, fine, key, start, end) {
  const xs = coarse[key];
  const from = lowerBound(xs, start);
  let to = from;
  while (to < xs.length && xs[to] <= end) to++;
  return concat(take(coarse, 0, from), fine, take(coarse, to, xs.length));
}

/** Append new points (steps after the last one held) to a series. */
export function appendPoints(series, more) {
  const last = series.step.length ? series.step[series.step.length - 1] : -Infinity;
  const from = lowerBound(more.step, last + 1e-9);
  return concat(series, take(more, from, more.step.length));
}

/** Index of the x nearest to `x` in a sorted array, or -1 when it is empty. */
export function nearestIndex(xs, x) {
  if (!xs.length) return -1;
  const i = lowerBound(xs, x);
  if (i === 0) return 0;
  if (i === xs.length) return xs.length - 1;
  return x - xs[i - 1] <= xs[i] - x ? i - 1 : i;
}

export function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The y range plotly's autorange gives lines through every value of `arrays` (the data fill
 * the middle 90% of the axis), or null when it is not a plain span (no values, no spread).
 */
export function autorange(arrays, logScale) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of arrays) {
    for (const v of values) {
      if (!Number.isFinite(v) || (logScale && v <= 0)) continue;
      const t = logScale ? Math.log10(v) : v;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
  }
  if (!(hi > lo)) return null;
  const pad = (hi - lo) / 18;
  return [lo - pad, hi + pad];
}

/** A y range that ignores the outer 2% of values at each end (TensorBoard's outlier toggle). */
export function robustRange(values, logScale) {
  const finite = values.filter((v) => Number.isFinite(v) && (!logScale || v > 0));
  if (finite.length < 3) return null;
  const t = logScale ? finite.map(Math.log10) : finite;
  t.sort((a, b) => a - b);
  const lo = quantile(t, 0.02);
  const hi = quantile(t, 0.98);
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.1;
  return [lo - pad, hi + pad];
}
