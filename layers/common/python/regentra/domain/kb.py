"""Knowledge-base articles and AI reply drafts: pure rules (no AWS, no clock calls).

- An article is chunked by Markdown heading, so a long article contributes only its relevant
  section to a draft.
- The retrieval query is built from the ticket's subject, description and latest customer reply.
- The offline draft is composed from the retrieved sections: a greeting with the contact's name,
  the relevant steps, a sign-off. Ticket text is never copied into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

OFFLINE_PROVIDER = "offline"
MAX_QUERY_CHARS = 4000
MAX_CHUNK_CHARS = 4000
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_STEP = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+\S")


@dataclass(frozen=True)
class KbArticle:
    tenant_id: str
    id: str
    title: str
    body: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    version: int = 0


@dataclass(frozen=True)
class KbChunk:
    """One section of an article: the text under one heading (or before the first heading)."""

    article_id: str
    title: str
    heading: str
    text: str
    tags: tuple[str, ...] = ()
    position: int = 0


@dataclass(frozen=True)
class ScoredChunk:
    chunk: KbChunk
    score: float


@dataclass(frozen=True)
class Draft:
    draft: str
    sources: list[dict[str, str]] = field(default_factory=list)
    provider: str = OFFLINE_PROVIDER
    # How the KB sections were retrieved: "bm25", or hybrid BM25 + embeddings (see kb_retrieval).
    retrieval: str = "bm25"

    def as_dict(self) -> dict[str, object]:
        return {
            "draft": self.draft,
            "sources": self.sources,
            "provider": self.provider,
            "retrieval": self.retrieval,
        }


def chunk_article(article: KbArticle) -> list[KbChunk]:
    """Split the Markdown body at its headings; a section without text is dropped."""
    chunks: list[KbChunk] = []
    heading = ""
    lines: list[str] = []

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            chunks.append(
                KbChunk(article.id, article.title, heading, text[:MAX_CHUNK_CHARS], article.tags, len(chunks))
            )

    in_code = False
    for line in article.body.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            flush()
            heading, lines = match.group(2), []
        else:
            lines.append(line)
    flush()
    if not chunks:  # a body of headings only (or empty): the title still finds it
        chunks.append(KbChunk(article.id, article.title, heading, article.title, article.tags, 0))
    return chunks


def ticket_query(subject: str, description: str, latest_customer_reply: str | None) -> str:
    parts = [subject, description, latest_customer_reply or ""]
    return "\n".join(p for p in parts if p)[:MAX_QUERY_CHARS]


def pick_chunks(scored: list[ScoredChunk], limit: int = 2, ratio: float = 0.75) -> list[ScoredChunk]:
    """The top chunk and up to `limit - 1` more scoring at least `ratio` of it, best first."""
    ranked = sorted((s for s in scored if s.score > 0), key=lambda s: -s.score)
    if not ranked:
        return []
    top = ranked[0].score
    return [s for s in ranked if s.score >= top * ratio][:limit]


def sources_of(chunks: list[ScoredChunk]) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for s in chunks:
        seen.setdefault(s.chunk.article_id, s.chunk.title)
    return [{"article_id": a, "title": t} for a, t in seen.items()]


def steps_of(chunk: KbChunk) -> str:
    """The list items of a section (its steps); the whole section when it has none."""
    lines = chunk.text.splitlines()
    steps = [line.rstrip() for line in lines if _STEP.match(line)]
    return "\n".join(steps) if steps else chunk.text.strip()


def first_name(name: str | None) -> str:
    name = (name or "").strip()
    return name.split()[0] if name else "there"


def offline_draft(
    contact_name: str | None, chunks: list[ScoredChunk], signature: str = "The support team"
) -> Draft:
    greeting = f"Hi {first_name(contact_name)},"
    if not chunks:
        body = (
            "Thank you for getting in touch. We are looking into your request. Could you tell us a "
            "little more — what you see, any error message, and when it started — so we can help "
            "you faster?"
        )
        return Draft(f"{greeting}\n\n{body}\n\nBest regards,\n{signature}", [], OFFLINE_PROVIDER)
    sections = []
    for s in chunks:
        label = f"{s.chunk.title} — {s.chunk.heading}" if s.chunk.heading else s.chunk.title
        sections.append(f'From our article "{label}":\n\n{steps_of(s.chunk)}')
    body = (
        "Thank you for getting in touch. Here is what should help:\n\n"
        + "\n\n".join(sections)
        + "\n\nIf this does not solve it, just reply to this message and we will take it from there."
    )
    return Draft(f"{greeting}\n\n{body}\n\nBest regards,\n{signature}", sources_of(chunks), OFFLINE_PROVIDER)
