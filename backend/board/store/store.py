"""The runs the board knows, shared between the ingest threads and the server."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from board.store.feed import ChangeFeed
from board.store.run_data import RunData


class Store:
    """Runs by name. Mutate and snapshot under `lock()`; each run has one writer thread."""

    def __init__(self):
        self._runs: dict[str, RunData] = {}
        self._lock = threading.RLock()
        self.feed = ChangeFeed()

    @contextmanager
    def lock(self):
        with self._lock:
            yield

    def run_names(self) -> list[str]:
        with self._lock:
            return list(self._runs)

    def get(self, run: str) -> RunData | None:
        with self._lock:
            return self._runs.get(run)

    def ensure_run(self, run: str) -> RunData:
        with self._lock:
            data = self._runs.get(run)
            if data is None:
                data = self._runs[run] = RunData()
                self.feed.publish("run", {"run": run, "change": "added"})
            return data

    def remove_run(self, run: str) -> None:
        with self._lock:
            if self._runs.pop(run, None) is not None:
                self.feed.publish("run", {"run": run, "change": "removed"})

    def publish_changes(self, run: str) -> None:
        """Announce the tags and points a reload added to `run`."""
        with self._lock:
            data = self._runs.get(run)
            if data is None:
                return
            new_tags, touched = data.take_changes()
            for kind, tag in new_tags:
                self.feed.publish("tag", {"run": run, "kind": kind, "tag": tag})
            for tag in touched:
                series = data.scalars.get(tag)
                if series is not None:
                    self.feed.publish("scalars", {
                        "run": run, "tag": tag, "last_step": series.last_step(),
                        "total": len(series)})
