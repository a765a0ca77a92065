"""POST /sla-policies (admin) — a named policy that clients can be assigned."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.domain.sla_policy import SlaPolicySettings
from regentra.services.sla_policies import create_policy

app = make_app()


@app.post("/sla-policies")
def create_sla_policy():
    caller = principal(app)
    caller.require_admin()
    return json_response(201, create_policy(caller, parse_body(app, SlaPolicySettings), deps()))


handler = lambda_handler(app)
