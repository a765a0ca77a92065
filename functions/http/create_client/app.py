"""POST /clients — staff add a client company."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.directory import create_client
from regentra.services.requests import CreateClient
from regentra.services.views import client_view

app = make_app()


@app.post("/clients")
def create_client_route():
    caller = principal(app)
    caller.require_staff_writer()
    return json_response(201, client_view(create_client(caller, parse_body(app, CreateClient), deps())))


handler = lambda_handler(app)
