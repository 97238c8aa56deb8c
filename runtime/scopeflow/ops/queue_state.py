"""A queue's elements in one session: `QueueState`, kept in `ctx.resources[<queue op name>]`.

Made on first use by whichever kernel needs it (`lookup_queue`), so two sessions on one
graph have separate queues. Blocking calls wait on the state's Condition, which a session's
close wakes to cancel them; they give up after the timeout the kernel passes
(`KernelContext.blocking_timeout()`).
"""

from __future__ import annotations

import collections
import random
import threading
import time
import weakref

import numpy as np
import torch

from scopeflow import errors


class QueueState:
    """A queue's elements in one session: thread-safe, blocking, closable, cancellable.

    Elements are tuples with one value per component (torch tensors, or numpy object arrays
    of bytes for strings). `timeout` arguments are seconds, None to wait forever.
    """

    def __init__(self, op, capacity: int, min_after_dequeue: int = 0,
                 session_closed=lambda: False, seed: int | None = None):
        self.name = op.name
        self._kind = op.type
        self._shapes = [tuple(s.as_list()) for s in op.get_attr("shapes")] or None
        self._types = list(op.get_attr("component_types"))
        self._capacity = capacity if capacity > 0 else float("inf")
        self._min_after = min_after_dequeue
        self._session_closed = session_closed
        self._rng = random.Random(seed)
        self._shuffle = op.type == "RandomShuffleQueue"
        self._items: collections.deque | list = [] if self._shuffle else collections.deque()
        self._cond = threading.Condition()
        self._closed = False
        self._cancelled = False
        # Bumped by close(cancel_pending_enqueues=True): enqueues waiting from before it fail.
        self._cancel_generation = 0
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """How many enqueues and dequeues are blocked right now (tests wait for a waiter)."""
        with self._cond:
            return self._waiting

    def size(self) -> int:
        with self._cond:
            return len(self._items)

    def close(self, cancel_pending_enqueues: bool = False) -> None:
        """Closes the queue; the session's own close (see Session.close) cancels every wait."""
        with self._cond:
            self._closed = True
            if cancel_pending_enqueues:
                self._cancel_generation += 1
            if self._session_closed():
                self._cancelled = True
            self._cond.notify_all()

    def enqueue(self, values: tuple, timeout: float | None = None) -> None:
        self.enqueue_many([values], timeout)

    def enqueue_many(self, elements, timeout: float | None = None) -> None:
        """Adds elements one by one, waiting for room as needed (TensorFlow's semantics)."""
        deadline = _deadline(timeout)
        with self._cond:
            if self._closed:
                raise errors.CancelledError(None, None, f"{self._kind} '{self.name}' is closed.")
            generation = self._cancel_generation
            for element in elements:
                while len(self._items) >= self._capacity:
                    if generation != self._cancel_generation:
                        raise errors.CancelledError(
                            None, None, f"Enqueue operation was cancelled: {self.name}")
                    self._wait(deadline)
                self._items.append(element)
                self._cond.notify_all()

    def dequeue(self, timeout: float | None = None) -> tuple:
        return self._take(1, timeout)[0]

    def dequeue_many(self, n: int, timeout: float | None = None) -> list[tuple]:
        return self._take(n, timeout)

    def _take(self, n: int, timeout: float | None) -> list[tuple]:
        deadline = _deadline(timeout)
        with self._cond:
            while True:
                count = len(self._items)
                if self._closed:
                    if count >= n and not self._cancelled:
                        break
                    if not self._cancelled:
                        raise errors.OutOfRangeError(
                            None, None,
                            f"{self._kind} '{self.name}' is closed and has insufficient elements "
                            f"(requested {n}, current size {count})")
                elif count >= n + self._min_after:
                    break
                self._wait(deadline)
            taken = [self._pop() for _ in range(n)]
            self._cond.notify_all()
            return taken

    def _pop(self) -> tuple:
        if not self._shuffle:
            return self._items.popleft()
        i = self._rng.randrange(len(self._items))
        self._items[i], self._items[-1] = self._items[-1], self._items[i]
        return self._items.pop()

    def _wait(self, deadline: float | None) -> None:
        """One wait on the condition; raises if the session closed or the deadline passed."""
        if self._cancelled:
            raise errors.CancelledError(None, None, f"Session closed: {self.name} cancelled")
        self._waiting += 1
        try:
            if deadline is None:
                self._cond.wait()
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    raise errors.DeadlineExceededError(
                        None, None, "Timed out waiting for notification")
        finally:
            self._waiting -= 1
        if self._cancelled:
            raise errors.CancelledError(None, None, f"Session closed: {self.name} cancelled")

    def check_element(self, values, batched: bool) -> None:
        """InvalidArgument unless each component has the queue's shape (after the batch dim)."""
        if self._shapes is None:
            return
        for i, (value, shape) in enumerate(zip(values, self._shapes)):
            got = tuple(value.shape)[1:] if batched else tuple(value.shape)
            if got != shape:
                raise errors.InvalidArgumentError(
                    None, None, f"Shape mismatch in tuple component {i}. "
                    f"Expected {list(shape)}, got {list(got)}")

    def stack(self, elements: list[tuple]) -> tuple:
        """Component-wise batch of `elements` (DequeueMany's outputs)."""
        if self._shapes is None:
            raise errors.InvalidArgumentError(
                None, None,
                f"{self._kind}'s DequeueMany requires the components to have specified shapes.")
        out = []
        for i, (dtype, shape) in enumerate(zip(self._types, self._shapes)):
            column = [e[i] for e in elements]
            if dtype.as_torch is None:
                out.append(np.stack(column) if column else np.empty((0, *shape), dtype=object))
            else:
                out.append(torch.stack(column) if column
                           else torch.empty((0, *shape), dtype=dtype.as_torch))
        return tuple(out)


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


def lookup_queue(ctx, name: str) -> QueueState:
    """The session's state for queue op `name` (a ref input's value), made on first use.

    Queues with the same non-empty `shared_name` share one state within a session.
    """
    return ctx.session_resource(name, lambda: _shared_or_new(ctx, name))


def _shared_or_new(ctx, name: str) -> QueueState:
    _check_session_open(ctx)
    op = ctx.op.graph.get_operation_by_name(name)
    shared = op.get_attr("shared_name")
    if not shared:
        return _new_state(ctx, op)
    key = ("shared_queue", shared)
    queue = ctx.resources.get(key)
    if queue is None:
        queue = ctx.resources[key] = _new_state(ctx, op)
    return queue


def _new_state(ctx, op) -> QueueState:
    session = weakref.ref(ctx.session) if ctx.session is not None else None

    def session_closed() -> bool:
        if session is None:
            return False
        live = session()
        return live is None or live._closed

    seed = None
    if op.type == "RandomShuffleQueue" and (op.get_attr("seed") or op.get_attr("seed2")):
        seed = hash((op.get_attr("seed"), op.get_attr("seed2")))
    return QueueState(op, op.get_attr("capacity"), op.attrs.get("min_after_dequeue", 0),
                      session_closed, seed)


def _check_session_open(ctx) -> None:
    if ctx.session is not None and ctx.session._closed:
        raise errors.CancelledError(None, ctx.op, "Session has been closed.")
