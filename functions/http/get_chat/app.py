"""GET /chat/sessions/{id} — the session and its messages (staff, or the customer who is in it)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.chat import ChatCaller, get_chat
from regentra.services.views import chat_session_view

app = make_app()


@app.get("/chat/sessions/<session_id>")
def get_chat_session(session_id: str):
    caller = principal(app)
    session, messages = get_chat(ChatCaller.of(caller), session_id, deps())
    return json_response(200, chat_session_view(session, messages, staff=caller.is_staff))


handler = lambda_handler(app)
