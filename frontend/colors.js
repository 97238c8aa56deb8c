// A run's colour depends only on its name (FNV-1a hash), so it is the same across reloads,
// tabs and machines.

export function hashName(name) {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // FNV's low bits barely differ for names that differ in one character; mix them all in.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Well-separated colours; a hash picks one, so two runs may share a colour, but a run's colour
// never changes.
const PALETTE = [
  '#e8710a', '#1a73e8', '#12b5cb', '#e52592', '#9334e6', '#f9ab00', '#0f9d58', '#d93025',
  '#7cb342', '#5e35b1', '#00897b', '#c2185b', '#3949ab', '#f4511e', '#6d4c41', '#546e7a',
  '#8e24aa', '#039be5', '#c0ca33', '#ad1457', '#00acc1', '#fb8c00', '#43a047', '#757575',
];

export function runColor(name) {
  return PALETTE[hashName(name) % PALETTE.length];
}

/** Colour of the i-th of n steps in histogram views: light (early) to dark (late). */
export function stepShade(i, n, hue = 24) {
  const t = n <= 1 ? 1 : i / (n - 1);
  return `hsl(${hue}, ${55 + 30 * t}%, ${78 - 40 * t}%)`;
}

/** '#rrggbb' -> 'rgba(r, g, b, alpha)'. */
export function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
