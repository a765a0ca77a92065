"""GET /chat/visitor/sessions/{id} — public (no JWT): the visitor reads their session (X-Chat-Token)."""

from regentra.api.http import deps, header, json_response, lambda_handler, make_app
from regentra.services.chat import get_chat, visitor_caller
from regentra.services.views import chat_session_view

app = make_app()


@app.get("/chat/visitor/sessions/<session_id>")
def get_visitor_chat_session(session_id: str):
    d = deps()
    caller = visitor_caller(session_id, header(app, "X-Chat-Token"), d)
    session, messages = get_chat(caller, session_id, d)
    return json_response(200, chat_session_view(session, messages))


handler = lambda_handler(app)
