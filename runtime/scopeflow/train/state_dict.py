"""Checkpoints as PyTorch state dicts, for people moving old TensorFlow models to torch."""

from __future__ import annotations

import os

import torch

from scopeflow.train import checkpoint_bundle, checkpoint_state

__all__ = ["load_checkpoint_as_state_dict", "resolve_checkpoint"]


def resolve_checkpoint(path: str) -> str:
    """A bundle prefix from a prefix, its .index file, or a directory with a checkpoint file."""
    if os.path.isdir(path):
        latest = checkpoint_state.latest_checkpoint(path)
        if latest is None:
            from scopeflow import errors

            raise errors.NotFoundError(None, None, f"no checkpoint found in directory {path}")
        return latest
    return path.removesuffix(".index")


def load_checkpoint_as_state_dict(path: str) -> dict[str, torch.Tensor]:
    """Every numeric tensor of the checkpoint at `path` as a torch tensor, keyed by name.

    String tensors (and TensorFlow types numpy lacks, such as variants) have no torch
    equivalent and are left out.
    """
    reader = checkpoint_bundle.BundleReader(resolve_checkpoint(path))
    state = {}
    for name in sorted(reader.entries):
        if not checkpoint_bundle.is_numeric(reader.dtype_of(name)):
            continue
        state[name] = torch.from_numpy(reader.get_tensor(name))
    return state
