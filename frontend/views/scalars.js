// The Scalars tab: toolbar (tag filter, smoothing, x axis, log y, outliers), then the cards,
// grouped by the tag's first name-scope segment in collapsible groups. Cards fetch only when
// they scroll into view, a few at a time, so the first chart is drawn quickly.

import { el, userRegex } from '../dom.js';
import { FetchQueue } from '../fetch_queue.js';
import { plotlyReady } from '../plot.js';
import { state, update } from '../state.js';
import { regexInput, segmented, slider, toggle } from './controls.js';
import { visibleRuns } from './runs.js';
import { ScalarCard } from './scalar_card.js';

// The server's work per batch is CPU-bound (smoothing, M4, JSON): batches running at once
// share its CPU and all arrive late, so cards fetch one at a time, in the order they are
// seen; what the user asks for (a zoom) goes to the front of the queue.
const MAX_CONCURRENT_FETCHES = 1;

export function groupOf(tag) {
  const slash = tag.indexOf('/');
  return slash > 0 ? tag.slice(0, slash) : tag;
}

export class ScalarsView {
  constructor(root, runsModel) {
    this.root = root;
    this.model = runsModel;
    this.cards = new Map();
    this.collapsed = new Set();
    this.dirty = new Set();
    this.queue = new FetchQueue(MAX_CONCURRENT_FETCHES, plotlyReady);
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries),
      { rootMargin: '300px 0px' });
    this.ctx = {
      runsFor: (tag) => visibleRuns(this.model)
        .filter((r) => r.tags?.scalars?.includes(tag)).map((r) => r.run),
      schedule: (fn, options) => this.queue.run(fn, options),
    };
    this.tagFilter = regexInput({ placeholder: 'Filter tags (regex)', label: 'Filter tags',
      value: state.tagFilter, onChange: (v) => update({ tagFilter: v }) });
    this.body = el('div', { class: 'groups' });
    this.summary = el('span', { class: 'muted summary' });
    root.replaceChildren(this.toolbar(), this.body);
  }

  toolbar() {
    return el('div', { class: 'toolbar' },
      this.tagFilter,
      slider({ label: 'Smoothing', name: 'smoothing', min: 0, max: 0.999, step: 0.001,
        value: state.smoothing, onChange: (v) => update({ smoothing: v }) }),
      segmented({ label: 'X axis', name: 'x', value: state.x,
        options: [['step', 'Step'], ['relative', 'Relative'], ['wall', 'Wall']],
        onChange: (v) => update({ x: v }) }),
      toggle({ label: 'Log y', name: 'logy', checked: state.logy,
        onChange: (v) => update({ logy: v }) }),
      toggle({ label: 'Ignore outliers', name: 'outliers', checked: state.outliers,
        onChange: (v) => update({ outliers: v }) }),
      this.summary);
  }

  tags() {
    const re = userRegex(state.tagFilter);
    if (document.activeElement !== this.tagFilter) this.tagFilter.value = state.tagFilter;
    this.tagFilter.classList.toggle('invalid', !re.valid);
    const all = new Set();
    for (const run of visibleRuns(this.model)) for (const t of run.tags?.scalars ?? []) all.add(t);
    return [...all].filter((t) => re.test(t)).sort();
  }

  /** Rebuild the groups and cards (cards are kept, so their data and zoom survive). */
  render() {
    const tags = this.tags();
    const groups = new Map();
    for (const tag of tags) {
      if (!groups.has(groupOf(tag))) groups.set(groupOf(tag), []);
      groups.get(groupOf(tag)).push(tag);
    }
    this.summary.textContent = `${tags.length} tag${tags.length === 1 ? '' : 's'}`;
    const sections = [...groups].map(([name, groupTags]) => this.group(name, groupTags));
    if (!sections.length) {
      const why = visibleRuns(this.model).length
        ? 'No scalar tag matches the filter.' : 'No run selected: pick runs in the sidebar.';
      sections.push(el('p', { class: 'placeholder-note' }, why));
    }
    this.body.replaceChildren(...sections);
    for (const card of this.cards.values()) {
      if (!card.element.isConnected) this.observer.unobserve(card.element);
    }
  }

  group(name, tags) {
    const open = !this.collapsed.has(name);
    const grid = el('div', { class: 'card-grid' }, tags.map((tag) => this.card(tag).element));
    const head = el('button', { type: 'button', class: 'group-head', 'aria-expanded': String(open),
      onclick: () => {
        if (this.collapsed.has(name)) this.collapsed.delete(name);
        else this.collapsed.add(name);
        this.render();
      } },
    el('span', { class: 'caret' }, open ? '▾' : '▸'), el('span', {}, name),
    el('span', { class: 'count' }, String(tags.length)));
    return el('section', { class: 'group', dataset: { group: name } }, head, open && grid);
  }

  card(tag) {
    let card = this.cards.get(tag);
    if (!card) {
      card = new ScalarCard(tag, this.ctx);
      card.element.scalarCard = card;
      this.cards.set(tag, card);
      this.dirty.add(tag);
    }
    this.observer.observe(card.element);
    return card;
  }

  onIntersect(entries) {
    for (const entry of entries) {
      const card = entry.target.scalarCard;
      card.visible = entry.isIntersecting;
      if (card.visible && this.dirty.delete(card.tag)) card.refresh();
    }
  }

  /** Settings or selection changed: refresh visible cards now, the others when shown. */
  invalidate() {
    for (const card of this.cards.values()) {
      if (card.visible && card.element.isConnected) card.refresh();
      else this.dirty.add(card.tag);
    }
  }

  /** Drop every card's data (the stream missed notices); visible cards refetch. */
  forget() {
    for (const card of this.cards.values()) card.fetchKey = null;
    this.invalidate();
  }

  /** A stream event: new points for (run, tag); extend that card's line. */
  onPoints(run, tag, lastStep) {
    const card = this.cards.get(tag);
    if (!card) return;
    const held = card.coarse.get(run);
    if (held && lastStep != null && lastStep < held.step[held.step.length - 1]) {
      card.coarse.delete(run); // a restarted run purged its later points: fetch it anew
    }
    if (!card.visible) {
      card.coarse.delete(run);
      this.dirty.add(tag);
      return;
    }
    if (!card.coarse.has(run)) {
      card.refresh();
      return;
    }
    card.pendingRuns ??= new Set();
    card.pendingRuns.add(run);
    clearTimeout(card.extendTimer);
    card.extendTimer = setTimeout(() => {
      const runs = [...card.pendingRuns];
      card.pendingRuns.clear();
      for (const r of runs) card.extend(r).catch((err) => card.showError(err));
    }, 250);
  }

  resize() {
    for (const card of this.cards.values()) {
      if (card.visible && card.current) card.refresh();
      else this.dirty.add(card.tag);
    }
  }
}
