"""What reaches the search indexer from the table stream, and how the template wires it: notes
never (the FilterCriteria drops them and the decoder ignores them anyway), ticket versions and
public replies always; one writer; only the search functions in the VPC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from regentra.adapters.dynamo.items import NoteItem, ReplyItem, ticket_pk
from regentra.adapters.dynamo.repository import ticket_to_item
from regentra.adapters.dynamo.stream_images import stream_change
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.search import ReplyAdded, TicketRemoved
from regentra.domain.tickets import Ticket
from regentra.local.streams import record_passes
from regentra.local.template import Template

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
INDEXER = "IndexTicketsFunction"


def ticket_image(version: int = 3) -> dict[str, Any]:
    t = Ticket(
        tenant_id="t1", id="01TICKET", number=7, subject="VPN down", description="since 9",
        status=Status.OPEN, priority=Priority.HIGH, channel=Channel.EMAIL, client_id="c1",
        created_at=NOW, updated_at=NOW, version=version,
    )  # fmt: skip
    item = ticket_to_item(t)
    item.version = version
    return item.serialize()


def reply_image(author_type: str = "customer") -> dict[str, Any]:
    pk, sk = ReplyItem.key("t1", "01TICKET", "01REPLY")
    return ReplyItem(
        pk=pk, sk=sk, tenant_id="t1", ticket_id="01TICKET", id="01REPLY", author_type=author_type,
        author_id="dana", body="Still broken", channel="PORTAL", created_at=NOW,
    ).serialize()  # fmt: skip


def note_image() -> dict[str, Any]:
    return NoteItem(
        pk=ticket_pk("t1", "01TICKET"), sk="NOTE#01NOTE", ticket_id="01TICKET", id="01NOTE",
        author_id="tom", body="Zanzibar password", created_at=NOW,
    ).serialize()  # fmt: skip


def record(
    event: str, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"SequenceNumber": "1"}
    if new is not None:
        data["NewImage"] = new
    if old is not None:
        data["OldImage"] = old
    return {"eventID": "e1", "eventName": event, "eventSource": "aws:dynamodb", "dynamodb": data}


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template.load()


@pytest.fixture(scope="module")
def trigger(tpl: Template):
    [found] = [t for t in tpl.stream_triggers() if t.function == INDEXER]
    return found


@pytest.mark.parametrize(
    ("rec", "passes"),
    [
        (lambda: record("INSERT", ticket_image()), True),
        (lambda: record("MODIFY", ticket_image(), ticket_image(2)), True),
        (lambda: record("REMOVE", old=ticket_image()), True),
        (lambda: record("INSERT", reply_image("customer")), True),
        (lambda: record("INSERT", reply_image("staff")), True),
        (lambda: record("MODIFY", reply_image(), reply_image()), False),  # delivery updates
        (lambda: record("INSERT", note_image()), False),
        (lambda: record("MODIFY", note_image(), note_image()), False),
    ],
)
def test_filter_criteria_let_through_tickets_and_new_replies_never_notes(trigger, rec, passes):
    assert record_passes(trigger, rec()) is passes


def test_decoding_stream_records():
    t = stream_change(record("MODIFY", ticket_image(4), ticket_image(3)))
    assert isinstance(t, Ticket) and t.version == 4 and t.subject == "VPN down" and t.client_id == "c1"
    assert stream_change(record("REMOVE", old=ticket_image(5))) == TicketRemoved("t1", "01TICKET", 5)
    assert stream_change(record("INSERT", reply_image())) == ReplyAdded(
        "t1", "01TICKET", "01REPLY", "Still broken"
    )
    assert stream_change(record("INSERT", note_image())) is None  # even if a filter let it through
    assert stream_change(record("REMOVE", old=note_image())) is None


def test_one_writer_batched_and_only_search_functions_in_the_vpc(tpl: Template):
    functions = tpl.of_type("AWS::Serverless::Function")
    in_vpc = {name for name, res in functions.items() if "VpcConfig" in res["Properties"]}
    # The ticket index (indexer, list, board) and the KB index (its indexer, the AI draft).
    assert in_vpc == {
        INDEXER,
        "ListTicketsFunction",
        "TicketsBoardFunction",
        "IndexKbFunction",
        "AiDraftFunction",
    }
    for writer in (INDEXER, "IndexKbFunction"):
        indexer = functions[writer]["Properties"]
        assert indexer["ReservedConcurrentExecutions"] == 1
        stream = indexer["Events"]["TableStream"]["Properties"]
        assert stream["ParallelizationFactor"] == 1 and stream["BatchSize"] >= 100
        assert stream["MaximumBatchingWindowInSeconds"] >= 1
    for name in in_vpc:
        props = functions[name]["Properties"]
        assert props["FileSystemConfigs"][0]["LocalMountPath"] == "/mnt/search"
        env = props["Environment"]["Variables"]
        assert (env.get("SEARCH_INDEX_DIR") or env["KB_INDEX_DIR"]).startswith("/mnt/search/")
    endpoint = tpl.resources["SearchDynamoDbEndpoint"]["Properties"]
    assert endpoint["VpcEndpointType"] == "Gateway"
