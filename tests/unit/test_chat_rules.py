"""The pure live-chat rules: subject, transcript, idle moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from regentra.domain.chat import (
    MAX_TRANSCRIPT_CHARS,
    ChatMessage,
    ChatSession,
    chat_subject,
    first_staff_message_at,
    is_idle,
    transcript,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def session(**kw) -> ChatSession:
    base = dict(
        tenant_id="t", id="S", state="active", started_by="visitor", created_at=T0, last_activity_at=T0,
        email="v@x.test",
    )  # fmt: skip
    return ChatSession(**{**base, **kw})  # type: ignore[arg-type]


def msg(i: int, author: str, body: str) -> ChatMessage:
    return ChatMessage(f"M{i:04d}", "S", author, author, body, T0 + timedelta(seconds=i))


def test_subject_is_the_first_customer_side_message_on_one_line_at_most_200_chars() -> None:
    assert chat_subject([msg(0, "staff", "Hi"), msg(1, "visitor", "  a\n\tb  ")]) == "a b"
    long = chat_subject([msg(0, "customer", "word " * 100)])
    assert long is not None and len(long) == 200 and long.endswith("…")
    assert chat_subject([msg(0, "staff", "anyone?")]) is None
    assert chat_subject([]) is None


def test_first_staff_message() -> None:
    assert first_staff_message_at(
        [msg(0, "visitor", "a"), msg(5, "staff", "b"), msg(9, "staff", "c")]
    ) == T0 + timedelta(seconds=5)
    assert first_staff_message_at([msg(0, "visitor", "a")]) is None


def test_transcript_lists_every_message_with_its_time_and_author() -> None:
    text = transcript(
        session(name="Sam"), [msg(0, "visitor", "line one\nline two"), msg(1, "staff", "ok")], T0, "visitor"
    )
    assert text.splitlines() == [
        "Live chat S, started 2026-11-23T09:00:00.000Z, ended 2026-11-23T09:00:00.000Z (by the visitor).",
        "",
        "[2026-11-23T09:00:00.000Z] Visitor Sam: line one",
        "    line two",
        "[2026-11-23T09:00:01.000Z] Staff staff: ok",
    ]


def test_a_long_transcript_keeps_the_latest_messages_within_the_limit() -> None:
    messages = [msg(i, "visitor", f"{i} " + "x" * 998) for i in range(200)]
    text = transcript(session(), messages, T0, "idle")
    assert len(text) <= MAX_TRANSCRIPT_CHARS
    assert "idle for 30 minutes" in text.splitlines()[0]
    assert "earlier messages are on the chat session" in text
    assert text.rstrip().endswith("x" * 10) and "] Visitor v@x.test: 199 " in text
    assert "] Visitor v@x.test: 0 " not in text


def test_idle_after_30_minutes_without_a_message() -> None:
    s = session(last_activity_at=T0 + timedelta(minutes=5))
    assert not is_idle(s, T0 + timedelta(minutes=34, seconds=59))
    assert is_idle(s, T0 + timedelta(minutes=35))
    assert not is_idle(session(state="ended"), T0 + timedelta(days=1))
