"""Outbound email: a staff reply as the customer receives it (pure: no AWS, no I/O, no clock).

``new_message_id`` names the reply (stored, so that the customer's answer threads back by its
In-Reply-To/References); ``build_reply_email`` renders the MIME bytes the mailer sends.

The message is multipart/alternative (text/plain and an HTML rendering of the same text, both
UTF-8), carries the ticket token in its subject, the threading headers and ``OUTBOUND_HEADERS``.
It is generated 7-bit clean with CRLF line ends: non-ASCII headers become RFC 2047 encoded
words, non-ASCII bodies quoted-printable or base64, so any relay accepts it unchanged.

Header injection: every header value is reduced to one line before it reaches the message.
Names and the subject lose control characters (CR, LF, NUL, NEL, U+2028/U+2029 …); addresses
and our own Message-ID are validated and rejected with ``ValueError``; In-Reply-To and
References ids that are not a plain ``<id>`` (they come from customers' mail) are dropped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import (
    Address,
    BaseHeader,
    HeaderRegistry,
    UniqueAddressHeader,
    UnstructuredHeader,
)
from email.message import EmailMessage
from email.policy import SMTP, Policy
from typing import cast

from regentra.domain.email.guards import OUTBOUND_HEADERS
from regentra.domain.email.threading import clean_subject, format_ticket_token

__all__ = ["MAX_REFERENCES", "POLICY", "build_reply_email", "new_message_id", "reply_subject"]

MAX_REFERENCES = 20
_MAX_ID_LENGTH = 250  # longer stored ids are dropped: a header line stays far below 998 octets


# The registry combines these classes with BaseHeader, which holds the field name.
def _name(header: object) -> str:
    return cast(BaseHeader, header).name


def _fold(name: str, words: Sequence[str], policy: Policy) -> str:
    """``Name: word word …`` folded at the spaces between the words only."""
    limit = policy.max_line_length or 78
    lines = [f"{name}:"]
    for i, word in enumerate(words):
        if i and len(lines[-1]) + 1 + len(word) > limit:
            lines.append("")
        lines[-1] += " " + word
    return policy.linesep.join(lines) + policy.linesep


class _MsgIdListHeader(UnstructuredHeader):
    """In-Reply-To and References, folded between ids only.

    The standard folder turns an ASCII word longer than a line into RFC 2047 encoded words,
    which no mail client decodes in these fields (threading would break). The ids here are
    validated ASCII without spaces, so folding at the spaces between them is always possible.
    """

    def fold(self, *, policy: Policy) -> str:
        return _fold(_name(self), str(self).split(), policy)


_EW_CHUNK_BYTES = 45  # base64 of 45 octets is 60 characters: "=?utf-8?b?…?=" stays within 75


def _encoded_words(text: str) -> list[str]:
    """RFC 2047 base64 encoded words for the text, split between characters, never inside one."""
    words: list[str] = []
    chunk = b""
    for char in text:
        octets = char.encode("utf-8")
        if chunk and len(chunk) + len(octets) > _EW_CHUNK_BYTES:
            words.append(f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?=")
            chunk = b""
        chunk += octets
    if chunk:
        words.append(f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?=")
    return words


class _SubjectHeader(UnstructuredHeader):
    """The Subject: ASCII words as written (``Re: [#1042] VPN``), the rest, from the first word
    with non-ASCII on, as UTF-8 encoded words.

    The standard folder can drop the space where it breaks a line between two encoded words
    (readers ignore whitespace between encoded words, so a space must be encoded inside one);
    here the whole non-ASCII tail is one text cut into encoded words between characters.
    """

    def fold(self, *, policy: Policy) -> str:
        words = str(self).split(" ")
        plain = 0
        while plain < len(words) and words[plain].isascii():
            plain += 1
        tail = " ".join(words[plain:])
        return _fold(_name(self), [w for w in words[:plain] if w] + _encoded_words(tail), policy)


_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")  # RFC 5322 atext


def _phrase(name: str) -> list[str]:
    """A display name as the words of an RFC 5322 phrase.

    ASCII: the atoms as written, or one quoted-string when there are specials. Otherwise the
    atoms stay as written and each run of other words is one text cut into encoded words.
    Encoded words next to each other only occur inside a long run: readers drop the space
    between them (RFC 2047 §6.2), which is why the runs keep their spaces encoded. (Python's
    own parser adds a space there in a display name; mail clients do not.)
    """
    words = name.split(" ")
    if name.isascii():
        if all(_ATOM.fullmatch(w) for w in words):
            return words
        return ['"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"']
    out: list[str] = []
    run: list[str] = []
    for word in words:
        if _ATOM.fullmatch(word):
            out.extend(_encoded_words(" ".join(run)))
            run = []
            out.append(word)
        else:
            run.append(word)
    out.extend(_encoded_words(" ".join(run)))
    return out


class _MailboxHeader(UniqueAddressHeader):
    """From and To (one mailbox each): ``Name <addr>``, see ``_phrase`` for the name.

    The standard folder can drop the space where it breaks a line between two encoded words of
    a display name, as it can in a Subject.
    """

    def fold(self, *, policy: Policy) -> str:
        words: list[str] = []
        for address in self.addresses:  # exactly one, see build_reply_email
            if address.display_name:
                words.extend(_phrase(address.display_name))
                words.append(f"<{address.addr_spec}>")
            else:
                words.append(address.addr_spec)
        return _fold(_name(self), words, policy)


_HEADERS = HeaderRegistry()
for _field, _cls in (
    ("from", _MailboxHeader),
    ("to", _MailboxHeader),
    ("subject", _SubjectHeader),
    ("in-reply-to", _MsgIdListHeader),
    ("references", _MsgIdListHeader),
):
    # the registry mixes BaseHeader in itself (the stubs want a BaseHeader subclass here)
    _HEADERS.map_to_type(_field, cast("type[BaseHeader]", _cls))

# RFC 5322 line ends, 78-column folding, and 7-bit transfer encodings for every part.
POLICY = SMTP.clone(cte_type="7bit", header_factory=_HEADERS)

# C0 and C1 controls, DEL, the Unicode line/paragraph separators and the BOM: never in a header.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
# The same in a body, except tab and line feed (line ends are normalised to LF first).
_BODY_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"\s+")
_RUNS_OF_SPACES = re.compile(" {2,}")
_MAX_TEXT = 200  # characters of a subject or display name, as the API allows for a ticket subject

# dot-atom local part (RFC 5322 atext); quoted local parts are not accepted.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# A msg-id as sent: printable ASCII without spaces and angle brackets, inside angle brackets.
_ID_TEXT = "[!-;=?-~]+"
_MSG_ID = re.compile(f"<{_ID_TEXT}>")
_OWN_MSG_ID = re.compile(f"<{_ID_TEXT}@{_ID_TEXT}>")
_REPLY_ID = re.compile(r"[A-Za-z0-9_-]+")
_NOT_TENANT_SAFE = re.compile(r"[^A-Za-z0-9-]+")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


# --- ids --------------------------------------------------------------------------------------


def new_message_id(reply_id: str, tenant_id: str, domain: str) -> str:
    """``<reply-{reply_id}.{tenant}@{domain}>`` for one outbound reply.

    The tenant is reduced to ``[A-Za-z0-9-]`` (runs of anything else become one ``-``); the
    reply id (a ULID) must be ``[A-Za-z0-9_-]``, the domain a host name (IDNA-encoded when it
    is not ASCII). ``ValueError`` otherwise.
    """
    if not isinstance(reply_id, str) or not _REPLY_ID.fullmatch(reply_id):
        raise ValueError(f"invalid reply id for a Message-ID: {reply_id!r}")
    tenant = _NOT_TENANT_SAFE.sub("-", tenant_id or "").strip("-") or "tenant"
    return f"<reply-{reply_id}.{tenant}@{_host(domain)}>"


def _host(domain: str) -> str:
    """A host name in ASCII (IDNA for international ones), or ``ValueError``."""
    if not isinstance(domain, str) or not domain or _CONTROL.search(domain) or _SPACES.search(domain):
        raise ValueError(f"invalid domain: {domain!r}")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as e:
            raise ValueError(f"invalid domain: {domain!r}") from e
    labels = domain.split(".")
    if len(domain) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"invalid domain: {domain!r}")
    return domain


def _msg_id(value: str | None) -> str | None:
    """``<id>`` from a stored Message-ID (brackets optional), or None when it is not a clean one."""
    if not isinstance(value, str):
        return None
    value = value.strip(" \t")
    if not value:
        return None
    if not value.startswith("<"):
        value = f"<{value}>"
    return value if len(value) <= _MAX_ID_LENGTH and _MSG_ID.fullmatch(value) else None


# --- header values ----------------------------------------------------------------------------


def _one_line(value: str | None) -> str:
    """The value without control characters and with single spaces, at most 200 characters:
    safe for any header.

    ``=?`` also gets an invisible WORD JOINER: the header registry decodes RFC 2047 encoded
    words it finds in a value and would write what they decode to (``=?utf-8?q?=0D=0A?=`` is a
    line break) verbatim. Text that merely looks like an encoded word is shown as written.
    """
    if not value:
        return ""
    text = _RUNS_OF_SPACES.sub(" ", _CONTROL.sub(" ", value)).strip(" ")
    return text[:_MAX_TEXT].rstrip(" ").replace("=?", "=\u2060?")


def _address(addr_spec: str, display_name: str | None, field: str) -> Address:
    if not isinstance(addr_spec, str) or _CONTROL.search(addr_spec) or _SPACES.search(addr_spec):
        raise ValueError(f"invalid {field} address: {addr_spec!r}")
    local, at, domain = addr_spec.rpartition("@")
    if not at or len(local) > 64 or not _LOCAL_PART.fullmatch(local):
        raise ValueError(f"invalid {field} address: {addr_spec!r}")
    try:
        host = _host(domain)
    except ValueError as e:
        raise ValueError(f"invalid {field} address: {addr_spec!r}") from e
    return Address(display_name=_one_line(display_name), username=local, domain=host)


def reply_subject(subject: str | None, ticket_number: int) -> str:
    """``Re: [#1042] VPN down``: the token once, the subject without prefixes or older tokens."""
    if isinstance(ticket_number, bool) or not isinstance(ticket_number, int) or ticket_number < 0:
        raise ValueError(f"invalid ticket number: {ticket_number!r}")
    token = format_ticket_token(ticket_number)
    cleaned = _one_line(clean_subject(_one_line(subject)))
    return f"Re: {token} {cleaned}" if cleaned else f"Re: {token}"


# --- bodies -----------------------------------------------------------------------------------


def _plain(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _BODY_CONTROL.sub("", text).strip("\n")
    return text + "\n"


def _html(text: str) -> str:
    """The text as HTML: escaped, blank lines as paragraphs, single line ends as ``<br>``."""
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(text.strip("\n")) if p.strip()]
    body = "\n".join(
        '<p style="margin:0 0 1em 0">' + html.escape(p.rstrip("\n")).replace("\n", "<br>\n") + "</p>"
        for p in paragraphs
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n</head>\n'
        f'<body style="font-family:sans-serif">\n{body}\n</body>\n</html>\n'
    )


# --- the message ------------------------------------------------------------------------------


def build_reply_email(
    *,
    from_address: str,
    from_name: str | None,
    to_address: str,
    to_name: str | None,
    subject: str,
    ticket_number: int,
    text: str,
    message_id: str,
    in_reply_to: str | None,
    references: Sequence[str],
    date: datetime,
) -> bytes:
    """The MIME bytes of a staff reply (CRLF line ends, 7-bit), ready for ``SesMailer.send_raw``.
    Deterministic: the same arguments give the same bytes.

    ``subject`` is the ticket's (or the customer's) subject; the mail's is ``reply_subject``.
    ``message_id`` is ours (``new_message_id``) and must be valid; ``in_reply_to`` and
    ``references`` are ids stored from earlier mail: invalid ones are dropped, ``in_reply_to``
    ends the References when it is not already there (RFC 5322 §3.6.4), duplicates and our own
    id go, and only the last ``MAX_REFERENCES`` are kept. ``date`` must be timezone-aware.
    ``ValueError`` for an invalid address, Message-ID, ticket number or a naive date.
    """
    sender = _address(from_address, from_name, "From")
    recipient = _address(to_address, to_name, "To")
    own_id = _msg_id(message_id)
    if own_id is None or not _OWN_MSG_ID.fullmatch(own_id):
        raise ValueError(f"invalid Message-ID: {message_id!r}")
    if not isinstance(date, datetime) or date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("the Date of a message must be timezone-aware")
    parent = _msg_id(in_reply_to)
    if parent == own_id:
        parent = None
    if isinstance(references, str):  # a References header value rather than a list of ids
        references = references.split()
    refs = [r for r in (_msg_id(ref) for ref in references) if r is not None and r != own_id]
    if parent is not None and parent not in refs:
        refs.append(parent)
    refs = list(dict.fromkeys(refs))[-MAX_REFERENCES:]

    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = reply_subject(subject, ticket_number)
    msg["Date"] = date
    msg["Message-ID"] = own_id
    if parent is not None:
        msg["In-Reply-To"] = parent
    if refs:
        msg["References"] = " ".join(refs)
    for name, value in OUTBOUND_HEADERS.items():
        msg[name] = value
    msg["MIME-Version"] = "1.0"
    body = _plain(text)
    msg.set_content(body, subtype="plain", charset="utf-8")
    msg.add_alternative(_html(body), subtype="html", charset="utf-8")
    for part in msg.iter_parts():
        del part["MIME-Version"]  # set_content adds it to each part; it belongs on the message only
    # The same reply renders to the same bytes (a retried send is identical); a boundary that
    # hashes the body cannot occur in it.
    digest = hashlib.sha256(f"{own_id}\n{body}".encode()).hexdigest()[:40]
    msg.set_boundary(f"=_regentra_{digest}")
    raw = msg.as_bytes(policy=POLICY)
    _check_header_block(raw, msg.keys())
    return raw


def _check_header_block(raw: bytes, names: Sequence[str]) -> None:
    """Defence in depth: the generated header block holds exactly the headers set, each line
    either a header of ours or a folded continuation, all 7-bit."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    bare = head.replace(b"\r\n", b"")
    if not head.isascii() or b"\n" in bare or b"\r" in bare:
        raise ValueError("refusing to send: bare CR/LF or 8-bit data in the header block")
    found = [
        line.split(b":", 1)[0].decode("ascii")
        for line in head.split(b"\r\n")
        if line[:1] not in (b" ", b"\t")
    ]
    if found != list(names):
        raise ValueError(f"refusing to send: header block has {found}, expected {list(names)}")
