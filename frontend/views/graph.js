// The Graphs tab: one run's graph, laid out by the server with its name scopes closed
// except those the user opened (kept in the URL), drawn as SVG with pan, zoom, structure or
// device colouring, a legend, a node info panel and a search that opens a node's scopes.

import { el } from '../dom.js';
import { defs, drawLayout, findDrawn, svg } from '../graph_draw.js';
import { infoHint, opInfo, scopeInfo } from '../graph_info.js';
import { ancestors, GraphNodes } from '../graph_model.js';
import { devicePalette, legendRows } from '../graph_paint.js';
import { Viewport } from '../graph_viewport.js';
import { api } from '../model.js';
import { state, update } from '../state.js';
import { segmented } from './controls.js';

const HOW_TO = `writer = tf.train.SummaryWriter("runs/my_run", sess.graph_def)
# or later: writer.add_graph(sess.graph_def)`;

export class GraphView {
  constructor(root, runsModel) {
    this.root = root;
    this.model = runsModel;
    this.nodes = new GraphNodes();
    this.layout = null; // {run, expanded key, root}
    this.loading = null; // the key being fetched
    this.seq = 0;
    this.fitPending = true;
    this.selected = null;
    this.picker = el('select', { class: 'filter graph-run', 'aria-label': 'Run',
      onchange: () => this.chooseRun(this.picker.value) });
    this.search = el('input', { type: 'search', class: 'filter graph-search', list: 'graph-names',
      placeholder: 'Find a node by name', 'aria-label': 'Find a node',
      onchange: () => this.find(this.search.value) });
    this.names = el('datalist', { id: 'graph-names' });
    this.summary = el('span', { class: 'muted summary' });
    this.content = svg('g', { class: 'graph-content' });
    this.defs = defs();
    this.canvas = svg('svg', { class: 'graph-canvas', role: 'img', 'aria-label': 'graph' },
      this.defs, this.content);
    this.canvas.addEventListener('click', (e) => this.onClick(e));
    this.viewport = new Viewport(this.canvas, this.content);
    this.note = el('div', { class: 'graph-note', hidden: true });
    this.legend = el('div', { class: 'graph-legend', 'data-testid': 'graph-legend' });
    this.info = el('div', { class: 'graph-side-info' }, infoHint());
    this.body = el('div', { class: 'graph-body' },
      el('div', { class: 'graph-stage' }, this.canvas, this.note),
      el('aside', { class: 'graph-side' }, this.legend, this.info));
    this.empty = el('div', { hidden: true });
    root.replaceChildren(this.toolbar(), this.body, this.empty);
  }

  toolbar() {
    return el('div', { class: 'toolbar' },
      el('label', { class: 'control' }, el('span', { class: 'control-label' }, 'Run'), this.picker),
      segmented({ label: 'Colour', name: 'graph_color', value: state.graphColor,
        options: [['structure', 'Structure'], ['device', 'Device']],
        onChange: (v) => {
          update({ graphColor: v });
          this.draw();
        } }),
      el('button', { type: 'button', class: 'seg graph-fit', onclick: () => this.fit() }, 'Fit'),
      this.search, this.names, this.summary);
  }

  graphRuns() {
    return this.model.runs.filter((r) => r.graph).map((r) => r.run);
  }

  /** The run shown: the URL's, or the first with a graph; null when it has none (yet). */
  currentRun(runs) {
    if (!state.graphRun) return runs[0] ?? null;
    return runs.includes(state.graphRun) ? state.graphRun : null;
  }

  render() {
    const runs = this.graphRuns();
    const ready = this.model.loaded && !this.model.error;
    const none = ready && !runs.length;
    this.body.hidden = none;
    this.empty.hidden = !none;
    if (none) {
      if (!this.empty.firstChild) this.empty.append(emptyGraphs());
      return;
    }
    this.fillPicker(runs);
    if (this.model.error) return this.showNote(`server unreachable: ${this.model.error.message}`);
    if (!this.model.loaded) return this.showNote('Loading runs…');
    const run = this.currentRun(runs);
    if (run == null) {
      return this.showNote(`Run "${state.graphRun}" has no graph (yet): pick another one.`);
    }
    this.load(run);
    if (this.fitPending && this.layout) this.fit();
  }

  fillPicker(runs) {
    const run = this.currentRun(runs);
    const names = run == null && state.graphRun ? [state.graphRun, ...runs] : runs;
    const signature = JSON.stringify(names);
    if (this.picker.dataset.signature !== signature) {
      this.picker.replaceChildren(...names.map((name) => el('option', { value: name }, name)));
      this.picker.dataset.signature = signature;
    }
    this.picker.value = run ?? state.graphRun;
  }

  chooseRun(run) {
    if (run === state.graphRun) return;
    this.fitPending = true;
    this.selected = null;
    this.showInfo(null);
    update({ graphRun: run, expanded: [] });
    this.render();
  }

  showNote(text, isError = false) {
    this.note.hidden = false;
    this.note.classList.toggle('error', isError);
    this.note.textContent = text;
  }

  /** Fetch the layout for (run, expanded) unless it is drawn or on its way; the promise
   * settles once the newest layout asked for is drawn (or has failed). */
  load(run) {
    const key = JSON.stringify([run, [...state.expanded].sort()]);
    if (this.loading === key || (!this.loading && this.layout?.key === key)) return this.inflight;
    this.loading = key;
    this.inflight = this.fetchAndDraw(run, key, ++this.seq);
    return this.inflight;
  }

  async fetchAndDraw(run, key, seq) {
    if (!this.layout || this.layout.run !== run) this.showNote('Laying out the graph…');
    try {
      const body = await api.graphLayout(run, state.expanded);
      if (seq !== this.seq) return;
      this.layout = { key, run, root: body.root };
      this.note.hidden = true;
      this.draw();
      this.nodes.get(run).then((nodes) => this.fillNames(run, nodes), () => {});
    } catch (err) {
      if (seq !== this.seq) return;
      this.layout = null;
      this.content.replaceChildren();
      this.showNote(`Could not draw the graph of "${run}": ${err.message}`, true);
    } finally {
      if (seq === this.seq) this.loading = null;
    }
  }

  draw() {
    if (!this.layout) return;
    const root = this.layout.root;
    const mode = state.graphColor;
    const palette = devicePalette(root);
    this.content.replaceChildren(drawLayout(root, { mode, palette, defsNode: this.defs }));
    this.legend.replaceChildren(
      el('h3', {}, mode === 'device' ? 'Devices' : 'Structure'),
      el('ul', {}, legendRows(root, mode, palette).map((r) => el('li', { title: r.title },
        el('span', { class: 'swatch', style: { background: r.color } }), r.label))));
    const total = root.nodes.reduce((sum, n) => sum + n.op_count, 0);
    this.summary.textContent = `${total} op${total === 1 ? '' : 's'}`;
    this.markSelected();
    if (this.fitPending) this.fit();
  }

  fit() {
    if (!this.layout) return;
    const { width, height } = this.layout.root;
    if (this.viewport.fit(width, height)) this.fitPending = false;
  }

  onClick(event) {
    const target = event.target.closest?.('[data-name]');
    if (!target || !this.layout) return;
    const { name, kind } = target.dataset;
    const node = findDrawn(this.layout.root, name, kind)?.node;
    if (!node) return;
    if (kind === 'op') {
      this.select(name);
      return;
    }
    const onTitle = event.target.closest('.graph-title')?.closest('[data-name]') === target;
    if (!node.expanded) this.toggle(name, true);
    else if (onTitle) this.toggle(name, false);
    this.selected = { name, kind };
    this.afterLoad(() => this.showInfo(findDrawn(this.layout.root, name, kind)?.node ?? node));
  }

  /** Open or close a scope; closing also forgets the scopes opened inside it. */
  toggle(name, open) {
    const inside = `${name}/`;
    const expanded = state.expanded.filter((s) => s !== name && !s.startsWith(inside));
    if (open) expanded.push(name);
    update({ expanded });
    this.render();
  }

  async afterLoad(fn) {
    let waited;
    do {
      waited = this.inflight;
      await waited;
    } while (waited !== this.inflight); // a newer layout was asked for meanwhile
    if (this.layout) fn();
  }

  async select(name) {
    const selected = { name, kind: 'op' };
    this.selected = selected;
    this.markSelected();
    const run = this.layout?.run;
    try {
      const nodes = await this.nodes.get(run);
      if (this.selected !== selected || this.layout?.run !== run) return;
      const node = nodes.get(name);
      this.showInfo(node ? opInfo(node, (n) => this.reveal(n)) : null);
    } catch (err) {
      this.info.replaceChildren(el('p', { class: 'error-text' },
        `Could not read the graph's nodes: ${err.message}`));
    }
  }

  showInfo(nodeOrInfo) {
    let content = nodeOrInfo;
    if (nodeOrInfo && !(nodeOrInfo instanceof Node)) content = scopeInfo(nodeOrInfo);
    this.info.replaceChildren(content ?? infoHint());
    this.markSelected();
  }

  markSelected() {
    for (const old of this.content.querySelectorAll('.graph-node.selected')) {
      old.classList.remove('selected');
    }
    if (!this.selected) return;
    const { name, kind } = this.selected;
    this.content.querySelector(`.graph-node[data-name="${CSS.escape(name)}"]` +
      `[data-kind="${kind}"]`)?.classList.add('selected');
  }

  /** Open every scope around the op `name`, then centre on it and show it. */
  async reveal(name) {
    this.openScopes(ancestors(name));
    await this.afterLoad(() => {});
    // An op named like a scope (a Variable beside its `read`) is drawn inside that scope.
    if (this.layout && !findDrawn(this.layout.root, name, 'op')
        && findDrawn(this.layout.root, name, 'scope')) {
      this.openScopes([name]);
      await this.afterLoad(() => {});
    }
    const found = this.layout && findDrawn(this.layout.root, name, 'op');
    if (found) this.viewport.centerOn(found.box);
    this.select(name);
  }

  openScopes(scopes) {
    const missing = scopes.filter((s) => !state.expanded.includes(s));
    if (!missing.length) return;
    update({ expanded: [...state.expanded, ...missing] });
    this.render();
  }

  find(text) {
    const wanted = text.trim();
    const run = this.layout?.run;
    if (!wanted || !run) return;
    this.nodes.get(run).then((nodes) => {
      const lower = wanted.toLowerCase();
      const name = nodes.has(wanted) ? wanted
        : [...nodes.keys()].find((n) => n.toLowerCase().includes(lower));
      this.search.classList.toggle('invalid', !name);
      this.search.title = name ? '' : `no node named like "${wanted}"`;
      if (name) this.reveal(name);
    }, (err) => this.showNote(`Could not search: ${err.message}`, true));
  }

  fillNames(run, nodes) {
    if (this.names.dataset.run === run) return;
    this.names.dataset.run = run;
    this.names.replaceChildren(...[...nodes.keys()].slice(0, 5000)
      .map((name) => el('option', { value: name })));
  }
}

function emptyGraphs() {
  return el('div', { class: 'empty-state', 'data-testid': 'graph-empty' },
    el('h2', {}, 'No graph yet'),
    el('p', {}, 'No run in the log directory has a graph. Hand the session\'s graph to the ',
      'summary writer when you create it:'),
    el('pre', { class: 'code' }, el('code', {}, HOW_TO)),
    el('p', {}, 'The run appears here as soon as its event file holds the graph.'));
}
