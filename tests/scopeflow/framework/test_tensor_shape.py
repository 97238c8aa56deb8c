import pytest
import scopeflow as tf
from hypothesis import given
from hypothesis import strategies as st
from scopeflow.framework import tensor_shape


def test_unknown_dimensions_print_as_question_marks():
    assert str(tf.TensorShape([None, 3])) == "(?, 3)"
    assert str(tf.TensorShape(None)) == "<unknown>"
    assert str(tf.TensorShape([4])) == "(4,)"
    assert str(tf.TensorShape([])) == "()"


def test_merge_with_fills_unknown_dimensions():
    merged = tf.TensorShape([None, 3]).merge_with([2, None])
    assert merged.as_list() == [2, 3]
    assert tf.TensorShape(None).merge_with([1, 2]).as_list() == [1, 2]


def test_merge_with_incompatible_shapes_raises_value_error():
    with pytest.raises(ValueError, match=r"Shapes \(2, 3\) and \(3, 3\) are not compatible"):
        tf.TensorShape([2, 3]).merge_with([3, 3])
    with pytest.raises(ValueError, match="same rank"):
        tf.TensorShape([2]).merge_with([2, 1])


def test_compatibility_rules():
    assert tf.TensorShape([None, 2]).is_compatible_with([5, 2])
    assert not tf.TensorShape([None, 2]).is_compatible_with([5, 3])
    assert tf.TensorShape(None).is_compatible_with([1, 2, 3])
    assert not tf.TensorShape([1]).is_compatible_with([1, 1])


def test_rank_and_elements():
    shape = tf.TensorShape([2, None])
    assert shape.ndims == 2 and len(shape) == 2
    assert shape.num_elements() is None
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert tf.TensorShape(None).ndims is None
    with pytest.raises(ValueError):
        tf.TensorShape(None).as_list()
    with pytest.raises(ValueError, match="must have rank 3"):
        shape.with_rank(3)


def test_dimension_arithmetic_and_equality():
    assert (tf.Dimension(2) + 3).value == 5
    assert (tf.Dimension(None) * 3).value is None
    assert (tf.Dimension(2) == tf.Dimension(None)) is None
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        tf.Dimension(2).merge_with(3)


def test_shape_proto_round_trip_keeps_unknowns():
    for shape in (tf.TensorShape([None, 7]), tf.TensorShape(None), tf.TensorShape([])):
        assert tf.TensorShape(shape.as_proto()) == shape
    assert tensor_shape.unknown_shape(2).as_proto().dim[0].size == -1


dims = st.lists(st.one_of(st.none(), st.integers(0, 5)), max_size=4)


@given(dims, dims)
def test_merge_succeeds_exactly_when_shapes_are_compatible(a, b):
    sa, sb = tf.TensorShape(a), tf.TensorShape(b)
    if sa.is_compatible_with(sb):
        merged = sa.merge_with(sb)
        assert merged.is_compatible_with(sa) and merged.is_compatible_with(sb)
        assert merged.as_list() == [x if x is not None else y for x, y in zip(a, b)]
        assert sb.is_compatible_with(sa)
    else:
        with pytest.raises(ValueError):
            sa.merge_with(sb)
