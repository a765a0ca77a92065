"""GET /tickets/board — one column per status: first page, count, next cursor (staff)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.requests import BoardQuery
from regentra.services.search import board, board_view

app = make_app()


@app.get("/tickets/board")
def tickets_board_route():
    caller = principal(app)
    d = deps()
    columns = board(caller, parse_query(app, BoardQuery), d)
    return json_response(200, board_view(columns, d.clock.now(), caller))


handler = lambda_handler(app)
