"""Queues: tf.FIFOQueue and tf.RandomShuffleQueue, and the ops that use them.

The graph holds a queue op (FIFOQueue, RandomShuffleQueue) whose output is the queue handle;
QueueEnqueue, QueueDequeue, ... take that handle as a ref input, so their kernel gets the
queue op's name. The elements live in the session: `ctx.resources[<queue op name>]` holds a
`QueueState` (made on first use by whichever kernel needs it first, see `lookup_queue`), so
two sessions on one graph have separate queues. Blocking ops wait on the state's Condition,
which a session's close wakes to cancel them.
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
from scopeflow.framework import dtypes as _dtypes
from scopeflow.framework import ops, random_seed, tensor_shape, tensor_util
from scopeflow.framework.registry import NotDifferentiable, register_op

__all__ = ["FIFOQueue", "QueueBase", "RandomShuffleQueue"]


# -- session state -----------------------------------------------------------------------
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


_CREATE_LOCK = threading.Lock()


def lookup_queue(ctx, name: str) -> QueueState:
    """The session's state for queue op `name` (a ref input's value), made on first use.

    Queues with the same non-empty `shared_name` share one state within a session.
    """
    queue = ctx.resources.get(name)
    if queue is not None:
        return queue
    _check_session_open(ctx)
    with _CREATE_LOCK:
        queue = ctx.resources.get(name)
        if queue is None:
            op = ctx.op.graph.get_operation_by_name(name)
            shared = op.get_attr("shared_name")
            key = ("shared_queue", shared)
            queue = ctx.resources.get(key) if shared else None
            if queue is None:
                queue = _new_state(ctx, op)
            if shared:
                ctx.resources[key] = queue
            ctx.resources[name] = queue
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


def op_timeout(ctx) -> float | None:
    """Seconds a blocking op may wait: the session config's operation_timeout_in_ms."""
    config = getattr(ctx.session, "_config", None)
    ms = getattr(config, "operation_timeout_in_ms", 0) or 0
    return ms / 1000.0 if ms > 0 else None


# -- kernels ------------------------------------------------------------------------------
def _owned(value, device):
    """A copy the queue owns: later writes to the producer's value never reach the queue."""
    if isinstance(value, torch.Tensor):
        return value.detach().to(device, copy=True)
    return np.array(value, dtype=object, copy=True)


def _queue_kernel(ctx):
    lookup_queue(ctx, ctx.op.name)
    return np.array([b"", ctx.op.name.encode()], dtype=object)


def _enqueue_kernel(ctx, name, *values):
    queue = lookup_queue(ctx, name)
    queue.check_element(values, batched=False)
    queue.enqueue(tuple(_owned(v, ctx.device) for v in values), op_timeout(ctx))


def _enqueue_many_kernel(ctx, name, *values):
    queue = lookup_queue(ctx, name)
    sizes = {int(v.shape[0]) if v.ndim else -1 for v in values}
    if len(sizes) != 1 or -1 in sizes:
        raise errors.InvalidArgumentError(
            None, None, "EnqueueMany needs components with the same, non-scalar first dimension; "
            f"got shapes {[list(v.shape) for v in values]}")
    queue.check_element(values, batched=True)
    elements = [tuple(_owned(v[i, ...], ctx.device) for v in values) for i in range(sizes.pop())]
    queue.enqueue_many(elements, op_timeout(ctx))


def _single_or_tuple(values: tuple):
    return values[0] if len(values) == 1 else values


def _dequeue_kernel(ctx, name):
    return _single_or_tuple(lookup_queue(ctx, name).dequeue(op_timeout(ctx)))


def _dequeue_many_kernel(ctx, name, n):
    n = int(n)
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"DequeueMany's n must be >= 0, got {n}")
    queue = lookup_queue(ctx, name)
    return _single_or_tuple(queue.stack(queue.dequeue_many(n, op_timeout(ctx))))


def _close_kernel(ctx, name):
    lookup_queue(ctx, name).close(ctx.attrs["cancel_pending_enqueues"])


def _size_kernel(ctx, name):
    return torch.tensor(lookup_queue(ctx, name).size(), dtype=torch.int32)


# -- shape inference ----------------------------------------------------------------------
def _queue_infer(_op):
    return [(_dtypes.string._as_ref, tensor_shape.vector(2))]


def _queue_attrs(op):
    queue = op.inputs[0].op
    return list(queue.get_attr("component_types")), list(queue.get_attr("shapes"))


def _enqueue_infer(op, batched: bool):
    types, shapes = _queue_attrs(op)
    values = op.inputs[1:]
    if len(values) != len(types):
        raise ValueError(f"Queue '{op.inputs[0].op.name}' has {len(types)} components, "
                         f"op '{op.name}' enqueues {len(values)}")
    batch = tensor_shape.Dimension(None)
    for i, (value, dtype) in enumerate(zip(values, types)):
        if value.dtype.base_dtype != dtype:
            raise TypeError(f"Component {i} of '{op.name}' is {value.dtype.name}, the queue "
                            f"holds {dtype.name}")
        shape = value.get_shape()
        if batched:
            shape = shape.with_rank_at_least(1)
            batch = batch.merge_with(shape[0])
            shape = shape[1:]
        if shapes:
            shape.assert_is_compatible_with(shapes[i])
    return []


def _dequeue_infer(op, batched=False, batch_dim=None):
    types, shapes = _queue_attrs(op)
    shapes = shapes or [tensor_shape.unknown_shape()] * len(types)
    if batched:
        shapes = [tensor_shape.TensorShape([batch_dim]).concatenate(s) for s in shapes]
    return list(zip(types, shapes))


def _dequeue_many_infer(op):
    n = tensor_util.constant_value(op.inputs[1])
    return _dequeue_infer(op, True, int(n) if n is not None else None)


register_op("FIFOQueue", infer=_queue_infer, kernel=_queue_kernel, stateful=True)
register_op("RandomShuffleQueue", infer=_queue_infer, kernel=_queue_kernel, stateful=True)
register_op("QueueEnqueue", infer=lambda op: _enqueue_infer(op, False), kernel=_enqueue_kernel,
            stateful=True, ref_inputs=(0,))
register_op("QueueEnqueueMany", infer=lambda op: _enqueue_infer(op, True),
            kernel=_enqueue_many_kernel, stateful=True, ref_inputs=(0,))
register_op("QueueDequeue", infer=_dequeue_infer, kernel=_dequeue_kernel, stateful=True,
            ref_inputs=(0,))
register_op("QueueDequeueMany", infer=_dequeue_many_infer, kernel=_dequeue_many_kernel,
            stateful=True, ref_inputs=(0,))
register_op("QueueClose", infer=lambda op: [], kernel=_close_kernel, stateful=True,
            ref_inputs=(0,))
register_op("QueueSize", infer=lambda op: [(_dtypes.int32, tensor_shape.scalar())],
            kernel=_size_kernel, stateful=True, ref_inputs=(0,))
for _type in ("FIFOQueue", "RandomShuffleQueue", "QueueEnqueue", "QueueEnqueueMany",
              "QueueDequeue", "QueueDequeueMany", "QueueClose", "QueueSize"):
    NotDifferentiable(_type)


# -- Python API ---------------------------------------------------------------------------
class QueueBase:
    """A queue of tuples of tensors (one per dtype in `dtypes`), built around `queue_ref`."""

    def __init__(self, dtypes, shapes, queue_ref):
        self._dtypes = list(dtypes)
        self._shapes = list(shapes) if shapes else [tensor_shape.unknown_shape()] * len(dtypes)
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @property
    def queue_ref(self) -> ops.Tensor:
        return self._queue_ref

    @property
    def name(self) -> str:
        return self._queue_ref.op.name

    @property
    def dtypes(self) -> list:
        return list(self._dtypes)

    def _components(self, vals) -> list:
        if not isinstance(vals, (list, tuple)):
            vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} tensors for queue '{self.name}', "
                             f"got {len(vals)}")
        return [ops.convert_to_tensor(v, dtype=t, name=f"component_{i}")
                for i, (v, t) in enumerate(zip(vals, self._dtypes))]

    def _apply(self, op_type, inputs, attrs, name):
        return ops.apply_op(op_type, [self._queue_ref, *inputs], attrs, name=name)

    def enqueue(self, vals, name=None) -> ops.Operation:
        """Adds one element; blocks while the queue is full."""
        with ops.op_scope([], name, f"{self._name}_enqueue") as scope:
            vals = self._components(vals)
            return self._apply("QueueEnqueue", vals, self._tcomponents(vals), scope)

    def enqueue_many(self, vals, name=None) -> ops.Operation:
        """Adds the slices of `vals` along their first dimension as separate elements."""
        with ops.op_scope([], name, f"{self._name}_EnqueueMany") as scope:
            vals = self._components(vals)
            return self._apply("QueueEnqueueMany", vals, self._tcomponents(vals), scope)

    @staticmethod
    def _tcomponents(vals) -> dict:
        return {"Tcomponents": [v.dtype.base_dtype for v in vals], "timeout_ms": -1}

    def dequeue(self, name=None):
        """One element: a Tensor, or a list of Tensors for a queue of several components."""
        op = self._apply("QueueDequeue", [], self._dequeue_attrs(),
                         name or f"{self._name}_Dequeue")
        return self._outputs(op)

    def dequeue_many(self, n, name=None):
        """`n` elements batched along a new first dimension; OutOfRange if closed with fewer."""
        n = ops.convert_to_tensor(n, dtype=_dtypes.int32, name="n")
        op = self._apply("QueueDequeueMany", [n], self._dequeue_attrs(),
                         name or f"{self._name}_DequeueMany")
        return self._outputs(op)

    def _dequeue_attrs(self) -> dict:
        return {"component_types": list(self._dtypes), "timeout_ms": -1}

    @staticmethod
    def _outputs(op):
        return op.outputs[0] if len(op.outputs) == 1 else list(op.outputs)

    def close(self, cancel_pending_enqueues=False, name=None) -> ops.Operation:
        """Later enqueues fail; dequeues drain what is left, then raise OutOfRange."""
        return self._apply("QueueClose", [],
                           {"cancel_pending_enqueues": bool(cancel_pending_enqueues)},
                           name or f"{self._name}_Close")

    def size(self, name=None) -> ops.Tensor:
        return self._apply("QueueSize", [], {}, name or f"{self._name}_Size").outputs[0]


def _queue_op(op_type, capacity, dtypes, shapes, shared_name, name, extra) -> ops.Tensor:
    dtypes = [_dtypes.as_dtype(t).base_dtype for t in
              (dtypes if isinstance(dtypes, (list, tuple)) else [dtypes])]
    shapes = [tensor_shape.as_shape(s) for s in shapes] if shapes is not None else []
    if shapes and len(shapes) != len(dtypes):
        raise ValueError("Queue shapes must have the same length as dtypes")
    for shape in shapes:
        if not shape.is_fully_defined():
            raise ValueError(f"Queue shapes must be fully defined, got {shape}")
    attrs = {"component_types": dtypes, "shapes": shapes, "capacity": int(capacity),
             "container": "", "shared_name": shared_name or "", **extra}
    return dtypes, shapes, ops.apply_op(op_type, [], attrs, name=name).outputs[0]


class FIFOQueue(QueueBase):
    """Dequeues elements in the order they were enqueued."""

    def __init__(self, capacity, dtypes, shapes=None, shared_name=None, name="fifo_queue"):
        dtypes, shapes, ref = _queue_op("FIFOQueue", capacity, dtypes, shapes, shared_name,
                                        name, {})
        super().__init__(dtypes, shapes, ref)


class RandomShuffleQueue(QueueBase):
    """Dequeues a random element, keeping at least `min_after_dequeue` until closed."""

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, seed=None,
                 shared_name=None, name="random_shuffle_queue"):
        seed1, seed2 = random_seed.get_seed(seed)
        extra = {"min_after_dequeue": int(min_after_dequeue), "seed": seed1 or 0,
                 "seed2": seed2 or 0}
        dtypes, shapes, ref = _queue_op("RandomShuffleQueue", capacity, dtypes, shapes,
                                        shared_name, name, extra)
        super().__init__(dtypes, shapes, ref)
