"""The customer portal, the chat widget and inbox, the admin screens and the notifications bell, in
Chromium against a real `regentra local` (fixtures: tests/browser/conftest.py).

Each test makes its own data (unique subjects, titles, rule names) through the API or the UI, so the
tests share the module's stack without depending on each other or on the demo tickets."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import expect


def _tag() -> str:
    return uuid.uuid4().hex[:8]


# --------------------------------------------------------------------------------------------------
# Portal
# --------------------------------------------------------------------------------------------------
def test_customer_submits_a_ticket_sees_it_in_their_list_and_replies(page, sign_in, web_stack, api, artifact):
    session = sign_in(page, "Dana Reyes")
    expect(page).to_have_url(re.compile(r"/portal$"))
    subject = f"Scanner jams on every page {_tag()}"

    page.get_by_role("link", name="New ticket").first.click()
    expect(page).to_have_url(re.compile(r"/portal/new$"))
    page.get_by_test_id("portal-new-subject").fill(subject)
    page.get_by_test_id("portal-new-description").fill("The office scanner jams on every page since Monday.")
    page.get_by_test_id("portal-new-priority").select_option("HIGH")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/tickets")) as sent:
        page.get_by_test_id("portal-new-submit").click()
    assert sent.value.headers.get("idempotency-key"), "a portal submission carries an Idempotency-Key"

    expect(page).to_have_url(re.compile(r"/portal/tickets/[0-9A-Z]+$"))
    ticket_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("portal-ticket-title")).to_contain_text(subject)
    expect(page.get_by_test_id("portal-created")).to_be_visible()

    # The API agrees: one PORTAL ticket of Dana's client and contact, at the chosen priority.
    ticket = api.get(f"/tickets/{ticket_id}")
    assert ticket["subject"] == subject and ticket["channel"] == "PORTAL" and ticket["priority"] == "HIGH"
    assert ticket["client_id"] == session["client_id"] and ticket["contact_id"] == session["contact_id"]

    # Staff-only material never reaches the portal page: a note, time, the AI analysis.
    secret = f"internal-note-{_tag()}"
    api.post(f"/tickets/{ticket_id}/notes", {"body": f"Firewall rule 12 {secret}"}, expect=201)
    api.post(
        f"/tickets/{ticket_id}/time-entries", {"minutes": 17, "billable": True, "note": secret}, expect=201
    )
    api.post(f"/tickets/{ticket_id}/replies", {"body": "Please power-cycle the scanner."}, expect=201)
    page.reload()
    thread = page.get_by_test_id("portal-thread")
    expect(thread).to_contain_text("Please power-cycle the scanner.")
    body = page.locator("main").inner_text()
    assert secret not in body  # neither the note nor the time entry's note
    for staff_only in ("Internal note", "billable", "Activity", "Analysis", "Suggested priority", "tom-tech"):
        assert staff_only not in body, f"{staff_only!r} shown to a customer"

    # The customer replies from the portal.
    reply = f"Power-cycled it, still jams {_tag()}"
    page.get_by_test_id("portal-reply-box").fill(reply)
    page.get_by_test_id("portal-reply-send").click()
    expect(thread.get_by_test_id("portal-reply").filter(has_text=reply)).to_be_visible()
    expect(page.get_by_test_id("portal-reply-box")).to_have_value("")
    replies = api.get(f"/tickets/{ticket_id}")["replies"]
    assert [r["author_type"] for r in replies if r["body"] == reply] == ["customer"]

    # And the ticket is in their list.
    page.get_by_role("link", name="My tickets", exact=True).click()
    row = page.get_by_test_id(f"portal-row-{ticket['number']}")
    expect(row).to_contain_text(subject)
    artifact(page, "portal")
    row.get_by_role("link", name=subject).click()
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{ticket_id}$"))
    artifact(page, "portal-ticket")


def test_a_portal_user_cannot_see_another_clients_ticket(page, sign_in, web_stack):
    other = web_stack.create_ticket(f"Birch only {_tag()}", client="Birch Logistics")
    mine = web_stack.create_ticket(f"Acme portal {_tag()}", who="Dana Reyes")

    sign_in(page, "Dana Reyes", goto=f"/portal/tickets/{other['id']}")
    expect(page.get_by_test_id("not-found")).to_contain_text("Ticket not found")
    expect(page.get_by_text(other["subject"])).to_have_count(0)

    page.goto("/portal")
    expect(page.get_by_test_id(f"portal-row-{mine['number']}")).to_contain_text(mine["subject"])
    expect(page.get_by_test_id(f"portal-row-{other['number']}")).to_have_count(0)
    expect(page.get_by_text(other["subject"])).to_have_count(0)

    # Their own ticket opens normally.
    page.goto(f"/portal/tickets/{mine['id']}")
    expect(page.get_by_test_id("portal-ticket-title")).to_contain_text(mine["subject"])
    expect(page.get_by_test_id("not-found")).to_have_count(0)


def test_customer_attaches_a_file_to_their_ticket(page, sign_in, web_stack, api):
    mine = web_stack.create_ticket(f"Error screenshot {_tag()}", who="Dana Reyes")
    sign_in(page, "Dana Reyes", goto=f"/portal/tickets/{mine['id']}")
    expect(page.get_by_test_id("portal-ticket-title")).to_contain_text(mine["subject"])
    page.get_by_test_id("portal-attach").set_input_files(
        {"name": "error-log.txt", "mimeType": "text/plain", "buffer": b"0x80070005 access denied\n"}
    )
    listed = page.get_by_test_id("portal-attachments")
    expect(listed.get_by_role("button", name="error-log.txt")).to_be_visible()
    stored = api.get(f"/tickets/{mine['id']}")["attachments"]
    assert [(a["filename"], a["size"]) for a in stored] == [("error-log.txt", 25)]
    with page.expect_download() as download:
        listed.get_by_role("button", name="error-log.txt").click()
    assert download.value.suggested_filename == "error-log.txt"
    assert Path(download.value.path()).read_bytes() == b"0x80070005 access denied\n"


# --------------------------------------------------------------------------------------------------
# Chat
# --------------------------------------------------------------------------------------------------
def _active_session_of(api, contact_id: str) -> dict:
    sessions = api.get("/chat/sessions", query={"state": "active", "limit": 100})["items"]
    found = [s for s in sessions if s["contact_id"] == contact_id]
    assert found, f"no active chat for contact {contact_id}: {sessions}"
    return found[0]


def test_customer_chats_ends_it_and_sees_the_ticket_it_became(page, sign_in, api):
    session = sign_in(page, "Erik Lund", goto="/portal/chat")
    first = f"Our printer is offline {_tag()}"
    page.get_by_test_id("chat-input").fill(first)
    page.get_by_test_id("chat-send").click()
    log = page.get_by_test_id("chat-log")
    expect(log).to_contain_text(first)

    # A technician answers (through the API); the widget's poll shows it.
    chat = _active_session_of(api, session["contact_id"])
    api.post(
        f"/chat/sessions/{chat['id']}/messages",
        {"body": "Hi Erik, checking the print server now."},
        expect=201,
    )
    expect(log).to_contain_text("checking the print server now")

    page.get_by_test_id("chat-input").fill("Thanks, it works again!")
    page.get_by_test_id("chat-send").click()
    expect(log).to_contain_text("it works again")

    page.get_by_test_id("chat-end").click()
    ended = page.get_by_test_id("chat-ended")
    expect(ended).to_contain_text(re.compile(r"Your chat became ticket #\d+"))
    ticket_id = api.get(f"/chat/sessions/{chat['id']}")["ticket_id"]
    ticket = api.get(f"/tickets/{ticket_id}")
    assert ticket["channel"] == "CHAT" and ticket["client_id"] == session["client_id"]
    link = page.get_by_test_id("chat-ticket-link")
    expect(link).to_have_text(f"ticket #{ticket['number']}")

    link.click()
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{ticket_id}$"))
    expect(page.get_by_test_id("portal-ticket-title")).to_contain_text(first)


def test_staff_answer_and_end_a_chat_from_the_inbox(page, sign_in, web_stack, api):
    customer = web_stack.session("Fay Okafor")
    opening = f"Cannot open the case files {_tag()}"
    chat = api.as_(customer).post("/chat/sessions", {"message": opening}, expect=201)

    sign_in(page, "technician", goto="/chat")
    item = page.get_by_test_id(f"chat-session-{chat['id']}")
    expect(item).to_contain_text("Fay Okafor")
    item.click()
    panel = page.get_by_test_id("chat-panel")
    expect(panel.get_by_test_id("chat-log")).to_contain_text(opening)

    panel.get_by_test_id("chat-input").fill("Hi Fay, which folder?")
    panel.get_by_test_id("chat-send").click()
    expect(panel.get_by_test_id("chat-log")).to_contain_text("which folder?")
    messages = api.as_(customer).get(f"/chat/sessions/{chat['id']}")["messages"]
    assert [m["author_type"] for m in messages] == ["customer", "staff"]

    panel.get_by_test_id("chat-end").click()
    expect(panel.get_by_test_id("chat-ended")).to_contain_text(re.compile(r"became ticket #\d+"))
    ticket_id = api.get(f"/chat/sessions/{chat['id']}")["ticket_id"]
    number = api.get(f"/tickets/{ticket_id}")["number"]
    expect(panel.get_by_test_id("chat-ticket-link")).to_have_text(f"ticket #{number}")
    expect(panel.get_by_test_id("chat-ticket-link")).to_have_attribute("href", f"/tickets/{ticket_id}")


# --------------------------------------------------------------------------------------------------
# Admin
# --------------------------------------------------------------------------------------------------
def test_admin_creates_a_kb_article_and_sees_it_listed(page, sign_in, api):
    sign_in(page, "admin", goto="/admin/kb")
    title = f"Resetting the Wi-Fi password {_tag()}"
    page.get_by_test_id("kb-new").click()
    page.get_by_test_id("kb-title").fill(title)
    page.get_by_test_id("kb-body").fill("## Steps\n\n1. Open the router page.\n2. Choose **Wireless**.\n")
    page.get_by_test_id("kb-tags").fill("wifi, network")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("kb-preview").locator("strong")).to_have_text("Wireless")
    page.get_by_test_id("kb-save").click()

    expect(page).to_have_url(re.compile(r"/admin/kb$"))
    table = page.get_by_test_id("kb-articles")
    row = table.locator("tr", has_text=title)
    expect(row).to_be_visible()
    expect(row).to_contain_text("wifi")
    stored = [a for a in api.as_("admin").get("/kb/articles")["items"] if a["title"] == title]
    assert len(stored) == 1 and stored[0]["tags"] == ["wifi", "network"]
    assert "2. Choose **Wireless**." in stored[0]["body"]


def test_admin_manages_sla_policies_with_errors_shown_inline(page, sign_in, web_stack, api):
    admin = api.as_("admin")
    name = f"Gold {_tag()}"
    page.on("dialog", lambda d: d.accept())  # the delete confirmation
    sign_in(page, "admin", goto="/admin/sla")
    page.get_by_test_id("sla-new").click()
    page.get_by_test_id("sla-name").fill(name)
    page.get_by_test_id("sla-timezone").fill("Mars/Olympus")
    page.get_by_label("HIGH response minutes").fill("0")
    page.get_by_test_id("sla-save").click()
    form = page.get_by_test_id("sla-form")
    expect(form.locator(".field-error", has_text="unknown timezone")).to_be_visible()
    expect(form.locator("tr", has_text="HIGH").locator(".field-error")).to_contain_text("greater than 0")

    page.get_by_test_id("sla-timezone").fill("Europe/Berlin")
    page.get_by_label("HIGH response minutes").fill("45")
    page.get_by_test_id("sla-save").click()
    expect(page).to_have_url(re.compile(r"/admin/sla$"))
    row = page.get_by_test_id("sla-policies").locator("tr", has_text=name)
    expect(row).to_contain_text("Europe/Berlin")
    policy = next(p for p in admin.get("/sla-policies")["items"] if p["name"] == name)
    assert policy["targets"]["HIGH"]["response_minutes"] == 45 and policy["timezone"] == "Europe/Berlin"

    # Assign it to a client; deleting it is then refused (409) and the reason is shown.
    birch = web_stack.client_id("Birch Logistics")
    page.get_by_label("SLA policy of Birch Logistics").select_option(label=name)
    expect(row.locator("td").nth(3)).to_have_text("1")
    assert admin.get(f"/clients/{birch}")["sla_policy_id"] == policy["id"]
    row.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("alert").filter(has_text="assigned to a client")).to_be_visible()

    page.get_by_label("SLA policy of Birch Logistics").select_option(label="Default")
    expect(row.locator("td").nth(3)).to_have_text("0")
    assert admin.get(f"/clients/{birch}")["sla_policy_id"] is None
    row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    assert all(p["name"] != name for p in admin.get("/sla-policies")["items"])


def test_admin_sees_api_validation_errors_inline(page, sign_in):
    sign_in(page, "admin", goto="/admin/automations/new")
    page.get_by_test_id("automation-name").fill(f"Bad tag {_tag()}")
    action = page.get_by_test_id("automation-action").first
    action.get_by_label("Action 1 type").select_option("add_tag")
    action.get_by_label("Action 1 value").fill("NOT A TAG")
    page.get_by_test_id("automation-save").click()
    # The 400's detail (field actions.0.value) is shown beside that action, not only as a banner.
    expect(action.locator(".field-error")).to_contain_text("add_tag needs a tag")
    expect(page).to_have_url(re.compile(r"/admin/automations/new$"))


def test_automation_dry_run_shows_matched_conditions_and_would_run_actions(page, sign_in, web_stack, api):
    admin = api.as_("admin")
    tag = f"dry-{_tag()}"
    rule = admin.post(
        "/automations",
        {
            "name": f"Tag critical tickets {tag}",
            "enabled": False,  # only dry-run here: it must not act on other tests' tickets
            "trigger": "ticket.created",
            "conditions": [{"field": "priority", "operator": "equals", "value": "CRITICAL"}],
            "actions": [{"type": "add_tag", "value": tag}],
        },
        expect=201,
    )
    hit = web_stack.create_ticket(f"Server room alarm {tag}", priority="CRITICAL")
    miss = web_stack.create_ticket(f"Mouse is slow {tag}", priority="LOW")

    sign_in(page, "admin", goto="/admin/automations")
    page.get_by_test_id(f"automation-row-{rule['id']}").get_by_role("link", name=rule["name"]).click()
    expect(page).to_have_url(re.compile(rf"/admin/automations/{rule['id']}$"))

    page.get_by_test_id("automation-test-ticket").fill(hit["id"])
    page.get_by_test_id("automation-test-run").click()
    result = page.get_by_test_id("automation-test-result")
    expect(result.get_by_test_id("automation-test-verdict")).to_have_text("Would execute")
    expect(result.get_by_test_id("automation-test-condition")).to_contain_text("priority equals CRITICAL")
    expect(result.get_by_test_id("automation-test-condition")).to_have_class(re.compile(r"\bok\b"))
    expect(result.get_by_test_id("automation-test-action")).to_contain_text(f"add_tag {tag}")
    expect(result.get_by_test_id("automation-test-action")).to_contain_text("would run")

    page.get_by_test_id("automation-test-ticket").fill(miss["id"])
    page.get_by_test_id("automation-test-run").click()
    expect(result.get_by_test_id("automation-test-verdict")).to_have_text("Would not execute")
    # A policy may have raised LOW to HIGH meanwhile (a spike of this client's tickets), never to CRITICAL.
    actual = api.get(f"/tickets/{miss['id']}")["priority"]
    assert actual != "CRITICAL"
    expect(result.get_by_test_id("automation-test-condition")).to_contain_text(f"actual {actual}")
    expect(result.get_by_test_id("automation-test-condition")).to_have_class(re.compile(r"\berror\b"))
    expect(result.get_by_test_id("automation-test-action")).to_contain_text("would not run")

    # A dry run writes nothing: no tag, no run logged.
    assert tag not in api.get(f"/tickets/{hit['id']}").get("tags", [])
    assert admin.get(f"/automations/{rule['id']}/runs")["items"] == []
    expect(page.get_by_test_id("automation-runs-empty")).to_be_visible()

    # The enable toggle on the list flips the stored rule.
    page.get_by_role("link", name="← All rules").click()
    toggle = page.get_by_test_id(f"automation-enabled-{rule['id']}")
    expect(toggle).not_to_be_checked()
    toggle.click()
    expect(toggle).to_be_checked()
    assert admin.get(f"/automations/{rule['id']}")["enabled"] is True
    admin.delete(f"/automations/{rule['id']}", expect=204)


def test_the_bell_counts_new_notifications_for_staff(page, sign_in, web_stack, api):
    admin = api.as_("admin")
    marker = f"bell-{_tag()}"
    rule = admin.post(
        "/automations",
        {
            "name": f"Notify Tom {marker}",
            "trigger": "ticket.created",
            "conditions": [{"field": "subject", "operator": "contains", "value": marker}],
            "actions": [
                {"type": "send_notification", "value": {"user_id": "tom-tech", "message": f"New: {marker}"}}
            ],
        },
        expect=201,
    )
    try:
        sign_in(page, "technician")
        bell = page.get_by_test_id("bell")
        expect(bell).to_be_visible()
        bell.click()  # mark what exists now as seen
        bell.click()
        expect(page.get_by_test_id("bell-count")).to_have_count(0)

        web_stack.create_ticket(f"Printer smoking {marker}")
        page.reload()
        expect(page.get_by_test_id("bell-count")).to_have_text("1")
        bell.click()
        expect(page.get_by_test_id("bell-menu")).to_contain_text(f"New: {marker}")
        expect(page.get_by_test_id("bell-count")).to_have_count(0)
    finally:
        admin.delete(f"/automations/{rule['id']}", expect=204)
