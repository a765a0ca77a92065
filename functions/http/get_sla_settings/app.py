"""GET /settings/sla (admin) — the tenant's default SLA policy."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.sla_policies import get_default_policy

app = make_app()


@app.get("/settings/sla")
def get_sla_settings():
    return json_response(200, get_default_policy(principal(app), deps()))


handler = lambda_handler(app)
