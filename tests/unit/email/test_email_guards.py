"""loop_guard() (RFC 3834 and friends) and is_bounce()."""

from __future__ import annotations

from pathlib import Path

import pytest

from regentra.domain.email.guards import OUTBOUND_HEADERS, is_bounce, loop_guard
from regentra.domain.email.message import InboundEmail, normalise

FIXTURES = Path(__file__).parent / "fixtures"
OWN = ["support@acme-it.example", "Help@Acme-IT.example"]


def mail(
    *headers: str, body: str = "Hello, the printer is broken.", sender: str = "jane@client.example"
) -> InboundEmail:
    lines = [f"From: Jane <{sender}>", "To: support@acme-it.example", "Subject: Printer", *headers]
    return normalise(("\n".join(lines) + "\n\n" + body + "\n").encode())


def test_a_person_writing_in_passes() -> None:
    assert loop_guard(mail(), OWN) is None
    assert loop_guard(mail("Auto-Submitted: no"), OWN) is None
    assert loop_guard(mail("Precedence: first-class"), OWN) is None
    # a client's mailbox rule forwarding to the support address is wanted mail
    assert loop_guard(mail("X-MS-Exchange-Inbox-Rules-Loop: info@client.example"), OWN) is None


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"),
        ("Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated"),
        ("Auto-Submitted: auto-notified; owner-email=x@y.example", "Auto-Submitted"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: junk", "Precedence: junk"),
        ("Precedence: list", "Precedence: list"),
        ("Precedence: auto_reply", "Precedence: auto_reply"),
        ("X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress"),
        ("X-Loop: support@acme-it.example", "X-Loop"),
        ("X-Autoreply: yes", "x-autoreply"),
        ("Return-Path: <>", "null return path"),
    ],
)
def test_machine_mail_is_stopped(header: str, reason: str) -> None:
    result = loop_guard(mail(header), OWN)
    assert result is not None and reason in result


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.client.example", "postmaster@client.example"])
def test_daemon_senders_are_stopped(sender: str) -> None:
    assert loop_guard(mail(sender=sender), OWN) == f"sent by {sender.lower()}"


def test_our_own_support_addresses_are_stopped_case_insensitively() -> None:
    assert (
        loop_guard(mail(sender="HELP@acme-it.example"), OWN)
        == "sent from our own address help@acme-it.example"
    )


def test_our_outbound_headers_are_recognised_if_they_come_back() -> None:
    assert OUTBOUND_HEADERS["Auto-Submitted"] == "auto-replied"
    echoed = mail(*(f"{k}: {v}" for k, v in OUTBOUND_HEADERS.items()), sender="someone@elsewhere.example")
    assert loop_guard(echoed, OWN) is not None


def test_out_of_office_reply_is_stopped_and_is_not_a_bounce() -> None:
    msg = normalise((FIXTURES / "out_of_office.eml").read_bytes())
    assert loop_guard(msg, OWN) == "Auto-Submitted: auto-replied"
    assert is_bounce(msg) is None


def test_dsn_bounce_of_our_mail() -> None:
    msg = normalise((FIXTURES / "bounce_dsn_our_mail.eml").read_bytes())
    bounce = is_bounce(msg)
    assert bounce is not None
    assert bounce.addresses == ("gone.user@client-co.example",)
    assert bounce.permanent is True
    assert bounce.status == "5.1.1"
    assert bounce.detector == "dsn"
    assert bounce.original_message_id == "<0102018fd2.ticket-1042.b2@mail.acme-it.example>"
    assert loop_guard(msg, OWN) is not None  # and it is never answered either


def test_non_standard_qmail_bounce_quotes_the_original_message_id() -> None:
    msg = normalise((FIXTURES / "bounce_plain_qmail.eml").read_bytes())
    bounce = is_bounce(msg)
    assert bounce is not None
    assert bounce.addresses == ("old.mailbox@client-co.example",)
    assert bounce.permanent is True
    assert bounce.original_message_id == "<0102018fd7.ticket-2001.e5@mail.acme-it.example>"


def test_delay_notice_is_a_temporary_bounce() -> None:
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\nTo: support@acme-it.example\n"
        b"Subject: Delayed Mail (still being retried)\nMessage-ID: <d1@mx.acme.example>\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nStill trying.\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.acme.example\n\n"
        b"Final-Recipient: rfc822; slow@client.example\nAction: delayed\nStatus: 4.4.7\n"
        b"--b--\n"
    )
    bounce = is_bounce(normalise(raw))
    assert bounce is not None
    assert bounce.addresses == ("slow@client.example",)
    assert bounce.permanent is False


def test_delivery_success_report_is_not_a_bounce() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.acme.example\nTo: support@acme-it.example\nSubject: Delivered: hi\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nYour message was delivered.\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        b"Final-Recipient: rfc822; ok@client.example\nAction: delivered\nStatus: 2.0.0\n--b--\n"
    )
    msg = normalise(raw)
    bounce = is_bounce(msg)
    assert bounce is None or bounce.addresses == ()
    assert loop_guard(msg, OWN) is not None


@pytest.mark.parametrize(
    "name",
    ["gmail_reply_alternative.eml", "outlook_html_only.eml", "attachments_mixed.eml", "malformed_mime.eml"],
)
def test_ordinary_mail_is_not_a_bounce(name: str) -> None:
    msg = normalise((FIXTURES / name).read_bytes())
    assert is_bounce(msg) is None
    assert loop_guard(msg, OWN) is None


def test_a_customer_writing_about_a_failed_delivery_is_not_a_bounce() -> None:
    msg = mail(
        body="Hi, my mail to the accountant could not be delivered, it says user unknown. Can you check?"
    )
    assert is_bounce(msg) is None
