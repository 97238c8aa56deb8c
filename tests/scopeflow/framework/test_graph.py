import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_op_names_are_made_unique_with_a_counter():
    a = tf.constant(1.0, name="foo")
    b = tf.constant(1.0, name="foo")
    c = tf.constant(1.0, name="foo")
    assert [a.op.name, b.op.name, c.op.name] == ["foo", "foo_1", "foo_2"]
    assert tf.constant(2.0).op.name == "Const"


def test_name_scopes_nest_and_return_the_scope_string():
    with tf.name_scope("outer") as outer:
        assert outer == "outer/"
        with tf.name_scope("inner") as inner:
            assert inner == "outer/inner/"
            assert tf.constant(0).op.name == "outer/inner/Const"
    with tf.name_scope("outer") as again:
        assert again == "outer_1/"


def test_name_scope_with_trailing_slash_reenters_and_none_resets():
    with tf.name_scope("a") as a_scope:
        pass
    with tf.name_scope("b"):
        with tf.name_scope(a_scope):
            assert tf.constant(0, name="x").op.name == "a/x"
        with tf.name_scope(None):
            assert tf.constant(0, name="top").op.name == "top"


def test_lookups_by_name(graph):
    c = tf.constant([1, 2], name="c")
    assert graph.get_operation_by_name("c") is c.op
    assert graph.get_tensor_by_name("c:0") is c
    assert graph.as_graph_element("c:0") is c
    with pytest.raises(KeyError, match="does not exist"):
        graph.get_tensor_by_name("nope:0")
    with pytest.raises(KeyError, match="only has 1 outputs"):
        graph.get_tensor_by_name("c:1")
    with pytest.raises(ValueError, match="looks like an"):
        graph.get_tensor_by_name("c")
    with pytest.raises(KeyError):
        graph.get_operation_by_name("nope")


def test_collections_and_scope_filter(graph):
    a = tf.constant(1, name="s1/a")
    b = tf.constant(2, name="s2/b")
    tf.add_to_collection("things", a)
    graph.add_to_collection("things", b)
    assert tf.get_collection("things") == [a, b]
    assert tf.get_collection("things", scope="s2") == [b]
    tf.get_collection("things").append("copy")  # a copy, not the collection
    assert len(tf.get_collection("things")) == 2
    assert tf.get_collection("missing") == []
    assert tf.GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"


def test_finalized_graph_refuses_new_ops(graph):
    tf.constant(1)
    graph.finalize()
    assert graph.finalized
    with pytest.raises(RuntimeError, match="finalized"):
        tf.constant(2)


def test_control_dependencies_attach_to_ops_made_inside():
    a = tf.constant(1, name="a")
    b = tf.constant(2, name="b")
    with tf.control_dependencies([a]):
        c = tf.constant(3, name="c")
        with tf.control_dependencies([b.op]):
            d = tf.identity(c, name="d")
        with tf.control_dependencies(None):
            e = tf.constant(4, name="e")
    assert c.op.control_inputs == [a.op]
    # c was made inside the outer block, so d needs only b beyond its data input.
    assert d.op.control_inputs == [b.op]
    assert e.op.control_inputs == []


def test_control_dependency_on_a_data_input_is_dropped():
    a = tf.constant(1, name="a")
    with tf.control_dependencies([a]):
        b = tf.identity(a)
    assert b.op.control_inputs == []


def test_default_graph_switches_and_resets():
    g = tf.Graph()
    with g.as_default():
        assert tf.get_default_graph() is g
        assert tf.constant(1).graph is g
    assert tf.get_default_graph() is not g


def test_reset_default_graph_gives_an_empty_graph():
    with tf.Graph().as_default():
        pass
    # outside every as_default block the process-wide default graph is replaced
    import threading

    result = {}

    def run():
        old = tf.get_default_graph()
        tf.constant(1)
        tf.reset_default_graph()
        result["new"] = tf.get_default_graph()
        result["same"] = result["new"] is old
        result["ops"] = result["new"].get_operations()

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert not result["same"] and result["ops"] == []


def test_mixing_graphs_in_one_op_raises():
    other = tf.Graph()
    with other.as_default():
        x = tf.constant(1.0)
    y = tf.constant(2.0)
    with pytest.raises(ValueError, match="same graph"):
        _ = x + y


def test_graph_text_form_lists_ops_inputs_and_controls(graph):
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        tf.identity(tf.constant(2.0, name="b"), name="c")
    text = str(graph)
    assert "a = Const()" in text
    assert "c = Identity(b:0)" in text
    assert "b = Const() ^a" in text


def test_invalid_op_and_scope_names_raise():
    with pytest.raises(ValueError, match="'bad name' is not a valid node name"):
        tf.constant(1.0, name="bad name")
    with pytest.raises(ValueError, match="'a b' is not a valid scope name"), tf.name_scope("a b"):
        pass
