"""S3 "Object Created" (uploads/..., via EventBridge) -> the attachment is listed on its ticket."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel

from regentra.services.attachments import upload_landed
from regentra.services.deps import default_deps

logger = Logger(service="regentra")


@logger.inject_lambda_context
@event_parser(model=S3EventNotificationEventBridgeModel)
def handler(event: S3EventNotificationEventBridgeModel, context):
    key, size = event.detail.object.key, int(event.detail.object.size or 0)
    landed = upload_landed(default_deps(), key, size)
    if not landed:
        logger.warning("upload not matched to a pending attachment", extra={"key": key})
    return {"landed": int(landed)}
