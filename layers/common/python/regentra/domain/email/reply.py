"""The part of an email reply its author wrote: quoted history and signatures removed.

``visible_reply`` works on plain text (an HTML body is converted first, with ``<blockquote>``
rendered as ``> `` lines). It is line based and knows the shapes mail clients give the
history they append, in the languages of the public corpora (and a few more):

* hard cuts — everything from the marker on is history or signature:
  ``-- `` signature delimiter; a line of underscores (Outlook separator, mailing-list
  footers); mobile taglines ("Sent from my iPhone", "Get Outlook for iOS", "Von meinem
  iPhone gesendet"…); "-----Original Message-----" and its translations, forwarded-message
  separators; Outlook-style header blocks ("From: / Sent: / To: / Subject:", "De : /
  Envoyé : / À : / Objet :", "Von: / Gesendet: / An: / Betreff:", …), with the separator
  or label lines just above them;
* attribution lines ("On <date>, <name> wrote:", "Le … a écrit :", "Am … schrieb …:",
  "<date>, <name> <address>:", …, wrapped over up to three lines): the reply is cut there
  unless the quote that follows is interleaved with the author's own text below it (a
  bottom post or an inline reply, where the quoted lines give the answers their context
  and are kept, as github/email_reply_parser keeps them);
* the tail: trailing ``>`` quote blocks, blank lines and a lone ``-Name`` sign-off line.

Pure and linear in the size of the text; never raises.
"""

from __future__ import annotations

import re

__all__ = ["visible_reply"]


def _words(text: str, sep: str = " ") -> list[str]:
    return [word for word in text.split(sep) if word]


_MAX_HEADER_LINE = 400  # longer lines are never treated as attribution or header lines

# --- hard cuts ---------------------------------------------------------------------------

_SIG_DELIMITER = re.compile(r"^--\s?$")
_UNDERSCORE_LINE = re.compile(r"^\s*_{2,}\s*$")

_ORIGINAL_PHRASES = (
    r"original message|original|forwarded message|forwarded|message transféré|message d'origine"
    r"|message original|ursprüngliche nachricht|weitergeleitete nachricht|originalnachricht"
    r"|oprindelig besked|videresendt besked|oorspronkelijk bericht|doorgestuurd bericht"
    r"|mensaje original|mensaje reenviado|mensagem original|mensagem encaminhada"
    r"|messaggio originale|messaggio inoltrato|alkuperäinen viesti|välitetty viesti"
    r"|ursprungligt meddelande|vidarebefordrat meddelande|opprinnelig melding|videresendt melding"
    r"|původní zpráva|přeposlaná zpráva|oryginalna wiadomość|wiadomość przekazana"
    r"|исходное сообщение|пересылаемое сообщение|пересланное сообщение|orijinal mesaj|eredeti üzenet"
    r"|原始邮件|原始郵件|転送されたメッセージ|원본 메시지"
)
# "-----Original Message-----", "----- Forwarded message -----", "-------- Message d'origine --------"
_ORIGINAL_SEPARATOR = re.compile(
    rf"^\s*[-=_*]{{2,}}\s*(?:{_ORIGINAL_PHRASES})\s*:?\s*[-=_*]{{2,}}\s*$", re.IGNORECASE
)
_ORIGINAL_ALONE = re.compile(
    r"^\s*(?:original message|begin forwarded message|anfang der weitergeleiteten nachricht"
    r"|début du message réexpédié|inicio del mensaje reenviado)\s*:?\s*$",
    re.IGNORECASE,
)

# Mobile and webmail taglines; the text after the prefix must be a short product name.
_TAGLINE_PREFIX = re.compile(
    r"^\s*(?:sent from my|(?-i:Sent from)(?=\s+[A-Z])|sent via|sent using|get outlook for"
    r"|envoyé (?:de|depuis|à partir de)(?: mon)?|gesendet (?:von|mit)(?: meinem)?|von meinem"
    r"|enviado (?:desde|do|de)(?: mi| meu| o)?|inviato da(?:l mio| il mio)?|verstuurd (?:vanaf|met)(?: mijn)?"
    r"|verzonden (?:vanaf|met)(?: mijn)?|skickat från(?: min)?|sendt fra(?: min)?|lähetetty"
    r"|wysłane z(?: mojego)?|отправлено с)\s+(?P<rest>.*)$",
    re.IGNORECASE,
)
_TAGLINE_SUFFIXES = re.compile(r"\s+(?:gesendet|verzonden|verstuurd)\s*$", re.IGNORECASE)
_ANGLE_URL = re.compile(r"<[^<>\s]+>")
_BARE_URL = re.compile(r"https?://\S+")

# Header labels of a quoted message, by role, in many languages (matched case-insensitively).
_FROM_KEYS = tuple(
    _words(
        "from|de|von|van|da|fra|från|od|lähettäjä|mittente|от|kimden|feladó|từ|"
        "发件人|寄件者|差出人|보낸 사람|afzender|remitente|expéditeur",
        "|",
    )
)
_DATE_KEYS = tuple(
    _words(
        "sent|date|datum|dato|data|envoyé|envoyé le|gesendet|verzonden|inviato|enviado|enviada|"
        "enviado el|skickat|sendt|lähetetty|wysłano|wysłane|отправлено|дата|gönderildi|tarih|"
        "elküldve|odesláno|发送时间|日期|送信日時|보낸 날짜|message du|fecha|päivämäärä",
        "|",
    )
)
_TO_KEYS = tuple(
    _words(
        "to|à|a|an|aan|para|til|till|vastaanottaja|do|кому|kime|címzett|komu|收件人|宛先|받는 사람|"
        "destinataire|per",
        "|",
    )
)
_CC_KEYS = ("cc", "kopie", "copie", "copie à", "kopia", "копия", "másolat", "kopio", "bcc", "reply-to")
_SUBJECT_KEYS = tuple(
    _words(
        "subject|objet|betreff|onderwerp|oggetto|asunto|assunto|emne|ämne|aihe|temat|тема|konu|"
        "tárgy|předmět|主题|件名|제목|sujet",
        "|",
    )
)


def _key_pattern(keys: tuple[str, ...]) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


_HEADER_LINE = re.compile(
    r"^\s*\*{0,2}(?P<key>"
    + _key_pattern(_FROM_KEYS + _DATE_KEYS + _TO_KEYS + _CC_KEYS + _SUBJECT_KEYS)
    + r")\*{0,2}\s?[:：]\*{0,2}(?:\s|$)",
    re.IGNORECASE,
)
_ROLE = {
    **{k: "from" for k in _FROM_KEYS},
    **{k: "date" for k in _DATE_KEYS},
    **{k: "to" for k in _TO_KEYS},
    **{k: "cc" for k in _CC_KEYS},
    **{k: "subject" for k in _SUBJECT_KEYS},
}
# Outlook on the web flattened to one line: "From: a Sent: b To: c Subject: d".
_ONE_LINE_HEADER = re.compile(
    r"\b(?:from|de|von|van)\s?:.{1,200}?\b(?:sent|date|envoyé|gesendet|verzonden|datum)\s?:"
    r".{1,200}?\b(?:to|à|an|aan)\s?:.{0,400}?\b(?:subject|objet|betreff|onderwerp)\s?:",
    re.IGNORECASE,
)
_SEPARATOR_ONLY = re.compile(r"^\s*[-=_*~]{3,}\s*$")
_LABEL_LINE = re.compile(r"^\s*\*{0,2}[^\W\d_][\w .'-]{0,25}\*{0,2}\s?:\s*\S")

# --- attributions ------------------------------------------------------------------------

_WROTE = (
    r"wrote|writes|has written|schrieb|geschrieben|a\s+écrit|écrit|ha\s+scritto|scrisse|escribió"
    r"|escreveu|escrito|schreef|napisał\(a\)|napisała|napisał|napisala|kirjoitti|skrev følgende|skrev"
    r"|skrifaði|написал\(а\)|написала|написал|yazdı|írta|napsala|napsal|napísal|je napisao|έγραψε|כתב"
)
_WROTE_END = re.compile(rf"(?:^|[\s,)>\]\"'])(?:{_WROTE})\s*[:：]?\s*$", re.IGNORECASE)
_CJK_WROTE_END = re.compile(r"(?:写道|寫道|のメッセージ|님이 작성|님이 씀)\s*[:：]?\s*$")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_ENDS_AFTER_ADDRESS = re.compile(r"(?:[>)\]]|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+)\s*[:：]\s*$")
_DIGIT = re.compile(r"\d")
_WRAPPING = re.compile(r"^[-=\s]{2,}|[-=\s]{2,}$")  # Zoho: "---- On … wrote ----"


_WRAPPED_ADDRESS_END = re.compile(r"^\s*>\s*[:：]\s*$")  # Gmail wraps "<a@b.c\n>:" in attributions


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">") and not _WRAPPED_ADDRESS_END.match(line)


def _is_blank(line: str) -> bool:
    return not line.strip()


def _is_tagline(line: str) -> bool:
    if len(line) > 120:
        return False
    m = _TAGLINE_PREFIX.match(line.strip())
    if not m:
        return False
    rest = _ANGLE_URL.sub(" ", m.group("rest"))
    rest = _BARE_URL.sub(" ", rest)
    rest = _TAGLINE_SUFFIXES.sub("", rest).strip()
    if not rest or re.search(r"[.,;!?]", rest):
        return False
    prefix = line.strip()[: m.start("rest")].lower()
    # "Sent from Outlook", "Sent from Yahoo Mail for iPhone" — not "Sent from a magnificent torch of pixels"
    limit = 4 if prefix.startswith("sent from") and not prefix.startswith("sent from my") else 5
    return len(rest.split()) <= limit


def _header_role(line: str) -> str | None:
    if len(line) > _MAX_HEADER_LINE or _is_quoted(line):
        return None
    m = _HEADER_LINE.match(line)
    if not m:
        return None
    return _ROLE.get(m.group("key").lower())


def _header_block_at(lines: list[str], i: int) -> bool:
    """Does a quoted-message header block ("From: … Sent: … To: … Subject: …") start at ``i``?"""
    first = _header_role(lines[i])
    if first is None:
        return False
    if first not in ("from", "date"):
        return False
    roles = {first}
    count = 1
    j = i + 1
    continuation = 0
    while j < len(lines) and j <= i + 8:
        line = lines[j]
        if _is_blank(line):
            break
        role = _header_role(line)
        if role is not None:
            roles.add(role)
            count += 1
            continuation = 0
        else:
            continuation += 1  # a wrapped value ("From: Name\n<address>")
            if continuation > 2:
                break
        j += 1
    if count < 2:
        return False
    if "from" in roles:
        return len(roles) >= 2
    return "date" in roles and ("subject" in roles or "to" in roles) and len(roles) >= 3


def _extend_up(lines: list[str], start: int, floor: int) -> int:
    """Move a cut above the separator and label lines that introduce a header block."""
    i = start
    while i - 1 >= floor:
        prev = lines[i - 1]
        if _is_blank(prev):
            # Only cross blank lines when what lies above them is a separator.
            k = i - 1
            while k - 1 >= floor and _is_blank(lines[k - 1]):
                k -= 1
            if k - 1 >= floor and (
                _SEPARATOR_ONLY.match(lines[k - 1])
                or _UNDERSCORE_LINE.match(lines[k - 1])
                or _ORIGINAL_SEPARATOR.match(lines[k - 1])
            ):
                i = k - 1
                continue
            break
        if (
            _SEPARATOR_ONLY.match(prev)
            or _ORIGINAL_SEPARATOR.match(prev)
            or _ORIGINAL_ALONE.match(prev)
            or (_LABEL_LINE.match(prev) and _DIGIT.search(prev) and len(prev) < 80)
        ):
            i -= 1
            continue
        break
    return i


def _hard_cut(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if not line or _is_quoted(line):
            continue
        if (
            _SIG_DELIMITER.match(line)
            or _UNDERSCORE_LINE.match(line)
            or _ORIGINAL_SEPARATOR.match(line)
            or _ORIGINAL_ALONE.match(line)
            or _is_tagline(line)
        ):
            return i
        if line.count(":") >= 3 and len(line) <= _MAX_HEADER_LINE * 2 and _ONE_LINE_HEADER.search(line):
            return i
        if _header_block_at(lines, i):
            return _extend_up(lines, i, 0)
    return len(lines)


def _attribution_text(text: str) -> bool:
    text = text.strip()
    if text[:1] in ("-", "=") or text[-1:] in ("-", "="):
        text = _WRAPPING.sub("", text).strip()
    if not text or len(text) > 300 or text.startswith(">"):
        return False
    tail = text[-60:]  # the verb or the address closes the line: search only there
    if _WROTE_END.search(tail) or _CJK_WROTE_END.search(tail):
        # "John wrote:" alone is enough with its colon; otherwise want a date or an address.
        return bool(_DIGIT.search(text) or "@" in text or text.endswith((":", "：")))
    # "<date>, <name> <address>:" (Gmail in several locales, Yahoo, Zoho, …)
    if not text.endswith((":", "：")) or "@" not in text or not _DIGIT.search(text):
        return False
    return bool(_ENDS_AFTER_ADDRESS.search(tail) and _EMAIL.search(text))


_WROTE_LAST_WORDS = frozenset(
    _words(
        "wrote writes written schrieb geschrieben écrit scritto scrisse escribió escreveu escrito schreef "
        "napisał(a) napisała napisał napisala kirjoitti følgende skrev skrifaði написал(а) написала "
        "написал yazdı írta napsala napsal napísal napisao έγραψε כתב",
        " ",
    )
)
_CJK_ENDINGS = ("写道", "寫道", "のメッセージ", "님이 작성", "님이 씀")


def _may_end_attribution(line: str) -> bool:
    """Cheap test on the last line of a candidate: a colon, a "wrote" verb or a CJK ending."""
    tail = line.rstrip(" \t-=")
    if tail.endswith((":", "：")):
        return True
    words = tail.rsplit(None, 1)
    if words and words[-1].lower().strip("\"'") in _WROTE_LAST_WORDS:
        return True
    return tail.endswith(_CJK_ENDINGS)


def _attribution_at(lines: list[str], i: int, may_end: list[bool]) -> int:
    """Number of lines of an attribution starting at ``i`` (0 when there is none)."""
    if not any(may_end[i : i + 3]):
        return 0
    line = lines[i]
    if _is_blank(line) or _is_quoted(line) or len(line) > _MAX_HEADER_LINE:
        return 0
    parts: list[str] = []
    for span in range(1, 4):
        j = i + span - 1
        if j >= len(lines):
            return 0
        nxt = lines[j]
        if _is_blank(nxt) or _is_quoted(nxt) or len(nxt) > _MAX_HEADER_LINE:
            return 0
        if span > 1 and parts[-1].rstrip().endswith((".", "!", "?")):
            return 0
        parts.append(nxt.strip())
        if may_end[j] and _attribution_text(" ".join(parts)):
            after = j + 1
            # An attribution closes its paragraph.
            if after >= len(lines) or _is_blank(lines[after]) or _is_quoted(lines[after]):
                return span
    return 0


def _is_wrapped_quote(lines: list[str], i: int, end: int | None = None) -> bool:
    """An unquoted line that is really the tail of a long quoted line its client wrapped."""
    limit = len(lines) if end is None else end
    if i == 0 or i + 1 >= limit:
        return False
    prev, line, nxt = lines[i - 1], lines[i], lines[i + 1]
    return (
        _is_quoted(prev)
        and len(prev.rstrip()) >= 60
        and not _is_blank(line)
        and not _is_quoted(line)
        and _is_quoted(nxt)
    )


def _in_quote(lines: list[str], i: int, end: int | None = None) -> bool:
    return _is_quoted(lines[i]) or _is_blank(lines[i]) or _is_wrapped_quote(lines, i, end)


def _quote_block_end(lines: list[str], start: int) -> int:
    """Index after the run of quoted, blank and wrapped lines beginning at ``start``."""
    i = start
    while i < len(lines) and _in_quote(lines, i):
        i += 1
    return i


def _cut_attributions(lines: list[str]) -> list[str]:
    may_end = [bool(line) and _may_end_attribution(line) for line in lines]
    i = 0
    while i < len(lines):
        span = _attribution_at(lines, i, may_end)
        if not span:
            i += 1
            continue
        j = i + span
        while j < len(lines) and _is_blank(lines[j]):
            j += 1
        if j >= len(lines) or not _is_quoted(lines[j]):
            return lines[:i]  # history follows unquoted (or nothing follows)
        end = _quote_block_end(lines, j)
        if end >= len(lines):
            return lines[:i]  # the quote runs to the end: a top post
        i = end  # the author wrote below the quote: inline reply, keep it
    return lines


_DASH_NAME = re.compile(r"^-[^\W\d_][\w.'-]*(?:\s+[^\W\d_][\w.'-]*){0,3}\s*$")


def _trim_tail(lines: list[str]) -> list[str]:
    """Drop trailing blank lines, quote blocks and a "-Name" sign-off (indices: linear time)."""
    end = len(lines)
    while True:
        before = end
        while end and _is_blank(lines[end - 1]):
            end -= 1
        k = end
        while k > 0 and _in_quote(lines, k - 1, end):
            k -= 1
        if k < end and any(_is_quoted(x) for x in lines[k:end]):
            end = k
        # a lone "-Name" sign-off under a blank line
        if end >= 2 and _DASH_NAME.match(lines[end - 1]) and _is_blank(lines[end - 2]):
            end -= 1
        if end == before:
            return lines[:end]


def visible_reply(text: str) -> str:
    """The author's own text of a reply: quoted history and signature removed.

    Returns ``""`` when nothing of the author's remains (a reply that only quotes); the
    caller keeps the full text for that case. Meant for replies: a new message that
    forwards something keeps its forwarded part only if the caller skips this step.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    lines = [line.rstrip() for line in text.split("\n")]
    lines = lines[: _hard_cut(lines)]
    lines = _cut_attributions(lines)
    lines = _trim_tail(lines)
    start = 0
    while start < len(lines) and _is_blank(lines[start]):
        start += 1
    return "\n".join(lines[start:])
