"""The web app served by `regentra local`, in Chromium: it loads, sends strangers to /signin, offers the
demo users, signs the technician in onto the board; the harness itself (sign-in helpers, API setup,
error capture, screenshots) works."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect


def test_the_app_loads_at_root_and_sends_a_stranger_to_signin(page):
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert "text/html" in response.headers.get("content-type", "")
    expect(page).to_have_url(re.compile(r"/signin(\?|$)"))
    expect(page).to_have_title(re.compile("Regentra"))


def test_a_deep_link_to_a_screen_serves_the_app_not_the_api(page):
    # /tickets is both a screen (the list) and an API route: a browser navigation must get the app.
    response = page.goto("/tickets?status=OPEN")
    assert response is not None and response.status == 200
    assert "text/html" in response.headers.get("content-type", "")
    expect(page).to_have_url(re.compile(r"/signin\?next="))


def test_the_signin_page_lists_the_demo_users(page, web_stack, artifact):
    page.goto("/signin")
    assert len(web_stack.demo) >= 6  # admin, technician, read-only, one customer per demo client
    for user in web_stack.demo:
        button = page.get_by_test_id(f"signin-{user['user_id']}")
        expect(button).to_be_visible()
        expect(button).to_contain_text(user["name"])
    shot = artifact(page, "signin")
    assert shot.is_file() and shot.stat().st_size > 1000


def test_the_technician_signs_in_and_lands_on_the_board(page, sign_in_via_ui):
    session = sign_in_via_ui(page, "technician")
    expect(page).to_have_url(re.compile(r"/board$"))
    assert session["user_id"] == "tom-tech" and session["role"] == "technician" and session["token"]
    assert session["tenant_id"] == "demo-msp"
    expect(page.get_by_test_id("who")).to_contain_text("technician")


def test_a_customer_signed_in_the_fast_way_is_in_the_portal(page, sign_in_fast, web_stack):
    session = sign_in_fast(page, "Dana Reyes")
    expect(page).to_have_url(re.compile(r"/portal$"))
    expect(page.get_by_test_id("who")).to_contain_text("Dana Reyes")
    assert session["client_id"] == web_stack.client_id("Acme Dental")
    # The token in the page is a working one: the customer's API sees only Acme Dental's tickets.
    tickets = web_stack.api.as_(session).get("/tickets")["items"]
    assert tickets and {t["client_id"] for t in tickets} == {session["client_id"]}


def test_openapi_json_is_served(page):
    response = page.request.get("/openapi.json")
    assert response.status == 200, response.text()
    doc = response.json()
    assert str(doc["openapi"]).startswith("3.")
    assert "/tickets" in doc["paths"]
    assert any(re.fullmatch(r"/tickets/\{[a-z_]+\}", path) for path in doc["paths"])


def test_setup_through_the_api(web_stack, api):
    ticket = web_stack.create_ticket(priority="HIGH", client="Cobalt Law")
    read = api.get(f"/tickets/{ticket['id']}")
    assert read["subject"] == ticket["subject"] and read["client_id"] == web_stack.client_id("Cobalt Law")
    assert api.request("PATCH", f"/tickets/{ticket['id']}", {"status": "WAITING"}).status == 400
    mine = web_stack.create_ticket("Portal ticket", who="customer")
    assert mine["client_id"] == web_stack.client_id("Acme Dental")
    incident = web_stack.create_incident(children=3, resolved=1)
    assert [c["status"] for c in incident["children"]] == ["OPEN", "OPEN", "RESOLVED"]
    assert all(c["master_id"] == incident["master"]["id"] for c in incident["children"])
    before = api.as_("admin").get("/tickets", query={"limit": 1})
    assert before["items"]
    now = web_stack.advance_clock(0)["now"]
    assert now


def test_the_harness_catches_uncaught_page_errors(page, console):
    page.goto("/_local/demo")
    page.evaluate("setTimeout(() => { throw new Error('boom from the harness test'); }, 0)")
    deadline = time.monotonic() + 10
    while not console.unexpected() and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert any("boom from the harness test" in e for e in console.unexpected()), console.errors
    console.clear()  # expected here: the page fixture would fail the test otherwise


def test_a_token_the_api_no_longer_accepts_sends_the_user_to_sign_in_again(page):
    # A session from before a restart of `regentra local` (its tokens live as long as the process).
    page.goto("/signin")
    stale = {"token": "no-longer-valid", "tenant_id": "demo-msp", "role": "technician", "user_id": "tom-tech"}
    page.evaluate("s => localStorage.setItem('regentra.session', JSON.stringify(s))", stale)
    page.goto("/board")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fboard&expired=1"))
    expect(page.get_by_test_id("session-expired")).to_be_visible()
    assert page.evaluate("localStorage.getItem('regentra.session')") is None
