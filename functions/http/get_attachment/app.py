"""GET /tickets/{id}/attachments/{attachment_id} — a short-lived download link for readers of the ticket."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.attachments import download
from regentra.services.deps import attachment_store
from regentra.services.views import attachment_view

app = make_app()


@app.get("/tickets/<ticket_id>/attachments/<attachment_id>")
def get_attachment(ticket_id: str, attachment_id: str):
    attachment, url = download(principal(app), ticket_id, attachment_id, deps(), attachment_store())
    return json_response(200, attachment_view(attachment) | {"download_url": url})


handler = lambda_handler(app)
