"""A thread-safe least-recently-used cache bounded by the bytes its values hold.

The board derives things from stored series on request (smoothed curves, encoded
responses); keyed by a series' identity and version, a derived value stays valid until
the series changes, and then simply stops being asked for and ages out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class ByteBudgetCache:
    """Values kept while their sizes (as given to `put`) sum to at most `max_bytes`."""

    def __init__(self, max_bytes: int):
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable, default=None):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return default
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value, nbytes: int) -> None:
        """Keep `value`, dropping the least recently used values to stay in budget; a value
        bigger than the whole budget is not kept."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if nbytes > self.max_bytes:
                return
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.max_bytes:
                _, (_, size) = self._items.popitem(last=False)
                self._bytes -= size

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any],
                       size: Callable[[Any], int]):
        """The cached value, or `compute()` kept under `key` (computed outside the lock, so
        two threads may both compute a missing value; both get an equal result)."""
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value, size(value))
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
