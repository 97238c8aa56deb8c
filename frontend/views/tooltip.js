// The scalar cards' hover tooltip: at the hovered x, every drawn run's value, sorted by
// value. Drawn by us (not plotly's hover) so it lists runs whose points are not under the
// cursor and costs no plot redraw.

import { el, formatNumber } from '../dom.js';

export function attachTooltip(card) {
  const tip = el('div', { class: 'tooltip', hidden: true, role: 'tooltip' });
  const rule = el('div', { class: 'crosshair', hidden: true });
  card.plotWrap.append(tip, rule);
  const hide = () => {
    tip.hidden = true;
    rule.hidden = true;
  };
  card.plotWrap.addEventListener('mouseleave', hide);
  card.plotWrap.addEventListener('mousemove', (ev) => {
    const xa = card.plot._fullLayout?.xaxis;
    const ya = card.plot._fullLayout?.yaxis;
    if (!xa || !card.current?.length) return hide();
    const box = card.plot.getBoundingClientRect();
    const px = ev.clientX - box.left - xa._offset;
    const py = ev.clientY - box.top - ya._offset;
    if (px < 0 || px > xa._length || py < 0 || py > ya._length) return hide();
    const rows = card.valuesAt(xa.p2c(px));
    if (!rows.length) return hide();
    render(tip, card, xa.p2c(px), rows);
    rule.hidden = false;
    rule.style.left = `${xa._offset + px}px`;
    rule.style.top = `${ya._offset}px`;
    rule.style.height = `${ya._length}px`;
    tip.hidden = false;
    const left = ev.clientX - box.left + 14;
    const fitsRight = left + tip.offsetWidth < box.width;
    tip.style.left = `${fitsRight ? left : Math.max(0, ev.clientX - box.left - 14 - tip.offsetWidth)}px`;
    tip.style.top = `${Math.max(0, ev.clientY - box.top - tip.offsetHeight / 2)}px`;
  });
}

const MAX_ROWS = 12;

function render(tip, card, x, rows) {
  const smoothed = rows.some((r) => r.value !== r.raw);
  const head = el('tr', {}, el('th', {}), el('th', {}, 'run'),
    el('th', {}, smoothed ? 'smoothed' : 'value'), smoothed && el('th', {}, 'value'),
    el('th', {}, 'step'));
  const body = rows.slice(0, MAX_ROWS).map((r) => el('tr', {},
    el('td', {}, el('span', { class: 'swatch', style: { background: r.color } })),
    el('td', { class: 'run-name' }, r.run),
    el('td', { class: 'num' }, formatNumber(r.value)),
    smoothed && el('td', { class: 'num muted' }, formatNumber(r.raw)),
    el('td', { class: 'num muted' }, String(r.step))));
  const more = rows.length > MAX_ROWS
    && el('div', { class: 'muted' }, `… ${rows.length - MAX_ROWS} more runs`);
  tip.replaceChildren(...[el('div', { class: 'tooltip-head' }, card.formatX(x)),
    el('table', {}, el('thead', {}, head), el('tbody', {}, body)), more].filter(Boolean));
}
