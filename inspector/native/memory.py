"""Memory captured in a dump: a thread's stack, read as little-endian pointers."""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MemoryRegion:
    """``data`` as it was at ``base`` in the crashed process."""

    base: int
    data: bytes

    @property
    def end(self) -> int:
        return self.base + len(self.data)

    def read(self, address: int, size: int) -> int | None:
        """The unsigned little-endian value of ``size`` bytes at ``address``; None outside the region."""
        offset = address - self.base
        if offset < 0 or offset + size > len(self.data):
            return None
        if size == 8:
            return int(struct.unpack_from("<Q", self.data, offset)[0])
        if size == 4:
            return int(struct.unpack_from("<I", self.data, offset)[0])
        return int.from_bytes(self.data[offset : offset + size], "little")

    def contains(self, address: int, size: int = 1) -> bool:
        return self.base <= address and address + size <= self.end
