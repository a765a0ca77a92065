"""normalise(): headers, bodies, charsets, attachments, and garbage that must not raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regentra.domain.email.html_text import html_to_text
from regentra.domain.email.message import InboundEmail, normalise, normalise_message_id, parse_message_ids

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> InboundEmail:
    return normalise((FIXTURES / name).read_bytes())


def test_gmail_multipart_alternative_prefers_text_plain() -> None:
    msg = load("gmail_reply_alternative.eml")

    assert msg.message_id == "<CAF3x9Lq+7dE0Ww=k2JxQ@mail.gmail.example>"
    assert msg.in_reply_to == "<0102018fd2.ticket-1042.b2@mail.acme-it.example>"
    assert msg.references == (
        "<0102018fd1.ticket-1042.a1@mail.acme-it.example>",
        "<0102018fd2.ticket-1042.b2@mail.acme-it.example>",
    )
    assert msg.subject == "Re: [#1042] Printer on 2nd floor offline"
    assert msg.from_address == "maria.lopez@client-co.example"  # lower-cased
    assert msg.from_name == "María López"  # RFC 2047 UTF-8 Q-encoding
    assert msg.to == ("support@acme-it.example",)
    assert msg.cc == ("tom.baker@client-co.example",)
    assert msg.recipients == ("support@acme-it.example", "tom.baker@client-co.example")
    assert msg.date == datetime(2024, 6, 4, 9, 13, 51, tzinfo=UTC)
    assert msg.html_derived is False
    assert msg.text.startswith("Hi,\n\nI restarted it as you suggested and it prints again. Thanks!\n\nMaría")
    assert "> Could you switch the printer off" in msg.text
    assert msg.attachments == ()
    assert msg.problems == ()
    assert msg.headers["delivered-to"] == "support@acme-it.example"


def test_html_only_outlook_mail_is_converted_and_sanitised() -> None:
    msg = load("outlook_html_only.eml")

    assert msg.html_derived is True
    assert msg.subject == "AW: Drucker fällt aus"  # ISO-8859-1 encoded word
    assert msg.from_name == "Jürgen Müller"
    assert msg.text.startswith("Hallo zusammen,\n\nder Drucker fällt weiterhin täglich aus.")
    assert "Grüße\nJürgen Müller" in msg.text  # Outlook's one-line <p class=MsoNormal>
    assert "Von: Acme IT Support <support@acme-it.example>" in msg.text
    for unwanted in ("<", "document.location", "evil.example", "MsoNormal", "font-family", "shapedefaults"):
        assert unwanted not in msg.text.replace("<support@", "").replace("<j.mueller@", "")


def test_latin1_body_and_b_encoded_latin1_subject() -> None:
    msg = load("latin1_plain_outlook.eml")

    assert msg.subject == "RE: [Acme #512] Imprimante hors service"
    assert msg.from_name == "Baptiste Lefèvre"
    assert "Merci de prévoir une intervention rapidement à l'étage." in msg.text
    assert msg.headers["x-mailer"] == "Microsoft Outlook 16.0"


def test_utf8_encoded_words_folded_across_lines_and_address_lists() -> None:
    msg = load("utf8_encoded_words.eml")

    assert msg.subject == "Réunion 🚀 会議の件 – bitte prüfen (dringend)"
    assert msg.from_name == "田中太郎"
    assert msg.from_address == "tanaka@client-jp.example"
    assert msg.to == ("support@acme-it.example", "desk2@acme-it.example")
    assert msg.cc == ("bjork@client-jp.example", "manager@client-jp.example")
    assert msg.reply_to == ("tickets-reply@client-jp.example",)
    assert msg.date == datetime(2024, 6, 7, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    assert "会議室のプロジェクターが映りません。Bitte prüfen — danke! 🚀" in msg.text


def test_attachments_are_extracted_with_names_types_sizes_and_bytes() -> None:
    msg = load("attachments_mixed.eml")

    assert msg.text == (
        "Hello,\n\nthe scanner shows the error below. Invoice attached.\n\n[image: error.png]\n\nPriya"
    )
    by_name = {a.filename: a for a in msg.attachments}
    assert list(by_name) == ["error.png", "Rechnung März.pdf", "scanner-log.txt", "attachment-4-message.eml"]

    image = by_name["error.png"]
    assert (image.content_type, image.size, image.inline, image.content_id) == (
        "image/png",
        69,
        True,
        "error-png@client-co",
    )
    assert image.content.startswith(b"\x89PNG")

    pdf = by_name["Rechnung März.pdf"]  # RFC 2231 filename*=UTF-8''…
    assert (pdf.content_type, pdf.size, pdf.inline) == ("application/pdf", 45, False)
    assert pdf.content.startswith(b"%PDF-1.4")

    log = by_name["scanner-log.txt"]  # "..\..\scanner-log.txt": no path survives
    assert log.content_type == "text/plain"
    assert log.content == b"2024-06-10 09:58:12 ERROR feeder jam (code 0x1F)\n"

    forwarded = by_name["attachment-4-message.eml"]
    assert forwarded.content_type == "message/rfc822"
    assert b"Message-ID: <scan-4711@client-co.example>" in forwarded.content
    assert forwarded.size == len(forwarded.content)


def test_malformed_mime_gives_best_effort_text_and_lists_problems() -> None:
    msg = load("malformed_mime.eml")

    assert "The printer é is on fire please help" in msg.text
    assert msg.message_id == "<no-brackets-here@client-co.example>"
    assert msg.from_address is None  # "broken@@client-co.example" is no address
    assert msg.to == ("support@acme-it.example",)
    assert msg.date is None
    assert "café" in msg.subject and "été" in msg.subject  # the broken word spoils nothing else
    problems = " | ".join(msg.problems)
    for expected in (
        "no sender address",
        "unparseable Date header",
        "malformed encoded word",
        "unknown charset 'x-made-up-charset'",
        "CloseBoundaryNotFoundDefect",
    ):
        assert expected in problems


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b"\x00\xff\xfe\xfd" * 100,
        b"Subject: only a subject",
        b"From: a@b.example\n\n" + b"\xff" * 50,
        b"Content-Type: multipart/mixed\n\nno boundary at all",
        b"Content-Type: multipart/mixed; boundary=x\nFrom: a@b.example\n\n--x\n--x\n--x--",
        b"From: a@b.example\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\n!!!",
        b"From: =?utf-8?q?=FF=FE?= <a@b.example>\nSubject: =?bogus?B?////?=\n\nhi",
        b"Message-ID: <<<>>>\nIn-Reply-To: \nReferences: <a> <a> b@c.example\n\nx",
    ],
)
def test_garbage_never_raises(raw: bytes) -> None:
    msg = normalise(raw)
    assert isinstance(msg, InboundEmail)
    assert isinstance(msg.text, str)


def test_bytes_without_any_mail_header_are_kept_as_text() -> None:
    msg = normalise(b"just some words\nand another line\n")
    assert msg.text == "just some words\nand another line"
    assert msg.problems and "no mail headers" in msg.problems[0]


def test_deep_mime_nesting_is_cut_off_not_recursed_forever() -> None:
    depth = 200
    parts = [f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(depth)]
    body = "From: deep@client.example\n" + "".join(parts) + "Content-Type: text/plain\n\ninnermost\n"
    body += "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    msg = normalise(body.encode())
    assert any("nesting" in p for p in msg.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    normalise(raw)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_fixtures_never_raise(data: st.DataObject) -> None:
    names = sorted(p.name for p in FIXTURES.glob("*.eml"))
    raw = bytearray((FIXTURES / data.draw(st.sampled_from(names))).read_bytes())
    cut = data.draw(st.integers(0, len(raw)))
    noise = data.draw(st.binary(max_size=40))
    at = data.draw(st.integers(0, cut))
    normalise(bytes(raw[:at] + noise + raw[at:cut]))


def test_raw_utf8_headers_and_adjacent_encoded_words() -> None:
    raw = (
        "From: Zoë Ångström <zoe@client.example>\n"
        "Subject: =?utf-8?q?Caf=C3=A9?= =?utf-8?q?_au_lait?= bleibt k\u00fchl\n"
        "Message-ID: <x1@client.example>\n\nbody\n"
    ).encode()
    msg = normalise(raw)
    assert msg.from_name == "Zoë Ångström"
    assert msg.subject == "Café au lait bleibt kühl"


def test_format_flowed_is_unwrapped() -> None:
    msg = load("apple_flowed_reply.eml")
    assert msg.text.splitlines()[0] == (
        "It still drops, also on the new laptop. This line is long enough that "
        "the client wrapped it with a soft break."
    )
    assert "> Please install the new VPN client and tell us whether the problem persists." in msg.text


def test_alternative_with_empty_plain_part_falls_back_to_html() -> None:
    raw = (
        b"From: a@client.example\nContent-Type: multipart/alternative; boundary=z\n\n"
        b"--z\nContent-Type: text/plain\n\n \n"
        b"--z\nContent-Type: text/html\n\n<p>Only <b>HTML</b> here</p>\n--z--\n"
    )
    msg = normalise(raw)
    assert msg.text == "Only HTML here"
    assert msg.html_derived is True


def test_message_id_forms() -> None:
    assert normalise_message_id(" <abc@host.example> ") == "<abc@host.example>"
    assert normalise_message_id("abc@host.example") == "<abc@host.example>"
    assert normalise_message_id("<abc@host.example> (Tom's message of Monday)") == "<abc@host.example>"
    assert normalise_message_id("") is None
    assert parse_message_ids("<a@x>\n <b@y>  <a@x>") == ["<a@x>", "<b@y>"]


def test_html_to_text_keeps_structure_and_drops_active_content() -> None:
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<p>Hello&nbsp;there &amp; welcome</p><script>alert(1)</script>"
        '<span style="display:none">preheader</span><ul><li>one</li><li>two</li></ul>'
        '<p>Read <a href="https://kb.example/42">the article</a>.</p>'
        "<div>On Mon, Support &lt;s@acme.example&gt; wrote:</div><blockquote>quoted<br>text</blockquote>"
        "</body></html>"
    )
    assert html_to_text(html) == (
        "Hello there & welcome\n\n- one\n- two\n\nRead the article <https://kb.example/42>.\n\n"
        "On Mon, Support <s@acme.example> wrote:\n\n> quoted\n> text"
    )
