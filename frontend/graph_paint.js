// Fills of the graph's nodes: by structure (scopes built alike look alike) or by device
// (a scope spread over several devices gets proportional stripes), and the legend for each.

import { hashName } from './colors.js';

export const NEUTRAL = '#eef0f3';
const UNPLACED = '#d5d9e0'; // ops without a device
const MAX_LEGEND_NAMES = 4;
const DEVICE_COLORS = [
  '#8ab4f8', '#fbbc84', '#a8dab5', '#f6aea9', '#d7aefb', '#fde293', '#a1e4f2', '#fba9d6',
  '#c5cae9', '#bcaaa4',
];

/** A structure string's colour depends only on the string, so it survives reloads and
 * expansions, and identical blocks anywhere in the graph share it. */
export function structureColor(structure) {
  const h = hashName(structure);
  return `hsl(${h % 360}, ${45 + (h >>> 9) % 25}%, ${76 + (h >>> 17) % 8}%)`;
}

/** Device -> colour, over every device the graph uses (the root's nodes count them all),
 * in sorted order so a device keeps its colour while scopes open and close. */
export function devicePalette(root) {
  const devices = new Set();
  for (const node of root.nodes) for (const device of Object.keys(node.devices ?? {})) {
    devices.add(device);
  }
  const named = [...devices].filter(Boolean).sort();
  const palette = new Map(named.map((d, i) => [d, DEVICE_COLORS[i % DEVICE_COLORS.length]]));
  if (devices.has('')) palette.set('', UNPLACED);
  return palette;
}

/** {color} for a plain fill, or {stripes: [[color, fraction], ...]} for a mixed scope. */
export function paintOf(node, mode, palette) {
  if (mode === 'device') {
    const entries = Object.entries(node.devices ?? {}).filter(([, n]) => n > 0);
    if (entries.length <= 1) {
      const device = node.device ?? entries[0]?.[0] ?? '';
      return { color: palette.get(device) ?? UNPLACED };
    }
    const total = entries.reduce((sum, [, n]) => sum + n, 0);
    entries.sort(([a], [b]) => a.localeCompare(b));
    return { stripes: entries.map(([d, n]) => [palette.get(d) ?? UNPLACED, n / total]) };
  }
  if (node.kind === 'scope' && node.op_count > 1) return { color: structureColor(node.structure) };
  return { color: NEUTRAL };
}

/** Legend rows [{color, label, title}] for what is drawn now. */
export function legendRows(root, mode, palette) {
  if (mode === 'device') {
    return [...palette].map(([device, color]) => ({ color, label: device || '(no device)' }));
  }
  const byStructure = new Map();
  visit(root, (node) => {
    if (node.kind !== 'scope' || node.op_count <= 1) return;
    if (!byStructure.has(node.structure)) byStructure.set(node.structure, []);
    byStructure.get(node.structure).push(node);
  });
  // Full names: scopes built differently may share a short name (hidden1, gradients/hidden1).
  const rows = [...byStructure].map(([structure, nodes]) => ({
    color: structureColor(structure),
    label: nodes.length <= MAX_LEGEND_NAMES ? nodes.map((n) => n.name).join(', ')
      : `${nodes.slice(0, MAX_LEGEND_NAMES - 1).map((n) => n.name).join(', ')} ` +
        `and ${nodes.length - MAX_LEGEND_NAMES + 1} more`,
    title: `${nodes.length} scope${nodes.length === 1 ? '' : 's'} of ${nodes[0].op_count} ops, ` +
      'built alike',
  }));
  rows.sort((a, b) => a.label.localeCompare(b.label));
  return [...rows, { color: NEUTRAL, label: 'single op' }];
}

/** Calls fn(node) for every node drawn in the group, inner groups included. */
export function visit(group, fn) {
  for (const node of group.nodes) {
    fn(node);
    if (node.expanded && node.group) visit(node.group, fn);
  }
}
