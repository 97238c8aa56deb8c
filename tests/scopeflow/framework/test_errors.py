import pytest
import scopeflow as tf


@pytest.mark.parametrize("cls, code", [
    (tf.errors.CancelledError, tf.errors.CANCELLED),
    (tf.errors.InvalidArgumentError, tf.errors.INVALID_ARGUMENT),
    (tf.errors.NotFoundError, tf.errors.NOT_FOUND),
    (tf.errors.FailedPreconditionError, tf.errors.FAILED_PRECONDITION),
    (tf.errors.OutOfRangeError, tf.errors.OUT_OF_RANGE),
    (tf.errors.UnimplementedError, tf.errors.UNIMPLEMENTED),
    (tf.errors.ResourceExhaustedError, tf.errors.RESOURCE_EXHAUSTED),
    (tf.errors.DataLossError, tf.errors.DATA_LOSS),
])
def test_error_classes_carry_their_canonical_codes(cls, code):
    err = cls(None, None, "boom")
    assert isinstance(err, tf.errors.OpError)
    assert err.error_code == code
    assert err.message == "boom" and str(err) == "boom"
    assert tf.errors.exception_type_from_error_code(code) is cls
    assert tf.errors.error_code_from_exception_type(cls) == code


def test_error_names_its_op_and_node_def():
    with tf.Graph().as_default():
        c = tf.constant(1.0, name="c")
    err = tf.errors.InvalidArgumentError(None, c.op, "bad")
    assert err.op is c.op
    assert err.node_def.name == "c"
    assert "[[Node: c = Const" in str(err)


def test_errors_pickle_without_their_op():
    import pickle

    for err in (tf.errors.OutOfRangeError(None, None, "done"),
                tf.errors.OpError(None, None, "odd", tf.errors.ABORTED)):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err)
        assert back.message == err.message and back.error_code == err.error_code
