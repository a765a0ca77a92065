"""Lambda FilterCriteria applied to stream records locally, as Lambda applies them in AWS."""

from __future__ import annotations

from regentra.local.streams import record_passes
from regentra.local.template import StreamTrigger

EVENTS_ONLY = StreamTrigger(
    function="PublishEventsFunction",
    name="TableStream",
    table="RegentraTable",
    filters=({"Pattern": '{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["event"]}}}}'},),
)


def record(event_name: str, kind: str | None) -> dict:
    image = {"PK": {"S": "T#t#TICKET#1"}} | ({"kind": {"S": kind}} if kind else {})
    return {"eventName": event_name, "dynamodb": {"NewImage": image}}


def test_only_inserted_outbox_events_pass():
    assert record_passes(EVENTS_ONLY, record("INSERT", "event"))
    assert not record_passes(EVENTS_ONLY, record("MODIFY", "event"))
    assert not record_passes(EVENTS_ONLY, record("INSERT", "ticket"))
    assert not record_passes(EVENTS_ONLY, record("INSERT", None))
    assert not record_passes(EVENTS_ONLY, {"eventName": "REMOVE", "dynamodb": {"OldImage": {}}})


def test_prefix_exists_and_no_filter():
    trig = StreamTrigger(
        function="F",
        name="S",
        table="T",
        filters=(
            {
                "Pattern": {
                    "dynamodb": {
                        "Keys": {"SK": {"S": [{"prefix": "REPLY#"}]}},
                        "NewImage": {"sent_at": [{"exists": False}]},
                    }
                }
            },
        ),
    )
    ok = {"dynamodb": {"Keys": {"SK": {"S": "REPLY#1"}}, "NewImage": {}}}
    assert record_passes(trig, ok)
    assert not record_passes(trig, {"dynamodb": {"Keys": {"SK": {"S": "NOTE#1"}}, "NewImage": {}}})
    sent = {"dynamodb": {"Keys": {"SK": {"S": "REPLY#1"}}, "NewImage": {"sent_at": {"S": "x"}}}}
    assert not record_passes(trig, sent)
    assert record_passes(StreamTrigger(function="F", name="S", table="T"), {"anything": 1})
