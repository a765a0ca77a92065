"""PATCH /clients/{id} — name, vip, email_domains, sla_policy_id."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.directory import update_client
from regentra.services.requests import PatchClient
from regentra.services.views import client_view

app = make_app()


@app.patch("/clients/<client_id>")
def update_client_route(client_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    return json_response(
        200, client_view(update_client(caller, client_id, parse_body(app, PatchClient), deps()))
    )


handler = lambda_handler(app)
