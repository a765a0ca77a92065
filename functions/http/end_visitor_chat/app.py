"""POST /chat/visitor/sessions/{id}/end — public (no JWT): the visitor ends the chat (X-Chat-Token);
its transcript becomes a CHAT ticket, once."""

from regentra.api.http import deps, header, json_response, lambda_handler, make_app
from regentra.services.chat import end_chat, visitor_caller
from regentra.services.views import chat_session_view

app = make_app()


@app.post("/chat/visitor/sessions/<session_id>/end")
def end_visitor_chat_session(session_id: str):
    d = deps()
    caller = visitor_caller(session_id, header(app, "X-Chat-Token"), d)
    session = end_chat(caller, session_id, d)
    return json_response(200, chat_session_view(session))


handler = lambda_handler(app)
