"""Scoring of a quote stripper against the public reply corpora in ``shared/corpora``.

Shared by ``test_email_corpora.py`` (which asserts a floor) and ``bench/quote_stripping.py``
(which prints the figures). Pure: reads files, calls the stripper, compares texts.

* ``reply-crisp``: every ``common_first_fragment_cases`` entry of ``expected_first_fragment.json``
  names a fixture and the text its first fragment must equal once trimmed; the visible reply
  must equal it.
* ``reply-github``: ``expectations.json`` lists the upstream tests. Where an entry carries
  ``parse_reply_equals`` the visible reply must equal it. Otherwise the upstream test only
  asserts fragment flags and regexes; ``GITHUB_VISIBLE`` below spells out the visible text
  those assertions imply (the non-hidden fragments: for a bottom post or inline reply the
  quoted lines *between* the author's own lines stay, as upstream keeps them). Entries
  without a fixture in the JSON are mapped to the fixture the upstream test reads
  (``GITHUB_FIXTURE_FOR``). Performance-only tests pass when the stripper finishes within
  a second and keeps the author's opening line.

Comparison normalises whitespace: line endings, trailing spaces on a line, runs of blank
lines and the ends of the text.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Stripper = Callable[[str], str]


def corpora_root(start: Path) -> Path:
    """``<repo>/../shared/corpora`` found from any file inside the repository."""
    for parent in [start, *start.parents]:
        if (parent / "pyproject.toml").is_file():
            return parent.parent / "shared" / "corpora"
    return start.parents[3].parent / "shared" / "corpora"


def normalise_ws(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def read_fixture(path: Path) -> str:
    # Upstream reads the files as UTF-8; a stray byte must not stop the scoring.
    return path.read_bytes().decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Case:
    corpus: str
    name: str
    fixture: str
    expected: str | None  # None: performance-only case
    must_contain: str = ""


@dataclass(frozen=True)
class Outcome:
    case: Case
    passed: bool
    got: str
    seconds: float


# What the upstream (github/email_reply_parser) fragment assertions imply as visible text.
GITHUB_VISIBLE: dict[str, str] = {
    "email_1_1.txt": (
        "Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\n"
        "running a test?\nI am currently using the Java HTTP API."
    ),
    "email_1_3.txt": "Oh thanks.\n\nHaving the function would be great.",
    "email_1_2.txt": (
        "Hi,\nOn Tue, 2011-03-01 at 18:02 +0530, Abhishek Kona wrote:\n> Hi folks\n>\n"
        "> What is the best way to clear a Riak bucket of all key, values after\n> running a test?\n"
        "> I am currently using the Java HTTP API.\n\n"
        "You can list the keys for the bucket and call delete for each. Or if you\n"
        "put the keys (and kept track of them in your test) you can delete them\n"
        "one at a time (without incurring the cost of calling list first.)\n\nSomething like:\n\n"
        '        String bucket = "my_bucket";\n'
        "        BucketResponse bucketResponse = riakClient.listBucket(bucket);\n"
        "        RiakBucketInfo bucketInfo = bucketResponse.getBucketInfo();\n\n"
        "        for(String key : bucketInfo.getKeys()) {\n"
        "            riakClient.delete(bucket, key);\n        }\n\n\nwould do it.\n\nSee also\n\n"
        "http://wiki.basho.com/REST-API.html#Bucket-operations\n\nwhich says\n\n"
        '"At the moment there is no straightforward way to delete an entire\n'
        "Bucket. There is, however, an open ticket for the feature. To delete all\n"
        'the keys in a bucket, you\u2019ll need to delete them all individually."'
    ),
    "email_1_8.txt": (
        "On Tue, Apr 29, 2014 at 4:22 PM, Example Dev <sugar@example.com>wrote:\n\n"
        "> okay.  Well, here's some stuff I can write.\n>\n"
        "> And if I write a 2 second line you and maybe reply under this?\n>\n"
        "> Or if you didn't really feel like it, you could reply under this line.Or\n"
        "> if you didn't really feel like it, you could reply under this line. Or if\n"
        "> you didn't really feel like it, you could reply under this line. Or if you\n"
        "> didn't really feel like it, you could reply under this line.\n>\n\n"
        "I will reply under this one\n\n>\n> okay?\n>\n\nand under this."
    ),
    "email_1_4.txt": "Awesome! I haven't had another problem with it.",
    "email_1_5.txt": "",  # one fragment: the whole text is visible (filled in at load time)
    "email_1_6.txt": "I get proper rendering as well.\n\nSent from a magnificent torch of pixels",
    "email_1_7.txt": ":+1:",
    "correct_sig.txt": "this is an email with a correct -- signature.",
    "email_one_is_not_on.txt": (
        "Thank, this is really helpful.\n\nOne outstanding question I had:\n\n"
        "Locally (on development), when I run..."
    ),
    "greedy_on.txt": (
        "On your remote host you can run:\n\n     telnet 127.0.0.1 52698\n\n"
        "This should connect to TextMate (on your Mac, via the tunnel). If that\n"
        "fails, the tunnel is not working."
    ),
    "email_sig_delimiter_in_middle_of_line.txt": "",  # one fragment: whole text
    "email_2_1.txt": "Outlook with a reply",
}

# Upstream tests whose fixture the JSON leaves empty, and the fixture they read.
GITHUB_FIXTURE_FOR: dict[str, str] = {
    "test_recognizes_date_string_above_quote": "email_1_4.txt",
    "test_a_complex_body_with_only_one_fragment": "email_1_5.txt",
    "test_reads_email_with_correct_signature": "correct_sig.txt",
    "test_deals_with_multiline_reply_headers": "email_1_6.txt",
    "test_deals_with_windows_line_endings": "email_1_7.txt",
}

# Tests that only check the parser finishes quickly; the opening line must survive.
GITHUB_PERFORMANCE: dict[str, str] = {
    "pathological.txt": "I think you're onto something.",
    "email_long_quote.txt": "Hi folks",
}


def github_cases(root: Path) -> list[Case]:
    folder = root / "reply-github"
    entries = json.loads((folder / "expectations.json").read_text(encoding="utf-8"))
    whole = {"email_1_5.txt", "email_sig_delimiter_in_middle_of_line.txt"}
    cases: list[Case] = []
    for entry in entries:
        fixtures = list(entry.get("fixtures") or [])
        if not fixtures and entry["test"] in GITHUB_FIXTURE_FOR:
            fixtures = [GITHUB_FIXTURE_FOR[entry["test"]]]
        if not fixtures:
            continue  # inline-string tests: nothing in the corpus to run
        fixture = fixtures[0]
        if "parse_reply_equals" in entry:
            expected: str | None = entry["parse_reply_equals"]
        elif fixture in GITHUB_PERFORMANCE:
            cases.append(Case("reply-github", entry["test"], fixture, None, GITHUB_PERFORMANCE[fixture]))
            continue
        elif fixture in whole:
            expected = read_fixture(folder / fixture)
        elif fixture in GITHUB_VISIBLE:
            expected = GITHUB_VISIBLE[fixture]
        else:
            raise KeyError(f"no expectation for {entry['test']} ({fixture})")
        cases.append(Case("reply-github", entry["test"], fixture, expected))
    return cases


def crisp_cases(root: Path) -> list[Case]:
    folder = root / "reply-crisp"
    data = json.loads((folder / "expected_first_fragment.json").read_text(encoding="utf-8"))
    return [
        Case("reply-crisp", item["test"], item["fixture"], item["expected"])
        for item in data["common_first_fragment_cases"]
    ]


def run_case(root: Path, case: Case, strip: Stripper) -> Outcome:
    text = read_fixture(root / case.corpus / case.fixture)
    started = time.perf_counter()
    try:
        got = strip(text)
    except Exception as exc:  # a crash is a failed case, not a failed scoring run
        return Outcome(case, False, f"<raised {type(exc).__name__}: {exc}>", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if case.expected is None:
        passed = seconds < 1.0 and normalise_ws(got).startswith(case.must_contain)
    else:
        passed = normalise_ws(got) == normalise_ws(case.expected)
    return Outcome(case, passed, got, seconds)


def score(root: Path, cases: list[Case], strip: Stripper) -> tuple[float, list[Outcome]]:
    outcomes = [run_case(root, case, strip) for case in cases]
    rate = sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0
    return rate, outcomes
