"""PATCH /contacts/{id} — name, email, phone."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.directory import update_contact
from regentra.services.requests import PatchContact
from regentra.services.views import contact_view

app = make_app()


@app.patch("/contacts/<contact_id>")
def update_contact_route(contact_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    return json_response(
        200, contact_view(update_contact(caller, contact_id, parse_body(app, PatchContact), deps()))
    )


handler = lambda_handler(app)
