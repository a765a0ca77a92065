"""POST /tickets/{id}/ai-draft — a reply suggestion from the knowledge base (staff; never sent)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.kb import ai_draft

app = make_app()


@app.post("/tickets/<ticket_id>/ai-draft")
def ai_draft_route(ticket_id: str):
    caller = principal(app)
    caller.require_staff()
    return json_response(200, ai_draft(caller, ticket_id, deps()).as_dict())


handler = lambda_handler(app)
