"""POST /chat/sessions/{id}/messages — a chat message from the customer or from staff."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.chat import ChatCaller, post_message
from regentra.services.requests import PostChatMessage
from regentra.services.views import chat_message_view

app = make_app()


@app.post("/chat/sessions/<session_id>/messages")
def create_chat_message(session_id: str):
    caller = principal(app)
    caller.require_writer()
    req = parse_body(app, PostChatMessage)
    message = post_message(ChatCaller.of(caller), session_id, req.body, deps())
    return json_response(201, chat_message_view(message))


handler = lambda_handler(app)
