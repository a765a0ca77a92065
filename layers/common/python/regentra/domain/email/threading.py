"""Which ticket an inbound email belongs to: subject token, then Message-ID references.

The service looks up, in order: the ticket number of ``ticket_token(subject)``; then each id
of ``thread_candidates(msg)`` against the Message-IDs it stored for the tenant. No match: a
new ticket titled ``clean_subject(subject)``.
"""

from __future__ import annotations

import re

from regentra.domain.email.message import InboundEmail

__all__ = ["clean_subject", "format_ticket_token", "thread_candidates", "ticket_token"]


def _words(text: str, sep: str = " ") -> list[str]:
    return [word for word in text.split(sep) if word]


# "[#1042]", also with a label inside the brackets: "[Ticket #1042]", "[ACME #1042]".
_TOKEN = re.compile(r"\[\s*(?:[^\[\]#\n]{0,40}?\s)?#\s?(\d{1,12})\s*\]")

# Reply and forward prefixes of mail clients across languages, with counters "Re[2]:", "Re(2):",
# "Re^2:", and full-width colons. Matched repeatedly at the start of the subject.
_PREFIX_WORDS = tuple(
    _words(
        "re aw antw antwort sv vs r rif res rv odp odg ynt yanıt vá válasz otv отв ответ απ σχετ "
        "回复 回覆 答复 회신 fwd fw wg wtrlt doorst tr i enc pd vb vl továbbítás tov i̇lt ilt πρθ пер "
        "пересл 转发 轉寄 전달",
        " ",
    )
)
_PREFIX = re.compile(
    r"^\s*(?:\[[^\[\]]{0,30}\]\s*)?"  # a leading list/gateway tag such as "[EXTERNAL]" before "Re:"
    r"(?:" + "|".join(re.escape(w) for w in sorted(_PREFIX_WORDS, key=len, reverse=True)) + r")"
    r"\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*",
    re.IGNORECASE,
)
_GATEWAY_TAG = re.compile(
    r"^\s*\[(?:external|extern|ext|externe?|caution|warning|spam|suspected spam)\]\s*", re.IGNORECASE
)


def ticket_token(subject: str | None) -> int | None:
    """The ticket number of the first ``[#1042]``-style token in a subject, if any."""
    if not subject:
        return None
    m = _TOKEN.search(subject)
    return int(m.group(1)) if m else None


def format_ticket_token(number: int) -> str:
    """The token outbound mail puts in its subject, understood by ``ticket_token``."""
    return f"[#{number}]"


def clean_subject(subject: str | None) -> str:
    """The subject without reply/forward prefixes (any number, any language) and ticket tokens."""
    if not subject:
        return ""
    text = re.sub(r"\s+", " ", subject).strip()
    text = _TOKEN.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for _ in range(50):
        stripped = _GATEWAY_TAG.sub("", text)
        stripped = _PREFIX.sub("", stripped)
        # a token left at the front after the prefixes went ("Re: [#12] Re: …")
        stripped = stripped.strip(" -–—:|")
        if stripped == text:
            break
        text = stripped
    return text


def thread_candidates(msg: InboundEmail) -> list[str]:
    """Message-IDs to look up, most specific first: In-Reply-To, then References newest first."""
    ids: list[str] = []
    if msg.in_reply_to:
        ids.append(msg.in_reply_to)
    ids.extend(reversed(msg.references))
    if msg.message_id:
        ids = [i for i in ids if i != msg.message_id]
    return list(dict.fromkeys(ids))
