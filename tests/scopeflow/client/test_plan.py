import traceback

import numpy as np
import pytest
import scopeflow as tf
import torch
from scopeflow.client.plan import prune_to_fetches
from scopeflow.framework.ops import apply_op
from scopeflow.framework.registry import register_op


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_pruning_keeps_only_what_the_fetch_needs_in_dependency_order():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    unrelated = tf.constant(3.0, name="unrelated")
    c = tf.add(a, b, name="c")
    d = tf.identity(c, name="d")
    order = [op.name for op in prune_to_fetches([d.op], set())]
    assert "unrelated" not in order and unrelated.op.name == "unrelated"
    assert order.index("a") < order.index("c") < order.index("d")
    assert order.index("b") < order.index("c")


def test_feeds_cut_the_graph_above_them():
    x = tf.placeholder(tf.float32, name="x")
    y = tf.identity(x, name="y")
    z = tf.identity(y, name="z")
    assert [op.name for op in prune_to_fetches([z.op], {y})] == ["z"]


def test_stateful_ops_reached_through_control_inputs_run():
    v = tf.Variable(0.0)
    bump = v.assign_add(1.0)
    with tf.control_dependencies([bump]):
        out = tf.constant(7.0, name="out")
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(out) == 7.0
        assert sess.run(out) == 7.0
        assert sess.run(v) == 2.0


def test_a_deep_chain_compiles_without_recursion_limits():
    x = tf.placeholder(tf.float32, [])
    y = x
    for _ in range(3000):
        y = tf.identity(y)
    with tf.Session() as sess:
        assert sess.run(y, {x: 1.5}) == 1.5


def test_plan_code_is_straight_line_python_one_line_per_op():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.add(x, tf.constant([1.0, 1.0], name="one"), name="y")
    with tf.Session() as sess:
        plan = sess.plan_for(y, {x: np.zeros(2)})
    lines = plan.code.splitlines()
    assert lines[0] == "def run_plan(a0):"
    # constants are computed once at compile time and bound as globals of the plan
    assert not any(line.endswith("# one") for line in lines)
    assert any(line.endswith("# y") and "const" in line for line in lines)
    assert lines[-1].strip().startswith("return (")
    assert str(plan) == plan.code
    assert [op.name for op in plan.ops] == ["one", "y"]


def test_values_are_freed_after_their_last_use():
    x = tf.placeholder(tf.float32, [], name="x")
    a = tf.identity(x, name="a")
    b = tf.identity(a, name="b")
    c = tf.add(a, b, name="c")
    with tf.Session() as sess:
        plan = sess.plan_for(c, {x: 1.0})
        assert sess.run(c, {x: 1.0}) == 2.0
    lines = [line.strip() for line in plan.code.splitlines()]
    after_c = lines[next(i for i, line in enumerate(lines) if line.endswith("# c")) + 1]
    assert after_c.startswith("del ") and after_c.count(",") == 1  # a and b both die at c


def test_tracebacks_show_the_generated_line():
    a = tf.placeholder(tf.float32, [None, None])
    p = tf.matmul(a, a, name="p")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(p, {a: np.ones((2, 3))})
    cause = info.value.__cause__
    text = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
    assert "<scopeflow-plan-" in text and "# p" in text


def test_unused_outputs_of_multi_output_ops_are_dropped():
    parts = tf.split(0, 3, tf.constant([1.0, 2.0, 3.0]))
    with tf.Session() as sess:
        assert sess.run(parts[2]).tolist() == [3.0]
        assert [v.tolist() for v in sess.run(parts)] == [[1.0], [2.0], [3.0]]


def _twice_infer(op):
    x = op.inputs[0]
    return [(x.dtype, x.get_shape())]


def _twice_kernel(ctx, x):
    if isinstance(x, np.ndarray):
        return x + x
    return x * 2


register_op("TestPlanTwice", infer=_twice_infer, kernel=_twice_kernel,
            inline=lambda x: torch.mul(x, 2))


def test_inline_functions_replace_kernels_unless_strings_are_involved():
    numbers = apply_op("TestPlanTwice", [tf.constant([1.0, 2.0])], name="num").outputs[0]
    words = apply_op("TestPlanTwice", [tf.constant(["ab"])], name="str").outputs[0]
    with tf.Session() as sess:
        assert sess.run(numbers).tolist() == [2.0, 4.0]
        assert sess.run(words).tolist() == [b"abab"]
        num_line = next(ln for ln in sess.plan_for(numbers).code.splitlines()
                        if ln.endswith("# num"))
        str_line = next(ln for ln in sess.plan_for(words).code.splitlines()
                        if ln.endswith("# str"))
    assert "= i_TestPlanTwice_" in num_line and "(const" in num_line
    assert "= k_TestPlanTwice_" in str_line
