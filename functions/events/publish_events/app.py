"""Table stream -> EventBridge: publish outbox items (kind=event). Only INSERTs of events reach
this function (FilterCriteria in template.yaml); a failed batch is retried, consumers de-duplicate."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from regentra.services.deps import event_publisher
from regentra.services.events import publish_outbox

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def publish_record(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else None
    keys = record.dynamodb.keys if record.dynamodb else None
    if image and keys and image.get("kind") == "event":
        publish_outbox([(keys, image)], event_publisher())


def handler(event, context):
    return process_partial_response(
        event=event, record_handler=publish_record, processor=processor, context=context
    )
