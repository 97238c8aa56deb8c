"""Device placement: each op's requested device to a torch.device, as TensorFlow places them.

`/cpu:0` is torch's CPU, `/gpu:N` is `cuda:N`. An op with no device goes to the first GPU
when there is one (and it has a GPU kernel), else to the CPU. An op pinned to a device that
does not exist raises InvalidArgumentError naming the op and the device, unless the config
allows soft placement. Ops that write a variable (ref inputs) run where the variable lives.
"""

from __future__ import annotations

import sys

import torch

from scopeflow import errors
from scopeflow.framework import dtypes
from scopeflow.framework.device_spec import DeviceSpec, runtime_name

_CPU = torch.device("cpu")


def visible_gpu_count(config) -> int:
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    limit = (config.device_count or {}).get("GPU") if config is not None else None
    return count if limit is None else min(count, int(limit))


class Placer:
    """Places ops for one session and remembers the result; logs placements when asked."""

    def __init__(self, config, log=None):
        self._soft = bool(config is not None and config.allow_soft_placement)
        self._log = log if log is not None else bool(
            config is not None and config.log_device_placement
        )
        self._gpus = visible_gpu_count(config)
        # TensorFlow has one CPU device unless device_count asks for more; all are torch's CPU.
        self._cpus = max(1, int(((config.device_count or {}) if config else {}).get("CPU", 1)))
        self._placed: dict = {}
        self._header_printed = False

    @property
    def gpu_count(self) -> int:
        return self._gpus

    def available_devices(self) -> list[str]:
        names = [runtime_name("cpu", i) for i in range(self._cpus)]
        names += [runtime_name("gpu", i) for i in range(self._gpus)]
        return names

    def device_of(self, op) -> torch.device:
        return self.place(op)[0]

    def place(self, op) -> tuple[torch.device, str]:
        """(torch device, runtime device name) for `op`; first call decides and logs it."""
        placed = self._placed.get(op)
        if placed is None:
            placed = self._decide(op)
            self._placed[op] = placed
            op._assigned_device = placed[1]
            if self._log:
                self._print_placement(op, placed[1])
        return placed

    def _decide(self, op) -> tuple[torch.device, str]:
        refs = op.spec.ref_inputs if op.spec is not None else ()
        if refs:
            return self.place(op.inputs[refs[0]].op)
        spec = DeviceSpec.from_string(op.device)
        gpu_ok = self._gpus > 0 and _has_gpu_kernel(op)
        if spec.device_type is None:
            if _on_this_task(spec):
                return self._gpu(0) if gpu_ok else self._cpu()
            return self._unavailable(op, "", gpu_ok)
        if not _on_this_task(spec) or spec.device_type not in ("CPU", "GPU"):
            return self._unavailable(op, "", gpu_ok)
        index = spec.device_index or 0
        if spec.device_type == "CPU":
            return self._cpu(index) if index < self._cpus else self._unavailable(op, "", gpu_ok)
        if index < self._gpus and gpu_ok:
            return self._gpu(index)
        if index < self._gpus:
            return self._unavailable(op, "no supported kernel for GPU devices is available",
                                     gpu_ok)
        return self._unavailable(op, "", gpu_ok)

    def _unavailable(self, op, reason: str, gpu_ok: bool):
        if self._soft:
            return self._gpu(0) if gpu_ok else self._cpu()
        reason = reason or "no devices matching that specification are registered in this process"
        raise errors.InvalidArgumentError(
            None, op,
            f"Cannot assign a device to node '{op.name}': Could not satisfy explicit device "
            f"specification '{op.device}' because {reason}; available devices: "
            f"{', '.join(self.available_devices())}",
        )

    @staticmethod
    def _cpu(index: int = 0):
        return _CPU, runtime_name("cpu", index)

    @staticmethod
    def _gpu(index: int):
        return torch.device("cuda", index), runtime_name("gpu", index)

    def _print_placement(self, op, name: str) -> None:
        if not self._header_printed:
            self.print_device_mapping()
        print(f"{op.name}: {name}", file=sys.stderr)

    def print_device_mapping(self) -> None:
        """TensorFlow's 'Device mapping:' header, one line per visible GPU."""
        self._header_printed = True
        lines = ["Device mapping:"]
        for i in range(self._gpus):
            props = torch.cuda.get_device_properties(i)
            lines.append(f"{runtime_name('gpu', i)} -> device: {i}, name: {props.name}")
        print("\n".join(lines), file=sys.stderr)


def _on_this_task(spec: DeviceSpec) -> bool:
    return spec.job in (None, "localhost") and spec.replica in (None, 0) and spec.task in (None, 0)


def _has_gpu_kernel(op) -> bool:
    """String tensors live in host memory, so ops that touch them have no GPU kernel."""
    if any(t.dtype.base_dtype == dtypes.string for t in op.inputs):
        return False
    return not any(t.dtype.base_dtype == dtypes.string for t in op.outputs)
