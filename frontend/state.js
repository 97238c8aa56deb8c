// View state kept in the URL's query string, so a link reproduces the view: tab, selected
// runs, filters, smoothing and chart options. Views read `state` and call `update()`.

const DEFAULTS = {
  tab: 'scalars',
  smoothing: 0.6,
  x: 'step', // step | relative | wall
  logy: false,
  outliers: false, // true: ignore outliers when scaling the y axis
  runFilter: '',
  tagFilter: '',
  hist: 'offset', // offset | overlay
  graphRun: '',
  graphColor: 'structure', // structure | device
};

const KEYS = {
  tab: 'tab', smoothing: 'smoothing', x: 'x', logy: 'logy', outliers: 'outliers',
  runFilter: 'runs_re', tagFilter: 'tags_re', hist: 'hist',
  graphRun: 'graph_run', graphColor: 'graph_color',
};

export const TABS = ['scalars', 'graphs', 'histograms', 'distributions', 'images', 'launch'];
export const X_AXES = ['step', 'relative', 'wall'];
export const GRAPH_COLORS = ['structure', 'device'];

// expanded: the graph's open name scopes, one repeated `expand=` parameter each.
export const state = { ...DEFAULTS, selection: { only: false, names: new Set() }, expanded: [] };
const listeners = new Set();

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function update(changes) {
  const changed = Object.keys(changes).filter((k) => state[k] !== changes[k]);
  if (!changed.length) return;
  Object.assign(state, changes);
  writeURL();
  for (const fn of listeners) fn(changed);
}

/** Selected runs are stored as whichever list is shorter: `run=` (only these) or `hide=`. */
export function isSelected(run) {
  const { only, names } = state.selection;
  return only ? names.has(run) : !names.has(run);
}

export function setSelected(runs, selected, allRuns) {
  const chosen = new Set(allRuns.filter(isSelected));
  for (const run of runs) {
    if (selected) chosen.add(run);
    else chosen.delete(run);
  }
  const hidden = allRuns.filter((r) => !chosen.has(r));
  state.selection = chosen.size < hidden.length
    ? { only: true, names: chosen }
    : { only: false, names: new Set(hidden) };
  writeURL();
  for (const fn of listeners) fn(['selection']);
}

function parse(key, raw) {
  const fallback = DEFAULTS[key];
  if (typeof fallback === 'boolean') return raw === '1' || raw === 'true';
  if (typeof fallback === 'number') {
    const v = Number(raw);
    return Number.isFinite(v) ? Math.min(Math.max(v, 0), 0.999) : fallback;
  }
  if (key === 'tab') return TABS.includes(raw) ? raw : fallback;
  if (key === 'x') return X_AXES.includes(raw) ? raw : fallback;
  if (key === 'hist') return ['offset', 'overlay'].includes(raw) ? raw : fallback;
  if (key === 'graphColor') return GRAPH_COLORS.includes(raw) ? raw : fallback;
  return raw;
}

export function readURL() {
  const params = new URLSearchParams(window.location.search);
  for (const [key, name] of Object.entries(KEYS)) {
    state[key] = params.has(name) ? parse(key, params.get(name)) : DEFAULTS[key];
  }
  const only = params.getAll('run');
  state.selection = only.length
    ? { only: true, names: new Set(only.filter(Boolean)) }
    : { only: false, names: new Set(params.getAll('hide')) };
  state.expanded = params.getAll('expand').filter(Boolean);
}

function writeURL() {
  const params = new URLSearchParams();
  for (const [key, name] of Object.entries(KEYS)) {
    const value = state[key];
    if (value === DEFAULTS[key]) continue;
    params.set(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  const { only, names } = state.selection;
  for (const run of [...names].sort()) params.append(only ? 'run' : 'hide', run);
  if (only && !names.size) params.append('run', ''); // "none selected" must survive a reload
  for (const scope of state.expanded) params.append('expand', scope);
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ''}`;
  window.history.replaceState(null, '', url);
}
