// The graph view's data: the server's layout for a set of expanded scopes, and the run's
// GraphDef nodes (fetched once per run, for the info panel and the search box).

import { ApiError } from './model.js';

async function getJSON(url) {
  const response = await fetch(url);
  let body = null;
  try {
    body = await response.json();
  } catch { /* not JSON: the status line says enough */ }
  if (!response.ok) {
    const detail = body?.detail;
    throw new ApiError(response.status, typeof detail === 'string' ? detail
      : `${response.status} ${response.statusText}`);
  }
  return body;
}

export function fetchLayout(run, expanded) {
  const params = new URLSearchParams({ run });
  for (const scope of expanded) params.append('expanded', scope);
  return getJSON(`/api/graph/layout?${params}`);
}

/** The names of the scopes that contain `name` ("a/b/c" -> ["a", "a/b"]). */
export function ancestors(name) {
  const parts = name.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** GraphDef nodes by name, one request per run however often they are asked for. */
export class GraphNodes {
  constructor() {
    this.byRun = new Map();
  }

  get(run) {
    if (!this.byRun.has(run)) {
      const params = new URLSearchParams({ run });
      const nodes = getJSON(`/api/graph?${params}`)
        .then((body) => new Map(body.nodes.map((node) => [node.name, node])));
      nodes.catch(() => this.byRun.delete(run)); // a failure is retried on the next ask
      this.byRun.set(run, nodes);
    }
    return this.byRun.get(run);
  }
}
