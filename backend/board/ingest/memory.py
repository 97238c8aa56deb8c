"""Giving freed heap memory back to the operating system.

Loading allocates and frees many batch buffers; glibc keeps freed heap pages, so
without this the resident size of a loading board runs about 25% above its data.
"""

from __future__ import annotations

import ctypes


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to do
        return None


_TRIM = getattr(_libc(), "malloc_trim", None)


def release_free_memory() -> None:
    if _TRIM is not None:
        _TRIM(0)
