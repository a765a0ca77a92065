"""Inbound email through the SES handler (and the whole pipeline) on DynamoDB Local:
real-world-shaped mail from tests/unit/email/fixtures, the bounce corpus, duplicates."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

from regentra.local.events import ses_event

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "email" / "fixtures"
BOUNCES = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "bounces-flufl"


@pytest.fixture()
def desk(api, admin, tenant):
    """The tenant's support address, and a client whose domain is client-co.example."""
    address = f"support@{tenant}.example"
    assert (
        api.call("PUT", "/settings/channels", admin, {"support_emails": [address], "sms_numbers": []}).status
        == 200
    )
    client = api.call(
        "POST", "/clients", admin, {"name": "Client Co", "email_domains": ["client-co.example"]}
    ).body
    return {"address": address, "client_id": client["id"]}


def deliver(
    api, raw: bytes, to: str, *, ses_id: str | None = None, virus: str = "PASS", spam: str = "PASS"
) -> str:
    """What SES does: store the raw message under inbound/<id>, then invoke the rule's function."""
    from regentra.clock import get_clock
    from regentra.services.deps import blob_store

    ses_id = ses_id or uuid.uuid4().hex
    blob_store().put(f"inbound/{ses_id}", raw, "message/rfc822")
    event = ses_event(ses_id, raw, [to], get_clock().now())
    event["Records"][0]["ses"]["receipt"]["virusVerdict"]["status"] = virus
    event["Records"][0]["ses"]["receipt"]["spamVerdict"]["status"] = spam
    return str(api.gateway.invoke("InboundEmailFunction", event)["outcomes"][0])


def fixture(name: str, desk) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"support@acme-it.example", desk["address"].encode())


def mail(
    desk,
    *,
    sender="Priya <priya@client-co.example>",
    subject="Scanner broken",
    body="It jams.",
    message_id=None,
    in_reply_to=None,
    **headers,
) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, desk["address"], subject
    m["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@client-co.example>"
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return m.as_bytes()


def tickets(api, tech, **q):
    query = "&".join(f"{k}={v}" for k, v in q.items())
    return api.call("GET", f"/tickets?{query}", tech).body["items"]


def test_new_mail_creates_an_email_ticket_for_the_senders_client(api, tech, desk):
    assert deliver(api, mail(desk, subject="Re: Fwd: Scanner broken"), desk["address"]) == "ticket_created"
    [t] = tickets(api, tech, channel="EMAIL")
    assert (t["subject"], t["priority"], t["status"], t["client_id"]) == (
        "Scanner broken",
        "MEDIUM",
        "OPEN",
        desk["client_id"],
    )
    assert t["description"].strip() == "It jams."
    contact = api.call("GET", f"/contacts/{t['contact_id']}", tech).body
    assert contact["email"] == "priya@client-co.example" and contact["client_id"] == desk["client_id"]


def test_unknown_sender_domain_goes_to_unassigned(api, tech, desk, admin):
    deliver(api, mail(desk, sender="someone@elsewhere.example"), desk["address"])
    deliver(api, mail(desk, sender="other@elsewhere2.example"), desk["address"])
    clients = {c["id"]: c["name"] for c in api.call("GET", "/clients", admin).body["items"]}
    assert sorted(clients.values()) == ["Client Co", "Unassigned"]  # one Unassigned client, reused
    assert {clients[t["client_id"]] for t in tickets(api, tech, channel="EMAIL")} == {"Unassigned"}


def test_the_customers_reply_to_our_email_lands_on_the_ticket_without_quoted_history(api, tech, desk):
    deliver(api, mail(desk, body="Scanner jams on every page."), desk["address"])
    [t] = tickets(api, tech, channel="EMAIL")
    api.call("POST", f"/tickets/{t['id']}/replies", tech, {"body": "Please clean the rollers."})
    [ours] = api.outbox(t["id"])
    quoted = (
        "Cleaned them, still jams.\n\nOn Mon, 23 Nov 2026 at 09:00, Support <x@y> wrote:\n"
        "> Please clean the rollers.\n> \n"
    )
    outcome = deliver(
        api,
        mail(
            desk,
            subject=f"Re: {ours['subject']}",
            body=quoted,
            in_reply_to=ours["message_id"],
            References=ours["message_id"],
        ),
        desk["address"],
    )
    assert outcome == "reply_added"
    d = api.call("GET", f"/tickets/{t['id']}", tech).body
    assert [r["body"] for r in d["replies"]] == ["Please clean the rollers.", "Cleaned them, still jams."]
    assert d["replies"][1]["channel"] == "EMAIL" and d["replies"][1]["author_type"] == "customer"
    assert d["status"] == "IN_PROGRESS"
    assert [a["name"] for a in d["replies"][1]["attachments"]] == ["original.eml"]  # the full original


def test_ticket_token_threads_even_without_headers(api, tech, desk):
    deliver(api, mail(desk), desk["address"])
    [t] = tickets(api, tech, channel="EMAIL")
    assert (
        deliver(
            api, mail(desk, subject=f"RE: [#{t['number']}] Scanner broken", body="More info"), desk["address"]
        )
        == "reply_added"
    )
    # a token naming another client's ticket is not trusted: a new ticket instead
    assert (
        deliver(
            api, mail(desk, sender="x@elsewhere.example", subject=f"[#{t['number']}] hi"), desk["address"]
        )
        == "ticket_created"
    )


def test_out_of_office_creates_nothing_and_is_not_answered(api, tech, desk):
    assert deliver(api, fixture("out_of_office.eml", desk), desk["address"]) == "loop"
    assert tickets(api, tech) == []
    own = mail(desk, sender=desk["address"])
    assert deliver(api, own, desk["address"]) == "loop"  # mail from our own address
    bulk = mail(desk, Precedence="bulk")
    assert deliver(api, bulk, desk["address"]) == "loop"
    assert tickets(api, tech) == []


def test_a_duplicate_delivery_changes_nothing(api, tech, desk):
    raw = mail(desk, message_id="<dup-1@client-co.example>")
    assert deliver(api, raw, desk["address"], ses_id="ses-1") == "ticket_created"
    assert deliver(api, raw, desk["address"], ses_id="ses-1") == "duplicate"  # SES redelivery
    assert deliver(api, raw, desk["address"], ses_id="ses-2") == "duplicate"  # same Message-ID resent
    [t] = tickets(api, tech)
    follow = mail(desk, message_id="<dup-2@client-co.example>", in_reply_to="<dup-1@client-co.example>")
    assert deliver(api, follow, desk["address"], ses_id="ses-3") == "reply_added"
    assert deliver(api, follow, desk["address"], ses_id="ses-4") == "duplicate"
    assert len(api.call("GET", f"/tickets/{t['id']}", tech).body["replies"]) == 1


def test_virus_is_rejected_and_spam_is_flagged(api, tech, desk):
    assert deliver(api, mail(desk), desk["address"], virus="FAIL") == "rejected_virus"
    assert tickets(api, tech) == []
    assert deliver(api, mail(desk), desk["address"], spam="FAIL") == "ticket_created"
    [t] = tickets(api, tech)
    created = api.call("GET", f"/tickets/{t['id']}", tech).body["activity"][0]["change"]
    assert created["flags"] == ["spam"]


def test_unknown_recipient_is_dropped(api, tech, desk):
    assert (
        deliver(
            api,
            mail(desk).replace(desk["address"].encode(), b"nobody@nowhere.example"),
            "nobody@nowhere.example",
        )
        == "unknown_recipient"
    )


@pytest.mark.parametrize(
    ("name", "subject_part", "body_part"),
    [
        ("outlook_html_only.eml", None, None),
        ("latin1_plain_outlook.eml", "Imprimante", None),
        ("utf8_encoded_words.eml", None, None),
        ("gmail_reply_alternative.eml", "Printer on 2nd floor offline", None),
        ("apple_flowed_reply.eml", "VPN drops", None),
    ],
)
def test_real_world_mail_becomes_readable_tickets(api, tech, desk, name, subject_part, body_part):
    assert deliver(api, fixture(name, desk), desk["address"]) == "ticket_created"
    [t] = tickets(api, tech)
    assert t["subject"] and not t["subject"].lower().startswith(("re:", "aw:", "fwd:"))
    assert "<html" not in t["description"].lower() and "<script" not in t["description"].lower()
    if subject_part:
        assert subject_part in t["subject"]
    assert t["description"].strip()


def test_attachments_are_stored_and_listed(api, tech, desk):
    assert deliver(api, fixture("attachments_mixed.eml", desk), desk["address"]) == "ticket_created"
    [t] = tickets(api, tech)
    created = api.call("GET", f"/tickets/{t['id']}", tech).body["activity"][0]["change"]
    stored = created["attachments"]
    files = [a for a in stored if a["name"] != "original.eml"]
    assert len(files) >= 2 and all(a["size"] > 0 and a["key"].startswith("attachments/") for a in files)
    assert [a["key"] for a in stored if a["name"] == "original.eml"] == [
        stored[-1]["key"]
    ]  # the raw, linkable
    from regentra.services.deps import blob_store

    first = next(a for a in stored if a["name"] != "original.eml")
    assert len(blob_store().get(first["key"])) == first["size"]


def test_malformed_mime_never_crashes(api, tech, desk):
    outcome = deliver(api, fixture("malformed_mime.eml", desk), desk["address"])
    assert outcome in ("ticket_created", "loop")
    garbage = b"\xff\xfe\x00garbage\r\n\r\n\x00\x01" * 50
    assert deliver(api, garbage, desk["address"]) in ("loop", "unknown_recipient", "ticket_created")


def test_a_bounce_of_our_mail_is_noted_on_its_ticket(api, tech, desk):
    deliver(api, mail(desk), desk["address"])
    [t] = tickets(api, tech)
    api.call("POST", f"/tickets/{t['id']}/replies", tech, {"body": "Please try again"})
    [ours] = api.outbox(t["id"])
    bounce = fixture("bounce_dsn_our_mail.eml", desk).replace(
        b"<0102018fd2.ticket-1042.b2@mail.acme-it.example>", ours["message_id"].encode()
    )
    assert deliver(api, bounce, desk["address"]) == "bounce"
    d = api.call("GET", f"/tickets/{t['id']}", tech).body
    assert len(d["replies"]) == 1  # no reply from the bounce
    assert any("bounced" in n["body"] for n in d["notes"])
    assert len(tickets(api, tech)) == 1


def test_every_bounce_in_the_corpus_is_recognised(api, tech, desk, tenant):
    from regentra.services.deps import blob_store, default_deps
    from regentra.services.inbound import receive_email

    not_bounces = {"groupwise_03.txt", "qmail_08.txt"}  # a person's reply and an auto-reply, per upstream
    files = sorted(p for p in BOUNCES.glob("*.txt") if p.name not in not_bounces)
    assert len(files) >= 110
    outcomes = {}
    for path in files:
        raw = path.read_bytes()
        result = receive_email(
            default_deps(), blob_store(), raw, ses_message_id=path.name, ses_recipients=[desk["address"]]
        )
        outcomes[path.name] = result.outcome
    wrong = {k: v for k, v in outcomes.items() if v != "bounce"}
    print(f"bounces recognised: {len(files) - len(wrong)}/{len(files)}")
    assert wrong == {}
    assert tickets(api, tech) == []
