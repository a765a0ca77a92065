"""The README's `make dev` + curl sequence, against the real `regentra local` process."""

from __future__ import annotations


def test_readme_sequence_and_restart(local_stack, java_processes_for):
    s = local_stack
    tech = s.token(tenant_id="demo-msp", role="technician", user_id="tom-tech")

    status, listed = s.request("GET", "/tickets", token=tech)
    assert status == 200 and len(listed["items"]) == 10, listed  # the demo tickets
    acme = next(t["client_id"] for t in listed["items"] if t["subject"].startswith("VPN down"))

    status, created = s.request(
        "POST",
        "/tickets",
        {"subject": "Outlook keeps crashing", "priority": "HIGH", "client_id": acme},
        token=tech,
    )
    assert status == 201 and created["number"] == 11 and created["status"] == "OPEN"
    path = f"/tickets/{created['id']}"

    status, moved = s.request("PATCH", path, {"status": "IN_PROGRESS"}, token=tech, headers={"If-Match": "1"})
    assert status == 200 and moved["status"] == "IN_PROGRESS" and moved["version"] == 2
    status, stale = s.request("PATCH", path, {"status": "RESOLVED"}, token=tech, headers={"If-Match": "1"})
    assert status == 412 and stale["error"]["code"] == "version_mismatch"
    status, resolved = s.request("PATCH", path, {"status": "RESOLVED"}, token=tech, headers={"If-Match": "2"})
    assert status == 200 and resolved["status"] == "RESOLVED"
    status, illegal = s.request("PATCH", path, {"status": "WAITING_ON_CUSTOMER"}, token=tech)
    assert status == 409 and illegal["error"]["code"] == "invalid_transition"
    status, closed = s.request("PATCH", path, {"status": "CLOSED"}, token=tech)
    assert status == 200 and closed["status"] == "CLOSED"

    status, detail = s.request("GET", path, token=tech)
    assert [a["change"].get("to") for a in detail["activity"][1:]] == ["IN_PROGRESS", "RESOLVED", "CLOSED"]

    intruder = s.token(tenant_id="another-msp", role="admin", user_id="eve")
    assert s.request("GET", path, token=intruder)[0] == 404

    once = {"subject": "Retry me", "client_id": acme}
    a = s.request("POST", "/tickets", once, token=tech, headers={"Idempotency-Key": "k-1"})
    b = s.request("POST", "/tickets", once, token=tech, headers={"Idempotency-Key": "k-1"})
    assert a == b and a[0] == 201

    status, clock = s.request("POST", "/_local/clock", {"advance_minutes": 90})
    assert status == 200 and "now" in clock

    # Ctrl-C stops Java too; the data survives a restart and the demo is not seeded twice.
    assert s.stop() == 0
    assert java_processes_for(s.data_dir) == []
    s.start()
    tech = s.token(tenant_id="demo-msp", role="technician", user_id="tom-tech")
    status, again = s.request("GET", path, token=tech)
    assert status == 200 and again["status"] == "CLOSED" and again["version"] == closed["version"]
    assert len(s.request("GET", "/tickets", token=tech)[1]["items"]) == 12
    status, later = s.request("GET", "/_local/clock")
    assert later["now"] >= clock["now"]  # the local clock's advance survives too


def test_local_routes_reject_bad_input(local_stack):
    s = local_stack
    assert s.request("POST", "/_local/token", {"tenant_id": "x", "role": "god", "user_id": "u"})[0] == 400
    assert (
        s.request("POST", "/_local/token", {"tenant_id": "x", "role": "customer", "user_id": "u"})[0] == 400
    )
    assert s.request("POST", "/_local/clock", {"advance_minutes": -5})[0] == 400
    assert s.request("POST", "/_local/clock", {"advance_minutes": "soon"})[0] == 400
    assert s.request("GET", "/nowhere")[0] == 404
    assert s.request("GET", "/tickets")[0] == 401


def test_watch_a_ticket_go_at_risk_breached_and_auto_close(local_stack):
    """Advancing the local clock runs the SLA sweep and auto-close schedules from template.yaml."""
    s = local_stack
    tech = s.token(tenant_id="demo-msp", role="technician", user_id="tom-tech")
    client = s.request("GET", "/tickets", token=tech)[1]["items"][0]["client_id"]
    status, t = s.request(
        "POST",
        "/tickets",
        {"subject": "Server down", "priority": "CRITICAL", "client_id": client},
        token=tech,
    )
    assert status == 201
    path = f"/tickets/{t['id']}"

    def sweep_events() -> list[dict]:
        return [
            a["change"]
            for a in s.request("GET", path, token=tech)[1]["activity"]
            if a["source"] == "schedule:sla_sweep"
        ]

    s.request("POST", "/_local/clock", {"advance_minutes": 23})  # CRITICAL response: 30 min, at risk at 22.5
    ticket = s.request("GET", path, token=tech)[1]
    assert ticket["sla"]["response"]["status"] == "AT_RISK"
    assert sweep_events() == [{"event": "sla_at_risk", "timer": "response"}]
    s.request("POST", "/_local/clock", {"advance_minutes": 8})
    assert s.request("GET", path, token=tech)[1]["sla"]["status"] == "BREACHED"
    assert {"event": "sla_breached", "timer": "response"} in sweep_events()
    published = [
        e
        for e in s.request("GET", "/_local/events")[1]["items"]
        if e["detail"].get("ticket_id") == t["id"] and e["type"].startswith("Sla")
    ]
    assert [e["type"] for e in published] == ["SlaAtRisk", "SlaBreached"]

    assert s.request("PATCH", path, {"status": "RESOLVED"}, token=tech)[0] == 200
    s.request("POST", "/_local/clock", {"advance_minutes": 24 * 60 - 2})
    assert s.request("GET", path, token=tech)[1]["status"] == "RESOLVED"
    s.request(
        "POST", "/_local/clock", {"advance_minutes": 3}
    )  # schedules fire on whole minutes: <= 1 min late
    closed = s.request("GET", path, token=tech)[1]
    assert closed["status"] == "CLOSED"
    assert closed["activity"][-1]["change"]["event"] == "auto_closed"
    assert closed["sla"]["response"]["status"] == "BREACHED"  # a breach is permanent


def test_conversation_through_the_local_stack(local_stack):
    s = local_stack
    tech = s.token(tenant_id="demo-msp", role="technician", user_id="tom-tech")
    vpn = next(
        t for t in s.request("GET", "/tickets", token=tech)[1]["items"] if t["subject"].startswith("VPN")
    )
    path = f"/tickets/{vpn['id']}"
    cust = s.token(
        tenant_id="demo-msp",
        role="customer",
        user_id="dana",
        client_id=vpn["client_id"],
        contact_id=vpn["contact_id"],
    )

    assert (
        s.request(
            "POST",
            f"{path}/replies",
            {"body": "Restart the VPN client, please.", "set_status": "WAITING_ON_CUSTOMER"},
            token=tech,
        )[0]
        == 201
    )
    [mail] = [m for m in s.request("GET", "/_local/outbox")[1]["items"] if m["ticket_id"] == vpn["id"]]
    assert mail["channel"] == "EMAIL" and mail["to"] == "dana@acme-dental.test"
    assert f"[#{vpn['number']}]" in mail["subject"] and mail["message_id"].startswith("<reply-")

    assert (
        s.request("POST", f"{path}/notes", {"body": "Their router firmware is ancient"}, token=tech)[0] == 201
    )
    for minutes, billable in ((20, True), (10, False)):
        s.request("POST", f"{path}/time-entries", {"minutes": minutes, "billable": billable}, token=tech)

    assert s.request("POST", f"{path}/replies", {"body": "Still no luck"}, token=cust)[0] == 201
    assert s.request("GET", path, token=tech)[1]["status"] == "IN_PROGRESS"

    s.request("PATCH", path, {"status": "RESOLVED"}, token=tech)
    s.request("PATCH", path, {"status": "CLOSED"}, token=tech)
    status, later = s.request("POST", f"{path}/replies", {"body": "It is down again"}, token=cust)
    assert status == 201 and later["follow_up_ticket_id"] != vpn["id"]

    staff_view = s.request("GET", path, token=tech)[1]
    assert staff_view["status"] == "CLOSED"
    assert staff_view["links"]["follow_ups"] == [later["follow_up_ticket_id"]]
    assert staff_view["time_totals"] == {"billable_minutes": 20, "non_billable_minutes": 10}
    customer_view = s.request("GET", path, token=cust)[1]
    assert "notes" not in customer_view and "firmware" not in str(customer_view)
    follow_up = s.request("GET", f"/tickets/{later['follow_up_ticket_id']}", token=cust)[1]
    assert follow_up["follow_up_of"] == vpn["id"] and follow_up["status"] == "OPEN"


def test_inbound_mail_and_sms_through_the_local_stack(local_stack):
    from email.message import EmailMessage

    s = local_stack
    tech = s.token(tenant_id="demo-msp", role="technician", user_id="tom-tech")

    def email(subject: str, body: str, message_id: str, **headers: str) -> EmailMessage:
        m = EmailMessage()
        m["From"], m["To"], m["Subject"], m["Message-ID"] = (
            "Erik Lund <erik@birch.test>",
            "support@demo-msp.test",
            subject,
            message_id,
        )
        for k, v in headers.items():
            m[k.replace("_", "-")] = v
        m.set_content(body)
        return m

    s.send_mail(email("Scanner jams", "The scanner jams on every page.", "<e2e-1@birch.test>"))
    [t] = [
        x
        for x in s.request("GET", "/tickets?channel=EMAIL", token=tech)[1]["items"]
        if x["subject"] == "Scanner jams"
    ]
    assert t["status"] == "OPEN"
    s.send_mail(email("Scanner jams", "The scanner jams on every page.", "<e2e-1@birch.test>"))  # duplicate
    assert (
        len(
            [
                x
                for x in s.request("GET", "/tickets?channel=EMAIL", token=tech)[1]["items"]
                if x["subject"] == "Scanner jams"
            ]
        )
        == 1
    )

    s.request("POST", f"/tickets/{t['id']}/replies", {"body": "Please clean the rollers."}, token=tech)
    [ours] = [m for m in s.request("GET", "/_local/outbox")[1]["items"] if m["ticket_id"] == t["id"]]
    answer = "Done, it works now.\n\nOn Mon, 23 Nov 2026, Support wrote:\n> Please clean the rollers.\n"
    s.send_mail(email("Re: " + ours["subject"], answer, "<e2e-2@birch.test>", In_Reply_To=ours["message_id"]))
    detail = s.request("GET", f"/tickets/{t['id']}", token=tech)[1]
    assert [r["body"] for r in detail["replies"]] == ["Please clean the rollers.", "Done, it works now."]

    before = len(s.request("GET", "/tickets", token=tech)[1]["items"])
    s.send_mail(
        email(
            "Automatic reply: away",
            "I am out of the office.",
            "<e2e-3@birch.test>",
            Auto_Submitted="auto-replied",
        )
    )
    assert len(s.request("GET", "/tickets", token=tech)[1]["items"]) == before
    assert not [
        m
        for m in s.request("GET", "/_local/outbox")[1]["items"]
        if m["to"] == "erik@birch.test" and "away" in (m["subject"] or "")
    ]

    sms = {"from": "+15550177777", "to": "+15550100100"}
    assert s.request("POST", "/_local/sms", {**sms, "body": "Wifi is down"})[0] == 200
    assert s.request("POST", "/_local/sms", {**sms, "body": "Still down"})[0] == 200
    [st] = [
        x
        for x in s.request("GET", "/tickets?channel=SMS", token=tech)[1]["items"]
        if x["subject"] == "Wifi is down"
    ]
    assert [r["body"] for r in s.request("GET", f"/tickets/{st['id']}", token=tech)[1]["replies"]] == [
        "Still down"
    ]
    s.request("POST", "/_local/sms", {**sms, "body": "STOP"})
    s.request("POST", f"/tickets/{st['id']}/replies", {"body": "Rebooted the router"}, token=tech)
    assert [m for m in s.request("GET", "/_local/outbox")[1]["items"] if m["ticket_id"] == st["id"]] == []
    assert s.request("POST", "/_local/sms", {"from": "x"})[0] == 400

    # a portal user sees only their own client's tickets
    acme = next(
        x for x in s.request("GET", "/tickets", token=tech)[1]["items"] if x["subject"].startswith("VPN")
    )
    cust = s.token(
        tenant_id="demo-msp",
        role="customer",
        user_id="dana",
        client_id=acme["client_id"],
        contact_id=acme["contact_id"],
    )
    mine = s.request("GET", "/tickets", token=cust)[1]["items"]
    assert mine and {x["client_id"] for x in mine} == {acme["client_id"]}
    assert s.request("GET", f"/tickets/{t['id']}", token=cust)[0] == 404


def test_start_up_says_what_it_is_doing_with_times(local_stack):
    """`make dev` is never silent: each start-up phase is printed with the seconds since start, in order,
    before the banner; under `make build-check` the banner says it serves the build."""
    import os
    import re

    log = local_stack.log.read_text(errors="replace")
    phases = re.findall(r"^\s+\[\s*([0-9.]+) s\] (.+)$", log, flags=re.M)
    names = [name for _, name in phases]
    assert [n.split(" at ")[0] for n in names] == [
        "DynamoDB Local ready",
        "tables ready",
        "demo data written",
        "demo indexed for search",
        "API, web app and SMTP listening",
    ]
    times = [float(t) for t, _ in phases]
    assert times == sorted(times) and times[0] > 0
    assert log.index("Starting Regentra Tickets") < log.index("DynamoDB Local ready") < log.index("is running at")
    assert ("Serving the build in" in log) == bool(os.environ.get("REGENTRA_BUILD_DIR"))
