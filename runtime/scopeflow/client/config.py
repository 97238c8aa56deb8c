"""ConfigProto and GPUOptions: the session options TensorFlow 0.6 accepted.

Plain Python classes with TensorFlow's field names and defaults (there is no config.proto in
our wire formats: a session config never leaves the process). Unknown fields raise ValueError,
as a protobuf constructor does.
"""

from __future__ import annotations

from typing import ClassVar


class _Options:
    _FIELDS: ClassVar[dict] = {}

    def __init__(self, **kwargs):
        for key, default in self._FIELDS.items():
            setattr(self, key, kwargs.pop(key, default() if callable(default) else default))
        if kwargs:
            name = min(kwargs)
            raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={getattr(self, k)!r}" for k in self._FIELDS
            if getattr(self, k) != (self._FIELDS[k]() if callable(self._FIELDS[k])
                                    else self._FIELDS[k])
        )
        return f"{type(self).__name__}({fields})"


class GPUOptions(_Options):
    """Accepted for compatibility; torch's CUDA caching allocator manages GPU memory."""

    _FIELDS: ClassVar[dict] = {
        "per_process_gpu_memory_fraction": 0.0,
        "allocator_type": "",
        "deferred_deletion_bytes": 0,
        "allow_growth": False,
        "visible_device_list": "",
    }


class GraphOptions(_Options):
    _FIELDS: ClassVar[dict] = {"enable_recv_scheduling": False, "build_cost_model": 0, "infer_shapes": False}


class ConfigProto(_Options):
    """Session configuration.

    `device_count` limits the devices a session sees ({"GPU": 0} hides every GPU);
    `allow_soft_placement` moves ops pinned to an unavailable device to an available one;
    `log_device_placement` prints where each op runs; `intra_op_parallelism_threads` > 0 sets
    torch's (process-wide) thread count; the other fields are accepted and kept.
    """

    _FIELDS: ClassVar[dict] = {
        "device_count": dict,
        "intra_op_parallelism_threads": 0,
        "inter_op_parallelism_threads": 0,
        "use_per_session_threads": False,
        "placement_period": 0,
        "device_filters": list,
        "gpu_options": GPUOptions,
        "allow_soft_placement": False,
        "log_device_placement": False,
        "graph_options": GraphOptions,
        "operation_timeout_in_ms": 0,
    }


class RunOptions(_Options):
    """Per-run options; a trace_level above NO_TRACE fills the run's RunMetadata."""

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3
    _FIELDS: ClassVar[dict] = {"trace_level": 0, "timeout_in_ms": 0}
