"""Ordering and grouping: identity, no_op, group, tuple, with_dependencies, Print."""

from __future__ import annotations

import contextlib
import sys

import numpy as np

from scopeflow.framework import ops
from scopeflow.framework.registry import NotDifferentiable, RegisterGradient, register_op

__all__ = ["Print", "group", "identity", "no_op", "tuple", "with_dependencies"]

def _identity_infer(op):
    x = op.inputs[0]
    return [(x.dtype.base_dtype, x.get_shape())]


def _identity_kernel(ctx, x):
    return x


register_op("Identity", infer=_identity_infer, kernel=_identity_kernel, inline=lambda x: x)
register_op("NoOp", infer=lambda op: [], kernel=lambda ctx: None)
NotDifferentiable("NoOp")


@RegisterGradient("Identity")
def _identity_grad(op, grad):
    """d identity(x) / dx = 1."""
    return grad


def identity(input, name=None) -> ops.Tensor:
    input = ops.convert_to_tensor(input)
    return ops.apply_op("Identity", [input], {"T": input.dtype.base_dtype},
                        name=name).outputs[0]


def no_op(name=None) -> ops.Operation:
    return ops.apply_op("NoOp", [], name=name)


def _as_op(value) -> ops.Operation:
    if isinstance(value, ops.Operation):
        return value
    if isinstance(value, ops.Tensor):
        return value.op
    element = getattr(value, "op", None)
    if isinstance(element, ops.Operation):
        return element
    raise TypeError(f"Expected a Tensor or Operation, got {value!r}")


def group(*inputs, **kwargs) -> ops.Operation:
    """An op that runs after all `inputs` (one NoOp per device, joined by a final NoOp)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Unknown keyword arguments: {', '.join(kwargs)}")
    deps = [_as_op(i) for i in inputs]
    with ops.op_scope(deps, name, "group_deps") as scope:
        by_device: dict[str, list] = {}
        for op in deps:
            by_device.setdefault(op.device, []).append(op)
        if len(by_device) <= 1:
            device = next(iter(by_device), "")
            return _grouped_no_op(device, deps, scope)
        per_device = [
            _grouped_no_op(device, members, None) for device, members in sorted(by_device.items())
        ]
        return _grouped_no_op("", per_device, scope)


def _on_device(device: str):
    """Pins ops to `device`; '' keeps the enclosing device scope (device(None) would clear it)."""
    return ops.device(device) if device else contextlib.nullcontext()


def _grouped_no_op(device, deps, name) -> ops.Operation:
    with ops.control_dependencies(deps), _on_device(device):
        return no_op(name=name)


def with_dependencies(dependencies, output_tensor, name=None) -> ops.Tensor:
    """`output_tensor`'s value, produced only after `dependencies` have run."""
    with ops.op_scope(list(dependencies) + [output_tensor], name, "control_dependency") as scope:
        output_tensor = ops.convert_to_tensor(output_tensor)
        with _on_device(output_tensor.device), ops.control_dependencies(dependencies):
            return identity(output_tensor, name=scope)


def tuple(tensors, name=None, control_inputs=None) -> list:
    """The `tensors`, each available only once all of them (and `control_inputs`) are."""
    with ops.op_scope(tensors, name, "tuple"):
        gating = [t.op for t in tensors if t is not None]
        if control_inputs:
            gating.extend(_as_op(c) for c in control_inputs)
        gate = group(*gating)
        return [None if t is None else with_dependencies([gate], t) for t in tensors]


# -- Print ---------------------------------------------------------------------------------
def _print_infer(op):
    x = op.inputs[0]
    return [(x.dtype.base_dtype, x.get_shape())]


def _format(value, summarize: int) -> str:
    flat = np.asarray(value.cpu() if hasattr(value, "cpu") else value).reshape(-1)
    shown = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
             for v in flat[:summarize].tolist()]
    return "[" + " ".join(shown) + ("..." if flat.size > summarize else "") + "]"


def _print_kernel(ctx, x, *data):
    first_n = ctx.attrs.get("first_n", -1)
    key = ("Print.count", ctx.op.name)
    count = ctx.resources.get(key, 0)
    if first_n < 0 or count < first_n:
        ctx.resources[key] = count + 1
        summarize = ctx.attrs.get("summarize", 3)
        print(ctx.attrs.get("message", "") + "".join(_format(d, summarize) for d in data),
              file=sys.stderr)
    return x


register_op("Print", infer=_print_infer, kernel=_print_kernel, stateful=True)


@RegisterGradient("Print")
def _print_grad(op, *grads):
    """Print passes its first input through; the printed data get no gradient."""
    return [grads[0]] + [None] * (len(op.inputs) - 1)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):
    """`input_` unchanged; printing `message` and `data` to stderr each time it runs."""
    attrs = {
        "message": message or "",
        "first_n": -1 if first_n is None else int(first_n),
        "summarize": 3 if summarize is None else int(summarize),
    }
    return ops.apply_op("Print", [input_] + list(data), attrs, name=name).outputs[0]
