"""GET /cascades/{cascade_id} (staff) — {"state", "total", "applied", "skipped", "failed", ...}."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.cascades import get_cascade
from regentra.services.views import cascade_view

app = make_app()


@app.get("/cascades/<cascade_id>")
def get_cascade_route(cascade_id: str):
    caller = principal(app)
    caller.require_staff()
    return json_response(200, cascade_view(get_cascade(caller, cascade_id, deps())))


handler = lambda_handler(app)
