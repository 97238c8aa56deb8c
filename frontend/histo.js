// Pure helpers on histograms: normalising the server's form, resampling onto common bins for
// the ridge and overlay views, and percentiles for the distribution bands.

/** -> { step, wall_time, min, max, limits: [...], counts: [...] } */
export function normalizeHistogram(h) {
  const limits = h.bucket_limit ?? h.limits ?? [];
  const counts = h.bucket ?? h.counts ?? [];
  return { step: h.step, wall_time: h.wall_time, min: h.min, max: h.max, limits, counts };
}

/** The histogram's buckets as [left, right, count], clipped to its [min, max]. */
export function buckets(h) {
  const out = [];
  for (let i = 0; i < h.counts.length; i++) {
    const count = h.counts[i];
    if (!count) continue;
    const left = Math.max(i === 0 ? h.min : h.limits[i - 1], h.min);
    const right = Math.min(h.limits[i], h.max);
    out.push([Math.min(left, right), Math.max(left, right), count]);
  }
  return out;
}

/** Counts spread over `n` equal bins of [lo, hi] in proportion to each bucket's overlap. */
export function resample(h, lo, hi, n) {
  const counts = new Array(n).fill(0);
  const width = (hi - lo) / n || 1;
  for (const [left, right, count] of buckets(h)) {
    if (right <= left) {
      const i = Math.min(n - 1, Math.max(0, Math.floor((left - lo) / width)));
      counts[i] += count;
      continue;
    }
    const first = Math.max(0, Math.floor((left - lo) / width));
    const last = Math.min(n - 1, Math.floor((right - lo) / width));
    for (let i = first; i <= last; i++) {
      const a = Math.max(left, lo + i * width);
      const b = Math.min(right, lo + (i + 1) * width);
      if (b > a) counts[i] += (count * (b - a)) / (right - left);
    }
  }
  const centers = counts.map((_, i) => lo + (i + 0.5) * width);
  return { centers, counts };
}

/** The value below which `fraction` of the histogram's count lies (linear within a bucket). */
export function percentile(h, fraction) {
  const bs = buckets(h);
  const total = bs.reduce((n, b) => n + b[2], 0);
  if (!total) return NaN;
  const target = fraction * total;
  let seen = 0;
  for (const [left, right, count] of bs) {
    if (seen + count >= target) return left + ((target - seen) / count) * (right - left);
    seen += count;
  }
  return h.max;
}

// TensorBoard's distribution bands: the median, then +-1, 2, 3 standard deviations of a
// normal distribution, then min and max (in fractions of the count).
export const BAND_FRACTIONS = [0, 0.0668, 0.1587, 0.3085, 0.5, 0.6915, 0.8413, 0.9332, 1];

/** Evenly thinned list of at most `n` items, always keeping the first and the last. */
export function thin(items, n) {
  if (items.length <= n) return items;
  const out = [];
  for (let i = 0; i < n; i++) out.push(items[Math.round((i * (items.length - 1)) / (n - 1))]);
  return out;
}
