"""Outbound reply mail: structure, threading headers, UTF-8 round trips, no header injection."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.message import EmailMessage, MIMEPart
from typing import Any

import pytest

from regentra.domain.email import OUTBOUND_HEADERS, normalise, ticket_token
from regentra.domain.email.guards import loop_guard
from regentra.domain.email.outbound import MAX_REFERENCES, build_reply_email, new_message_id, reply_subject

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OWN_ID = "<reply-01JDAB3X5Q9Z8K7M6N5P4R3S2T.acme-msp@mail.regentra.test>"
EXPECTED_HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "X-Auto-Response-Suppress",
    "MIME-Version",
    "Content-Type",
]


def build(**overrides: Any) -> bytes:
    fields: dict[str, Any] = {
        "from_address": "support@msp.test",
        "from_name": "Acme MSP Support",
        "to_address": "dana@acme.test",
        "to_name": "Dana Scully",
        "subject": "VPN down",
        "ticket_number": 1042,
        "text": "Hello Dana,\n\nthe VPN is back.\nPlease try again.\n\nRegards",
        "message_id": OWN_ID,
        "in_reply_to": "<cust-2@acme.test>",
        "references": ["<cust-1@acme.test>", "<reply-x.acme-msp@mail.regentra.test>", "<cust-2@acme.test>"],
        "date": WHEN,
    }
    fields.update(overrides)
    return build_reply_email(**fields)


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def content(part: MIMEPart | None) -> str:
    """A part's text with the CRLF line ends of the wire turned back into LF."""
    assert part is not None
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def header_names(raw: bytes) -> list[str]:
    """The header fields as written on the wire (continuation lines skipped)."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    return [line.split(b":", 1)[0].decode() for line in head.split(b"\r\n") if line[:1] not in (b" ", b"\t")]


# --- structure ------------------------------------------------------------------------------------


def test_multipart_alternative_with_plain_and_html_parts() -> None:
    msg = parse(build())
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert (
        content(msg.get_body(("plain",))) == "Hello Dana,\n\nthe VPN is back.\nPlease try again.\n\nRegards\n"
    )
    html = content(msg.get_body(("html",)))
    assert '<meta charset="utf-8">' in html
    assert "Hello Dana,</p>" in html
    assert "the VPN is back.<br>\nPlease try again.</p>" in html  # paragraphs and line breaks kept
    assert html.count("<p ") == 3


def test_headers() -> None:
    raw = build()
    msg = parse(raw)
    assert header_names(raw) == EXPECTED_HEADERS
    assert msg["From"] == "Acme MSP Support <support@msp.test>"
    assert msg["To"] == "Dana Scully <dana@acme.test>"
    assert msg["Subject"] == "Re: [#1042] VPN down"
    assert msg["Date"] == "Mon, 23 Nov 2026 09:00:00 +0000"
    assert msg["Message-ID"] == OWN_ID
    assert msg["MIME-Version"] == "1.0"
    for name, value in OUTBOUND_HEADERS.items():
        assert msg[name] == value
    assert msg["Auto-Submitted"] == "auto-replied"
    # CRLF line ends and 7-bit throughout: any relay takes the bytes as they are
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_the_mime_version_is_on_the_message_only() -> None:
    msg = parse(build())
    assert all("MIME-Version" not in part for part in msg.iter_parts())


def test_threading_headers() -> None:
    msg = parse(build())
    assert msg["In-Reply-To"] == "<cust-2@acme.test>"
    assert str(msg["References"]).split() == [
        "<cust-1@acme.test>",
        "<reply-x.acme-msp@mail.regentra.test>",
        "<cust-2@acme.test>",
    ]


def test_in_reply_to_ends_the_references_when_missing() -> None:
    msg = parse(build(in_reply_to="cust-9@acme.test", references=["<cust-1@acme.test>"]))
    assert msg["In-Reply-To"] == "<cust-9@acme.test>"  # brackets added
    assert str(msg["References"]).split() == ["<cust-1@acme.test>", "<cust-9@acme.test>"]


def test_no_threading_headers_for_a_first_message() -> None:
    raw = build(in_reply_to=None, references=[])
    assert "In-Reply-To" not in header_names(raw)
    assert "References" not in header_names(raw)


def test_references_keep_the_last_twenty_without_duplicates_or_our_own_id() -> None:
    refs = [f"<m{i}-{'x' * 60}@acme.test>" for i in range(30)]
    msg = parse(build(in_reply_to=refs[-1], references=[*refs, refs[3], OWN_ID]))
    got = str(msg["References"]).split()
    assert len(got) == MAX_REFERENCES
    assert got == [r for r in refs if r != refs[3]][-MAX_REFERENCES:]
    assert OWN_ID not in got


def test_long_references_fold_between_ids_not_into_encoded_words() -> None:
    refs = [f"<{'a' * 120}.{i}@clients.example>" for i in range(5)]
    raw = build(in_reply_to=None, references=refs)
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert "=?" not in head.split("References:", 1)[1].split("Auto-Submitted", 1)[0]
    assert str(parse(raw)["References"]).split() == refs


def test_deterministic_bytes() -> None:
    assert build() == build()
    assert build() != build(text="something else")


# --- subject --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("VPN down", "Re: [#1042] VPN down"),
        ("Re: VPN down", "Re: [#1042] VPN down"),
        ("RE: AW: Fwd: VPN down", "Re: [#1042] VPN down"),
        ("Re: [#1042] VPN down", "Re: [#1042] VPN down"),
        ("[#1042] Re: VPN down", "Re: [#1042] VPN down"),
        ("Re: [#77] VPN down", "Re: [#1042] VPN down"),  # a stale token gives way to the ticket's
        ("", "Re: [#1042]"),
        ("Re:", "Re: [#1042]"),
    ],
)
def test_subject_has_the_token_once_and_re_once(subject: str, expected: str) -> None:
    assert reply_subject(subject, 1042) == expected
    got = parse(build(subject=subject))["Subject"]
    assert got == expected
    assert got.count("[#") == 1
    assert got.lower().count("re:") == 1
    assert ticket_token(got) == 1042


def test_invalid_ticket_number() -> None:
    for bad in (-1, True, "12"):
        with pytest.raises(ValueError):
            build(ticket_number=bad)


# --- UTF-8 round trips ----------------------------------------------------------------------------


def test_utf8_subject_body_and_display_names_round_trip() -> None:
    text = "Grüß Gott Zoë,\n\nдобрый день — 山田さん 👍\n«ok» & <b>not bold</b>"
    raw = build(
        from_name="Jürgen Müller (Support)",
        to_name="Zoë O'Brien, Ωmega",
        subject="Re: Drucker im 2. Stock — geht nicht 🖨️",
        text=text,
    )
    assert raw.isascii()
    msg = parse(raw)
    assert msg["Subject"] == "Re: [#1042] Drucker im 2. Stock — geht nicht 🖨️"
    assert msg["From"].addresses[0].display_name == "Jürgen Müller (Support)"
    assert msg["From"].addresses[0].addr_spec == "support@msp.test"
    assert msg["To"].addresses[0].display_name == "Zoë O'Brien, Ωmega"
    assert msg["To"].addresses[0].addr_spec == "dana@acme.test"
    assert content(msg.get_body(("plain",))) == text + "\n"
    html = content(msg.get_body(("html",)))
    assert "добрый день — 山田さん 👍" in html
    assert "«ok» &amp; &lt;b&gt;not bold&lt;/b&gt;" in html  # escaped, never markup


def test_ascii_display_names_with_specials_are_quoted() -> None:
    msg = parse(build(to_name='Dana "Ops" Scully, IT <boss@evil.test>'))
    addresses = msg["To"].addresses
    assert len(addresses) == 1
    assert addresses[0].display_name == 'Dana "Ops" Scully, IT <boss@evil.test>'
    assert addresses[0].addr_spec == "dana@acme.test"


@pytest.mark.parametrize(
    "subject",
    [
        "山田太郎 サポートチーム 東京本社 情報システム部 第一課 課長代理 プリンターが動きません",
        "Ärger mit der Übertragung: " + "größere Dateien über 2 GB schlagen fehl " * 3,
    ],
)
def test_long_non_ascii_subjects_fold_without_losing_spaces(subject: str) -> None:
    raw = build(subject=subject)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert parse(raw)["Subject"] == f"Re: [#1042] {subject.strip()}"


def test_long_non_ascii_display_names_decode_per_rfc_2047() -> None:
    name = "山田太郎 サポートチーム 東京本社 情報システム部"
    raw = build(to_name=name)
    compat = email.message_from_bytes(raw, policy=email.policy.compat32)
    to = " ".join(str(compat["To"]).split())
    assert to.endswith(" <dana@acme.test>")
    assert str(make_header(decode_header(to.removesuffix(" <dana@acme.test>")))) == name


def test_internationalised_domain_is_idna_encoded() -> None:
    msg = parse(build(to_address="dana@bücher.test"))
    assert msg["To"].addresses[0].addr_spec == "dana@xn--bcher-kva.test"


def test_date_keeps_its_offset_and_must_be_aware() -> None:
    cet = timezone(timedelta(hours=1))
    assert (
        parse(build(date=datetime(2026, 11, 23, 10, 0, tzinfo=cet)))["Date"]
        == "Mon, 23 Nov 2026 10:00:00 +0100"
    )
    with pytest.raises(ValueError):
        build(date=datetime(2026, 11, 23, 9, 0))


# --- header injection -----------------------------------------------------------------------------

INJECTIONS = [
    "x\r\nBcc: x@evil.test",
    "x\nBcc: x@evil.test",
    "x\rBcc: x@evil.test",
    "x\r\n\r\nBcc: x@evil.test",
    "x\u2028Bcc: x@evil.test",
    "x\x85Bcc: x@evil.test",
    "x\x00\x0bBcc: x@evil.test",
    "=?utf-8?q?x=0D=0ABcc:_x@evil.test?=",  # an encoded word that decodes to a line break
    "=?utf-8?b?eA0KQmNjOiB4QGV2aWwudGVzdA==?=",
]


def assert_not_injected(raw: bytes) -> EmailMessage:
    names = header_names(raw)
    assert "Bcc" not in names
    assert names == [n for n in EXPECTED_HEADERS if n in names]
    msg = parse(raw)
    assert "Bcc" not in msg
    assert [a.addr_spec for a in msg["To"].addresses] == ["dana@acme.test"]
    for value in msg.values():
        assert "\r" not in str(value) and "\n" not in str(value)
    return msg


@pytest.mark.parametrize("payload", INJECTIONS)
def test_subject_injection(payload: str) -> None:
    msg = assert_not_injected(build(subject=payload))
    # line breaks become spaces; encoded-word lookalikes are shown as written, not decoded
    assert msg["Subject"].replace("\u2060", "") in (
        "Re: [#1042] x Bcc: x@evil.test",
        f"Re: [#1042] {payload}",
    )


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("field", ["from_name", "to_name"])
def test_display_name_injection(field: str, payload: str) -> None:
    msg = assert_not_injected(build(**{field: payload}))
    header = "From" if field == "from_name" else "To"
    assert len(msg[header].addresses) == 1


def test_encoded_word_lookalikes_stay_literal() -> None:
    msg = parse(build(subject="=?utf-8?q?x=0D=0ABcc:_x@evil.test?="))
    assert msg["Subject"].replace("\u2060", "") == "Re: [#1042] =?utf-8?q?x=0D=0ABcc:_x@evil.test?="


@pytest.mark.parametrize(
    "address",
    [
        "dana@acme.test\r\nBcc: x@evil.test",
        "dana@acme.test\nBcc: x@evil.test",
        "dana@acme.test, x@evil.test",
        "Dana <dana@acme.test>",
        "dana@acme.test>\r\nBcc: <x@evil.test",
        "dana",
        "@acme.test",
        "dana@",
        "dana@acme..test",
        "da na@acme.test",
        "dana@acme.test\x00",
        "",
    ],
)
@pytest.mark.parametrize("field", ["from_address", "to_address"])
def test_invalid_addresses_are_rejected(field: str, address: str) -> None:
    with pytest.raises(ValueError):
        build(**{field: address})


@pytest.mark.parametrize(
    "message_id",
    [
        "<a@b.test>\r\nBcc: x@evil.test",
        "<a@b.test>\nBcc: x@evil.test",
        "<a@b.test> <c@d.test>",
        "<a b@c.test>",
        "<no-at-sign>",
        "<ü@b.test>",
        "",
    ],
)
def test_invalid_own_message_id_is_rejected(message_id: str) -> None:
    with pytest.raises(ValueError):
        build(message_id=message_id)


@pytest.mark.parametrize(
    "bad_id",
    [
        "<a@b.test>\r\nBcc: x@evil.test",
        "<a@b.test>\nBcc: x@evil.test",
        "<a b@c.test>",
        "<ü@b.test>",
        "<" * 300,
    ],
)
def test_stored_ids_with_line_breaks_are_dropped(bad_id: str) -> None:
    raw = build(in_reply_to=bad_id, references=["<cust-1@acme.test>", bad_id])
    msg = assert_not_injected(raw)
    assert "In-Reply-To" not in msg
    assert str(msg["References"]) == "<cust-1@acme.test>"


# --- Message-ID ---------------------------------------------------------------------------------


def test_new_message_id() -> None:
    assert (
        new_message_id("01JDAB3X5Q9Z8K7M6N5P4R3S2T", "acme-msp", "mail.regentra.test")
        == "<reply-01JDAB3X5Q9Z8K7M6N5P4R3S2T.acme-msp@mail.regentra.test>"
    )


def test_new_message_id_sanitises_the_tenant() -> None:
    mid = new_message_id("01JDAB3X5Q9Z8K7M6N5P4R3S2T", "acme_msp/üx\r\n>", "mail.regentra.test")
    assert mid == "<reply-01JDAB3X5Q9Z8K7M6N5P4R3S2T.acme-msp-x@mail.regentra.test>"
    assert new_message_id("R1", "", "mail.regentra.test") == "<reply-R1.tenant@mail.regentra.test>"
    # and it is accepted as our own Message-ID
    assert parse(build(message_id=mid))["Message-ID"] == mid


@pytest.mark.parametrize(
    ("reply_id", "domain"),
    [
        ("01J\r\nBcc: x", "mail.regentra.test"),
        ("01J>", "mail.regentra.test"),
        ("", "mail.regentra.test"),
        ("01J", "mail.regentra.test>\r\nBcc: x@evil.test"),
        ("01J", "bad domain"),
        ("01J", ""),
    ],
)
def test_new_message_id_rejects_unsafe_parts(reply_id: str, domain: str) -> None:
    with pytest.raises(ValueError):
        new_message_id(reply_id, "acme", domain)


# --- as our own inbound pipeline sees it -----------------------------------------------------------


def test_our_reply_is_recognised_by_loop_guards_and_threads_back() -> None:
    raw = build()
    inbound = normalise(raw)
    assert loop_guard(inbound) is not None  # Auto-Submitted: never answered by another responder
    assert ticket_token(inbound.subject) == 1042
    assert inbound.message_id == OWN_ID
    assert inbound.in_reply_to == "<cust-2@acme.test>"


def test_references_given_as_one_header_value() -> None:
    msg = parse(build(in_reply_to=None, references="<cust-1@acme.test> <cust-2@acme.test>"))
    assert str(msg["References"]).split() == ["<cust-1@acme.test>", "<cust-2@acme.test>"]
