"""`regentra reindex` rebuilds the search index from the table (DynamoDB Local), into a new
generation the readers switch to; notes stay out of it."""

from __future__ import annotations

from regentra.adapters.search_index import TantivySearchIndex
from regentra.cli import main
from regentra.domain.search import parse_query
from regentra.services.ports import SearchScope


def test_reindex_rebuilds_tickets_and_public_replies_from_the_table(
    api, tech, client_id, tenant, ddb_endpoint, tmp_path, capsys
):
    t = api.call("POST", "/tickets", tech, {"subject": "Plotter offline", "client_id": client_id}).body
    api.call("POST", f"/tickets/{t['id']}/replies", tech, {"body": "Replaced the carburetor"})
    api.call("POST", f"/tickets/{t['id']}/notes", tech, {"body": "Secret walrus"})
    folder = tmp_path / "search"
    assert main(["reindex", "--dynamodb-endpoint", ddb_endpoint, "--index-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("reindexed ") and str(folder) in out
    index = TantivySearchIndex(folder)
    first = index.current_generation()

    def find(q: str) -> list[str]:
        page = index.search(parse_query(q), SearchScope(tenant), offset=0, limit=10, window=100)
        return [h.ticket_id for h in page.hits]

    assert find("plotter") == [t["id"]]
    assert find("carburetor") == [t["id"]]
    assert find("walrus") == []
    doc = index.document(tenant, t["id"])
    assert doc is not None and doc.fields.status == "IN_PROGRESS" and doc.fields.version == 3
    # Again: a new generation replaces the first; the one before is kept, older ones go.
    assert main(["reindex", "--dynamodb-endpoint", ddb_endpoint, "--index-dir", str(folder)]) == 0
    assert main(["reindex", "--dynamodb-endpoint", ddb_endpoint, "--index-dir", str(folder)]) == 0
    generations = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert len(generations) == 2 and first not in generations
    assert index.current_generation() in generations and find("carburetor") == [t["id"]]


def test_reindex_needs_to_know_where(capsys, monkeypatch):
    monkeypatch.delenv("SEARCH_INDEX_DIR", raising=False)
    assert main(["reindex"]) == 2
    assert "--index-dir" in capsys.readouterr().out
