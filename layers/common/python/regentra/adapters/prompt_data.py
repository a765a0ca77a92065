"""What the AI prompts share (drafter.py, analyzer.py): user data goes inside tagged blocks, so
data is stripped of the tags that would close (or open) a block, and the tenant's corrected
examples are shown as `<example>` blocks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from regentra.domain.ai_reviews import Example

__all__ = ["DATA_TAGS", "clean_data", "example_blocks"]

DATA_TAGS = ("<ticket>", "</ticket>", "<example>", "<example", "</example>")


def clean_data(text: str, tags: Sequence[str] = DATA_TAGS) -> str:
    """Data may not close (or open) a block: `tags` are removed, in order."""
    for tag in tags:
        text = text.replace(tag, "")
    return text


def example_blocks(examples: Sequence[Example], limit: int, body: Callable[[Example], str]) -> str:
    """The first `limit` examples, each as `<example>` + body + `</example>` (empty when none)."""
    return "".join(f"<example>\n{body(e)}\n</example>\n" for e in list(examples)[:limit])
