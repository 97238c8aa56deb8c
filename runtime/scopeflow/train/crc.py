"""CRC32C for tables and bundles: extending a running checksum, plus the masking that
board.records owns (one formula for records, tables and bundles)."""

from __future__ import annotations

import google_crc32c
from board.records import mask_crc as mask
from board.records import masked_crc32c
from board.records import unmask_crc as unmask

__all__ = ["crc32c", "mask", "masked_crc32c", "unmask"]


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC32C of `data`, extending `crc` (0 to start)."""
    return google_crc32c.extend(crc, bytes(data))
