import threading
import time

import numpy as np
import pytest
import scopeflow as tf
from scopeflow.framework.registry import get_spec


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def bounded_session(timeout_ms=5000):
    """A session whose blocking queue ops give up (DeadlineExceeded) instead of hanging."""
    return tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=timeout_ms))


def wait_for_waiter(sess, queue):
    """Returns once some op is blocked on `queue` in `sess` (bounded: 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        state = sess._resources.get(queue.name)
        if state is not None and state.waiting:
            return
        time.sleep(0.001)
    raise AssertionError("no op blocked on the queue")


class Background:
    """Runs `sess.run(fetch)` in a thread; `result()` joins (bounded) and returns or raises."""

    def __init__(self, sess, fetch):
        self._value, self._error = None, None
        self._thread = threading.Thread(target=self._run, args=(sess, fetch), daemon=True)
        self._thread.start()

    def _run(self, sess, fetch):
        try:
            self._value = sess.run(fetch)
        except Exception as e:  # noqa: BLE001 - handed to the test thread
            self._error = e

    def result(self):
        self._thread.join(20)
        assert not self._thread.is_alive(), "background run still blocked"
        if self._error is not None:
            raise self._error
        return self._value


def test_fifo_queue_dequeues_in_enqueue_order():
    q = tf.FIFOQueue(10, tf.float32)
    x = tf.placeholder(tf.float32)
    enqueue, dequeue = q.enqueue([x]), q.dequeue()
    with bounded_session() as sess:
        for value in (1.0, 2.0, 3.0):
            sess.run(enqueue, {x: value})
        assert sess.run(q.size()) == 3
        assert [sess.run(dequeue) for _ in range(3)] == [1.0, 2.0, 3.0]


def test_queue_ops_have_tensorflow_types_and_take_the_queue_as_ref_input():
    q = tf.FIFOQueue(4, [tf.int32], shapes=[[]], name="q")
    built = [q.enqueue(1), q.enqueue_many([[1, 2]]), q.dequeue(), q.dequeue_many(2),
             q.close(), q.size()]
    types = [getattr(t, "op", t).type for t in built]
    assert types == ["QueueEnqueue", "QueueEnqueueMany", "QueueDequeue", "QueueDequeueMany",
                     "QueueClose", "QueueSize"]
    assert q.queue_ref.op.type == "FIFOQueue" and q.name == "q"
    assert q.queue_ref.dtype == tf.string._as_ref and q.dtypes == [tf.int32]
    for op_type in types:
        spec = get_spec(op_type)
        assert spec.stateful and spec.ref_inputs == (0,)
    assert get_spec("FIFOQueue").stateful and get_spec("RandomShuffleQueue").stateful


def test_dequeue_shapes_come_from_the_queue_and_dequeue_many_adds_a_batch_dimension():
    q = tf.FIFOQueue(4, [tf.float32, tf.string], shapes=[[3], []])
    one = q.dequeue()
    assert [t.get_shape().as_list() for t in one] == [[3], []]
    assert [t.dtype for t in one] == [tf.float32, tf.string]
    assert [t.get_shape().as_list() for t in q.dequeue_many(5)] == [[5, 3], [5]]
    n = tf.placeholder(tf.int32)
    assert [t.get_shape().as_list() for t in q.dequeue_many(n)] == [[None, 3], [None]]
    assert tf.FIFOQueue(2, tf.int32).dequeue().get_shape().ndims is None


def test_enqueue_checks_component_count_dtype_and_shape_when_building():
    q = tf.FIFOQueue(4, [tf.float32], shapes=[[2]])
    with pytest.raises(ValueError):
        q.enqueue([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError):
        q.enqueue([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError):
        q.enqueue_many([[1.0, 2.0]])  # elements would be scalars, not [2]


def test_enqueue_of_a_fed_value_with_the_wrong_shape_is_an_invalid_argument():
    q = tf.FIFOQueue(4, [tf.float32], shapes=[[2]])
    x = tf.placeholder(tf.float32)
    with bounded_session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                  match="Shape mismatch"):
        sess.run(q.enqueue([x]), {x: [1.0, 2.0, 3.0]})


def test_enqueue_many_splits_the_first_dimension_and_dequeue_many_stacks_it():
    q = tf.FIFOQueue(10, [tf.int32, tf.string], shapes=[[2], []])
    enqueue = q.enqueue_many([[[1, 2], [3, 4], [5, 6]], [b"a", b"b", b"c"]])
    with bounded_session() as sess:
        sess.run(enqueue)
        numbers, words = sess.run(q.dequeue_many(2))
        assert numbers.tolist() == [[1, 2], [3, 4]] and words.tolist() == [b"a", b"b"]
        number, word = sess.run(q.dequeue())
        assert number.tolist() == [5, 6] and word == b"c"


def test_queue_owns_its_elements():
    v = tf.Variable([1.0, 2.0])
    q = tf.FIFOQueue(2, tf.float32, shapes=[[2]])
    enqueue = q.enqueue(v)
    with bounded_session() as sess:
        sess.run(v.initializer)
        sess.run(enqueue)
        sess.run(v.assign([9.0, 9.0]))
        assert sess.run(q.dequeue()).tolist() == [1.0, 2.0]


def test_dequeue_many_needs_the_queue_shapes():
    q = tf.FIFOQueue(4, tf.float32)
    with bounded_session() as sess:
        sess.run(q.enqueue(1.0))
        with pytest.raises(tf.errors.InvalidArgumentError, match="specified shapes"):
            sess.run(q.dequeue_many(1))


@pytest.mark.timeout(60)
def test_dequeue_blocks_until_another_thread_enqueues():
    q = tf.FIFOQueue(2, tf.int32)
    with bounded_session(20000) as sess:
        waiting = Background(sess, q.dequeue())
        wait_for_waiter(sess, q)
        sess.run(q.enqueue(7))
        assert waiting.result() == 7


@pytest.mark.timeout(60)
def test_enqueue_blocks_while_full_until_a_dequeue_makes_room():
    q = tf.FIFOQueue(1, tf.int32)
    with bounded_session(20000) as sess:
        sess.run(q.enqueue(1))
        waiting = Background(sess, q.enqueue(2))
        wait_for_waiter(sess, q)
        assert sess.run(q.dequeue()) == 1
        waiting.result()
        assert sess.run(q.dequeue()) == 2


def test_closed_queue_drains_then_raises_out_of_range():
    q = tf.FIFOQueue(4, tf.int32)
    with bounded_session() as sess:
        sess.run(q.enqueue_many([[1, 2]]))
        sess.run(q.close())
        assert sess.run(q.dequeue()) == 1
        assert sess.run(q.dequeue()) == 2
        with pytest.raises(tf.errors.OutOfRangeError, match="is closed") as info:
            sess.run(q.dequeue())
        assert info.value.op.type == "QueueDequeue"


def test_dequeue_many_after_close_needs_n_elements_left():
    q = tf.FIFOQueue(4, tf.int32, shapes=[[]])
    with bounded_session() as sess:
        sess.run(q.enqueue_many([[1, 2, 3]]))
        sess.run(q.close())
        assert sess.run(q.dequeue_many(2)).tolist() == [1, 2]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(q.dequeue_many(2))
        assert sess.run(q.size()) == 1


def test_enqueue_on_a_closed_queue_is_cancelled():
    q = tf.FIFOQueue(4, tf.int32)
    with bounded_session() as sess:
        sess.run(q.close())
        with pytest.raises(tf.errors.CancelledError, match="is closed"):
            sess.run(q.enqueue(1))


@pytest.mark.timeout(60)
def test_close_wakes_a_blocked_dequeue_with_out_of_range():
    q = tf.FIFOQueue(4, tf.int32)
    with bounded_session(20000) as sess:
        waiting = Background(sess, q.dequeue())
        wait_for_waiter(sess, q)
        sess.run(q.close())
        with pytest.raises(tf.errors.OutOfRangeError):
            waiting.result()


@pytest.mark.timeout(60)
def test_close_with_cancel_pending_enqueues_cancels_a_blocked_enqueue():
    q = tf.FIFOQueue(1, tf.int32)
    with bounded_session(20000) as sess:
        sess.run(q.enqueue(1))
        waiting = Background(sess, q.enqueue(2))
        wait_for_waiter(sess, q)
        sess.run(q.close(cancel_pending_enqueues=True))
        with pytest.raises(tf.errors.CancelledError):
            waiting.result()
        assert sess.run(q.dequeue()) == 1


@pytest.mark.timeout(60)
def test_close_without_cancel_lets_a_pending_enqueue_finish():
    q = tf.FIFOQueue(1, tf.int32)
    with bounded_session(20000) as sess:
        sess.run(q.enqueue(1))
        waiting = Background(sess, q.enqueue(2))
        wait_for_waiter(sess, q)
        sess.run(q.close())
        assert sess.run(q.dequeue()) == 1
        waiting.result()
        assert sess.run(q.dequeue()) == 2


@pytest.mark.timeout(60)
def test_session_close_cancels_a_blocked_dequeue():
    q = tf.FIFOQueue(1, tf.int32)
    sess = bounded_session(20000)
    waiting = Background(sess, q.dequeue())
    wait_for_waiter(sess, q)
    sess.close()
    with pytest.raises(tf.errors.CancelledError):
        waiting.result()


@pytest.mark.timeout(60)
def test_session_close_cancels_a_blocked_enqueue():
    q = tf.FIFOQueue(1, tf.int32)
    sess = bounded_session(20000)
    sess.run(q.enqueue(1))
    waiting = Background(sess, q.enqueue(2))
    wait_for_waiter(sess, q)
    sess.close()
    with pytest.raises(tf.errors.CancelledError):
        waiting.result()


def test_operation_timeout_bounds_a_dequeue_on_an_empty_queue():
    q = tf.FIFOQueue(1, tf.int32)
    with bounded_session(50) as sess:
        with pytest.raises(tf.errors.DeadlineExceededError) as info:
            sess.run(q.dequeue())
        assert info.value.op.type == "QueueDequeue"


def test_operation_timeout_bounds_an_enqueue_on_a_full_queue():
    q = tf.FIFOQueue(1, tf.int32)
    with bounded_session(50) as sess:
        sess.run(q.enqueue(1))
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(q.enqueue(2))


@pytest.mark.timeout(60)
def test_run_options_timeout_bounds_one_run_only():
    q = tf.FIFOQueue(1, tf.int32)
    reader = tf.TextLineReader()
    with bounded_session(30_000) as sess:
        short = tf.RunOptions(timeout_in_ms=50)
        for blocked in (q.dequeue(), reader.read(q)):
            with pytest.raises(tf.errors.DeadlineExceededError):
                sess.run(blocked, options=short)
        sess.run(q.enqueue(5), options=short)  # a run that does not block is unaffected
        assert sess.run(q.dequeue()) == 5, "the next run, without options, has no deadline"


def test_two_sessions_on_one_graph_have_separate_queues():
    q = tf.FIFOQueue(4, tf.int32)
    with bounded_session() as first, bounded_session() as second:
        first.run(q.enqueue_many([[1, 2, 3]]))
        second.run(q.enqueue(9))
        assert first.run(q.size()) == 3 and second.run(q.size()) == 1
        assert second.run(q.dequeue()) == 9


def test_queues_with_one_shared_name_share_their_elements_in_a_session():
    a = tf.FIFOQueue(4, tf.int32, shared_name="shared", name="a")
    b = tf.FIFOQueue(4, tf.int32, shared_name="shared", name="b")
    with bounded_session() as sess:
        sess.run(a.enqueue(5))
        assert sess.run(b.dequeue()) == 5


def test_random_shuffle_queue_returns_every_element_in_a_seeded_random_order():
    q = tf.RandomShuffleQueue(100, 0, tf.int32, shapes=[[]], seed=3)
    enqueue, batch = q.enqueue_many([list(range(50))]), q.dequeue_many(50)
    orders = []
    for _ in range(2):
        with bounded_session() as sess:
            sess.run(enqueue)
            orders.append(sess.run(batch).tolist())
    assert sorted(orders[0]) == list(range(50))
    assert orders[0] != list(range(50))
    assert orders[0] == orders[1]


def test_random_shuffle_queue_keeps_min_after_dequeue_until_closed():
    q = tf.RandomShuffleQueue(10, 2, tf.int32, shapes=[[]], seed=1)
    with bounded_session(50) as sess:
        sess.run(q.enqueue_many([[1, 2, 3]]))
        sess.run(q.dequeue())
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(q.dequeue())
        sess.run(q.close())
        rest = sorted(sess.run(q.dequeue_many(2)).tolist())
        assert len(rest) == 2 and set(rest) < {1, 2, 3}
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(q.dequeue())


def test_random_shuffle_queue_attrs():
    q = tf.RandomShuffleQueue(8, 3, [tf.float32], seed=5, name="shuffled")
    op = q.queue_ref.op
    assert op.type == "RandomShuffleQueue" and q.name == "shuffled"
    assert op.get_attr("capacity") == 8 and op.get_attr("min_after_dequeue") == 3
    assert op.get_attr("seed2") == 5


def test_dequeued_strings_are_bytes():
    q = tf.FIFOQueue(2, tf.string)
    with bounded_session() as sess:
        sess.run(q.enqueue(b"hello"))
        value = sess.run(q.dequeue())
        assert value == b"hello"
        assert isinstance(np.asarray(value).item(), bytes)
