"""POST /tickets/{id}/attachments — start an upload: returns a presigned POST limited in size and type."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.attachments import start_upload
from regentra.services.deps import attachment_store
from regentra.services.requests import CreateAttachment
from regentra.services.views import attachment_view

app = make_app()


@app.post("/tickets/<ticket_id>/attachments")
def create_attachment(ticket_id: str):
    caller = principal(app)
    caller.require_writer()
    req = parse_body(app, CreateAttachment)
    attachment, upload = start_upload(
        caller, ticket_id, req.filename, req.content_type, req.size, deps(), attachment_store()
    )
    return json_response(201, attachment_view(attachment) | {"upload": upload})


handler = lambda_handler(app)
