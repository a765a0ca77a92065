"""ULID ids: 26 Crockford base32 characters, ordered by creation time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regentra.domain.ids import is_valid_id, new_id

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

times = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))


def test_crockford_alphabet_constant_is_right() -> None:
    assert len(CROCKFORD) == 32 and len(set(CROCKFORD)) == 32
    assert not set("ILOU") & set(CROCKFORD)


@given(at=times, randomness=st.binary(min_size=10, max_size=10))
def test_shape(at: datetime, randomness: bytes) -> None:
    value = new_id(at, randomness)
    assert len(value) == 26
    assert set(value) <= set(CROCKFORD)
    assert is_valid_id(value)


def test_default_randomness_is_random_and_valid() -> None:
    ids = {new_id(T0) for _ in range(200)}
    assert len(ids) == 200
    assert all(is_valid_id(i) for i in ids)
    assert len({i[:10] for i in ids}) == 1, "the first 10 characters are the timestamp"


def test_known_value() -> None:
    # The ULID spec's layout: 48-bit millisecond time, then 80 bits of randomness, big-endian.
    assert new_id(datetime(1970, 1, 1, tzinfo=UTC), bytes(10)) == "0" * 26
    assert new_id(datetime(1970, 1, 1, tzinfo=UTC), b"\xff" * 10) == "0" * 10 + "Z" * 16
    millis = int(T0.timestamp() * 1000)
    expected_time = "".join(CROCKFORD[(millis >> (5 * k)) & 31] for k in reversed(range(10)))
    assert new_id(T0, bytes(10))[:10] == expected_time


@given(a=times, b=times, ra=st.binary(min_size=10, max_size=10), rb=st.binary(min_size=10, max_size=10))
def test_lexicographic_order_follows_time(a: datetime, b: datetime, ra: bytes, rb: bytes) -> None:
    ma, mb = int(a.timestamp() * 1000), int(b.timestamp() * 1000)
    if ma < mb:
        assert new_id(a, ra) < new_id(b, rb)
    elif ma > mb:
        assert new_id(a, ra) > new_id(b, rb)


def test_one_millisecond_later_sorts_after_any_randomness() -> None:
    assert new_id(T0, b"\xff" * 10) < new_id(T0 + timedelta(milliseconds=1), bytes(10))


def test_same_millisecond_orders_by_randomness() -> None:
    assert new_id(T0, bytes(9) + b"\x01") < new_id(T0, bytes(9) + b"\x02")


def test_ids_sort_like_their_creation_times() -> None:
    moments = [T0 + timedelta(milliseconds=k * 37, days=k % 3) for k in range(50)]
    ids = [new_id(m) for m in moments]
    assert sorted(ids) == [new_id_ for _, new_id_ in sorted(zip(moments, ids, strict=True))]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "0" * 25,
        "0" * 27,
        "01JABCDEFGHJKMNPQRSTVWXYZI",  # I is not Crockford
        "01JABCDEFGHJKMNPQRSTVWXYZL",
        "01JABCDEFGHJKMNPQRSTVWXYZO",
        "01JABCDEFGHJKMNPQRSTVWXYZU",
        "01jabcdefghjkmnpqrstvwxyz0",  # lower case: ids are stored and compared upper case
        "01JABCDEFGHJKMNPQRSTVWXY 0",
        "01JABCDEFGHJKMNPQRSTVWXY-0",
        "01JABCDEFGHJKMNPQRSTVWXY\u00d80",
        "../../etc/passwd/aaaaaaaaa",
    ],
)
def test_is_valid_id_rejects(bad: str) -> None:
    assert is_valid_id(bad) is False


def test_is_valid_id_accepts() -> None:
    assert is_valid_id("01JABCDEFGHJKMNPQRSTVWXYZ0")
    assert is_valid_id("0" * 26)


@pytest.mark.parametrize("overflow", ["8" + "0" * 25, "Z" * 26])
def test_is_valid_id_rejects_values_above_128_bits(overflow: str) -> None:
    assert is_valid_id(overflow) is False


def test_largest_ulid_is_valid() -> None:
    assert is_valid_id("7" + "Z" * 25)
