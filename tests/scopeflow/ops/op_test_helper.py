"""Run one op in torch (the reference) and in scopeflow; compare values AND gradients.

`check_op(shapes, torch_fn, tf_fn)` draws random inputs, evaluates `torch_fn` on torch
tensors and `tf_fn` on scopeflow placeholders, then compares the outputs, and the
gradients of the outputs weighted by random grad_ys: torch.autograd against
tf.gradients. Each check runs twice: with fully static placeholder shapes (the static
shape inferred at graph construction must equal the computed shape) and with every
dimension unknown (exercising the run-time shape paths of the gradient functions).
"""

from __future__ import annotations

import numpy as np
import scopeflow as tf
import torch


def random_inputs(shapes, low=-2.0, high=2.0, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=s).astype(dtype) for s in shapes]


def _as_list(values):
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _is_float(array):
    return np.issubdtype(np.asarray(array).dtype, np.floating)


def _torch_side(values, torch_fn, wrt, grad_seed):
    tensors = [torch.tensor(v, requires_grad=i in wrt) for i, v in enumerate(values)]
    raw = _as_list(torch_fn(*tensors))
    outs = [o.detach().numpy() if isinstance(o, torch.Tensor) else np.asarray(o) for o in raw]
    rng = np.random.default_rng(grad_seed)
    diff = [i for i, o in enumerate(raw) if isinstance(o, torch.Tensor) and o.requires_grad]
    grad_ys = {i: rng.uniform(-1, 1, size=outs[i].shape).astype(outs[i].dtype) for i in diff}
    if not wrt or not diff:
        return outs, {}, grad_ys
    grads = torch.autograd.grad([raw[i] for i in diff], [tensors[i] for i in wrt],
                                [torch.tensor(grad_ys[i]) for i in diff], allow_unused=True)
    return outs, {i: None if g is None else g.numpy() for i, g in zip(wrt, grads)}, grad_ys


def _scopeflow_side(values, tf_fn, wrt, grad_ys, unknown_dims, device):
    graph = tf.Graph()
    with graph.as_default(), graph.device(device):
        placeholders = [
            tf.placeholder(tf.as_dtype(v.dtype), [None] * v.ndim if unknown_dims else v.shape)
            for v in values
        ]
        outs = _as_list(tf_fn(*placeholders))
        grads = {}
        if grad_ys:
            ys = [outs[i] for i in grad_ys]
            xs = [placeholders[i] for i in wrt]
            found = tf.gradients(ys, xs, grad_ys=[grad_ys[i] for i in grad_ys])
            grads = dict(zip(wrt, found))
        fetches = outs + [g for g in grads.values() if g is not None]
        with tf.Session(graph=graph) as sess:
            results = sess.run(fetches, dict(zip(placeholders, values)))
    got_outs = results[:len(outs)]
    rest = iter(results[len(outs):])
    got_grads = {i: None if g is None else next(rest) for i, g in grads.items()}
    return outs, got_outs, got_grads


def _check_static_shapes(outs, results, unknown_dims):
    for t, value in zip(outs, results):
        shape = t.get_shape()
        if not unknown_dims:
            assert shape.is_fully_defined(), f"{t.name}: static shape {shape} not inferred"
            assert shape.as_list() == list(np.shape(value)), (t.name, shape, np.shape(value))
        else:
            assert shape.is_compatible_with(np.shape(value)), (t.name, shape, np.shape(value))


def check_op(shapes, torch_fn, tf_fn, *, inputs=None, wrt=None, low=-2.0, high=2.0,
             atol=1e-5, rtol=1e-4, dynamic=True, static_shape=True, seed=0, device=None):
    """Compare tf_fn with torch_fn on random inputs of `shapes` (or the given `inputs`).

    wrt: indices of the inputs to differentiate (default: every float input; () for none).
    static_shape: the static shapes must be fully inferred when input shapes are known.
    device: where the scopeflow graph runs (e.g. "/gpu:0"); torch's reference runs on the CPU.
    """
    values = list(inputs) if inputs is not None else random_inputs(shapes, low, high, seed)
    if wrt is None:
        wrt = [i for i, v in enumerate(values) if _is_float(v)]
    wrt = list(wrt)
    expected, expected_grads, grad_ys = _torch_side(values, torch_fn, wrt, seed + 1)
    for unknown_dims in (False, True) if dynamic else (False,):
        outs, got, got_grads = _scopeflow_side(values, tf_fn, wrt, grad_ys, unknown_dims,
                                                   device)
        if static_shape:
            _check_static_shapes(outs, got, unknown_dims)
        mode = "unknown shapes" if unknown_dims else "static shapes"
        for i, (e, a) in enumerate(zip(expected, got)):
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol,
                                       err_msg=f"output {i} ({mode})")
            assert np.asarray(a).dtype == np.asarray(e).dtype or not _is_float(e), \
                (np.asarray(a).dtype, np.asarray(e).dtype)
        for i in expected_grads:
            e, a = expected_grads[i], got_grads.get(i)
            if e is None:
                assert a is None or not np.any(a), f"input {i}: torch has no gradient"
                continue
            assert a is not None, f"input {i}: tf.gradients returned None ({mode})"
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol,
                                       err_msg=f"gradient of input {i} ({mode})")
    return expected
