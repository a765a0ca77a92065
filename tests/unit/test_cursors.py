"""Signed pagination cursors: a tampered cursor, or one reused with other filters, is a 400."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import string
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from regentra.cursors import decode_cursor, encode_cursor, scope_of
from regentra.errors import ValidationFailed

SECRET = "test-cursor-secret"
SCOPE = scope_of("t-1", "staff", {"status": ["OPEN"], "limit": 25})
URLSAFE = string.ascii_letters + string.digits + "-_"

json_scalars = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=30)
positions = st.dictionaries(
    st.text(min_size=1, max_size=12),
    json_scalars | st.dictionaries(st.text(max_size=8), json_scalars, max_size=3),
    max_size=5,
)
# A DynamoDB LastEvaluatedKey-like position, fixed so its cursor is deterministic.
DDB_POSITION = {
    "PK": "T#t-1#TICKET#01JABCDEFGHJKMNPQRSTVWXYZ0",
    "SK": "META",
    "activity_key": "2026-11-23T09:00",
}


def rejected(cursor: str, scope: str = SCOPE, secret: str = SECRET) -> bool:
    try:
        decode_cursor(secret, scope, cursor)
    except ValidationFailed as exc:
        assert exc.code == "validation_error"
        assert exc.details and exc.details[0].get("field") == "cursor"
        return True
    return False


def forge(payload: Any, secret: str = SECRET) -> str:
    """A correctly signed cursor around an arbitrary payload (what a holder of the secret could make)."""
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    sig = hmac.new(secret.encode(), raw, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(sig + raw).decode().rstrip("=")


# --- round trip -------------------------------------------------------------------------------


@given(position=positions)
@settings(max_examples=100)
def test_round_trip(position: dict[str, Any]) -> None:
    cursor = encode_cursor(SECRET, SCOPE, position)
    assert decode_cursor(SECRET, SCOPE, cursor) == position


def test_cursor_is_url_safe_and_opaque() -> None:
    cursor = encode_cursor(SECRET, SCOPE, DDB_POSITION)
    assert cursor and set(cursor) <= set(URLSAFE), "cursors go in query strings: no '+', '/', '='"
    assert "TICKET" not in cursor
    assert decode_cursor(SECRET, SCOPE, cursor) == DDB_POSITION


def test_encoding_is_deterministic() -> None:
    assert encode_cursor(SECRET, SCOPE, {"b": 1, "a": 2}) == encode_cursor(SECRET, SCOPE, {"a": 2, "b": 1})


# --- tampering --------------------------------------------------------------------------------


def _decoded(cursor: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except ValueError:
        return None


@given(position=positions, data=st.data())
@settings(max_examples=150)
def test_any_single_character_tamper_is_rejected(position: dict[str, Any], data: st.DataObject) -> None:
    """Change one character anywhere to any other character: the signature must catch it. Changes
    that are only a non-canonical spelling of the same bytes are covered (as a known bug) below."""
    cursor = encode_cursor(SECRET, SCOPE, position)
    i = data.draw(st.integers(0, len(cursor) - 1), label="index")
    ch = data.draw(st.sampled_from(URLSAFE + "+/=.~ %").filter(lambda c: c != cursor[i]), label="replacement")
    tampered = cursor[:i] + ch + cursor[i + 1 :]
    assume(_decoded(tampered) != _decoded(cursor))
    assert rejected(tampered)


@given(position=positions, data=st.data())
@settings(max_examples=100)
def test_changing_any_character_but_the_last_to_a_url_safe_one_is_rejected(
    position: dict[str, Any], data: st.DataObject
) -> None:
    """No filtering at all here: every character but the last carries 6 used bits, so any URL-safe
    replacement changes the decoded bytes."""
    cursor = encode_cursor(SECRET, SCOPE, position)
    i = data.draw(st.integers(0, len(cursor) - 2), label="index")
    ch = data.draw(st.sampled_from(URLSAFE).filter(lambda c: c != cursor[i]), label="replacement")
    assert rejected(cursor[:i] + ch + cursor[i + 1 :])


# One cursor per base64 boundary (length % 4 == 0, 2, 3), fixed so the cases are deterministic.
FIXED_CURSOR_CASES = [
    pytest.param(DDB_POSITION, 0, id="len0mod4-with-underscore"),
    pytest.param({"k": "vv"}, 0, id="len0mod4-plain"),
    pytest.param({"ab": 1}, 2, id="len2mod4"),
    pytest.param({"abc": 1}, 3, id="len3mod4"),
]


def test_fixed_cursor_cases_cover_every_base64_boundary() -> None:
    for case in FIXED_CURSOR_CASES:
        position, length_mod_4 = case.values
        assert len(encode_cursor(SECRET, SCOPE, position)) % 4 == length_mod_4, case.id  # type: ignore[arg-type]
    assert {case.values[1] for case in FIXED_CURSOR_CASES} == {0, 2, 3}


@pytest.mark.parametrize(("position", "length_mod_4"), FIXED_CURSOR_CASES)
def test_every_single_character_change_is_rejected(position: dict[str, Any], length_mod_4: int) -> None:
    """Exhaustive over one cursor: every position, every URL-safe character and '+', '/', '='."""
    cursor = encode_cursor(SECRET, SCOPE, position)
    accepted = [
        (i, cursor[i], ch)
        for i in range(len(cursor))
        for ch in URLSAFE + "+/="
        if ch != cursor[i] and not rejected(cursor[:i] + ch + cursor[i + 1 :])
    ]
    assert not accepted, f"single-character changes accepted (index, was, now): {accepted[:10]}"


@given(position=positions, cut=st.integers(1, 40))
def test_truncated_or_extended_cursor_is_rejected(position: dict[str, Any], cut: int) -> None:
    cursor = encode_cursor(SECRET, SCOPE, position)
    assert rejected(cursor[:-cut] if cut < len(cursor) else "")
    assert rejected(cursor + "AAAA"[: 1 + cut % 4])


def test_cursor_from_another_scope_is_rejected() -> None:
    other = scope_of("t-1", "staff", {"status": ["CLOSED"], "limit": 25})
    assert other != SCOPE
    cursor = encode_cursor(SECRET, other, DDB_POSITION)
    assert decode_cursor(SECRET, other, cursor) == DDB_POSITION
    assert rejected(cursor, scope=SCOPE)


def test_cursor_from_another_tenant_is_rejected() -> None:
    mine = scope_of("t-1", "u-1", {})
    theirs = scope_of("t-2", "u-1", {})
    assert rejected(encode_cursor(SECRET, theirs, DDB_POSITION), scope=mine)


def test_cursor_signed_with_another_secret_is_rejected() -> None:
    assert rejected(encode_cursor("another-secret", SCOPE, DDB_POSITION))


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "A",
        "AA",
        "AAAA",
        "=",
        "====",
        "not a cursor",
        "!!!!!!!!",
        "%%%",
        "null",
        "e30",  # base64 of "{}"
        "\u00e9t\u00e9",  # non-ASCII
        "\x00\x00\x00\x00",
        "A" * 2000,
        base64.urlsafe_b64encode(b"x" * 16).decode(),  # a bare 'signature' with no payload
    ],
)
def test_garbage_is_rejected(garbage: str) -> None:
    assert rejected(garbage)


@pytest.mark.parametrize(
    "payload",
    [
        [SCOPE, {}],  # not an object
        {"s": SCOPE},  # no position
        {"s": SCOPE, "p": ["PK", "SK"]},  # position not an object
        {"s": SCOPE, "p": None},
        {"p": {}},  # no scope
        "just a string",
    ],
)
def test_signed_but_malformed_payload_is_rejected(payload: Any) -> None:
    assert rejected(forge(payload))


def test_signed_non_json_payload_is_rejected() -> None:
    raw = b"\xff\xfenot json"
    sig = hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()[:16]
    assert rejected(base64.urlsafe_b64encode(sig + raw).decode())


def test_forge_matches_the_real_format() -> None:
    # Keeps the malformed-payload tests honest: a well-formed forged payload is accepted.
    assert decode_cursor(SECRET, SCOPE, forge({"s": SCOPE, "p": {"k": 1}})) == {"k": 1}


# --- scope_of ---------------------------------------------------------------------------------


def test_scope_of_is_stable_short_and_order_insensitive_for_dicts() -> None:
    a = scope_of("t-1", "u-1", {"status": "OPEN", "priority": "HIGH"})
    b = scope_of("t-1", "u-1", {"priority": "HIGH", "status": "OPEN"})
    assert a == b
    assert len(a) == 24 and all(c in "0123456789abcdef" for c in a)


@pytest.mark.parametrize(
    "other",
    [
        ("t-2", "u-1", {"status": "OPEN"}),
        ("t-1", "u-2", {"status": "OPEN"}),
        ("t-1", "u-1", {"status": "CLOSED"}),
        ("t-1", "u-1", {"status": "OPEN", "q": "vpn"}),
        ("t-1", "u-1"),
        ("u-1", "t-1", {"status": "OPEN"}),
    ],
)
def test_scope_of_distinguishes_queries(other: tuple[Any, ...]) -> None:
    assert scope_of(*other) != scope_of("t-1", "u-1", {"status": "OPEN"})
