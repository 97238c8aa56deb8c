"""Keeping the store in step with the logdirs: discover runs, load what each file gained,
forget runs whose directories are gone; once, or every `reload_interval` seconds in a
background thread (TensorBoard's reloader, with its --max_reload_threads)."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from board.ingest.discovery import Logdir, discover
from board.ingest.file_loader import EventFileLoader
from board.ingest.memory import release_free_memory
from board.store.store import Store

logger = logging.getLogger(__name__)


class RunLoader:
    """The event files of one run, read in name order."""

    def __init__(self, run: str, fs):
        self.run = run
        self.fs = fs
        self.files: dict[str, EventFileLoader] = {}

    def load(self, store: Store, sizes: dict[str, int]) -> None:
        for path in list(self.files):
            if path not in sizes:
                del self.files[path]
        for path in sorted(sizes):
            loader = self.files.get(path)
            if loader is None:
                loader = self.files[path] = EventFileLoader(path, self.fs)
            try:
                loader.load(store, self.run, sizes[path])
            except (OSError, ValueError) as err:  # a vanished or unreadable file: next time
                logger.warning("could not read %s: %s", path, err)
        with store.lock():
            data = store.get(self.run)
            if data is not None:
                # Series by series, returning each one's freed batches at once: the peak
                # stays near the data's size instead of data plus a whole run's batches.
                data.flush(after_each=release_free_memory)
        store.publish_changes(self.run)


class LogdirReloader:
    def __init__(self, store: Store, logdirs: list[Logdir], reload_interval: float = 5.0,
                 max_reload_threads: int = 1):
        self.store = store
        self.logdirs = logdirs
        self.reload_interval = reload_interval
        self.max_reload_threads = max(1, max_reload_threads)
        self.runs: dict[str, RunLoader] = {}
        self.reloads = 0
        self.last_reload_seconds: float | None = None
        self.loaded = threading.Event()  # set after the first complete pass
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def reload(self) -> None:
        """One pass over every logdir."""
        started = time.perf_counter()
        found: dict[str, tuple[object, dict[str, int]]] = {}
        for logdir in self.logdirs:
            fs, _ = logdir.filesystem()
            try:
                for run, sizes in discover(logdir).items():
                    found[run] = (fs, sizes)
            except OSError as err:
                logger.warning("could not list logdir %s: %s", logdir.url, err)
                return  # keep what we have rather than dropping every run
        for run in list(self.runs):
            if run not in found:
                del self.runs[run]
                self.store.remove_run(run)
        jobs = []
        for run, (fs, sizes) in found.items():
            loader = self.runs.setdefault(run, RunLoader(run, fs))
            jobs.append((loader, sizes))
        if self.max_reload_threads == 1 or len(jobs) < 2:
            for loader, sizes in jobs:
                loader.load(self.store, sizes)
        else:
            with ThreadPoolExecutor(self.max_reload_threads) as pool:
                list(pool.map(lambda job: job[0].load(self.store, job[1]), jobs))
        if self.reloads == 0:
            with self.store.lock():
                for run in self.store.run_names():
                    self.store.get(run).trim()
        release_free_memory()
        self.reloads += 1
        self.last_reload_seconds = time.perf_counter() - started
        self.loaded.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="board-reload", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.reload()
            except Exception:  # a bug in one pass must not end live updates
                logger.exception("reload failed")
                self.loaded.set()
            if self.reload_interval <= 0:
                return
            self._stop.wait(self.reload_interval)
