import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def bounded_session(timeout_ms=20000):
    return tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=timeout_ms))


def drain(fetch):
    """Runs the graph's queue runners and `fetch` until OutOfRange; every value fetched."""
    values = []
    with bounded_session() as sess:
        sess.run(tf.initialize_all_variables())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        try:
            while not coord.should_stop():
                values.append(sess.run(fetch))
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    return values


def test_limit_epochs_allows_num_epochs_evaluations():
    limited = tf.train.limit_epochs(tf.constant(b"x"), num_epochs=2)
    with bounded_session() as sess:
        sess.run(tf.initialize_all_variables())
        assert [sess.run(limited), sess.run(limited)] == [b"x", b"x"]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(limited)


def test_limit_epochs_without_a_limit_is_the_tensor_and_rejects_non_positive_limits():
    x = tf.constant(1)
    assert tf.train.limit_epochs(x) is x
    with pytest.raises(ValueError, match="num_epochs must be > 0"):
        tf.train.limit_epochs(x, num_epochs=0)


@pytest.mark.timeout(60)
def test_string_input_producer_repeats_each_epoch_in_order_then_closes():
    queue = tf.train.string_input_producer([b"a", b"b", b"c"], num_epochs=2, shuffle=False)
    assert queue.queue_ref.op.type == "FIFOQueue" and queue.name == "input_producer"
    assert drain(queue.dequeue()) == [b"a", b"b", b"c"] * 2


@pytest.mark.timeout(60)
def test_shuffled_string_input_producer_gives_each_string_once_per_epoch():
    names = [f"file{i}".encode() for i in range(8)]
    queue = tf.train.string_input_producer(names, num_epochs=3, seed=7)
    values = drain(queue.dequeue())
    epochs = [values[i:i + 8] for i in range(0, 24, 8)]
    assert len(values) == 24 and all(sorted(e) == names for e in epochs)
    assert any(e != names for e in epochs)


@pytest.mark.timeout(60)
def test_range_input_producer_yields_the_integers_below_limit():
    queue = tf.train.range_input_producer(5, num_epochs=1, shuffle=False)
    assert drain(queue.dequeue()) == [0, 1, 2, 3, 4]


@pytest.mark.timeout(60)
def test_slice_input_producer_keeps_the_rows_of_its_tensors_together():
    features = np.arange(12, dtype=np.float32).reshape(6, 2)
    labels = np.arange(6, dtype=np.int32)
    row, label = tf.train.slice_input_producer([features, labels], num_epochs=2, seed=1)
    assert row.get_shape().as_list() == [2] and label.get_shape().as_list() == []
    pairs = drain([row, label])
    assert sorted(int(lab) for _, lab in pairs) == sorted(labels.tolist() * 2)
    assert all(r.tolist() == features[lab].tolist() for r, lab in pairs)


@pytest.mark.timeout(60)
def test_batch_stacks_elements_and_drops_a_short_final_batch():
    index = tf.train.range_input_producer(7, num_epochs=1, shuffle=False).dequeue()
    batched = tf.train.batch([index, tf.cast(index, tf.float32) * 2], batch_size=3)
    assert [t.get_shape().as_list() for t in batched] == [[3], [3]]
    assert batched[0].op.name == "batch" and batched[0].op.type == "QueueDequeueMany"
    batches = drain(batched)
    assert [b[0].tolist() for b in batches] == [[0, 1, 2], [3, 4, 5]]
    assert [b[1].tolist() for b in batches] == [[0, 2, 4], [6, 8, 10]]


@pytest.mark.timeout(60)
def test_batch_with_enqueue_many_splits_its_input_and_runs_num_threads_threads():
    rows = tf.train.limit_epochs(tf.constant([[1, 2], [3, 4]]), num_epochs=3)
    batched = tf.train.batch([rows], batch_size=2, enqueue_many=True, num_threads=2)
    assert batched.get_shape().as_list() == [2, 2]
    (qr,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert len(qr.enqueue_ops) == 2
    assert all(b.tolist() == [[1, 2], [3, 4]] for b in drain(batched))


def test_batch_needs_fully_defined_shapes_unless_given():
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="fully defined"):
        tf.train.batch([x], batch_size=2)
    assert tf.train.batch([x], batch_size=2, shapes=[[4]]).get_shape().as_list() == [2, 4]


@pytest.mark.timeout(60)
def test_batch_join_takes_elements_from_every_list():
    a = tf.train.limit_epochs(tf.constant(1), num_epochs=2)
    b = tf.train.limit_epochs(tf.constant(2), num_epochs=2)
    batched = tf.train.batch_join([[a], [b]], batch_size=4)
    (qr,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert len(qr.enqueue_ops) == 2
    assert [sorted(v.tolist()) for v in drain(batched)] == [[1, 1, 2, 2]]


def test_batch_join_needs_the_same_dtypes_in_every_list():
    with pytest.raises(TypeError, match="consistent"):
        tf.train.batch_join([[tf.constant(1)], [tf.constant(1.0)]], batch_size=2)


@pytest.mark.timeout(60)
def test_shuffle_batch_gives_every_element_once_in_a_shuffled_order():
    index = tf.train.range_input_producer(40, num_epochs=1, shuffle=False).dequeue()
    batched = tf.train.shuffle_batch([index], batch_size=10, capacity=30,
                                     min_after_dequeue=10, seed=4, num_threads=2)
    assert batched.get_shape().as_list() == [10]
    assert batched.op.inputs[0].op.type == "RandomShuffleQueue"
    values = [v for batch in drain(batched) for v in batch.tolist()]
    assert sorted(values) == list(range(40)) and values != list(range(40))
    tags = [s.op.inputs[0].op.get_attr("value")
            for s in tf.get_collection(tf.GraphKeys.SUMMARIES)]
    assert any(b"fraction_over_10_of_20_full" in bytes(np.asarray(t).item()) for t in tags)


@pytest.mark.timeout(60)
def test_shuffle_batch_join_mixes_its_lists():
    a = tf.train.limit_epochs(tf.constant([10, 11]), num_epochs=2)
    b = tf.train.limit_epochs(tf.constant([20, 21]), num_epochs=2)
    batched = tf.train.shuffle_batch_join([[a], [b]], batch_size=8, capacity=8,
                                          min_after_dequeue=0, enqueue_many=True, seed=2)
    (values,) = drain(batched)
    assert sorted(values.tolist()) == [10, 10, 11, 11, 20, 20, 21, 21]
