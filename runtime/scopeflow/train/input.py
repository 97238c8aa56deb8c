"""Input pipelines: producers that fill a queue with filenames or indices, and batching.

Each builder adds a queue and a QueueRunner (tf.train.start_queue_runners starts it), as in
TensorFlow 0.6. `num_epochs` counts epochs in a variable: run tf.initialize_all_variables()
(or tf.initialize_local_variables()) first; after the last epoch the producer's queue closes
and dequeues raise OutOfRange once it is drained.
"""

from __future__ import annotations

from scopeflow.framework import dtypes, ops, tensor_shape
from scopeflow.ops import (
    array_ops,
    control_flow_ops,
    index_ops,
    io_ops,
    math_ops,
    random_ops,
    summary_ops,
    variables,
)
from scopeflow.ops.data_flow_ops import FIFOQueue, RandomShuffleQueue
from scopeflow.train.queue_runner import QueueRunner, add_queue_runner

__all__ = [
    "batch", "batch_join", "limit_epochs", "match_filenames_once", "range_input_producer",
    "shuffle_batch",
    "shuffle_batch_join", "slice_input_producer", "string_input_producer",
]


def match_filenames_once(pattern, name=None):
    """A variable holding the files matching `pattern` when it was initialized, so the
    directory is listed once, not on every run."""
    with ops.name_scope(name or "matching_filenames") as scope:
        return variables.Variable(io_ops.matching_files(pattern), trainable=False,
                                  name=scope, validate_shape=False)


def limit_epochs(tensor, num_epochs=None, name=None):
    """`tensor`, allowed to be evaluated `num_epochs` times; then OutOfRange."""
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with ops.op_scope([tensor], name, "limit_epochs") as scope:
        zero = ops.convert_to_tensor(0, dtype=dtypes.int64)
        epochs = variables.Variable(
            zero, name="epochs", trainable=False,
            collections=[ops.GraphKeys.VARIABLES, ops.GraphKeys.LOCAL_VARIABLES])
        counter = epochs.count_up_to(num_epochs)
        with ops.control_dependencies([counter]):
            return control_flow_ops.identity(tensor, name=scope)


def _fraction_full_summary(queue, size, capacity, tag) -> None:
    fraction = math_ops.cast(size, dtypes.float32) * (1.0 / capacity)
    summary_ops.scalar_summary(f"queue/{queue.name}/{tag}", fraction)


def _input_producer(values, dtype, num_epochs, shuffle, seed, capacity, name):
    if shuffle:
        values = random_ops.random_shuffle(values, seed=seed)
    values = limit_epochs(values, num_epochs)
    queue = FIFOQueue(capacity=capacity, dtypes=[dtype], shapes=[[]], name=name)
    add_queue_runner(QueueRunner(queue, [queue.enqueue_many([values])]))
    _fraction_full_summary(queue, queue.size(), capacity, f"fraction_of_{capacity}_full")
    return queue


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None,
                          capacity=32, name=None):
    """A queue of the strings of `string_tensor` (e.g. filenames), one epoch at a time."""
    with ops.op_scope([string_tensor], name, "input_producer") as scope:
        strings = ops.convert_to_tensor(string_tensor, dtype=dtypes.string)
        return _input_producer(strings, dtypes.string, num_epochs, shuffle, seed, capacity,
                               scope)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         name=None):
    """A queue of the integers 0 .. limit-1, one epoch at a time."""
    with ops.op_scope([limit], name, "input_producer") as scope:
        indices = math_ops.range(0, limit)
        return _input_producer(indices, dtypes.int32, num_epochs, shuffle, seed, capacity,
                               scope)


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         name=None):
    """One row of each tensor in `tensor_list` per evaluation (the same row of each)."""
    with ops.op_scope(tensor_list, name, "input_producer"):
        tensors = ops.convert_n_to_tensor(tensor_list)
        if not tensors:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        rows = tensors[0].get_shape().with_rank_at_least(1)[0].value
        if rows is None:
            rows = array_ops.shape(tensors[0])[0]
        queue = range_input_producer(rows, num_epochs=num_epochs, shuffle=shuffle, seed=seed,
                                     capacity=capacity)
        index = queue.dequeue()
        return [index_ops.gather(t, index) for t in tensors]


# -- batching -----------------------------------------------------------------------------
def _validate(tensor_list, what: str) -> list:
    tensors = ops.convert_n_to_tensor(tensor_list)
    if not tensors:
        raise ValueError(f"Expected at least one tensor in {what}().")
    return tensors


def _dtypes_of(tensor_list_list) -> list:
    types = [t.dtype.base_dtype for t in tensor_list_list[0]]
    for other in tensor_list_list[1:]:
        if [t.dtype.base_dtype for t in other] != types:
            raise TypeError(f"Expected types to be consistent: {types} vs. "
                            f"{[t.dtype.base_dtype for t in other]}.")
    return types


def _shapes_of(tensor_list_list, shapes, enqueue_many) -> list:
    """The queue's element shapes: given, or the tensors' static shapes merged (the batch
    dimension dropped for enqueue_many)."""
    if shapes is not None:
        return shapes
    merged = []
    for i in range(len(tensor_list_list[0])):
        shape = tensor_shape.unknown_shape()
        for tensor_list in tensor_list_list:
            s = tensor_list[i].get_shape()
            if enqueue_many:
                s = s.with_rank_at_least(1)[1:]
            shape = shape.merge_with(s)
        merged.append(shape)
    return merged


def _enqueue_runner(queue, tensor_list_list, enqueue_many, threads) -> None:
    """One enqueue op per tensor list, each run by `threads` threads of one QueueRunner."""
    enqueue = queue.enqueue_many if enqueue_many else queue.enqueue
    add_queue_runner(QueueRunner(queue, [enqueue(tl) for tl in tensor_list_list] * threads))


def _batch(tensor_list_list, batch_size, capacity, enqueue_many, shapes, name, what,
           threads=1, min_after_dequeue=None, seed=None):
    values = [t for tl in tensor_list_list for t in tl]
    with ops.op_scope(values, name, what) as scope:
        tensor_list_list = [_validate(tl, what) for tl in tensor_list_list]
        types = _dtypes_of(tensor_list_list)
        shapes = _shapes_of(tensor_list_list, shapes, enqueue_many)
        if min_after_dequeue is None:
            queue = FIFOQueue(capacity=capacity, dtypes=types, shapes=shapes)
            size, tag = queue.size(), f"fraction_of_{capacity}_full"
        else:
            queue = RandomShuffleQueue(capacity=capacity, min_after_dequeue=min_after_dequeue,
                                       dtypes=types, shapes=shapes, seed=seed)
            size = math_ops.maximum(0, queue.size() - min_after_dequeue)
            capacity = capacity - min_after_dequeue
            tag = f"fraction_over_{min_after_dequeue}_of_{capacity}_full"
        _enqueue_runner(queue, tensor_list_list, enqueue_many, threads)
        _fraction_full_summary(queue, size, max(capacity, 1), tag)
        return queue.dequeue_many(batch_size, name=scope)


def batch(tensor_list, batch_size, num_threads=1, capacity=32, enqueue_many=False,
          shapes=None, name=None):
    """Batches of `batch_size` from `tensor_list`, filled by `num_threads` threads."""
    return _batch([list(tensor_list)], batch_size, capacity, enqueue_many, shapes, name,
                  "batch", num_threads)


def batch_join(tensor_list_list, batch_size, capacity=32, enqueue_many=False, shapes=None,
               name=None):
    """Batches mixing the tensor lists of `tensor_list_list`, one thread per list."""
    return _batch([list(tl) for tl in tensor_list_list], batch_size, capacity, enqueue_many,
                  shapes, name, "batch_join")


def shuffle_batch(tensor_list, batch_size, capacity, min_after_dequeue, num_threads=1,
                  seed=None, enqueue_many=False, shapes=None, name=None):
    """Random batches drawn from a RandomShuffleQueue kept at least `min_after_dequeue` full."""
    return _batch([list(tensor_list)], batch_size, capacity, enqueue_many, shapes, name,
                  "shuffle_batch", num_threads, min_after_dequeue, seed)


def shuffle_batch_join(tensor_list_list, batch_size, capacity, min_after_dequeue, seed=None,
                       enqueue_many=False, shapes=None, name=None):
    """shuffle_batch over several tensor lists, one thread per list."""
    return _batch([list(tl) for tl in tensor_list_list], batch_size, capacity, enqueue_many,
                  shapes, name, "shuffle_batch_join", 1, min_after_dequeue, seed)
