// Tabs whose cards are one per (tag, run) — histograms, distributions, images: a tag filter,
// a section per tag, cards loaded when they scroll into view and reloaded on stream events.

import { el, userRegex } from '../dom.js';
import { state, update } from '../state.js';
import { regexInput } from './controls.js';
import { visibleRuns } from './runs.js';

const ACTIVITY_RELOAD_MS = 5000;

export class PluginView {
  /** `kind`: the runs' tag list to use; `makeCard(run, tag)`: { element, load(), draw() }. */
  constructor(root, runsModel, { kind, makeCard, controls = [], noun }) {
    this.root = root;
    this.model = runsModel;
    this.kind = kind;
    this.noun = noun;
    this.makeCard = makeCard;
    this.cards = new Map();
    this.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const card = entry.target.pluginCard;
        card.visible = entry.isIntersecting;
        if (card.visible && card.stale) this.load(card);
      }
    }, { rootMargin: '300px 0px' });
    this.tagFilter = regexInput({ placeholder: 'Filter tags (regex)', label: 'Filter tags',
      value: state.tagFilter, onChange: (v) => update({ tagFilter: v }) });
    this.body = el('div', { class: 'groups' });
    root.replaceChildren(el('div', { class: 'toolbar' }, this.tagFilter, ...controls), this.body);
  }

  load(card) {
    card.stale = false;
    card.loadedAt = Date.now();
    card.load().catch((err) => card.showError(err));
  }

  pairs() {
    const re = userRegex(state.tagFilter);
    // The tag filter is shared by the tabs; never rewrite the box the user is typing in.
    if (document.activeElement !== this.tagFilter) this.tagFilter.value = state.tagFilter;
    this.tagFilter.classList.toggle('invalid', !re.valid);
    const byTag = new Map();
    for (const run of visibleRuns(this.model)) {
      for (const tag of run.tags?.[this.kind] ?? []) {
        if (!re.test(tag)) continue;
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push(run.run);
      }
    }
    return [...byTag].sort((a, b) => a[0].localeCompare(b[0]));
  }

  render() {
    const sections = this.pairs().map(([tag, runs]) => el('section', { class: 'group' },
      el('h3', { class: 'group-head static' }, el('span', {}, tag),
        el('span', { class: 'count' }, String(runs.length))),
      el('div', { class: 'card-grid' }, runs.map((run) => this.card(run, tag).element))));
    if (!sections.length) {
      sections.push(el('p', { class: 'placeholder-note' },
        `No ${this.noun} in the selected runs${state.tagFilter ? ' matching the filter' : ''}.`));
    }
    this.body.replaceChildren(...sections);
  }

  card(run, tag) {
    const key = JSON.stringify([run, tag]);
    let card = this.cards.get(key);
    if (!card) {
      card = this.makeCard(run, tag);
      card.stale = true;
      card.element.pluginCard = card;
      this.cards.set(key, card);
      this.observer.observe(card.element);
    }
    return card;
  }

  /** Redraw every loaded card from its data (view options changed, nothing to fetch). */
  redraw() {
    for (const card of this.cards.values()) if (!card.stale && card.data) card.draw();
  }

  /**
   * The stream announces new points only for scalars; a run writing scalars likely writes
   * histograms and images too, so reload its visible cards (at most every few seconds).
   */
  onRunActivity(run) {
    const now = Date.now();
    for (const card of this.cards.values()) {
      if (card.run !== run || now - (card.loadedAt ?? 0) < ACTIVITY_RELOAD_MS) continue;
      card.stale = true;
      if (card.visible) this.load(card);
    }
  }

  /** The stream says (run, tag) has new data. */
  onData(run, tag) {
    const card = this.cards.get(JSON.stringify([run, tag]));
    if (!card) return;
    card.stale = true;
    if (card.visible) this.load(card);
  }
}

/** Card frame shared by the plugin tabs: title (tag), run name with its colour, body, foot. */
export function cardFrame(run, tag, color, body) {
  const foot = el('div', { class: 'card-foot' });
  const element = el('section', { class: 'card', dataset: { tag, run } },
    el('header', { class: 'card-head' },
      el('h3', { class: 'card-title', title: tag }, tag),
      el('span', { class: 'card-run', title: run },
        el('span', { class: 'swatch', style: { background: color } }), run)),
    body, foot);
  return { element, foot };
}
