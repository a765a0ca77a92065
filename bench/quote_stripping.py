"""Quote stripping on the public reply corpora: pass rate per corpus, time per message.

    PYTHONPATH=layers/common/python python bench/quote_stripping.py [--repeat N]

Scores ``regentra.domain.email.reply.visible_reply`` on ``reply-github`` (expectations.json)
and ``reply-crisp`` (expected_first_fragment.json), the way tests/unit/email/test_email_corpora.py
does, then times it on every message of both corpora. Maintained reply-parsing libraries that
happen to be installed (mail-parser-reply, email-reply-parser) are scored alongside for
comparison; they are not dependencies.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "common" / "python"))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "email"))

from email_corpora import corpora_root, crisp_cases, github_cases, read_fixture, score  # noqa: E402

from regentra.domain.email.reply import visible_reply  # noqa: E402

Stripper = Callable[[str], str]


def _optional_libraries() -> dict[str, Stripper]:
    found: dict[str, Stripper] = {}
    try:
        from mailparser_reply import EmailReplyParser as MailParserReply

        languages = ["en", "de", "fr", "it", "nl", "pl", "sv", "da", "es", "pt", "fi", "no", "cs", "ja", "ru"]
        parser = MailParserReply(languages=languages)
        found["mail-parser-reply"] = lambda text: parser.parse_reply(text=text) or ""
    except Exception:
        pass
    try:
        from email_reply_parser import EmailReplyParser as ZapierParser

        found["email-reply-parser"] = ZapierParser.parse_reply
    except Exception:
        pass
    return found


def _time_per_message(strip: Stripper, files: list[Path], repeat: int) -> list[tuple[float, str]]:
    timings: list[tuple[float, str]] = []
    for path in files:
        text = read_fixture(path)
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            strip(text)
            best = min(best, time.perf_counter() - started)
        timings.append((best, f"{path.parent.name}/{path.name} ({len(text):,} chars)"))
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per message; the fastest counts")
    args = parser.parse_args()

    corpora = corpora_root(ROOT)
    if not corpora.is_dir():
        print(f"corpora not found at {corpora}")
        return 1

    strippers: dict[str, Stripper] = {"regentra visible_reply": visible_reply, **_optional_libraries()}
    suites = {"reply-github": github_cases(corpora), "reply-crisp": crisp_cases(corpora)}

    print("pass rate")
    for name, strip in strippers.items():
        figures = []
        for corpus, cases in suites.items():
            rate, outcomes = score(corpora, cases, strip)
            figures.append(f"{corpus} {rate:6.1%} ({sum(o.passed for o in outcomes)}/{len(outcomes)})")
        print(f"  {name:<24} " + "   ".join(figures))

    files = sorted((corpora / "reply-github").glob("*.txt")) + sorted((corpora / "reply-crisp").glob("*.txt"))
    timings = _time_per_message(visible_reply, files, args.repeat)
    seconds = sorted(t for t, _ in timings)
    p95 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.95))]
    print(f"\nvisible_reply time per message ({len(files)} messages, best of {args.repeat})")
    print(
        f"  mean {statistics.mean(seconds) * 1e3:.3f} ms   median {statistics.median(seconds) * 1e3:.3f} ms"
        f"   p95 {p95 * 1e3:.3f} ms   max {seconds[-1] * 1e3:.3f} ms"
    )
    for spent, label in sorted(timings, reverse=True)[:3]:
        print(f"  slowest: {spent * 1e3:8.3f} ms  {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
