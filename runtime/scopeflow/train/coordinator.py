"""tf.train.Coordinator: lets a set of threads ask each other to stop, and report errors."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time

__all__ = ["Coordinator"]

_log = logging.getLogger(__name__)


class Coordinator:
    """Threads poll `should_stop()`; any of them calls `request_stop(ex)` to end them all.

    The first exception reported through `request_stop` is re-raised by `join`, in the
    thread that joins, so errors in worker threads surface in the main loop.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None

    def request_stop(self, ex=None) -> None:
        """Asks every thread to stop; `ex` (an exception or an exc_info tuple) is kept for
        `join` unless a stop was already requested."""
        with self._lock:
            if self._stop_event.is_set():
                return
            if ex is not None:
                if isinstance(ex, tuple):
                    self._exc_info_to_raise = ex
                else:
                    self._exc_info_to_raise = (type(ex), ex, ex.__traceback__)
                _log.info("Error reported to Coordinator: %s", self._exc_info_to_raise[1])
            self._stop_event.set()

    def should_stop(self) -> bool:
        return self._stop_event.is_set()

    def wait_for_stop(self, timeout=None) -> bool:
        """Blocks until a stop is requested or `timeout` seconds pass; True if stopped."""
        return self._stop_event.wait(timeout)

    @contextlib.contextmanager
    def stop_on_exception(self):
        """`with coord.stop_on_exception(): body`: an exception in body requests a stop."""
        try:
            yield
        except Exception:  # noqa: BLE001 - every error goes to the coordinator, as in TF
            self.request_stop(sys.exc_info())

    def join(self, threads, stop_grace_period_secs=120) -> None:
        """Waits for `threads` to end after a stop is requested (or all end on their own).

        Threads still alive `stop_grace_period_secs` after the stop request make it raise
        RuntimeError; an exception passed to `request_stop` is re-raised first.
        """
        threads = list(threads)
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(1.0):
            pass
        deadline = time.monotonic() + stop_grace_period_secs
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._lock:
            exc_info = self._exc_info_to_raise
        if exc_info is not None:
            raise exc_info[1].with_traceback(exc_info[2])
        if stragglers:
            raise RuntimeError(
                f"Coordinator stopped with threads still running: {' '.join(stragglers)}")
