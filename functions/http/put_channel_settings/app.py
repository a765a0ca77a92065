"""PUT /settings/channels (admin) — replace support addresses and SMS numbers."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.directory import put_channels
from regentra.services.requests import ChannelSettings

app = make_app()


@app.put("/settings/channels")
def put_channels_route():
    caller = principal(app)
    caller.require_admin()
    return json_response(200, put_channels(caller, parse_body(app, ChannelSettings), deps()))


handler = lambda_handler(app)
