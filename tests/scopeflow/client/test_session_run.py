import collections
import threading

import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_fetch_structures_come_back_in_the_same_shape():
    a = tf.constant(1.0, name="a")
    b = tf.constant([2, 3], name="b")
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as sess:
        assert sess.run(a) == 1.0
        assert isinstance(sess.run(a), np.float32)
        lst = sess.run([a, b])
        assert isinstance(lst, list) and lst[0] == 1.0
        tup = sess.run((a, [b, {"k": a}]))
        assert isinstance(tup, tuple) and tup[1][1] == {"k": 1.0}
        pair = sess.run(Pair(a, b))
        assert isinstance(pair, Pair) and pair.y.tolist() == [2, 3]
        od = sess.run(collections.OrderedDict([("z", a), ("y", b)]))
        assert isinstance(od, collections.OrderedDict) and list(od) == ["z", "y"]
        assert sess.run("a:0") == 1.0
        assert sess.run([a, a]) == [1.0, 1.0]


def test_fetching_an_operation_runs_it_and_returns_none():
    v = tf.Variable(1.0)
    with tf.Session() as sess:
        assert sess.run(v.initializer) is None
        assert sess.run("Variable/Assign") is None
        assert sess.run([v.initializer, v]) == [None, 1.0]


def test_feeding_an_intermediate_tensor_cuts_the_graph():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.identity(x, name="y")
    z = y * 2.0
    with tf.Session() as sess:
        assert sess.run(z, {y: 5.0}) == 10.0
        assert sess.run(z, {"y:0": 6.0}) == 12.0
        assert sess.run(y, {y: 4.0}) == 4.0


def test_unfed_placeholder_raises_invalid_argument_naming_it():
    x = tf.placeholder(tf.float32, [2], name="inputs")
    y = x + 1.0
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                       match="must feed a value for placeholder tensor 'inputs' "
                             "with dtype float32") as info:
        sess.run(y)
    assert info.value.op is x.op


def test_feed_of_the_wrong_shape_raises_value_error():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    with tf.Session() as sess:
        with pytest.raises(ValueError,
                           match=r"Cannot feed value of shape \(3,\) for Tensor 'x:0', which "
                                 r"has shape '\(\?, 2\)'"):
            sess.run(x, {x: np.ones(3)})
        assert sess.run(x, {x: np.ones((4, 2))}).shape == (4, 2)


def test_feed_of_the_wrong_dtype_raises_naming_the_tensor():
    x = tf.placeholder(tf.float32, name="x")
    i = tf.placeholder(tf.int32, name="i")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="Tensor 'x:0' of dtype float32"):
            sess.run(x, {x: "hello"})
        with pytest.raises(TypeError, match="Tensor 'i:0' of dtype int32"):
            sess.run(i, {i: 1.5})
        assert sess.run(i, {i: 2.0}) == 2  # an integral float is exact
        assert sess.run(x, {x: np.float64(0.5)}).dtype == np.float32


def test_feed_value_cannot_be_a_tensor():
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess, pytest.raises(TypeError, match="cannot be a tf.Tensor"):
        sess.run(x, {x: tf.constant(1.0)})


def test_fetch_from_another_graph_raises_value_error():
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="not an element of this graph"):
            sess.run(foreign)
        with pytest.raises(ValueError, match="cannot be interpreted as a Tensor"):
            sess.run("missing:0")
        with pytest.raises(TypeError, match="has invalid type"):
            sess.run(None)


def test_closed_session_refuses_to_run():
    c = tf.constant(1.0)
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(c)


def test_with_block_makes_the_default_session_for_eval_and_run():
    c = tf.constant(3.0)
    v = tf.Variable(2.0)
    with tf.Session() as sess:
        assert tf.get_default_session() is sess
        v.initializer.run()
        assert c.eval() == 3.0 and v.eval() == 2.0
    assert tf.get_default_session() is None
    with pytest.raises(ValueError, match="No default session is registered"):
        c.eval()
    with pytest.raises(ValueError, match="No default session is registered"):
        v.initializer.run()


def test_eval_with_a_session_of_another_graph_raises():
    c = tf.constant(1.0)
    with tf.Graph().as_default() as other:
        sess = tf.Session(graph=other)
    with pytest.raises(ValueError, match="graph is different from the session's graph"):
        c.eval(session=sess)


def test_explicit_session_and_as_default():
    c = tf.constant(4.0)
    sess = tf.Session()
    assert c.eval(session=sess) == 4.0
    with sess.as_default():
        assert c.eval() == 4.0
    sess.close()


def test_interactive_session_installs_itself_as_default():
    c = tf.constant(5.0)
    sess = tf.InteractiveSession()
    try:
        assert c.eval() == 5.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_two_sessions_on_one_graph_hold_separate_values():
    v = tf.Variable(1.0)
    bump = v.assign_add(1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(bump)
    s1.run(bump)
    assert s1.run(v) == 3.0 and s2.run(v) == 1.0
    s1.close()
    with pytest.raises(tf.errors.FailedPreconditionError):
        tf.Session().run(v)


def test_fetched_arrays_are_copies_of_session_state():
    c = tf.constant([1.0, 2.0])
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got_c, got_v = sess.run([c, v])
        got_c[0] = got_v[0] = 100.0
        assert sess.run(c)[0] == 1.0 and sess.run(v)[0] == 1.0


def test_kernel_failure_raises_invalid_argument_naming_the_op():
    a = tf.placeholder(tf.float32, [None, None])
    b = tf.placeholder(tf.float32, [None, None])
    product = tf.matmul(a, b, name="product")
    sess = tf.Session()
    with pytest.raises(tf.errors.InvalidArgumentError, match="product") as info:
        sess.run(product, {a: np.ones((2, 3)), b: np.ones((2, 3))})
    assert info.value.op is product.op


def test_runs_are_cached_per_signature():
    x = tf.placeholder(tf.float32, [])
    y = x + 1.0
    with tf.Session() as sess:
        first = sess.plan_for(y, {x: 0.0})
        assert sess.run(y, {x: 1.0}) == 2.0
        assert sess.plan_for(y, {x: 5.0}) is first
        assert sess.plan_for([y], {x: 5.0}) is not first
        assert "add" in first.code and "def run_plan(a0)" in first.code


def test_concurrent_runs_on_one_session_are_safe():
    x = tf.placeholder(tf.float32, [3])
    y = (x * 2.0) + 1.0
    counter = tf.Variable(0)
    bump = counter.assign_add(1)
    errors, results = [], []
    with tf.Session() as sess:
        sess.run(counter.initializer)

        def worker(k):
            try:
                for i in range(50):
                    value = np.full(3, k * 100 + i, np.float32)
                    results.append(np.array_equal(sess.run(y, {x: value}), value * 2 + 1))
                    sess.run(bump)
            except Exception as e:  # noqa: BLE001 - any failure in a thread is reported
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors and len(results) == 200 and all(results)
        assert 1 <= sess.run(counter) <= 200


def test_string_tensors_fetch_as_bytes_and_feed_from_str():
    s = tf.placeholder(tf.string, [2])
    c = tf.constant(["a", "bc"])
    with tf.Session() as sess:
        assert sess.run(c).tolist() == [b"a", b"bc"]
        assert sess.run(tf.identity(s), {s: ["x", b"y"]}).tolist() == [b"x", b"y"]
        assert sess.run(tf.constant("one")) == b"one"


def test_session_rejects_remote_targets_and_takes_a_graph():
    with pytest.raises(tf.errors.UnimplementedError):
        tf.Session("grpc://localhost:2222")
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(9)
    with tf.Session(graph=g) as sess:
        assert sess.graph is g
        assert sess.run(c) == 9
        assert [n.name for n in sess.graph_def.node] == ["Const"]


def test_eval_and_op_run_take_feeds():
    x = tf.placeholder(tf.float32, [], name="x")
    v = tf.Variable(0.0)
    store = v.assign(x * 10.0)
    with tf.Session():
        assert (x + 1.0).eval(feed_dict={x: 2.0}) == 3.0
        v.initializer.run()
        store.op.run(feed_dict={x: 4.0})
        assert v.eval() == 40.0


def test_debug_environment_prints_each_compiled_plan(tmp_path):
    import subprocess
    import sys

    script = ("import scopeflow as tf\n"
              "x = tf.constant(2.0, name='two') * 3.0\n"
              "print(tf.Session().run(x))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={"SCOPEFLOW_DEBUG": "1", "OMP_NUM_THREADS": "1",
                                 "PATH": "/usr/bin:/bin"}, timeout=120, check=True)
    assert result.stdout.strip() == "6.0"
    assert "scopeflow plan <scopeflow-plan-" in result.stderr
    assert "def run_plan():" in result.stderr and "# mul" in result.stderr
