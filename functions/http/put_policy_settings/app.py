"""PUT /settings/policies (admin) — switch the VIP, spike, AI security and AI frustration policies."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.domain.policies import PolicySettings
from regentra.services.policies import put_policies

app = make_app()


@app.put("/settings/policies")
def put_policy_settings():
    caller = principal(app)
    caller.require_admin()
    return json_response(200, put_policies(caller, parse_body(app, PolicySettings), deps()))


handler = lambda_handler(app)
