import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def bounded_session(timeout_ms=20000):
    return tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=timeout_ms))


def counting_queue(capacity=4):
    """A queue fed by a QueueRunner with 0, 1, 2, ... from a counter variable."""
    counter = tf.Variable(0, name="counter")
    q = tf.FIFOQueue(capacity, tf.int32, shapes=[[]])
    return counter, q, tf.train.QueueRunner(q, [q.enqueue(counter.assign_add(1))])


def test_queue_runner_exposes_its_queue_and_ops():
    q = tf.FIFOQueue(2, tf.float32)
    enqueue = q.enqueue(1.0)
    qr = tf.train.QueueRunner(q, [enqueue, enqueue])
    assert qr.queue is q and qr.enqueue_ops == [enqueue, enqueue]
    assert qr.close_op.type == "QueueClose" and qr.cancel_op.type == "QueueClose"
    assert not qr.close_op.get_attr("cancel_pending_enqueues")
    assert qr.cancel_op.get_attr("cancel_pending_enqueues")


@pytest.mark.timeout(60)
def test_threads_fill_the_queue_until_a_stop_cancels_their_blocked_enqueue():
    counter, q, qr = counting_queue(capacity=2)
    with bounded_session() as sess:
        sess.run(counter.initializer)
        coord = tf.train.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        assert len(threads) == 2  # the enqueue thread and the canceller
        assert [sess.run(q.dequeue()) for _ in range(5)] == [1, 2, 3, 4, 5]
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)  # no error: the cancel was a stop


@pytest.mark.timeout(60)
def test_create_threads_returns_nothing_while_the_runner_runs():
    counter, _, qr = counting_queue()
    with bounded_session() as sess:
        sess.run(counter.initializer)
        coord = tf.train.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        assert qr.create_threads(sess, coord=coord) == []
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)


@pytest.mark.timeout(60)
def test_out_of_range_ends_the_threads_and_the_last_one_closes_the_queue():
    source = tf.FIFOQueue(10, tf.int32, shapes=[[]])
    sink = tf.FIFOQueue(10, tf.int32, shapes=[[]])
    qr = tf.train.QueueRunner(sink, [sink.enqueue(source.dequeue())] * 3)
    with bounded_session() as sess:
        sess.run(source.enqueue_many([[1, 2, 3, 4]]))
        sess.run(source.close())
        threads = qr.create_threads(sess, start=True)
        for t in threads:
            t.join(20)
        assert not any(t.is_alive() for t in threads)
        assert sorted(sess.run(sink.dequeue_many(4)).tolist()) == [1, 2, 3, 4]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(sink.dequeue())
        assert qr.exceptions_raised == []


@pytest.mark.timeout(60)
def test_an_enqueue_error_stops_the_coordinator_and_join_reraises_it():
    never_initialized = tf.Variable(1, name="never_initialized")
    q = tf.FIFOQueue(2, tf.int32)
    qr = tf.train.QueueRunner(q, [q.enqueue(never_initialized)])
    with bounded_session() as sess:
        coord = tf.train.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        with pytest.raises(tf.errors.FailedPreconditionError, match="never_initialized"):
            coord.join(threads, stop_grace_period_secs=10)
        assert coord.should_stop()


@pytest.mark.timeout(60)
def test_start_queue_runners_starts_the_collection_in_the_default_session():
    counter, q, qr = counting_queue()
    tf.train.add_queue_runner(qr)
    assert tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS) == [qr]
    with bounded_session() as sess:
        sess.run(counter.initializer)
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(coord=coord)
        assert all(t.daemon for t in threads)
        assert sess.run(q.dequeue()) == 1
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)


def test_start_queue_runners_without_a_session_is_an_error():
    with pytest.raises(ValueError, match="No default session"):
        tf.train.start_queue_runners()
