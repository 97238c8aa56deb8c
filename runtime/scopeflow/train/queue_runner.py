"""tf.train.QueueRunner: threads that keep running a queue's enqueue ops."""

from __future__ import annotations

import logging
import threading

from scopeflow import errors
from scopeflow.framework import ops

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]

_log = logging.getLogger(__name__)


class QueueRunner:
    """Runs each of `enqueue_ops` in its own thread until the queue closes or a stop.

    A thread whose enqueue raises OutOfRange (its input queue closed) ends quietly; the last
    one to end runs `close_op`, so consumers see OutOfRange once the data is drained. Any
    other error is reported to the Coordinator (or kept in `exceptions_raised`).
    """

    def __init__(self, queue, enqueue_ops):
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = queue.close()
        self._cancel_op = queue.close(cancel_pending_enqueues=True)
        self._lock = threading.Lock()
        self._runs = 0
        self._exceptions_raised: list = []

    @property
    def queue(self):
        return self._queue

    @property
    def enqueue_ops(self) -> list:
        return list(self._enqueue_ops)

    @property
    def close_op(self):
        return self._close_op

    @property
    def cancel_op(self):
        return self._cancel_op

    @property
    def exceptions_raised(self) -> list:
        """Exceptions the threads raised when there was no Coordinator to report them to."""
        return list(self._exceptions_raised)

    def _run(self, sess, enqueue_op, coord) -> None:
        counted = True
        try:
            while not (coord and coord.should_stop()):
                try:
                    sess.run(enqueue_op)
                except errors.OutOfRangeError:
                    counted = False
                    self._finish_one(sess)
                    return
        except Exception as e:
            if coord:
                coord.request_stop(e)
            else:
                _log.error("Exception in QueueRunner: %s", e)
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if counted:
                with self._lock:
                    self._runs -= 1

    def _finish_one(self, sess) -> None:
        """One thread's input ran out; the last one closes the queue (data stays dequeuable)."""
        with self._lock:
            self._runs -= 1
            last = self._runs == 0
        if last:
            try:
                sess.run(self._close_op)
            except Exception as e:  # noqa: BLE001 - the queue may be gone with its session
                _log.debug("Ignored exception closing %s: %s", self._queue.name, e)

    def _close_on_stop(self, sess, coord) -> None:
        """Once a stop is requested, cancel the queue so blocked enqueues and dequeues end."""
        coord.wait_for_stop()
        try:
            sess.run(self._cancel_op)
        except Exception as e:  # noqa: BLE001 - the session may be closed already
            _log.debug("Ignored exception cancelling %s: %s", self._queue.name, e)

    def create_threads(self, sess, coord=None, daemon=False, start=False) -> list:
        """The runner's threads (one per enqueue op, plus a canceller with a coord); none if
        they are already running."""
        with self._lock:
            if self._runs > 0:
                return []
            self._runs = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord),
                                    name=f"QueueRunner:{self._queue.name}")
                   for op in self._enqueue_ops]
        if coord:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord),
                                            name=f"QueueRunnerCancel:{self._queue.name}"))
        for t in threads:
            t.daemon = daemon
            if start:
                t.start()
        return threads


def add_queue_runner(qr, collection=ops.GraphKeys.QUEUE_RUNNERS) -> None:
    """Adds `qr` to the graph collection that `start_queue_runners` starts."""
    ops.add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True,
                        collection=ops.GraphKeys.QUEUE_RUNNERS) -> list:
    """Starts the threads of every QueueRunner in the graph's `collection`; returns them."""
    if sess is None:
        from scopeflow.client.session import get_default_session

        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    threads = []
    for qr in sess.graph.get_collection(collection):
        threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
