"""A bounded, sequence-numbered log of change notices for live clients (the SSE stream).

The ingest thread publishes; any number of readers poll `since(seq)` or block in `wait`.
A reader that falls further behind than the log keeps is told so (`missed=True`) and
should refetch what it shows.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

_KEEP = 10_000


class ChangeFeed:
    def __init__(self, keep: int = _KEEP):
        self._log: deque[tuple[int, str, dict[str, Any]]] = deque(maxlen=keep)
        self._seq = 0
        self._cond = threading.Condition()

    @property
    def seq(self) -> int:
        return self._seq

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        with self._cond:
            self._seq += 1
            self._log.append((self._seq, kind, data))
            self._cond.notify_all()

    def since(self, seq: int) -> tuple[list[tuple[int, str, dict[str, Any]]], bool]:
        """Notices after `seq`, and whether some were already dropped from the log."""
        with self._cond:
            missed = bool(self._log) and self._log[0][0] > seq + 1
            return [item for item in self._log if item[0] > seq], missed

    def wait(self, seq: int, timeout: float) -> bool:
        """Block until something newer than `seq` exists (True) or `timeout` passes."""
        with self._cond:
            return self._cond.wait_for(lambda: self._seq > seq, timeout)
