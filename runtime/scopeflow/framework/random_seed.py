"""Graph- and op-level seeds, combined by TensorFlow's rules into an op's (seed, seed2) attrs.

- graph seed set, op seed not: the op seed is the graph's op count so far (deterministic for
  a given construction order);
- op seed set, graph seed not: the graph seed is a fixed default;
- neither: both 0, meaning a fresh random stream per session.
"""

from __future__ import annotations

from scopeflow.framework import ops

DEFAULT_GRAPH_SEED = 87654321


def get_seed(op_seed):
    graph = ops.get_default_graph()
    graph_seed = graph.seed
    if graph_seed is not None:
        return graph_seed, (graph._last_id if op_seed is None else op_seed)
    if op_seed is not None:
        return DEFAULT_GRAPH_SEED, op_seed
    return None, None


def set_random_seed(seed) -> None:
    """Sets the default graph's seed: random ops repeat their values in every new session."""
    ops.get_default_graph().seed = seed
