"""HTML mail body → plain text, with the stdlib parser.

Sanitised by construction: only text nodes are kept; ``<script>``, ``<style>``, ``<head>``,
comments (Outlook's conditional comments included) and elements hidden with
``display:none`` (pre-header text) are dropped. Blocks become lines, ``<br>`` a line
break, list items ``- `` lines, table cells are separated by spaces and rows by lines,
``<blockquote>`` lines are prefixed with ``> `` per level (so a quoted reply can be
stripped like a plain-text one), ``<hr>`` becomes the underscore separator line Outlook
uses in its own plain-text rendering, links keep their target when it differs from their
text. Never raises on malformed markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]


def _words(text: str, sep: str = " ") -> list[str]:
    return [word for word in text.split(sep) if word]


_SKIP = {"script", "style", "head", "title", "noscript", "template", "svg", "object", "iframe", "xml"}
_VOID = frozenset(_words("area base br col embed hr img input link meta param source track wbr", " "))
_BLOCK = frozenset(
    _words(
        "address article aside blockquote center dd div dl dt fieldset figcaption figure footer "
        "form h1 h2 h3 h4 h5 h6 header li main nav ol p pre section table tbody thead tfoot tr ul",
        " ",
    )
)
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "pre", "blockquote"}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.IGNORECASE)
_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
HR_LINE = "_" * 32


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (quote depth, text)
        self.current: list[str] = []
        self.depth = 0
        self.pre = 0
        self.skip_stack: list[str] = []  # tags whose content is being dropped
        self.open_tags: list[str] = []
        self.links: list[tuple[str, int]] = []  # (href, length of current text when opened)
        self.list_stack: list[list[int]] = []  # ordered-list counters ([-1] for unordered)
        self.pending_blank = False
        self.paragraphs: list[tuple[bool, int]] = []  # (MsoNormal?, line count) per open <p>

    # -- output helpers ------------------------------------------------------------------
    def _text_so_far(self) -> str:
        return "".join(self.current)

    def _flush(self) -> None:
        text = self._text_so_far()
        text = text.rstrip() if self.pre else text.strip()
        if text:
            self._append_line(text)
        self.current = []

    def _append_line(self, text: str) -> None:
        if self.pending_blank and self.lines and self.lines[-1][1] != "":
            # the blank line between two blocks belongs to the shallower one
            self.lines.append((min(self.depth, self.lines[-1][0]), ""))
        self.pending_blank = False
        self.lines.append((self.depth, text))

    def _newline(self, paragraph: bool = False) -> None:
        self._flush()
        if paragraph:
            self.pending_blank = True

    def _emit(self, text: str) -> None:
        if self.skip_stack:
            return
        if self.pre:
            parts = text.replace("\r\n", "\n").split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._flush_pre_line()
                self.current.append(part)
            return
        text = _WS.sub(" ", text)
        if not text:
            return
        if text.startswith(" ") and (not self.current or self._text_so_far().endswith(" ")):
            text = text.lstrip(" ")
        self.current.append(text)

    def _flush_pre_line(self) -> None:
        self._append_line(self._text_so_far().rstrip())
        self.current = []

    # -- parser callbacks ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        attributes = {k.lower(): (v or "") for k, v in attrs}
        if self.skip_stack:
            if tag == self.skip_stack[-1] and tag not in _VOID:
                self.skip_stack.append(tag)
            return
        if tag in _SKIP or (tag not in _VOID and _HIDDEN.search(attributes.get("style", ""))):
            self.skip_stack.append(tag)
            return
        if tag == "br":
            if self.pre:
                self._flush_pre_line()
            else:
                self._flush_br()
            return
        if tag == "hr":
            self._newline()
            self.lines.append((self.depth, HR_LINE))
            return
        if tag == "img":
            return
        if tag == "p":
            # Word/Outlook writes every line as a margin-less <p class=MsoNormal>: a line, not a
            # paragraph; an empty one (&nbsp;) is Outlook's blank line.
            mso = "msonormal" in attributes.get("class", "").lower()
            self.paragraphs.append((mso, len(self.lines)))
            if mso:
                self._newline()
                self.open_tags.append(tag)
                return
        if tag in _BLOCK:
            self._newline(paragraph=tag in _PARAGRAPH)
        if tag == "blockquote":
            self.depth += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.list_stack.append([0 if tag == "ol" else -1])
        elif tag == "li":
            marker = "- "
            if self.list_stack and self.list_stack[-1][0] >= 0:
                self.list_stack[-1][0] += 1
                marker = f"{self.list_stack[-1][0]}. "
            indent = "  " * max(0, len(self.list_stack) - 1)
            self.current.append(indent + marker)
        elif tag in ("td", "th"):
            if self.current and not self._text_so_far().endswith(" "):
                self.current.append(" ")
        elif tag == "a":
            self.links.append((attributes.get("href", "").strip(), len(self._text_so_far())))
        if tag not in _VOID:
            self.open_tags.append(tag)

    def _flush_br(self) -> None:
        text = self._text_so_far().strip()
        if text:
            self._flush()
        else:
            # an empty line made of <br>s: keep one blank line
            self.current = []
            self.pending_blank = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if self.skip_stack:
            if tag == self.skip_stack[-1]:
                self.skip_stack.pop()
            return
        if tag in _VOID or tag not in self.open_tags:
            return
        # close everything opened after this tag (unclosed <p>, <li>, …)
        while self.open_tags:
            open_tag = self.open_tags.pop()
            self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag == "p" and self.paragraphs:
            mso, start = self.paragraphs.pop()
            if mso:
                had_text = bool(self._text_so_far().strip()) or len(self.lines) > start
                self._newline()
                if not had_text:
                    self._append_line("")
                return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = self._text_so_far()[start:].strip()
            if href.lower().startswith(("http://", "https://")) and href not in label and label:
                self.current.append(f" <{href}>")
            elif href.lower().startswith("mailto:") and not label:
                self.current.append(href[7:])
            return
        if tag in _BLOCK:
            self._newline(paragraph=tag in _PARAGRAPH)
        if tag == "blockquote":
            self.depth = max(0, self.depth - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("ul", "ol") and self.list_stack:
            self.list_stack.pop()

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def result(self) -> str:
        while self.open_tags:
            self._close(self.open_tags.pop())
        self._flush()
        out: list[str] = []
        for depth, text in self.lines:
            prefix = "> " * depth
            out.append((prefix + text).rstrip() if text else prefix.rstrip())
        joined = "\n".join(out)
        joined = re.sub(r"\n{3,}", "\n\n", joined)
        return joined.strip("\n")


def html_to_text(html: str) -> str:
    """Readable text of an HTML body (see the module doc)."""
    builder = _TextBuilder()
    try:
        builder.feed(html)
        builder.close()
    except Exception:  # HTMLParser is lenient; anything left is best effort
        pass
    try:
        return builder.result()
    except Exception:
        return _WS.sub(" ", re.sub(r"<[^>]*>", " ", html)).strip()
