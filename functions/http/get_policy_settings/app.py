"""GET /settings/policies (admin) — the priority escalation switches (API.md defaults for a new tenant)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.policies import get_policies

app = make_app()


@app.get("/settings/policies")
def get_policy_settings():
    return json_response(200, get_policies(principal(app), deps()))


handler = lambda_handler(app)
