"""Fetch structures and feed keys: flatten nested fetches, resolve names to graph elements."""

from __future__ import annotations

from scopeflow.client.feeds import split_sparse_feeds
from scopeflow.framework.operation import Operation, Tensor
from scopeflow.framework.sparse_tensor import SparseTensor, SparseTensorValue

# A SparseTensor counts as a structure: it flattens into its three tensors.
STRUCTURES = (list, tuple, dict, SparseTensor)


def flatten(fetches) -> tuple[list, object]:
    """(leaves, rebuild): rebuild(values) puts one value per leaf back into the structure.

    Lists, tuples, namedtuples and dicts (any Mapping subclass keeps its type) nest freely;
    a SparseTensor stands for its indices, values and shape and comes back as a
    SparseTensorValue.
    """
    leaves: list = []
    rebuild = _flatten_into(fetches, leaves)
    return leaves, rebuild


def _flatten_into(fetches, leaves: list):
    if fetches is None:
        raise TypeError(f"Fetch argument {fetches!r} has invalid type {type(fetches)}")
    if isinstance(fetches, dict):
        keys = list(fetches)
        parts = [_flatten_into(fetches[k], leaves) for k in keys]
        kind = type(fetches)
        return lambda values: kind(zip(keys, (p(values) for p in parts)))
    # One isinstance test covers sequences and sparse tensors, so plain leaves pay no more.
    if isinstance(fetches, (list, tuple, SparseTensor)):
        if isinstance(fetches, SparseTensor):
            return _flatten_sparse(fetches, leaves)
        parts = [_flatten_into(f, leaves) for f in fetches]
        if isinstance(fetches, list):
            return lambda values: [p(values) for p in parts]
        if hasattr(fetches, "_fields"):  # a namedtuple
            kind = type(fetches)
            return lambda values: kind(*(p(values) for p in parts))
        return lambda values: tuple(p(values) for p in parts)
    index = len(leaves)
    leaves.append(fetches)
    return lambda values: values[index]


def _flatten_sparse(sparse: SparseTensor, leaves: list):
    index = len(leaves)
    leaves.extend((sparse.indices, sparse.values, sparse.shape))
    return lambda values: SparseTensorValue(*values[index:index + 3])


def resolve_fetch(graph, fetch):
    """A fetch leaf as a Tensor or Operation of `graph`, with TensorFlow's errors."""
    try:
        element = graph.as_graph_element(fetch)
    except TypeError:
        raise TypeError(
            f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a string or "
            f"Tensor. (Can not convert a {type(fetch).__name__} into a Tensor or Operation.)"
        ) from None
    except (KeyError, ValueError) as e:
        raise ValueError(
            f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({_msg(e)})"
        ) from None
    if not isinstance(element, (Tensor, Operation)):
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}")
    return element


def resolve_feed(graph, key) -> Tensor:
    """A feed_dict key (Tensor or 'name:0') as a Tensor of `graph`."""
    try:
        element = graph.as_graph_element(key, allow_operation=False)
    except TypeError:
        raise TypeError(
            f"Cannot interpret feed_dict key {key!r} as Tensor: keys must be Tensors or "
            "tensor names"
        ) from None
    except (KeyError, ValueError) as e:
        raise ValueError(f"Cannot interpret feed_dict key as Tensor: {_msg(e)}") from None
    return element


def resolve_feeds(graph, keys) -> tuple[list[Tensor], object]:
    """(tensors, adapt): the tensors a run's feed_dict keys feed, one per key except three per
    SparseTensor key; adapt is None when no key is sparse, else it wraps a plan's function so
    that it splits each sparse feed value into its three parts."""
    tensors: list[Tensor] = []
    sparse_at: dict[int, str] = {}
    for i, key in enumerate(keys):
        if isinstance(key, SparseTensor):
            sparse_at[i] = key.values.name
            tensors.extend(resolve_feed(graph, t) for t in (key.indices, key.values, key.shape))
        else:
            tensors.append(resolve_feed(graph, key))
    if not sparse_at:
        return tensors, None
    return tensors, lambda fn: split_sparse_feeds(fn, sparse_at, len(keys))


def check_hashable(leaves, feed_keys) -> None:
    for leaf in leaves:
        try:
            hash(leaf)
        except TypeError:
            raise TypeError(
                f"Fetch argument {leaf!r} has invalid type {type(leaf)}, must be a string or "
                "Tensor."
            ) from None
    for key in feed_keys:
        try:
            hash(key)
        except TypeError:
            raise TypeError(f"Cannot interpret feed_dict key {key!r} as Tensor") from None


def _msg(e: Exception) -> str:
    return e.args[0] if e.args else str(e)
