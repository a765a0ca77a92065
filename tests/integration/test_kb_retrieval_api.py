"""The persistent per-tenant KB index through the local gateway: the table's stream feeds it
(IndexKbFunction, drained after every call), drafts retrieve from it, and the KB list pages."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from regentra.adapters.kb_index import TantivyKbIndex

VPN_BODY = """Use this when a VPN token stops working or shows an error.

## Reset the token
1. Open the self-service portal at portal.example.test.
2. Choose **Security** > **VPN token** and click **Reset token**.
3. Scan the new QR code in the authenticator app.
"""
PRINTER_BODY = """## Clear a paper jam
1. Open the front tray of the printer.
2. Pull the jammed paper out gently.
"""


def _article(api: Any, token: str, title: str, body: str) -> dict[str, Any]:
    r = api.call("POST", "/kb/articles", token, {"title": title, "body": body, "tags": []})
    assert r.status == 201, r.body
    return dict(r.body)


def _ticket(api: Any, token: str, client_id: str, subject: str, description: str = "") -> str:
    r = api.call(
        "POST", "/tickets", token, {"subject": subject, "description": description, "client_id": client_id}
    )
    assert r.status == 201, r.body
    return str(r.body["id"])


def _draft(api: Any, token: str, ticket_id: str) -> dict[str, Any]:
    r = api.call("POST", f"/tickets/{ticket_id}/ai-draft", token)
    assert r.status == 200, r.body
    return dict(r.body)


def _index() -> TantivyKbIndex:
    return TantivyKbIndex(Path(os.environ["REGENTRA_DATA_DIR"]) / "kb")


def test_draft_sources_follow_create_update_and_delete(api: Any, tech: str, client_id: str) -> None:
    vpn = _article(api, tech, "Resetting a VPN token", VPN_BODY)
    # The stream has indexed it: the sections are in the tenant's index on disk.
    sections = _index().sections(api.tenant_id)
    assert [(c.article_id, c.heading, version) for c, version, _ in sections] == [
        (vpn["id"], "", 1),
        (vpn["id"], "Reset the token", 1),
    ]
    tid = _ticket(api, tech, client_id, "my VPN token stopped working", "It says invalid code.")
    first = _draft(api, tech, tid)
    assert first["sources"] == [{"article_id": vpn["id"], "title": "Resetting a VPN token"}]
    assert first["retrieval"] == "bm25"  # no embedding model configured here
    assert "Reset token" in first["draft"]

    # The article is rewritten about printers: the VPN ticket no longer finds it, a printer one does.
    r = api.call("PUT", f"/kb/articles/{vpn['id']}", tech, {"title": "Printer jams", "body": PRINTER_BODY})
    assert r.status == 200, r.body
    assert {version for _, version, _ in _index().sections(api.tenant_id)} == {2}
    assert _draft(api, tech, tid)["sources"] == []
    printer_ticket = _ticket(api, tech, client_id, "The printer has a paper jam again")
    assert _draft(api, tech, printer_ticket)["sources"] == [
        {"article_id": vpn["id"], "title": "Printer jams"}
    ]

    # Deleted: its sections leave the index, and drafts stop citing it.
    assert api.call("DELETE", f"/kb/articles/{vpn['id']}", tech).status == 204
    assert _index().sections(api.tenant_id) == []
    assert _draft(api, tech, printer_ticket)["sources"] == []


def test_the_index_is_per_tenant(api: Any, tech: str, client_id: str) -> None:
    vpn = _article(api, tech, "Resetting a VPN token", VPN_BODY)
    other_tenant = f"other-{uuid.uuid4().hex[:8]}"
    other = api.token("admin", "adm-x", tenant_id=other_tenant)
    r = api.call("POST", "/clients", other, {"name": "Elsewhere Ltd"})
    assert r.status == 201, r.body
    theirs = _ticket(api, other, r.body["id"], "my VPN token stopped working")
    assert _draft(api, other, theirs)["sources"] == []  # our article is not in their index
    assert _index().sections(other_tenant) == []
    assert _index().tenant_dir(other_tenant) != _index().tenant_dir(api.tenant_id)

    # Their own article goes to their index only.
    _article(api, other, "VPN token help", VPN_BODY)
    ours = _ticket(api, tech, client_id, "my VPN token stopped working")
    assert [s["article_id"] for s in _draft(api, tech, ours)["sources"]] == [vpn["id"]]
    assert {c.article_id for c, _, _ in _index().sections(api.tenant_id)} == {vpn["id"]}


def test_kb_list_pages_with_cursors(api: Any, tech: str) -> None:
    created = [_article(api, tech, f"Article {i}", f"body {i}")["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    pages = []
    while True:
        path = "/kb/articles?limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = api.call("GET", path, tech)
        assert r.status == 200, r.body
        pages.append(len(r.body["items"]))
        seen += [a["id"] for a in r.body["items"]]
        cursor = r.body["next_cursor"]
        if cursor is None:
            break
    assert pages == [2, 2, 1]
    assert seen == list(reversed(created))  # newest first, each once
    whole = api.call("GET", "/kb/articles", tech).body
    assert [a["id"] for a in whole["items"]] == seen and whole["next_cursor"] is None
    exact = api.call("GET", "/kb/articles?limit=5", tech).body
    assert len(exact["items"]) == 5 and exact["next_cursor"] is None  # no empty last page


def test_kb_list_rejects_bad_paging(api: Any, tech: str) -> None:
    for i in range(3):
        _article(api, tech, f"Article {i}", "body")
    cursor = api.call("GET", "/kb/articles?limit=1", tech).body["next_cursor"]
    assert cursor
    for query in ("limit=0", "limit=101", "limit=two", f"cursor={cursor}x", "cursor=%21%21", "colour=red"):
        r = api.call("GET", f"/kb/articles?{query}", tech)
        assert r.status == 400, (query, r.body)
        assert r.body["error"]["code"] == "validation_error"
    # A cursor is bound to its tenant: another tenant's staff cannot page with it.
    other = api.token("admin", "adm-x", tenant_id=f"other-{uuid.uuid4().hex[:8]}")
    assert api.call("GET", f"/kb/articles?limit=1&cursor={cursor}", other).status == 400
    assert api.call("GET", f"/kb/articles?limit=1&cursor={cursor}", tech).status == 200


def test_reindex_kb_rebuilds_a_tenants_index_from_the_table(
    api: Any, tech: str, ddb_endpoint: str, tmp_path: Path, capsys: Any
) -> None:
    from regentra.cli import main

    vpn = _article(api, tech, "Resetting a VPN token", VPN_BODY)
    printer = _article(api, tech, "Printer jams", PRINTER_BODY)
    api.call("DELETE", f"/kb/articles/{printer['id']}", tech)
    folder = tmp_path / "kb"
    args = ["reindex-kb", "--dynamodb-endpoint", ddb_endpoint, "--index-dir", str(folder)]
    assert main([*args, "--tenant", api.tenant_id]) == 0
    out = capsys.readouterr().out
    assert f"{api.tenant_id}: 1 articles" in out and str(folder) in out
    index = TantivyKbIndex(folder)
    assert {c.article_id for c, _, _ in index.sections(api.tenant_id)} == {vpn["id"]}
    assert [s.chunk.article_id for s in index.bm25(api.tenant_id, "VPN token stopped", 5)][:1] == [vpn["id"]]
    first = index.current_generation(api.tenant_id)
    # Without --tenant every tenant with articles is found (a Scan: offline command only).
    assert main(args) == 0
    assert index.current_generation(api.tenant_id) != first
    assert f"{api.tenant_id}: 1 articles" in capsys.readouterr().out


def test_reindex_kb_needs_to_know_where(capsys: Any, monkeypatch: Any) -> None:
    from regentra.cli import main

    monkeypatch.delenv("KB_INDEX_DIR", raising=False)
    monkeypatch.delenv("REGENTRA_DATA_DIR", raising=False)
    assert main(["reindex-kb"]) == 2
    assert "--index-dir" in capsys.readouterr().out
