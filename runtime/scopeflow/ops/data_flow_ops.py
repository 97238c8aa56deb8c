"""Queues: tf.FIFOQueue and tf.RandomShuffleQueue, and the ops that use them.

The graph holds a queue op (FIFOQueue, RandomShuffleQueue) whose output is the queue handle;
QueueEnqueue, QueueDequeue, ... take that handle as a ref input, so their kernel gets the
queue op's name. The elements live in the session (queue_state.py), so two sessions on one
graph have separate queues.
"""

from __future__ import annotations

import numpy as np
import torch

from scopeflow import errors
from scopeflow.framework import dtypes as _dtypes
from scopeflow.framework import ops, random_seed, tensor_shape, tensor_util
from scopeflow.framework.registry import NotDifferentiable, register_op
from scopeflow.ops.queue_state import lookup_queue

__all__ = ["FIFOQueue", "QueueBase", "RandomShuffleQueue"]


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
    queue.enqueue(tuple(_owned(v, ctx.device) for v in values), ctx.blocking_timeout())


def _enqueue_many_kernel(ctx, name, *values):
    queue = lookup_queue(ctx, name)
    sizes = {int(v.shape[0]) if v.ndim else -1 for v in values}
    if len(sizes) != 1 or -1 in sizes:
        raise errors.InvalidArgumentError(
            None, None, "EnqueueMany needs components with the same, non-scalar first dimension; "
            f"got shapes {[list(v.shape) for v in values]}")
    queue.check_element(values, batched=True)
    elements = [tuple(_owned(v[i, ...], ctx.device) for v in values) for i in range(sizes.pop())]
    queue.enqueue_many(elements, ctx.blocking_timeout())


def _single_or_tuple(values: tuple):
    return values[0] if len(values) == 1 else values


def _dequeue_kernel(ctx, name):
    return _single_or_tuple(lookup_queue(ctx, name).dequeue(ctx.blocking_timeout()))


def _dequeue_many_kernel(ctx, name, n):
    n = int(n)
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"DequeueMany's n must be >= 0, got {n}")
    queue = lookup_queue(ctx, name)
    return _single_or_tuple(queue.stack(queue.dequeue_many(n, ctx.blocking_timeout())))


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
