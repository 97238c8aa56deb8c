// App shell: tabs, the runs sidebar, the views, the URL state and the live stream.

import { debounce, el } from './dom.js';
import { openStream, RunsModel } from './model.js';
import { onChange, readURL, state, TABS, update } from './state.js';
import { DistributionCard, HistogramCard } from './views/histograms.js';
import { ImageCard } from './views/images.js';
import { emptyState } from './views/placeholders.js';
import { PluginView } from './views/plugin_view.js';
import { RunsSidebar } from './views/runs.js';
import { ScalarsView } from './views/scalars.js';
import { segmented } from './views/controls.js';

const TAB_TITLES = {
  scalars: 'Scalars', graphs: 'Graphs', histograms: 'Histograms',
  distributions: 'Distributions', images: 'Images', launch: 'Launch',
};
const DATA_TABS = new Set(['scalars', 'histograms', 'distributions', 'images']);
// Tabs whose code and styles are fetched when first opened, so that loading the page (and
// its first chart) never waits for them.
const LAZY_TABS = {
  graphs: { module: './views/graph.js', view: 'GraphView', css: '/static/graph.css' },
  launch: { module: './views/launch.js', view: 'LaunchView', css: '/static/launch.css' },
};

readURL();
const runs = new RunsModel();
const main = document.getElementById('main');
const panels = Object.fromEntries(TABS.map((tab) => [tab,
  el('div', { class: 'panel', id: `panel-${tab}`, role: 'tabpanel', hidden: true })]));
const empty = el('div', { class: 'panel', hidden: true });
main.replaceChildren(...Object.values(panels), empty);

const tabButtons = TABS.map((tab) => el('button', {
  type: 'button', role: 'tab', class: 'tab', dataset: { tab },
  onclick: () => update({ tab }),
}, TAB_TITLES[tab]));
document.getElementById('tabs').replaceChildren(...tabButtons);

const sidebar = new RunsSidebar(document.getElementById('sidebar'), runs);
const views = {
  scalars: new ScalarsView(panels.scalars, runs),
  histograms: new PluginView(panels.histograms, runs, {
    kind: 'histograms', noun: 'histograms', makeCard: (r, t) => new HistogramCard(r, t),
    controls: [segmented({ label: 'Mode', name: 'hist', value: state.hist,
      options: [['offset', 'Offset'], ['overlay', 'Overlay']],
      onChange: (v) => update({ hist: v }) })],
  }),
  distributions: new PluginView(panels.distributions, runs, {
    kind: 'histograms', noun: 'histograms', makeCard: (r, t) => new DistributionCard(r, t),
  }),
  images: new PluginView(panels.images, runs, {
    kind: 'images', noun: 'images', makeCard: (r, t) => new ImageCard(r, t),
  }),
};
const loadingViews = {};

/** Call `fn` with the tab's view, loading a lazy tab first (if it is still shown then). */
function withView(tab, fn) {
  if (views[tab]) {
    fn(views[tab]);
    return;
  }
  const lazy = LAZY_TABS[tab];
  if (!lazy) return;
  if (!loadingViews[tab]) {
    panels[tab].replaceChildren(el('p', { class: 'placeholder-note' }, 'Loading…'));
  }
  loadingViews[tab] ??= Promise.all([import(lazy.module), stylesheet(lazy.css)])
    .then(([module]) => {
      views[tab] = new module[lazy.view](panels[tab], runs);
      return views[tab];
    });
  loadingViews[tab].then((view) => {
    if (state.tab === tab) fn(view);
  }, (err) => {
    delete loadingViews[tab];
    panels[tab].replaceChildren(el('p', { class: 'placeholder-note error' },
      `Could not load this tab: ${err.message}`));
  });
}

function stylesheet(href) {
  return new Promise((resolve, reject) => {
    const link = el('link', { rel: 'stylesheet', href });
    link.addEventListener('load', resolve);
    link.addEventListener('error', () => reject(new Error(`could not load ${href}`)));
    document.head.append(link);
  });
}

function showTab() {
  const noRuns = runs.loaded && !runs.runs.length && !runs.error;
  const showEmpty = noRuns && DATA_TABS.has(state.tab);
  for (const button of tabButtons) {
    const active = button.dataset.tab === state.tab;
    button.classList.toggle('active', active);
    button.setAttribute('aria-selected', String(active));
  }
  for (const [tab, panel] of Object.entries(panels)) panel.hidden = showEmpty || tab !== state.tab;
  empty.hidden = !showEmpty;
  if (showEmpty && !empty.firstChild) empty.append(emptyState(() => update({ tab: 'launch' })));
  if (!showEmpty) withView(state.tab, (view) => view.render());
}

const status = document.getElementById('status');
let streamUp = false;
function renderStatus() {
  const text = runs.error ? `server unreachable: ${runs.error.message}`
    : `${runs.runs.length} run${runs.runs.length === 1 ? '' : 's'}`;
  status.replaceChildren(
    el('span', { class: streamUp ? 'dot on' : 'dot', title: streamUp ? 'live' : 'not live' }),
    text);
}

runs.onChange(() => {
  sidebar.render();
  renderStatus();
  showTab();
  views.scalars.invalidate();
});

onChange((changed) => {
  const has = (...keys) => keys.some((k) => changed.includes(k));
  if (has('tab')) showTab();
  if (has('runFilter') && document.activeElement !== sidebar.filterInput) {
    sidebar.filterInput.value = state.runFilter; // set from elsewhere ("Show curves")
  }
  if (has('runFilter', 'selection')) {
    sidebar.render();
    showTab();
    views.scalars.invalidate();
  }
  if (has('tagFilter')) withView(state.tab, (view) => view.render());
  if (has('smoothing', 'x', 'logy', 'outliers')) views.scalars.invalidate();
  if (has('hist')) views.histograms.redraw();
});

const KIND_VIEWS = { scalars: [views.scalars], histograms: [views.histograms,
  views.distributions], images: [views.images] };

function onStreamEvent(event) {
  if (event.event === 'resync') {
    views.scalars.forget();
    runs.refreshSoon(0);
    return;
  }
  if (!event.run) return;
  if (event.event === 'run') {
    if (event.change === 'added') runs.lastEvent.set(event.run, Date.now()); // a new run is live
    runs.refreshSoon();
    return;
  }
  const known = runs.byName.get(event.run);
  const wasLive = known && runs.isLive(known);
  runs.lastEvent.set(event.run, Date.now());
  if (known && !wasLive) sidebar.render();
  const kind = event.kind ?? event.plugin ?? (event.tag ? 'scalars' : null);
  if (!known || (event.tag && kind && !(known.tags?.[kind] ?? []).includes(event.tag))) {
    runs.refreshSoon();
    return;
  }
  if (!event.tag) return;
  if (kind !== 'scalars') {
    for (const view of KIND_VIEWS[kind] ?? []) view.onData(event.run, event.tag);
    return;
  }
  views.scalars.onPoints(event.run, event.tag, event.last_step);
  for (const view of [views.histograms, views.distributions, views.images]) {
    view.onRunActivity(event.run);
  }
}

openStream(onStreamEvent, (up) => {
  // Whatever changed before the stream (re)connected was not announced on it.
  if (up && !streamUp && runs.loaded) runs.refreshSoon(0);
  streamUp = up;
  renderStatus();
});
window.addEventListener('resize', debounce(() => views.scalars.resize(), 300));
// Live badges fade when a run stops writing; the sidebar re-checks now and then.
setInterval(() => sidebar.render(), 15_000);

showTab();
runs.refresh();
