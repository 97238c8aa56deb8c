"""Python operators on Tensor (and Variable): `a + b` builds math ops, as in TensorFlow.

The ops come from scopeflow.ops.math_ops/array_ops, imported when first used (they import
this framework). Binary operators open a lowercase scope ('add', 'truediv') and convert the
other operand to this tensor's dtype, so `1.0 + v` under scope 'foo' is the op 'foo/add'.
"""

from __future__ import annotations

from scopeflow.framework import ops

_BINARY = {
    "add": "add", "sub": "sub", "mul": "mul", "truediv": "truediv", "div": "div",
    "floordiv": "floordiv", "mod": "mod", "pow": "pow",
    "and": "logical_and", "or": "logical_or", "xor": "logical_xor",
}
_COMPARE = {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal"}
_UNARY = {"neg": "neg", "abs": "abs", "invert": "logical_not"}


def _math(name):
    from scopeflow.ops import math_ops

    return getattr(math_ops, name)


def _binary(fn_name: str, scope: str):
    def forward(x, y):
        with ops.op_scope([x, y], None, scope) as name:
            y = ops.convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
            return _math(fn_name)(x, y, name=name)

    def reverse(y, x):
        with ops.op_scope([x, y], None, scope) as name:
            x = ops.convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
            return _math(fn_name)(x, y, name=name)

    return forward, reverse


def _compare(fn_name: str):
    def compare(x, y):
        return _math(fn_name)(x, y)

    return compare


def _unary(fn_name: str):
    def unary(x):
        return _math(fn_name)(x)

    return unary


def _getitem(tensor, key):
    from scopeflow.ops import array_ops

    return array_ops._slice_helper(tensor, key)


def install(cls) -> None:
    """Adds the operator methods to `cls` (Tensor, Variable)."""
    for op_name, fn_name in _BINARY.items():
        forward, reverse = _binary(fn_name, op_name)
        setattr(cls, f"__{op_name}__", forward)
        setattr(cls, f"__r{op_name}__", reverse)
    for op_name, fn_name in _COMPARE.items():
        setattr(cls, f"__{op_name}__", _compare(fn_name))
    for op_name, fn_name in _UNARY.items():
        setattr(cls, f"__{op_name}__", _unary(fn_name))
    cls.__getitem__ = _getitem


install(ops.Tensor)
