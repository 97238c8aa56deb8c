// Talking to the board server: JSON fetches, the runs list, and the live SSE stream.
// Views never build URLs by hand; everything goes through here.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function request(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      message = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail ?? body);
    } catch { /* not JSON: keep the status line */ }
    throw new ApiError(response.status, message);
  }
  return response.json();
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null) q.set(k, String(v));
  return q.toString();
}

export const api = {
  runs: () => request('/api/runs'),

  /** One request per chart card: every line of the card, `points` M4 buckets each. */
  scalarsBatch(items, { points, x, smoothing, start, end } = {}) {
    return postJSON('/api/scalars/batch', { items, points, x, smoothing, start, end });
  },

  scalarsDownloadURL: (run, tag, format) => `/api/scalars.${format}?${query({ run, tag })}`,
  histograms: (run, tag) => request(`/api/histograms?${query({ run, tag })}`),
  images: (run, tag) => request(`/api/images?${query({ run, tag })}`),
  imageURL: (run, tag, index) => `/api/images/blob?${query({ run, tag, index })}`,

  /** The nested layout of a run's graph with the `expanded` scopes open. */
  graphLayout(run, expanded) {
    const params = new URLSearchParams({ run });
    for (const scope of expanded) params.append('expanded', scope);
    return request(`/api/graph/layout?${params}`);
  },
  graphNodes: (run) => request(`/api/graph?${query({ run })}`),

  // The launcher. POSTs are JSON: the server refuses anything a cross-site form could send.
  launchJobs: () => request('/api/launch/jobs'),
  launchRuns: () => request('/api/launch/runs'),
  launch: (job, run, params, token) => postJSON('/api/launch/runs', { job, run, params }, token),
  launchStop: (id, token) =>
    postJSON(`/api/launch/runs/${encodeURIComponent(id)}/stop`, {}, token),
  launchLog: (id, offset) =>
    request(`/api/launch/runs/${encodeURIComponent(id)}/log?${query({ offset })}`),
};

/** A JSON POST; `token`: the board's --launch_token, when it has one. */
function postJSON(url, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return request(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** The runs list, refreshed on demand (throttled) and shared by every view. */
export class RunsModel {
  constructor() {
    this.runs = [];
    this.byName = new Map();
    this.loaded = false;
    this.error = null;
    this.listeners = new Set();
    this.pending = null;
    this.lastEvent = new Map(); // run -> Date.now() of its last stream event
    this.signature = null; // the last answer (or error), to tell whether anything changed
  }

  onChange(fn) {
    this.listeners.add(fn);
  }

  names() {
    return this.runs.map((r) => r.run);
  }

  /** Runs having at least one tag of `kind` (scalars, histograms, images, text). */
  withTags(kind) {
    return this.runs.filter((r) => (r.tags?.[kind] ?? []).length > 0);
  }

  isLive(run) {
    const seen = this.lastEvent.get(run.run);
    if (seen && Date.now() - seen < 60_000) return true;
    return run.last_wall_time != null && Date.now() / 1000 - run.last_wall_time < 120;
  }

  /** Fetch the list; listeners hear of it only when something changed (every view
   * re-renders on it, so an unchanged answer, common on reconnects, costs nothing). */
  async refresh() {
    const before = this.signature;
    try {
      const early = window.initialRuns; // started by index.html before the scripts loaded
      window.initialRuns = null;
      const runs = (early && await early) ?? await api.runs();
      runs.sort((a, b) => a.run.localeCompare(b.run));
      this.signature = JSON.stringify(runs);
      if (this.signature !== before) {
        this.runs = runs;
        this.byName = new Map(runs.map((r) => [r.run, r]));
      }
      this.error = null;
    } catch (err) {
      this.error = err;
      this.signature = `error: ${err.message}`;
    }
    if (this.loaded && this.signature === before) return;
    this.loaded = true;
    for (const fn of this.listeners) fn();
  }

  /** Coalesce bursts of stream events into at most one /api/runs request per interval. */
  refreshSoon(ms = 500) {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.refresh();
    }, ms);
  }
}

/**
 * The server's SSE stream. Events: `run` {run, change: added|removed}, `tag` {run, kind,
 * tag}, `scalars` {run, tag, last_step, total}, `resync` {} (notices were missed).
 * `onEvent` gets the JSON with the event's type as `event`; EventSource reconnects itself.
 */
export function openStream(onEvent, onStatus) {
  const source = new EventSource('/api/stream');
  const handle = (message) => {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    for (const item of Array.isArray(data) ? data : [data]) {
      onEvent({ event: message.type, ...item });
    }
  };
  for (const type of ['message', 'run', 'tag', 'scalars', 'resync']) {
    source.addEventListener(type, handle);
  }
  source.onopen = () => onStatus?.(true);
  source.onerror = () => onStatus?.(false);
  return source;
}
