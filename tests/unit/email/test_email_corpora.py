"""The public corpora in ../shared/corpora: quote-stripping pass rates and bounce recognition.

Prints the measured figures (run with ``-s`` to see them) and asserts they do not fall below
the rates reached when this was written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from regentra.domain.email.guards import is_bounce, loop_guard
from regentra.domain.email.message import normalise
from regentra.domain.email.reply import visible_reply

sys.path.insert(0, str(Path(__file__).parent))
from email_corpora import corpora_root, crisp_cases, github_cases, score  # noqa: E402

CORPORA = corpora_root(Path(__file__).resolve())
pytestmark = pytest.mark.skipif(not CORPORA.is_dir(), reason=f"public corpora not found at {CORPORA}")

# Rates measured when the stripper was written (rounded down); a change may only raise them.
FLOORS = {"reply-github": 1.00, "reply-crisp": 1.00}
BOUNCE_AGREEMENT_FLOOR = 0.99

# Two messages of the flufl.bounce corpus are its negative cases, not bounces: a person's
# reply ("RE: Vuille", checked to give no false positive) and an auto-reply. Neither may
# become a bounce; the auto-reply is stopped by the loop guard instead.
NOT_BOUNCES = {"groupwise_03.txt": "a person's reply", "qmail_08.txt": "an auto-reply"}


@pytest.mark.parametrize("corpus", ["reply-github", "reply-crisp"])
def test_quote_stripping_pass_rate(corpus: str) -> None:
    cases = github_cases(CORPORA) if corpus == "reply-github" else crisp_cases(CORPORA)
    rate, outcomes = score(CORPORA, cases, visible_reply)
    passed = sum(o.passed for o in outcomes)
    print(f"\n{corpus}: quote stripping pass rate {rate:.1%} ({passed}/{len(outcomes)})")
    for outcome in outcomes:
        if not outcome.passed:
            print(f"  FAIL {outcome.case.name} ({outcome.case.fixture}): {outcome.got[:120]!r}")
    assert rate >= FLOORS[corpus]


def _bounce_files() -> list[Path]:
    return sorted((CORPORA / "bounces-flufl").glob("*.txt"))


def test_every_bounce_in_the_flufl_corpus_is_recognised() -> None:
    missed: list[str] = []
    for path in _bounce_files():
        msg = normalise(path.read_bytes())
        bounce = is_bounce(msg)
        if path.name in NOT_BOUNCES:
            assert bounce is None, f"{path.name} is {NOT_BOUNCES[path.name]}, not a bounce"
            continue
        if bounce is None:
            missed.append(path.name)
    recognised = len(_bounce_files()) - len(NOT_BOUNCES) - len(missed)
    print(f"\nbounces-flufl: {recognised}/{len(_bounce_files()) - len(NOT_BOUNCES)} bounces recognised")
    assert missed == []
    auto_reply = normalise((CORPORA / "bounces-flufl" / "qmail_08.txt").read_bytes())
    assert loop_guard(auto_reply, ["noreply@example.org"]) is not None


def test_bounced_addresses_agree_with_the_corpus_expectations() -> None:
    entries = json.loads((CORPORA / "bounces-flufl" / "expected.json").read_text(encoding="utf-8"))
    unique = {entry["file"]: entry for entry in entries}
    agree = 0
    for name, entry in sorted(unique.items()):
        bounce = is_bounce(normalise((CORPORA / "bounces-flufl" / name).read_bytes()))
        got = set(bounce.addresses) if bounce else set()
        want = {a.lower() for a in entry["expected_addresses"]}
        same_kind = not want or (bounce is not None and bounce.permanent != entry["is_temporary"])
        if got == want and same_kind:
            agree += 1
        else:
            print(
                f"  differs {name}: expected {sorted(want)} temporary={entry['is_temporary']}, got {bounce}"
            )
    rate = agree / len(unique)
    print(
        f"\nbounces-flufl: bounced addresses agree with expected.json in {rate:.1%} ({agree}/{len(unique)})"
    )
    assert rate >= BOUNCE_AGREEMENT_FLOOR
