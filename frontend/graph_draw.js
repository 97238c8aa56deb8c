// SVG for a graph layout: scopes as rounded boxes (expanded ones with a title bar around
// their inner group), ops as pills, edges as polylines with arrowheads. Pure building: no
// fetching, no state; every string from the server goes in as text.

import { paintOf } from './graph_paint.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
export const TITLE_HEIGHT = 28; // board/graph/layout.py's TITLE_H: the room above an inner group
const FONT_PX = 11;
const CHAR_PX = 6.3; // average advance at FONT_PX, to shorten labels that would overflow

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value != null && value !== false) node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) node.append(child);
  }
  return node;
}

function fit(text, width) {
  const room = Math.max(1, Math.floor((width - 8) / CHAR_PX));
  return text.length <= room ? text : `${text.slice(0, Math.max(room - 1, 1))}…`;
}

/** Arrowhead markers and a place for stripe gradients, shared by every group. */
export function defs() {
  const arrow = (id, cls) => svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, markerUnits: 'userSpaceOnUse', orient: 'auto' },
  svg('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }));
  return svg('defs', {}, arrow('graph-arrow', 'graph-arrowhead'),
    arrow('graph-arrow-control', 'graph-arrowhead control'));
}

/** Draws `root` (and the expanded scopes within) into a <g>; gradients go into `defsNode`. */
export function drawLayout(root, { mode, palette, defsNode }) {
  const gradients = new Map();
  const fillOf = (node) => {
    const paint = paintOf(node, mode, palette);
    if (paint.color) return paint.color;
    const key = JSON.stringify(paint.stripes);
    if (!gradients.has(key)) {
      const id = `graph-stripes-${gradients.size}`;
      gradients.set(key, id);
      defsNode.append(stripes(id, paint.stripes));
    }
    return `url(#${gradients.get(key)})`;
  };
  for (const old of defsNode.querySelectorAll('linearGradient')) old.remove();
  return group(root, fillOf);
}

function stripes(id, parts) {
  const stops = [];
  let at = 0;
  for (const [color, fraction] of parts) {
    stops.push(svg('stop', { offset: at, 'stop-color': color }));
    at += fraction;
    stops.push(svg('stop', { offset: Math.min(at, 1), 'stop-color': color }));
  }
  return svg('linearGradient', { id, x1: 0, y1: 0, x2: 1, y2: 0 }, stops);
}

function group(layout, fillOf) {
  return svg('g', { class: 'graph-group', 'data-group': layout.name },
    layout.edges.map(edge),
    layout.nodes.map((node) => nodeShape(node, fillOf)));
}

export function edgeWidth(count) {
  return Math.min(1.2 + 1.3 * Math.log2(Math.max(count, 1)), 7).toFixed(2);
}

function edge(e) {
  const points = e.points.map(([x, y]) => `${x},${y}`).join(' ');
  const noun = e.control ? 'control edge' : 'tensor';
  return svg('polyline', {
    class: e.control ? 'graph-edge control' : 'graph-edge', points,
    'stroke-width': edgeWidth(e.count), 'data-source': e.source, 'data-target': e.target,
    'marker-end': `url(#${e.control ? 'graph-arrow-control' : 'graph-arrow'})`,
  }, svg('title', {}, `${e.source} → ${e.target}: ${e.count} ${noun}${e.count === 1 ? '' : 's'}`));
}

function nodeShape(node, fillOf) {
  const { width: w, height: h } = node;
  const fill = fillOf(node);
  const kind = node.kind === 'scope' ? (node.expanded ? 'scope expanded' : 'scope') : 'op';
  const attrs = { class: `graph-node ${kind}`, transform: `translate(${node.x},${node.y})`,
    'data-name': node.name, 'data-kind': node.kind, 'data-expanded': String(!!node.expanded) };
  const title = svg('title', {}, node.kind === 'scope'
    ? `${node.name} (${node.op_count} ops)` : `${node.name} (${node.op})`);
  if (node.kind === 'op') {
    return svg('g', attrs, title,
      svg('rect', { class: 'graph-shape', width: w, height: h, rx: h / 2, ry: h / 2, fill }),
      label(fit(node.label, w), w / 2, h / 2));
  }
  const count = `${node.op_count} op${node.op_count === 1 ? '' : 's'}`;
  if (!node.expanded || !node.group) {
    const twoLines = h >= 2 * FONT_PX + 10;
    return svg('g', attrs, title,
      svg('rect', { class: 'graph-shape', width: w, height: h, rx: 6, ry: 6, fill }),
      label(fit(twoLines ? node.label : `${node.label} (${node.op_count})`, w), w / 2,
        twoLines ? h / 2 - 6 : h / 2, 'graph-label scope-label'),
      twoLines && label(count, w / 2, h / 2 + 8, 'graph-count'));
  }
  return svg('g', attrs, title,
    svg('rect', { class: 'graph-shape', width: w, height: h, rx: 6, ry: 6, fill }),
    svg('rect', { class: 'graph-scope-body', x: 1, y: TITLE_HEIGHT, width: Math.max(w - 2, 0),
      height: Math.max(h - TITLE_HEIGHT - 1, 0) }),
    svg('g', { class: 'graph-title' },
      svg('rect', { class: 'graph-title-hit', width: w, height: TITLE_HEIGHT }),
      label(fit(`▾ ${node.label} · ${count}`, w), 8, TITLE_HEIGHT / 2, 'graph-label title',
        'start')),
    group(node.group, fillOf));
}

function label(text, x, y, cls = 'graph-label', anchor = 'middle') {
  return svg('text', { class: cls, x, y, 'text-anchor': anchor, 'dominant-baseline': 'central' },
    text);
}

/** The drawn node `name` of `kind` with its box in root coordinates, or null when it is not
 * drawn (inside a closed scope). Kind matters: an op may share its name with the scope that
 * holds it (a Variable `w` beside `w/read`, `w/Assign`). */
export function findDrawn(layout, name, kind, ox = 0, oy = 0) {
  for (const node of layout.nodes) {
    const x = ox + node.x;
    const y = oy + node.y;
    if (node.name === name && node.kind === kind) {
      return { node, box: { x, y, width: node.width, height: node.height } };
    }
    const holds = name === node.name || name.startsWith(`${node.name}/`);
    if (node.kind === 'scope' && node.expanded && node.group && holds) {
      const found = findDrawn(node.group, name, kind, x, y);
      if (found) return found;
    }
  }
  return null;
}
