"""POST /contacts — staff add a person at a client."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.directory import create_contact
from regentra.services.requests import CreateContact
from regentra.services.views import contact_view

app = make_app()


@app.post("/contacts")
def create_contact_route():
    caller = principal(app)
    caller.require_staff_writer()
    return json_response(201, contact_view(create_contact(caller, parse_body(app, CreateContact), deps())))


handler = lambda_handler(app)
