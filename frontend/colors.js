// A run's colour depends only on its name, so it is the same across reloads, tabs and
// machines: FNV-1a hash of the name picks a hue and a lightness step.

export function hashName(name) {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function runColor(name) {
  const h = hashName(name);
  const hue = h % 360;
  const saturation = 62 + ((h >>> 9) % 3) * 10;
  const lightness = 38 + ((h >>> 13) % 3) * 7;
  return `hsl(${hue}, ${saturation}%, ${lightness}%)`;
}

/** Colour of the i-th of n steps in histogram views: light (early) to dark (late). */
export function stepShade(i, n, hue = 24) {
  const t = n <= 1 ? 1 : i / (n - 1);
  return `hsl(${hue}, ${55 + 30 * t}%, ${78 - 40 * t}%)`;
}
