"""visible_reply(): the author's own text, without quoted history and signatures."""

from __future__ import annotations

from pathlib import Path

import pytest

from regentra.domain.email.message import normalise
from regentra.domain.email.reply import visible_reply

FIXTURES = Path(__file__).parent / "fixtures"


def test_gmail_reply_from_the_plain_alternative() -> None:
    msg = normalise((FIXTURES / "gmail_reply_alternative.eml").read_bytes())
    assert visible_reply(msg.text) == (
        "Hi,\n\nI restarted it as you suggested and it prints again. Thanks!\n\nMaría"
    )


def test_html_only_outlook_reply_with_german_header_block() -> None:
    msg = normalise((FIXTURES / "outlook_html_only.eml").read_bytes())
    assert visible_reply(msg.text) == (
        "Hallo zusammen,\n\nder Drucker fällt weiterhin täglich aus. Könnt ihr bitte vorbeikommen?\n\n"
        "Grüße\nJürgen Müller"
    )


def test_outlook_original_message_separator() -> None:
    msg = normalise((FIXTURES / "latin1_plain_outlook.eml").read_bytes())
    assert visible_reply(msg.text).endswith("Cordialement,\nBaptiste Lefèvre")
    assert "Original Message" not in visible_reply(msg.text)


def test_html_gmail_blockquote_is_stripped_like_plain_quotes() -> None:
    raw = (
        b"From: a@client.example\nContent-Type: text/html; charset=utf-8\n\n"
        b'<div dir="ltr">Works now, thanks.</div><br><div class="gmail_quote">'
        b'<div class="gmail_attr">On Tue, 4 Jun 2024 at 10:00, Support &lt;s@acme.example&gt; wrote:'
        b"<br></div>"
        b"<blockquote>Did the reboot help?</blockquote></div>"
    )
    assert visible_reply(normalise(raw).text) == "Works now, thanks."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Gmail, English, wrapped attribution
        (
            "Sounds good.\n\nOn Mon, Jun 3, 2024 at 4:02 PM Acme IT Support <\n"
            "support@acme-it.example> wrote:\n\n"
            "> Shall we come by tomorrow?\n",
            "Sounds good.",
        ),
        # German
        (
            "Passt.\n\nAm 03.06.2024 um 16:02 schrieb Acme IT Support <support@acme-it.example>:\n"
            "> Morgen?\n",
            "Passt.",
        ),
        # French, attribution on two lines
        (
            "Parfait.\n\nLe lun. 3 juin 2024 à 16:02, Acme IT Support <support@acme-it.example>\n"
            "a écrit :\n\n"
            "> Demain ?\n",
            "Parfait.",
        ),
        # Spanish
        (
            "Perfecto.\n\nEl lun, 3 jun 2024 a las 16:02, Acme IT (<support@acme-it.example>) escribió:\n"
            "> ¿Mañana?\n",
            "Perfecto.",
        ),
        # Dutch, unquoted history below the attribution
        (
            "Prima.\n\nOp 3 jun. 2024 om 16:02 schreef Acme IT Support <support@acme-it.example>:\n\n"
            "Morgen?\n",
            "Prima.",
        ),
        # Outlook header block without separator line
        (
            "Thanks!\n\nFrom: Acme IT Support <support@acme-it.example>\nSent: Monday, June 3, 2024 4:02 PM\n"
            "To: Jane <jane@client.example>\nSubject: RE: [#7] Laptop\n\nTomorrow?\n",
            "Thanks!",
        ),
        # Outlook separator line above the header block
        (
            "Yes please.\n\n________________________________\nFrom: Acme <support@acme-it.example>\n"
            "Sent: Monday, June 3, 2024 4:02 PM\nTo: jane@client.example\nSubject: Visit\n\nTomorrow?\n",
            "Yes please.",
        ),
        # signature delimiter and mobile tagline
        ("Done.\n\n-- \nJane Doe\nClient Co\n", "Done."),
        ("Done.\n\nSent from my iPhone\n", "Done."),
        ("Erledigt.\n\nVon meinem iPhone gesendet\n", "Erledigt."),
        ("Done.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n", "Done."),
        # not signatures
        (
            "Here it is.\n\nSent from my desk, is much easier than my phone.",
            "Here it is.\n\nSent from my desk, is much easier than my phone.",
        ),
        ("A -- B is the path.\n\nkthx", "A -- B is the path.\n\nkthx"),
        # not attributions
        (
            "On the other hand, it works.\nOn average it takes 5 minutes:\n\n- step one",
            "On the other hand, it works.\nOn average it takes 5 minutes:\n\n- step one",
        ),
        # inline answers keep the questions they answer; the trailing quote goes
        (
            "On Mon, Jun 3, 2024 at 4:02 PM Support <s@acme.example> wrote:\n> Is it plugged in?\n\nYes.\n\n"
            "> Does it power on?\n\nNo.\n\n> Regards, Support\n",
            "On Mon, Jun 3, 2024 at 4:02 PM Support <s@acme.example> wrote:\n> Is it plugged in?\n\nYes.\n\n"
            "> Does it power on?\n\nNo.",
        ),
        # Windows line endings
        ("Thanks\r\n\r\nOn Mon, 3 Jun 2024, Support wrote:\r\n> hi\r\n", "Thanks"),
        # nothing of the author's
        ("> only a quote\n> nothing else\n", ""),
        ("", ""),
    ],
)
def test_visible_reply_cases(text: str, expected: str) -> None:
    assert visible_reply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected_start", "expected_length"),
    [
        (
            "Hi\n" + ("On " + "x" * 5000 + " wrote\n") * 200 + ">" * 200_000 + "\n" + ("> a\n" * 20_000),
            "Hi\nOn xxx",
            1_002_002,
        ),
        ("Hi\n" + "\n" * 200_000, "Hi", 2),
        ("Hi\n" + "\n-Name\n> q\n" * 10_000, "Hi", 2),
        ("On Mon, 3 Jun 2024, a@b.example wrote:\n> q\nanswer\n" * 5_000, "On Mon, 3 Jun 2024", 249_999),
        (("plain words of an ordinary long message\n" * 10) * 5_000, "plain words", 1_999_999),
    ],
)
def test_pathological_input_gives_a_sane_answer(text: str, expected_start: str, expected_length: int) -> None:
    # How fast this is (linear, not quadratic) is measured in bench/quote_stripping.py, not here.
    result = visible_reply(text)
    assert result.startswith(expected_start)
    assert len(result) == expected_length
