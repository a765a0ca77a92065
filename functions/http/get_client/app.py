"""GET /clients/{id}"""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.directory import get_client
from regentra.services.views import client_view

app = make_app()


@app.get("/clients/<client_id>")
def get_client_route(client_id: str):
    return json_response(200, client_view(get_client(principal(app), client_id, deps())))


handler = lambda_handler(app)
