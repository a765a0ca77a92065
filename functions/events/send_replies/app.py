"""Table stream -> the customer: send each new staff reply on its ticket's channel (email or SMS).
Only INSERTs of staff replies reach this function (FilterCriteria in template.yaml). A failed
send is reported as a batch item failure and retried; a reply is never sent twice."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from regentra.services.delivery import deliver_reply
from regentra.services.deps import default_deps, mailer, sms_sender

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def send_record(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image or image.get("kind") != "reply":
        return
    deliver_reply(default_deps(), mailer(), sms_sender(), image["tenant_id"], image["ticket_id"], image["id"])


def handler(event, context):
    return process_partial_response(
        event=event, record_handler=send_record, processor=processor, context=context
    )
