"""The search query language (domain/search.py): words, phrases, prefixes, typo tolerance, and
bad syntax as a 400 (ValidationFailed), never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regentra.domain.enums import SlaStatus
from regentra.domain.search import Clause, parse_query, sla_index_candidates
from regentra.errors import ValidationFailed


def clauses(q: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.tokens) for c in parse_query(q).clauses]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("vpn", [("word", ("vpn",))]),
        ("  VPN   Crash ", [("word", ("vpn",)), ("word", ("crash",))]),
        ('"restart the VPN"', [("phrase", ("restart", "the", "vpn"))]),
        ('vpn "error 809" client', [("word", ("vpn",)), ("phrase", ("error", "809")), ("word", ("client",))]),
        ("vpn*", [("prefix", ("vpn",))]),
        ("wi-fi*", [("prefix", ("wi", "fi"))]),
        ("e-mail", [("phrase", ("e", "mail"))]),
        ('"outlook"', [("phrase", ("outlook",))]),
        ("vpn vpn VPN", [("word", ("vpn",))]),
        ("outlook - & crash", [("word", ("outlook",)), ("word", ("crash",))]),
        ("Café", [("word", ("café",))]),
        ('vpn"crash"', [("word", ("vpn",)), ("phrase", ("crash",))]),
    ],
)
def test_parses(q, expected):
    assert clauses(q) == expected


@pytest.mark.parametrize(
    ("word", "fuzzy"),
    [
        ("outlook", True),  # 7 letters
        ("crash", True),  # 5 letters: the threshold
        ("vpns", False),  # 4 letters
        ("10425", False),  # a number (ticket numbers stay exact)
        ("win10x", False),  # mixed letters and digits (versions, codes)
    ],
)
def test_typo_tolerance_only_for_words_of_five_letters_or_more(word, fuzzy):
    (clause,) = parse_query(word).clauses
    assert clause.fuzzy is fuzzy


def test_phrases_and_prefixes_are_never_fuzzy():
    assert not Clause("phrase", ("outlook",)).fuzzy
    assert not Clause("prefix", ("outlook",)).fuzzy


@pytest.mark.parametrize(
    "q",
    [
        '"unclosed phrase',
        'vpn "',
        '""',
        '"  -  "',
        "*",
        "v*",
        "vp*n",
        "**",
        "vpn**",
        "*vpn",
        "vpn-*",
        '"vpn client"*',
        "---",
        "   ",
        "x" * 41,
        " ".join(f"w{i}" for i in range(13)),
        "a" * 201,
    ],
)
def test_bad_syntax_is_a_validation_error(q):
    with pytest.raises(ValidationFailed) as err:
        parse_query(q)
    assert err.value.code == "validation_error"
    assert err.value.details and err.value.details[0]["field"] == "q"


def test_canonical_spelling_is_one_per_meaning():
    assert parse_query('  VPN  "Error 809"  wi-fi* ').canonical == 'vpn "error 809" wi fi*'
    assert parse_query("vpn crash").canonical != parse_query('"vpn crash"').canonical


@given(st.text(max_size=200))
def test_any_text_parses_or_is_a_validation_error(q):
    try:
        parsed = parse_query(q)
    except ValidationFailed:
        return
    assert 1 <= len(parsed.clauses) <= 12
    assert all(c.tokens and all(t and len(t) <= 40 for t in c.tokens) for c in parsed.clauses)


@pytest.mark.parametrize(
    ("wanted", "candidates"),
    [
        ({SlaStatus.BREACHED}, ("AT_RISK", "BREACHED", "ON_TRACK")),
        ({SlaStatus.AT_RISK}, ("AT_RISK", "ON_TRACK")),
        ({SlaStatus.ON_TRACK}, ("ON_TRACK",)),
        ({SlaStatus.MET}, ("MET",)),
        ({SlaStatus.MET, SlaStatus.AT_RISK}, ("AT_RISK", "MET", "ON_TRACK")),
    ],
)
def test_sla_candidates_are_the_statuses_time_alone_can_move_from(wanted, candidates):
    assert sla_index_candidates(wanted) == candidates
