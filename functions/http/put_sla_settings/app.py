"""PUT /settings/sla (admin) — replace the default policy; applies to tickets created afterwards."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.domain.sla_policy import SlaPolicySettings
from regentra.services.sla_policies import put_default_policy

app = make_app()


@app.put("/settings/sla")
def put_sla_settings():
    caller = principal(app)
    caller.require_admin()
    return json_response(200, put_default_policy(caller, parse_body(app, SlaPolicySettings), deps()))


handler = lambda_handler(app)
