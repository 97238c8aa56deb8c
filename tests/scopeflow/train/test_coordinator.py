import threading

import pytest
import scopeflow as tf


def test_request_stop_sets_should_stop_and_ends_wait_for_stop():
    coord = tf.train.Coordinator()
    assert not coord.should_stop()
    assert not coord.wait_for_stop(0.01)
    coord.request_stop()
    assert coord.should_stop()
    assert coord.wait_for_stop(0.01)


@pytest.mark.timeout(60)
def test_join_returns_once_threads_that_honour_should_stop_end():
    coord = tf.train.Coordinator()
    started = threading.Barrier(3)

    def loop():
        started.wait(10)
        while not coord.should_stop():
            coord.wait_for_stop(0.01)

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for t in threads:
        t.start()
    started.wait(10)
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=10)
    assert not any(t.is_alive() for t in threads)


@pytest.mark.timeout(60)
def test_join_reraises_the_first_exception_reported_by_a_thread():
    coord = tf.train.Coordinator()

    def fail(message):
        try:
            raise RuntimeError(message)
        except RuntimeError as e:
            coord.request_stop(e)

    first = threading.Thread(target=fail, args=("first",))
    first.start()
    first.join(10)
    second = threading.Thread(target=fail, args=("second",))
    second.start()
    with pytest.raises(RuntimeError, match="first"):
        coord.join([first, second], stop_grace_period_secs=10)


def test_request_stop_accepts_exc_info():
    coord = tf.train.Coordinator()
    try:
        raise ValueError("from exc_info")
    except ValueError:
        import sys

        coord.request_stop(sys.exc_info())
    with pytest.raises(ValueError, match="from exc_info"):
        coord.join([])


@pytest.mark.timeout(60)
def test_stop_on_exception_reports_the_error_and_swallows_it():
    coord = tf.train.Coordinator()

    def body():
        with coord.stop_on_exception():
            raise tf.errors.OutOfRangeError(None, None, "drained")

    t = threading.Thread(target=body)
    t.start()
    with pytest.raises(tf.errors.OutOfRangeError, match="drained"):
        coord.join([t], stop_grace_period_secs=10)
    assert coord.should_stop()


@pytest.mark.timeout(60)
def test_join_names_threads_still_running_after_the_grace_period():
    coord = tf.train.Coordinator()
    release = threading.Event()
    stuck = threading.Thread(target=release.wait, args=(30,), name="stuck-thread")
    stuck.start()
    coord.request_stop()
    try:
        with pytest.raises(RuntimeError, match="stuck-thread"):
            coord.join([stuck], stop_grace_period_secs=0.05)
    finally:
        release.set()
        stuck.join(10)
