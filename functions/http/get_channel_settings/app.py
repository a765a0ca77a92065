"""GET /settings/channels (admin) — support addresses and SMS numbers of the tenant."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.directory import get_channels

app = make_app()


@app.get("/settings/channels")
def get_channels_route():
    return json_response(200, get_channels(principal(app), deps()))


handler = lambda_handler(app)
