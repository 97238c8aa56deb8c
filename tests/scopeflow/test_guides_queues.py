"""The code of TensorFlow 0.6's how-to "Threading and Queues" and the batching half of
"Reading Data", run with only `import scopeflow as tf`.

Changes to the guides' code, all for bounded tests: sessions get an operation timeout so a
bug fails instead of hanging; "run forever" loops run a fixed number of steps; file readers
are replaced by a producer of CSV lines (the reader how-to is tested beside the readers).
"""

import threading

import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def bounded_session():
    return tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=20000))


# -- Threading and Queues: the queue that increments its own elements -------------------------
def test_threading_guide_queue_use_overview():
    q = tf.FIFOQueue(3, "float")
    init = q.enqueue_many(([0., 0., 0.],))
    x = q.dequeue()
    y = x + 1
    q_inc = q.enqueue([y])
    with bounded_session().as_default():
        init.run()
        q_inc.run()
        q_inc.run()
        q_inc.run()
        q_inc.run()
        assert [x.eval() for _ in range(3)] == [1.0, 1.0, 2.0]


# -- Threading and Queues: Coordinator ----------------------------------------------------------
@pytest.mark.timeout(60)
def test_threading_guide_coordinator_stops_every_thread():
    iterations = []
    lock = threading.Lock()

    def MyLoop(coord):
        while not coord.should_stop():
            with lock:
                iterations.append(1)
                if len(iterations) >= 100:
                    coord.request_stop()

    coord = tf.train.Coordinator()
    threads = [threading.Thread(target=MyLoop, args=(coord,)) for _ in range(10)]
    for t in threads:
        t.start()
    coord.join(threads)
    assert not any(t.is_alive() for t in threads) and len(iterations) >= 100


# -- Threading and Queues: QueueRunner ----------------------------------------------------------
@pytest.mark.timeout(60)
def test_threading_guide_queue_runner_feeds_training():
    batch_size = 8
    example = tf.random_normal([2], mean=3.0, seed=1)
    queue = tf.RandomShuffleQueue(capacity=64, min_after_dequeue=16, dtypes=[tf.float32],
                                  shapes=[[2]])
    enqueue_op = queue.enqueue(example)
    inputs = queue.dequeue_many(batch_size)
    w = tf.Variable(tf.zeros([2]))
    loss = tf.reduce_mean(tf.square(inputs - w))
    train_op = tf.train.GradientDescentOptimizer(0.2).minimize(loss)
    qr = tf.train.QueueRunner(queue, [enqueue_op] * 4)

    sess = bounded_session()
    sess.run(tf.initialize_all_variables())
    coord = tf.train.Coordinator()
    enqueue_threads = qr.create_threads(sess, coord=coord, start=True)
    for _step in range(200):
        if coord.should_stop():
            break
        sess.run(train_op)
    coord.request_stop()
    coord.join(enqueue_threads)
    np.testing.assert_allclose(sess.run(w), [3.0, 3.0], atol=0.5)
    sess.close()


@pytest.mark.timeout(60)
def test_threading_guide_exceptions_reach_coord_join():
    never_initialized = tf.Variable(tf.zeros([2]), name="never_initialized")
    queue = tf.FIFOQueue(capacity=10, dtypes=[tf.float32], shapes=[[2]])
    qr = tf.train.QueueRunner(queue, [queue.enqueue(never_initialized)] * 2)
    training_op = queue.dequeue_many(4)

    sess = bounded_session()
    coord = tf.train.Coordinator()
    threads = qr.create_threads(sess, coord=coord, start=True)
    try:
        for _step in range(1000000):
            if coord.should_stop():
                break
            sess.run(training_op)
    except Exception as e:  # noqa: BLE001 - the guide's code
        # Report exceptions to the coordinator.
        coord.request_stop(e)
    # Terminate as usual.  It is innocuous to request stop twice.
    coord.request_stop()
    with pytest.raises(tf.errors.FailedPreconditionError, match="never_initialized"):
        coord.join(threads)
    sess.close()


# -- Reading Data: batching, and the training loop that ends at the epoch limit ---------------
def read_my_file_format(filename_queue):
    """The guide's reader step, with the CSV line taken straight from the producer's queue."""
    record_string = filename_queue.dequeue()
    col1, col2, label = tf.decode_csv(record_string, record_defaults=[[0.0], [0.0], [0]])
    example = tf.pack([col1, col2])
    return example, label


def input_pipeline(lines, batch_size, num_epochs=None):
    filename_queue = tf.train.string_input_producer(lines, num_epochs=num_epochs, shuffle=True)
    example, label = read_my_file_format(filename_queue)
    min_after_dequeue = 10
    capacity = min_after_dequeue + 3 * batch_size
    example_batch, label_batch = tf.train.shuffle_batch(
        [example, label], batch_size=batch_size, capacity=capacity,
        min_after_dequeue=min_after_dequeue)
    return example_batch, label_batch


@pytest.mark.timeout(60)
def test_reading_data_guide_shuffle_batch_until_the_epoch_limit():
    lines = [f"{i}.0,{-i}.0,{i % 3}".encode() for i in range(30)]
    example_batch, label_batch = input_pipeline(lines, batch_size=7, num_epochs=2)
    assert example_batch.get_shape().as_list() == [7, 2]
    init_op = tf.initialize_all_variables()
    sess = bounded_session()
    sess.run(init_op)
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    seen, steps, done = [], 0, False
    try:
        while not coord.should_stop():
            examples, labels = sess.run([example_batch, label_batch])
            seen.extend(examples[:, 0].tolist())
            np.testing.assert_array_equal(labels, examples[:, 0].astype(int) % 3)
            np.testing.assert_array_equal(examples[:, 1], -examples[:, 0])
            steps += 1
    except tf.errors.OutOfRangeError:
        done = True  # 'Done training -- epoch limit reached'
    finally:
        coord.request_stop()
    coord.join(threads)
    sess.close()
    assert done and steps == 60 // 7
    assert len(set(seen)) > 20 and all(seen.count(v) <= 2 for v in seen)


@pytest.mark.timeout(60)
def test_reading_data_guide_preloaded_data_with_slice_input_producer():
    images = np.arange(40, dtype=np.float32).reshape(20, 2)
    labels = np.arange(20, dtype=np.int64)
    input_images = tf.constant(images)
    input_labels = tf.constant(labels)
    image, label = tf.train.slice_input_producer([input_images, input_labels], num_epochs=3)
    label = tf.cast(label, tf.int32)
    image_batch, label_batch = tf.train.batch([image, label], batch_size=4)

    sess = bounded_session()
    sess.run(tf.initialize_all_variables())
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    counts = np.zeros(20, dtype=int)
    try:
        step = 0
        while not coord.should_stop():
            batch_images, batch_labels = sess.run([image_batch, label_batch])
            np.testing.assert_array_equal(batch_images, images[batch_labels])
            counts[batch_labels] += 1
            step += 1
    except tf.errors.OutOfRangeError:
        pass
    finally:
        coord.request_stop()
    coord.join(threads)
    sess.close()
    assert step == 15 and (counts == 3).all()
