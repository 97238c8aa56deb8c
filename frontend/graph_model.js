// The graph view's data beyond the layout (api.graphLayout): the run's GraphDef nodes,
// fetched once per run for the info panel and the search box, and scope names.

import { api } from './model.js';

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
      const nodes = api.graphNodes(run)
        .then((body) => new Map(body.nodes.map((node) => [node.name, node])));
      nodes.catch(() => this.byRun.delete(run)); // a failure is retried on the next ask
      this.byRun.set(run, nodes);
    }
    return this.byRun.get(run);
  }
}
