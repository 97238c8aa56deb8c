"""Whether a pid recorded earlier (perhaps by a board that has since restarted) is still the
same living process: pids are reused, so the process's start time is recorded with it."""

from __future__ import annotations

import os


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux /proc), None when it is gone,
    a zombie, or the system has no /proc (then `is_alive` trusts the pid alone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = stat[stat.rindex(b")") + 2:].split()
    if fields[0] in (b"Z", b"X"):
        return None
    return int(fields[19])


def is_alive(pid: int, ticks: int | None) -> bool:
    """Whether `pid` still runs and, when `ticks` was recorded, is the process it was."""
    if os.path.isdir("/proc/self"):
        now = start_ticks(pid)
        return now is not None and (ticks is None or now == ticks)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
