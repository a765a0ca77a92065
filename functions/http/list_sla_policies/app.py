"""GET /sla-policies (admin)"""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.sla_policies import list_policies

app = make_app()


@app.get("/sla-policies")
def list_sla_policies():
    return json_response(200, {"items": list_policies(principal(app), deps()), "next_cursor": None})


handler = lambda_handler(app)
