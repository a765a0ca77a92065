"""AI reviews: every AI output (a reply draft, a suggested priority, a suggested category) kept as
a suggestion that an admin rates, and the rules around it. Pure: no AWS, time passed in.

- A review has a `confidence` in 0..1 and the `reasons` behind it:
  * a draft's comes from retrieval (`draft_confidence`): no KB section matched -> 0.10; otherwise
    0.25 + 0.65 x coverage, where coverage is the share of the ticket's distinct query terms
    (stop words dropped, crude stemming) found in the top section's title, heading, tags and text,
    counted out of at most 6 terms. It does not use the raw retrieval score, whose scale depends
    on the ranker (BM25, fusion).
  * a suggested priority's / category's comes from the signals in the ticket text that back the
    analyzer's choice (`priority_confidence`, `category_confidence`): security terms, urgency and
    "no rush" phrases, frustration, category keywords. Agreeing signals raise it, none or
    contradicting ones lower it. The same rules apply whichever provider (Bedrock or offline)
    made the suggestion, since a model gives no calibrated confidence of its own.
- A draft's outcome is decided by the first human staff reply sent after it
  (`settle_draft`): `accepted` when the reply is at least ACCEPTED_AT similar to the draft,
  `edited` from EDITED_AT, `rejected` below; `rejected` too when a newer draft replaced it or the
  ticket was resolved/closed without a staff reply. Similarity (`similarity`) is difflib's ratio
  over the two texts' word sequences (case and punctuation ignored).
- Rating (`check_rating`): `correct` or `wrong`; a wrong priority/category needs the right value
  (`override`); a wrong draft may carry the corrected reply text. A review is rated once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from regentra.domain.analysis import (
    _CATEGORY_WORDS,
    _MINOR,
    _URGENT,
    CATEGORIES,
    Analysis,
    security_terms,
)
from regentra.domain.conversation import STAFF, Reply
from regentra.domain.enums import Priority
from regentra.domain.ids import new_id
from regentra.domain.kb import ScoredChunk
from regentra.errors import Conflict, ValidationFailed

DRAFT = "draft"
PRIORITY = "priority"
CATEGORY = "category"
KINDS = (DRAFT, PRIORITY, CATEGORY)

PENDING = "pending"
RATED = "rated"
STATES = (PENDING, RATED)

CORRECT = "correct"
WRONG = "wrong"

ACCEPTED = "accepted"
EDITED = "edited"
REJECTED = "rejected"
OUTCOMES = (ACCEPTED, EDITED, REJECTED)

# Similarity of the sent reply to the draft (0..1) at or above which the draft counts as ...
ACCEPTED_AT = 0.85  # ... sent as drafted (small touch-ups: a name, a typo, a line added)
EDITED_AT = 0.40  # ... used in part (steps kept, text rewritten); below: rejected
MAX_SIMILARITY_WORDS = 3000  # longer texts are compared on their first words only

NO_MATCH_CONFIDENCE = 0.10
COVERAGE_TERMS = 6  # a section matching this many of the ticket's terms covers it fully
EXCERPT_CHARS = 2000  # ticket text kept with a review (shown to admins, used in examples)
EXAMPLES = 5  # recent overrides a prompt learns from, per group
DRAFT_EXAMPLES = "draft"  # example groups (corrected drafts; corrected priorities and categories)
TRIAGE_EXAMPLES = "triage"

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset(
    """a an and are as at be been but by can could do does did for from has have had hello hi how
    i im if in into is it its me my of on or our please so that the their them then there this to
    us was we were what when which who why will with would you your thanks thank regards dear any
    all also just not no get got now one some""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class AiReview:
    tenant_id: str
    id: str
    kind: str  # draft | priority | category
    ticket_id: str
    value: str  # the draft text, the priority, the category
    confidence: float
    provider: str
    created_at: datetime
    reasons: tuple[dict[str, Any], ...] = ()
    sources: tuple[dict[str, str], ...] = ()  # drafts: the KB articles cited
    ticket_text: str = ""  # an excerpt of what the AI read
    source_event_id: str | None = None  # the event an analyzer review came from
    state: str = PENDING
    rating: str | None = None
    override: str | None = None
    rated_by: str | None = None
    rated_at: datetime | None = None
    outcome: str | None = None  # drafts: accepted | edited | rejected, once a reply decided it
    outcome_at: datetime | None = None
    similarity: float | None = None
    outcome_reply_id: str | None = None
    outcome_reason: str | None = None


@dataclass(frozen=True)
class DraftOutcome:
    outcome: str
    reason: str
    similarity: float | None = None
    reply_id: str | None = None


@dataclass(frozen=True)
class Example:
    """A rated override a prompt learns from: what the AI read, what it said, what was right."""

    kind: str
    ticket_text: str
    suggested: str
    corrected: str


@dataclass(frozen=True)
class Signals:
    confidence: float
    reasons: list[dict[str, Any]] = field(default_factory=list)


# --- ids, ordering, excerpts ------------------------------------------------------------------------


def review_id_for_event(event_id: str, kind: str, at: datetime) -> str:
    """The same id for every delivery of one event: a redelivered event cannot add a second review."""
    return new_id(at, hashlib.sha256(f"{event_id}|{kind}".encode()).digest())


def confidence_rank(confidence: float) -> str:
    """A sort key (0000..1000) for a confidence, so an index orders reviews by it."""
    return f"{round(min(max(confidence, 0.0), 1.0) * 1000):04d}"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def example_group(kind: str) -> str:
    return DRAFT_EXAMPLES if kind == DRAFT else TRIAGE_EXAMPLES


# --- similarity and draft outcomes ------------------------------------------------------------------


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")]


def similarity(draft: str, sent: str) -> float:
    """How much of the draft the sent reply keeps, 0..1: difflib's ratio over word sequences
    (2 x matching words / all words), so order matters, case and punctuation do not."""
    a, b = words(draft)[:MAX_SIMILARITY_WORDS], words(sent)[:MAX_SIMILARITY_WORDS]
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return round(SequenceMatcher(None, a, b, autojunk=False).ratio(), 3)


def outcome_for(score: float) -> str:
    if score >= ACCEPTED_AT:
        return ACCEPTED
    if score >= EDITED_AT:
        return EDITED
    return REJECTED


def _is_human_staff(reply: Reply) -> bool:
    return reply.author_type == STAFF and not (reply.source or "").startswith("cascade:")


def settle_draft(
    draft: AiReview, replies: Sequence[Reply], *, closed: bool = False, replaced: bool = False
) -> DraftOutcome | None:
    """The outcome of a draft, or None while it is still open. The first human staff reply at or
    after the draft decides it; without one, a newer draft (`replaced`) or the ticket resolved or
    closed (`closed`) rejects it."""
    if draft.kind != DRAFT or draft.outcome is not None:
        return None
    after = sorted(
        (r for r in replies if _is_human_staff(r) and r.created_at >= draft.created_at),
        key=lambda r: (r.created_at, r.id),
    )
    if after:
        reply = after[0]
        score = similarity(draft.value, reply.body)
        return DraftOutcome(outcome_for(score), "reply_sent", score, reply.id)
    if replaced:
        return DraftOutcome(REJECTED, "replaced_by_newer_draft")
    if closed:
        return DraftOutcome(REJECTED, "closed_without_reply")
    return None


# --- confidence -------------------------------------------------------------------------------------


def _stem(word: str) -> str:
    """Crude English stemming, enough to match 'stopped' with 'stops' and 'working' with 'work'."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]  # stopped -> stopp -> stop
            break
    return word


def query_terms(text: str, limit: int = 40) -> list[str]:
    """The distinct content words of a text (stemmed), in order of appearance."""
    out: dict[str, None] = {}
    for w in words(text):
        if len(w) >= 3 and w not in _STOP and not w.isdigit():
            out.setdefault(_stem(w), None)
            if len(out) >= limit:
                break
    return list(out)


def draft_confidence(query: str, chunks: Sequence[ScoredChunk]) -> Signals:
    """From retrieval: no section matched -> NO_MATCH_CONFIDENCE; otherwise the query-term
    coverage of the top section (see the module docstring). Reasons: the matched sections."""
    if not chunks:
        return Signals(NO_MATCH_CONFIDENCE, [{"type": "signal", "text": "no knowledge-base section matched"}])
    top = chunks[0].chunk
    terms = query_terms(query)
    section = set(query_terms(" ".join((top.title, top.heading, " ".join(top.tags), top.text)), limit=10_000))
    matched = [t for t in terms if t in section]
    coverage = min(1.0, len(matched) / min(len(terms), COVERAGE_TERMS)) if terms else 0.0
    reasons: list[dict[str, Any]] = [
        {
            "type": "kb_section",
            "article_id": s.chunk.article_id,
            "title": s.chunk.title,
            "heading": s.chunk.heading,
            "score": round(float(s.score), 4),
        }
        for s in chunks
    ]
    reasons.append(
        {
            "type": "signal",
            "text": f"top section covers {len(matched)} of {len(terms)} ticket terms"
            + (f": {', '.join(matched[:8])}" if matched else ""),
        }
    )
    return Signals(round(0.25 + 0.65 * coverage, 3), reasons)


def _signal(text: str) -> dict[str, Any]:
    return {"type": "signal", "text": text}


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in pattern.finditer(text)})


def category_keywords(category: str, text: str) -> list[str]:
    """The keywords of `category` (domain/analysis.py's lists) the text contains."""
    lowered = f" {' '.join(text.lower().split())} "
    for name, keywords in _CATEGORY_WORDS:
        if name == category:
            return [w for w in keywords if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", lowered)]
    return []


def _with_analyzer_reasons(reasons: list[dict[str, Any]], analysis: Analysis) -> list[dict[str, Any]]:
    seen = {r["text"] for r in reasons}
    return reasons + [_signal(r) for r in analysis.reasons if r not in seen]


def priority_confidence(analysis: Analysis, subject: str, body: str) -> Signals:
    """How well the ticket text backs the suggested priority (0..1)."""
    text = f"{subject}\n{body}"
    terms = security_terms(text)
    urgent = _found(_URGENT, text)
    minor = _found(_MINOR, text)
    reasons: list[dict[str, Any]] = []
    if terms:
        reasons.append(_signal("security terms: " + ", ".join(terms[:5])))
    if urgent:
        reasons.append(_signal("urgency: " + ", ".join(urgent[:5])))
    if minor:
        reasons.append(_signal("no rush: " + ", ".join(minor[:5])))
    if analysis.frustration:
        reasons.append(_signal("customer frustration"))
    suggested = analysis.suggested_priority
    if suggested == Priority.CRITICAL:
        confidence = 0.6 + 0.1 * min(len(terms), 3) if terms else (0.5 if urgent else 0.3)
    elif suggested == Priority.HIGH:
        backing = sum((bool(urgent), analysis.frustration, analysis.category == "outage", bool(terms)))
        confidence = min(0.9, 0.5 + 0.15 * backing) if backing else 0.35
        if minor and not urgent:
            confidence -= 0.1
    elif suggested == Priority.LOW:
        if terms or urgent:
            confidence = 0.3
        else:
            confidence = 0.65 + (0.1 if analysis.category == "request" else 0.0) if minor else 0.4
    else:  # MEDIUM: the default when nothing points up or down
        confidence = 0.35 if (terms or urgent or minor) else 0.5
    return Signals(round(max(0.0, min(1.0, confidence)), 3), _with_analyzer_reasons(reasons, analysis))


def category_confidence(analysis: Analysis, subject: str, body: str) -> Signals:
    """How well the ticket text backs the suggested category (0..1)."""
    text = f"{subject}\n{body}"
    category = analysis.category
    if category == "security":
        terms = security_terms(text)
        if terms:
            return Signals(
                round(0.6 + 0.1 * min(len(terms), 3), 3), [_signal("security terms: " + ", ".join(terms[:5]))]
            )
        return Signals(0.4, [_signal("no security term in the text")])
    if category == "other":
        return Signals(0.3, [_signal("no category keyword matched")])
    hits = category_keywords(category, text)
    if hits:
        return Signals(
            round(min(0.95, 0.5 + 0.15 * min(len(hits), 3)), 3),
            [_signal(f"{category} keywords: " + ", ".join(hits[:5]))],
        )
    return Signals(0.35, [_signal(f"no {category} keyword in the text")])


# --- rating -----------------------------------------------------------------------------------------


def _bad(message: str, issue: str) -> ValidationFailed:
    return ValidationFailed(message, [{"field": "override", "issue": issue}])


def check_rating(review: AiReview, rating: str, override: str | None) -> str | None:
    """The override to store (normalised), or a 400/409 for a rating that cannot be accepted."""
    if review.state != PENDING:
        raise Conflict("This review has been rated already.")
    if rating == CORRECT:
        if override is not None:
            raise _bad("An override goes only with rating 'wrong'.", "not allowed with correct")
        return None
    if rating != WRONG:
        raise ValidationFailed("rating must be correct or wrong.", [{"field": "rating", "issue": "enum"}])
    if review.kind == DRAFT:
        if override is None:
            return None  # rejected outright: nothing to learn from
        text = override.strip()
        if not text:
            raise _bad("The corrected reply may not be blank.", "blank")
        if words(text) == words(review.value):
            raise _bad("The corrected reply is the draft itself: rate it 'correct'.", "same as suggestion")
        return text
    if override is None:
        raise _bad(f"Rating a {review.kind} wrong needs the right value in 'override'.", "missing")
    value = override.strip()
    allowed = [str(p) for p in Priority] if review.kind == PRIORITY else list(CATEGORIES)
    if value not in allowed:
        raise _bad(f"override must be one of {', '.join(allowed)}.", "enum")
    if value == review.value:
        raise _bad("The override is the suggestion itself: rate it 'correct'.", "same as suggestion")
    return value


def example_of(review: AiReview, override: str | None) -> Example | None:
    """What a wrong rating with a right value teaches the next prompts (None when nothing)."""
    if override is None:
        return None
    return Example(
        kind=review.kind,
        ticket_text=excerpt(review.ticket_text, 1200),
        suggested=excerpt(review.value, 1500),
        corrected=excerpt(override, 3000),
    )
