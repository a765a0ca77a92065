"""ULIDs: sortable by creation time, so ids also order tickets and replies."""

from __future__ import annotations

import os
from datetime import datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32


def new_id(at: datetime, randomness: bytes | None = None) -> str:
    millis = int(at.timestamp() * 1000)
    rand = randomness if randomness is not None else os.urandom(10)
    value = (millis << 80) | int.from_bytes(rand[:10], "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_valid_id(value: str) -> bool:
    # 26 base32 digits hold 130 bits; a ULID is 128, so the first digit is at most 7.
    return len(value) == 26 and value[0] in "01234567" and all(c in _ALPHABET for c in value)
