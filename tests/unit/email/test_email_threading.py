"""Ticket token, clean subject, and the Message-IDs a reply is threaded by."""

from __future__ import annotations

from pathlib import Path

import pytest

from regentra.domain.email.message import normalise
from regentra.domain.email.threading import (
    clean_subject,
    format_ticket_token,
    thread_candidates,
    ticket_token,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [#1042] Printer on 2nd floor offline", 1042),
        ("Printer offline [#1042]", 1042),
        ("AW: [ # 7 ] Drucker", 7),  # spaces some clients or people add are tolerated
        ("RE: [Acme #512] Imprimante hors service", 512),
        ("[Ticket #99] x", 99),
        ("[#12] first [#34] second", 12),
        ("Invoice #1042", None),
        ("[1042] no hash", None),
        ("", None),
        (None, None),
    ],
)
def test_ticket_token(subject: str | None, number: int | None) -> None:
    assert ticket_token(subject) == number


def test_format_ticket_token_round_trips() -> None:
    assert format_ticket_token(1042) == "[#1042]"
    assert ticket_token(f"Re: {format_ticket_token(1042)} Printer") == 1042


@pytest.mark.parametrize(
    ("subject", "clean"),
    [
        ("Re: [#1042] Printer on 2nd floor offline", "Printer on 2nd floor offline"),
        ("RE: Re: FW: Fwd: printer", "printer"),
        ("AW: WG: Drucker fällt aus", "Drucker fällt aus"),
        ("SV: VS: Skrivaren", "Skrivaren"),
        ("Antw: Doorst: printer", "printer"),
        ("RE[2]: Re(3): Re^4: printer", "printer"),
        ("TR: RE : Imprimante", "Imprimante"),
        ("R: I: Stampante", "Stampante"),
        ("RES: ENC: Impressora", "Impressora"),
        ("Odp: PD: Drukarka", "Drukarka"),
        ("回复：打印机", "打印机"),
        ("[EXTERNAL] RE: printer", "printer"),
        ("Printer offline [#1042]", "Printer offline"),
        ("  Re:   spaced   out  ", "spaced out"),
        ("Reminder: renew licence", "Reminder: renew licence"),
        ("Re:", ""),
        (None, ""),
    ],
)
def test_clean_subject(subject: str | None, clean: str) -> None:
    assert clean_subject(subject) == clean


def test_thread_candidates_in_reply_to_then_references_newest_first() -> None:
    msg = normalise((FIXTURES / "gmail_reply_alternative.eml").read_bytes())
    assert thread_candidates(msg) == [
        "<0102018fd2.ticket-1042.b2@mail.acme-it.example>",
        "<0102018fd1.ticket-1042.a1@mail.acme-it.example>",
    ]


def test_thread_candidates_normalise_and_deduplicate() -> None:
    raw = (
        b"From: a@client.example\nMessage-ID: <self@client.example>\n"
        b"In-Reply-To: third@acme.example (sent Monday)\n"
        b"References: <first@acme.example>\n <second@acme.example> <third@acme.example>"
        b" <self@client.example>\n\nx"
    )
    assert thread_candidates(normalise(raw)) == [
        "<third@acme.example>",
        "<second@acme.example>",
        "<first@acme.example>",
    ]


def test_no_thread_headers_no_candidates() -> None:
    assert thread_candidates(normalise((FIXTURES / "attachments_mixed.eml").read_bytes())) == []
