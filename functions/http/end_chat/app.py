"""POST /chat/sessions/{id}/end — either side ends the chat; its transcript becomes a CHAT ticket
(once: ending it again returns the same ticket_id)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.chat import ChatCaller, end_chat
from regentra.services.views import chat_session_view

app = make_app()


@app.post("/chat/sessions/<session_id>/end")
def end_chat_session(session_id: str):
    caller = principal(app)
    caller.require_writer()
    session = end_chat(ChatCaller.of(caller), session_id, deps())
    return json_response(200, chat_session_view(session, staff=caller.is_staff))


handler = lambda_handler(app)
