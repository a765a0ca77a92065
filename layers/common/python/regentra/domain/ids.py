"""ULIDs: sortable by creation time, so ids also order tickets and replies."""

from __future__ import annotations

import os
import threading
from datetime import datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32


_last: tuple[int, int] = (-1, 0)
_lock = threading.Lock()


def new_id(at: datetime, randomness: bytes | None = None) -> str:
    """A ULID for instant `at`. Ids made in the same millisecond by this process increase
    (monotonic ULIDs), so records written together keep their order."""
    global _last
    millis = int(at.timestamp() * 1000)
    if randomness is not None:
        rand = int.from_bytes(randomness[:10], "big")
    else:
        with _lock:
            last_ms, last_rand = _last
            rand = last_rand + 1 if millis == last_ms else int.from_bytes(os.urandom(10), "big") >> 1
            _last = (millis, rand)
    value = (millis << 80) | (rand & ((1 << 80) - 1))
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_valid_id(value: str) -> bool:
    # 26 base32 digits hold 130 bits; a ULID is 128, so the first digit is at most 7.
    return len(value) == 26 and value[0] in "01234567" and all(c in _ALPHABET for c in value)
