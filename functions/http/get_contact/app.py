"""GET /contacts/{id}"""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.directory import get_contact
from regentra.services.views import contact_view

app = make_app()


@app.get("/contacts/<contact_id>")
def get_contact_route(contact_id: str):
    return json_response(200, contact_view(get_contact(principal(app), contact_id, deps())))


handler = lambda_handler(app)
