"""The AI analyzer's contract and its offline rules (pure: no AWS, no clock).

An analysis is advice for staff: `{suggested_priority, category, security_incident, frustration,
summary}` (plus the `reasons` behind it). It is stored on the ticket and sets only
`suggested_priority`; `priority` never follows it (API.md "Priority"). Two policies may act on
it — AI security incident and AI frustration — and they only raise LOW/MEDIUM to HIGH, through
the guarded path (domain/priority.py).

A model's answer is untrusted text: `parse_model_output` accepts exactly one JSON object of
this shape (strictly typed) and rejects anything else with MalformedOutput.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from regentra.domain.enums import Priority

CATEGORIES = (
    "security",
    "outage",
    "access",
    "email",
    "network",
    "hardware",
    "software",
    "billing",
    "request",
    "other",
)

MAX_SUMMARY = 300
MAX_REASONS = 8


def _category(value: Any) -> Any:
    """A category outside the list is 'other' (a model may invent one; it is not an error)."""
    if isinstance(value, str):
        text = value.strip().lower()
        return text if text in CATEGORIES else "other"
    return value


def _summary(value: Any) -> Any:
    if isinstance(value, str):
        text = " ".join(value.split())
        return text[: MAX_SUMMARY - 1] + "…" if len(text) > MAX_SUMMARY else text
    return value


def _reasons(value: Any) -> Any:
    if isinstance(value, list):
        return [" ".join(str(r).split())[:200] for r in value[:MAX_REASONS] if isinstance(r, str)]
    return value


class Analysis(BaseModel):
    """What the analyzer produces. Unknown keys a model adds are dropped; known ones are strict."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    suggested_priority: Priority
    category: Annotated[str, BeforeValidator(_category)]
    security_incident: bool
    frustration: bool
    summary: Annotated[str, BeforeValidator(_summary)]
    reasons: Annotated[list[str], BeforeValidator(_reasons)] = Field(default_factory=list)


class MalformedOutput(ValueError):
    """The model's answer is not one JSON object of the Analysis shape."""


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


def parse_model_output(text: str) -> Analysis:
    """Validate a model's answer. Tolerates a Markdown code fence around the object; nothing else."""
    body = _FENCE.sub("", text.strip()).strip()
    start, end = body.find("{"), body.rfind("}")
    if start != 0 or end != len(body) - 1:
        raise MalformedOutput("the answer is not a single JSON object")
    try:
        raw = json.loads(body)
    except ValueError as exc:
        raise MalformedOutput(f"invalid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise MalformedOutput("the answer is not a JSON object")
    try:
        # JSON mode + strict: "true" is not a boolean and 3 is not a priority.
        return Analysis.model_validate_json(json.dumps(raw), strict=True)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise MalformedOutput(f"wrong shape: {', '.join(fields)}") from exc


# --- the offline analyzer's rules -----------------------------------------------------------------

# Words and phrases that name a security incident (matched on word boundaries, case-insensitive).
SECURITY_LEXICON = (
    "phishing", "phish", "phished", "spear phishing", "ransomware", "ransom note", "ransom",
    "malware", "virus", "trojan", "worm", "spyware", "keylogger", "rootkit", "backdoor", "botnet",
    "cryptolocker", "data breach", "breach", "breached", "data leak", "leaked", "exfiltration",
    "exfiltrated", "compromised", "compromised account", "account compromised", "account takeover",
    "hacked", "hacker", "hackers", "intrusion", "intruder", "unauthorized access", "unauthorised access",
    "unauthorized login", "suspicious login", "suspicious sign-in", "suspicious sign in",
    "suspicious activity", "stolen credentials", "stolen password", "credential theft",
    "credentials stolen", "password stolen", "suspicious email", "suspicious link", "suspicious attachment",
    "brute force", "mfa fatigue", "spoofed", "spoofing",
    "impersonation", "impersonating", "ceo fraud", "invoice fraud", "wire fraud", "scam email",
    "ddos", "denial of service", "zero-day", "zero day", "exploit", "exploited", "files encrypted",
    "encrypted our files", "encrypted all", "sim swap",
)  # fmt: skip
_SECURITY = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(t) for t in sorted(SECURITY_LEXICON, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)
# "SLA breached" and friends are about our own timers, not an attack.
_NOT_SECURITY = re.compile(r"\b(sla|deadline|target|contract)\s+(was\s+|is\s+)?breach(ed)?\b", re.IGNORECASE)

# Category keywords, checked in this order (security comes from the lexicon above).
_CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, tuple(words.split("|")))
    for name, words in (
        ("outage", "outage|is down|are down|went down|server down|site down|not working for anyone|nobody can"
                   "|no one can|everyone is affected|all users|whole office|entire office"),
        ("request", "new user|new starter|onboarding|offboarding|request|how do i|how to|question"
                    "|please set up|set up a|would like"),
        ("access", "password|log in|login|sign in|signin|locked out|lockout|mfa|2fa|two-factor|permission"
                   "|access denied|account"),
        ("email", "outlook|email|e-mail|mailbox|inbox|calendar|exchange|spam"),
        ("network", "vpn|wifi|wi-fi|internet|network|dns|firewall|router|switch|latency"),
        ("hardware", "printer|laptop|monitor|keyboard|mouse|screen|disk|battery|hardware|docking|dock"
                     "|scanner|phone"),
        ("software", "install|update|upgrade|crash|crashes|crashing|error|application|app|excel|word|teams"
                     "|license|software"),
        ("billing", "invoice|billing|bill|charge|charged|payment|refund|quote"),
    )
)  # fmt: skip
_URGENT = re.compile(
    r"\b(urgent|asap|immediately|emergency|critical|down|outage|cannot work|can't work|can not work|"
    r"production|nobody can|no one can|everyone|all users|whole office|entire office)\b",
    re.IGNORECASE,
)
_MINOR = re.compile(
    r"\b(no rush|when you have time|whenever|low priority|not urgent|question|how do i|how to|"
    r"would like|request|nice to have|curious)\b",
    re.IGNORECASE,
)
# Signs a customer is running out of patience, beside the sentiment score.
_ESCALATING = re.compile(
    r"\b(again|still|third time|second time|fourth time|once more|nobody|no one|ignored|unacceptable|"
    r"ridiculous|fed up|sick of|waiting for days|for days|for weeks|still waiting|escalate|complain|"
    r"cancel (our|the|my) contract|lawyer)\b|!{2,}",
    re.IGNORECASE,
)
FRUSTRATION_COMPOUND = -0.5  # VADER compound at or below this is frustration by itself
FRUSTRATION_WITH_MARKERS = -0.2  # ... or at or below this with an escalating phrase


def security_terms(text: str) -> list[str]:
    """Security-incident terms the text names (lower case, in order of appearance, once each)."""
    cleaned = _NOT_SECURITY.sub(" ", text)
    return list(dict.fromkeys(m.group(1).lower() for m in _SECURITY.finditer(cleaned)))


def categorize(text: str, security: bool) -> str:
    if security:
        return "security"
    lowered = f" {' '.join(text.lower().split())} "
    for category, words in _CATEGORY_WORDS:
        if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", lowered) for w in words):
            return category
    return "other"


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    return (match.group(1) if match else flat)[:MAX_SUMMARY]


def offline_analysis(subject: str, body: str, sentiment: float, *, is_reply: bool = False) -> Analysis:
    """The analysis without a model: a security lexicon, keyword categories, urgency words and a
    sentiment score (VADER's compound, -1..1, computed by the caller) for frustration."""
    text = f"{subject}\n{body}"
    terms = security_terms(text)
    escalating = sorted({m.group(0).lower() for m in _ESCALATING.finditer(body or subject)})
    frustration = sentiment <= FRUSTRATION_COMPOUND or (
        sentiment <= FRUSTRATION_WITH_MARKERS and bool(escalating)
    )
    category = categorize(text, bool(terms))
    reasons: list[str] = []
    if terms:
        reasons.append("security terms: " + ", ".join(terms[:5]))
    reasons.append(f"sentiment {sentiment:+.2f}")
    if escalating:
        reasons.append("escalating phrases: " + ", ".join(escalating[:5]))
    urgent = _URGENT.search(text)
    if terms:
        suggested = Priority.CRITICAL
    elif category == "outage" or urgent:
        suggested = Priority.HIGH
        reasons.append(f"urgency: {(urgent.group(0) if urgent else 'outage').lower()}")
    elif frustration:
        suggested = Priority.HIGH
    elif category == "request" or _MINOR.search(text):
        suggested = Priority.LOW
    else:
        suggested = Priority.MEDIUM
    lead = _first_sentence(body) or _first_sentence(subject)
    summary = f"Customer replied: {lead}" if is_reply else (lead if lead else subject)
    return Analysis(
        suggested_priority=suggested,
        category=category,
        security_incident=bool(terms),
        frustration=frustration,
        summary=summary,
        reasons=reasons,
    )
