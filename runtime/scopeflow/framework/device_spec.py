"""Device strings: parse `/job:x/replica:0/task:0/gpu:1`, merge partial specs, print them.

Op devices are kept in TensorFlow's canonical form (`/job:ps/device:GPU:0`); the placed
device is printed in the runtime form the logs use (`/job:localhost/replica:0/task:0/gpu:0`).
"""

from __future__ import annotations

import copy


class DeviceSpec:
    """A possibly partial device: any of job, replica, task, device type and index."""

    __slots__ = ("device_index", "device_type", "job", "replica", "task")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job = job
        self.replica = replica
        self.task = task
        self.device_type = device_type
        self.device_index = device_index

    @classmethod
    def from_string(cls, spec: str) -> DeviceSpec:
        out = cls()
        for part in (spec or "").split("/"):
            if part:
                out._parse_part(part, spec)
        return out

    def _parse_part(self, part: str, whole: str) -> None:
        fields = part.split(":")
        key = fields[0].lower()
        if len(fields) == 2 and key == "job":
            self.job = fields[1]
        elif len(fields) == 2 and key in ("replica", "task"):
            setattr(self, key, _index(fields[1], whole))
        elif len(fields) == 2 and key in ("cpu", "gpu"):
            self.device_type, self.device_index = key.upper(), _index(fields[1], whole)
        elif len(fields) == 1 and key in ("cpu", "gpu"):
            self.device_type = key.upper()
        elif len(fields) == 3 and key == "device":
            self.device_type, self.device_index = fields[1].upper(), _index(fields[2], whole)
        elif len(fields) == 2 and key == "device":
            self.device_type = fields[1].upper()
        else:
            raise ValueError(f"Unknown attribute: '{part}' in '{whole}'")

    def merge_from(self, other: DeviceSpec) -> None:
        """Fields set in `other` override this spec's."""
        for field in self.__slots__:
            value = getattr(other, field)
            if value is not None:
                setattr(self, field, value)

    def copy(self) -> DeviceSpec:
        return copy.copy(self)

    def to_string(self) -> str:
        out = ""
        if self.job is not None:
            out += f"/job:{self.job}"
        if self.replica is not None:
            out += f"/replica:{self.replica}"
        if self.task is not None:
            out += f"/task:{self.task}"
        if self.device_type is not None:
            index = "*" if self.device_index is None else str(self.device_index)
            out += f"/device:{self.device_type}:{index}"
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())

    def __repr__(self) -> str:
        return f"DeviceSpec({self.to_string()!r})"


def _index(text: str, whole: str):
    if text == "*":
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"Invalid device index {text!r} in '{whole}'") from None


def canonical_name(device) -> str:
    """The canonical form of a device string or DeviceSpec ('' for none)."""
    if device is None:
        return ""
    if isinstance(device, DeviceSpec):
        return device.to_string()
    return DeviceSpec.from_string(device).to_string()


def merge_device(spec):
    """A device function that fills the fields an op's current device leaves unset."""
    if not isinstance(spec, DeviceSpec):
        spec = DeviceSpec.from_string(spec or "")

    def _device_function(op) -> str:
        current = DeviceSpec.from_string(op.device or "")
        merged = spec.copy()
        merged.merge_from(current)
        return merged.to_string()

    return _device_function


def runtime_name(device_type: str, index: int) -> str:
    """The device name TensorFlow's runtime prints: /job:localhost/replica:0/task:0/gpu:0."""
    return f"/job:localhost/replica:0/task:0/{device_type.lower()}:{index}"
