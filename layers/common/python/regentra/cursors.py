"""Opaque, signed cursors. A cursor carries DynamoDB's position and the query it belongs to;
a tampered cursor, or one reused with other filters, is a 400, never a 500 or a leak."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from regentra.errors import ValidationFailed


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]


def encode_cursor(secret: str, scope: str, position: dict[str, Any]) -> str:
    payload = json.dumps({"s": scope, "p": position}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(_sign(secret, payload) + payload).decode().rstrip("=")


def decode_cursor(secret: str, scope: str, cursor: str) -> dict[str, Any]:
    bad = ValidationFailed(
        "The cursor is not valid for this query.", [{"field": "cursor", "issue": "invalid"}]
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as exc:
        raise bad from exc
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != cursor:
        raise bad  # only the one canonical spelling of a cursor is accepted
    sig, payload = raw[:16], raw[16:]
    if len(sig) != 16 or not hmac.compare_digest(sig, _sign(secret, payload)):
        raise bad
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise bad from exc
    if not isinstance(data, dict) or data.get("s") != scope or not isinstance(data.get("p"), dict):
        raise bad
    return data["p"]


def scope_of(*parts: Any) -> str:
    """A short digest naming a query (who asks, which filters), bound into its cursors."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]
