"""Layouts served from memory: one Hierarchy per distinct GraphDef, one encoded layout per
(GraphDef, visible expanded set), both least-recently-used within a byte budget. A graph is
known by a digest of its bytes, so a run that logs the same graph again reuses everything
and a changed graph simply stops being asked for."""

from __future__ import annotations

import hashlib

import orjson

from board.graph.hierarchy import Hierarchy
from board.graph.layout import layout, visible_expanded
from board.store.cache import ByteBudgetCache

_HIERARCHIES = ByteBudgetCache(256 << 20)
_LAYOUTS = ByteBudgetCache(64 << 20)
# A parsed hierarchy holds Python objects per op: roughly this many times the GraphDef size.
_HIERARCHY_BYTES_PER_BYTE = 8


def _hierarchy(digest: str, serialized: bytes) -> Hierarchy:
    return _HIERARCHIES.get_or_compute(
        digest, lambda: Hierarchy(serialized),
        lambda _: max(len(serialized), 1024) * _HIERARCHY_BYTES_PER_BYTE)


def layout_json(serialized: bytes, expanded) -> bytes:
    """The root Group as JSON bytes."""
    digest = _digest(serialized)
    hierarchy = _hierarchy(digest, serialized)
    opened = visible_expanded(hierarchy, expanded)
    return _LAYOUTS.get_or_compute(
        (digest, opened), lambda: orjson.dumps(layout(hierarchy, opened)), len)


def _digest(serialized: bytes) -> str:
    return hashlib.blake2b(serialized, digest_size=16).hexdigest()


def clear() -> None:
    _HIERARCHIES.clear()
    _LAYOUTS.clear()
