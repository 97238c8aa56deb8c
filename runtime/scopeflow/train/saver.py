"""tf.train.Saver: checkpoints of variables in TensorFlow's V2 bundle format.

The graph gets TensorFlow's `save/` ops: a filename constant (fed at each save/restore),
SaveV2 over the variables' values, RestoreV2 and one Assign per variable grouped as
`save/restore_all`. Restoring assigns values, so restored variables need no initializer.
Old checkpoints beyond `max_to_keep` are deleted, except one every
`keep_checkpoint_every_n_hours`; the directory's `checkpoint` file lists the rest.
"""

from __future__ import annotations

import glob
import os
import time

import numpy as np

from scopeflow.framework import dtypes, ops
from scopeflow.ops import constant_op, control_flow_ops
from scopeflow.train import checkpoint_bundle, checkpoint_state, saver_ops  # noqa: F401

__all__ = ["Saver"]


def _variables():
    from scopeflow.ops import variables

    return variables


def _name_map(var_list) -> dict:
    """Checkpoint name -> Variable; a list uses each variable's op name."""
    variables = _variables()
    if var_list is None:
        var_list = variables.all_variables()
    if isinstance(var_list, dict):
        items = list(var_list.items())
    else:
        items = [(v.op.name, v) for v in var_list]
    names = {}
    for name, var in items:
        if not isinstance(var, variables.Variable):
            raise TypeError(f"Variable to save is not a Variable: {var!r}")
        if name in names:
            raise ValueError(f"At least two variables have the same name: {name}")
        names[name] = var
    if not names:
        raise ValueError("No variables to save")
    return names


class Saver:
    """Saves and restores variables (see the module docstring)."""

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None):
        self._vars = _name_map(var_list)
        self._max_to_keep = max_to_keep
        self._keep_every_secs = keep_checkpoint_every_n_hours * 3600.0
        self._next_keep_time = time.time() + self._keep_every_secs
        self._last_checkpoints: list[tuple[str, float]] = []
        self._build(name or "save")

    def _build(self, name: str) -> None:
        names = sorted(self._vars)
        variables = [self._vars[n] for n in names]
        with ops.name_scope(name) as scope:
            self._filename = constant_op.constant("model", dtype=dtypes.string, name="Const")
            tensor_names = constant_op.constant(names, dtype=dtypes.string,
                                                name="SaveV2/tensor_names")
            slices = constant_op.constant([""] * len(names), dtype=dtypes.string,
                                          name="SaveV2/shape_and_slices")
            self._save_op = ops.apply_op(
                "SaveV2", [self._filename, tensor_names, slices, *variables], name="SaveV2")
            attrs = {"dtypes": [v.dtype.base_dtype for v in variables],
                     "shapes": [v.get_shape() for v in variables]}
            restore = ops.apply_op("RestoreV2", [self._filename, tensor_names, slices], attrs,
                                   name="RestoreV2")
            assigns = [
                v.assign(value) for v, value in zip(variables, restore.outputs, strict=True)
            ]
            self._restore_op = control_flow_ops.group(*assigns, name="restore_all")
        self._scope = scope

    # -- saving ---------------------------------------------------------------------------
    def save(self, sess, save_path: str, global_step=None, latest_filename=None) -> str:
        """Write a checkpoint; returns its prefix (`save_path-<global_step>` with a step)."""
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step))
            save_path = f"{save_path}-{int(global_step)}"
        save_dir = os.path.dirname(save_path)
        if save_dir and not os.path.isdir(save_dir):
            os.makedirs(save_dir, exist_ok=True)
        sess.run(self._save_op, {self._filename: save_path})
        self._record(save_path)
        checkpoint_state.update_checkpoint_state(
            save_dir, save_path, [p for p, _ in self._last_checkpoints], latest_filename,
            all_model_checkpoint_timestamps=[t for _, t in self._last_checkpoints],
        )
        return save_path

    def _record(self, path: str) -> None:
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != path]
        self._last_checkpoints.append((path, time.time()))
        while self._max_to_keep and len(self._last_checkpoints) > self._max_to_keep:
            old, stamp = self._last_checkpoints.pop(0)
            if stamp > self._next_keep_time:
                self._next_keep_time += self._keep_every_secs
                continue  # kept for good, and no longer tracked
            _delete_checkpoint(old)

    @property
    def last_checkpoints(self) -> list[str]:
        """The checkpoints still kept, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints: list[str]) -> None:
        self._last_checkpoints = [(p, time.time()) for p in last_checkpoints]

    # -- restoring ------------------------------------------------------------------------
    def restore(self, sess, save_path: str) -> None:
        """Assign every saved variable its value from the checkpoint at `save_path`."""
        sess.run(self._restore_op, {self._filename: save_path})

    def as_saver_def(self) -> dict:
        return {"filename_tensor_name": self._filename.name,
                "save_tensor_name": self._save_op.name,
                "restore_op_name": self._restore_op.name,
                "max_to_keep": self._max_to_keep}


def _delete_checkpoint(prefix: str) -> None:
    for path in [checkpoint_bundle.index_filename(prefix), *glob.glob(prefix + ".data-*")]:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
