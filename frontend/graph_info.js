// The graph's side panel contents: what a clicked op or scope is. Built with el(), so names,
// attrs and devices from the GraphDef stay text.

import { el } from './dom.js';

const MAX_ATTR_CHARS = 240;

function row(key, ...value) {
  return [el('dt', {}, key), el('dd', {}, ...value)];
}

function attrText(value) {
  const text = JSON.stringify(value);
  return text.length > MAX_ATTR_CHARS ? `${text.slice(0, MAX_ATTR_CHARS - 1)}…` : text;
}

/** An op from /api/graph; `reveal(name)` is offered on each input to jump to it. */
export function opInfo(node, reveal) {
  const inputs = node.input.map((input) => {
    const control = input.startsWith('^');
    const name = (control ? input.slice(1) : input).replace(/:\d+$/, '');
    return el('li', {},
      el('button', { type: 'button', class: 'link', title: `show ${name}`,
        onclick: () => reveal(name) }, control ? input.slice(1) : input),
      control && el('span', { class: 'muted' }, ' (control)'));
  });
  const attrs = Object.entries(node.attr ?? {});
  return el('div', { class: 'graph-info', 'data-testid': 'graph-info' },
    el('h3', {}, node.name),
    el('dl', {},
      row('op', node.op),
      row('device', node.device || el('span', { class: 'muted' }, 'none')),
      row('inputs', inputs.length ? el('ol', { class: 'graph-inputs' }, inputs)
        : el('span', { class: 'muted' }, 'none')),
      attrs.length && row('attrs', el('ul', { class: 'graph-attrs' }, attrs.map(([k, v]) =>
        el('li', {}, el('code', {}, k), ' ', el('span', { class: 'muted' }, attrText(v))))))));
}

/** A scope node of the layout (its ops are not listed: there may be thousands). */
export function scopeInfo(node) {
  const devices = Object.entries(node.devices ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return el('div', { class: 'graph-info', 'data-testid': 'graph-info' },
    el('h3', {}, node.name),
    el('dl', {},
      row('scope', `${node.op_count} op${node.op_count === 1 ? '' : 's'}`),
      row('devices', el('ul', { class: 'graph-attrs' }, devices.map(([device, count]) =>
        el('li', {}, device || '(no device)', el('span', { class: 'muted' }, ` × ${count}`)))))),
    el('p', { class: 'muted' }, node.expanded ? 'Click its title bar to close it.'
      : 'Click it again to open it.'));
}

export function infoHint() {
  return el('p', { class: 'muted graph-hint' },
    'Click a scope to open or close it, an op to see its inputs and attributes. Drag to pan, ',
    'scroll to zoom.');
}
