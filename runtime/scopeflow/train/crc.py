"""Masked CRC32C, as TensorFlow stores checksums in tables, bundles and records."""

from __future__ import annotations

import google_crc32c

_MASK_DELTA = 0xA282EAD8


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC32C of `data`, extending `crc` (0 to start)."""
    return google_crc32c.extend(crc, bytes(data))


def mask(crc: int) -> int:
    # Rotated and offset so that a CRC of data that itself holds CRCs stays well spread.
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    return mask(crc32c(data))
