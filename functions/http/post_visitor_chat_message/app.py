"""POST /chat/visitor/sessions/{id}/messages — public (no JWT): a visitor's message (X-Chat-Token)."""

from regentra.api.http import deps, header, json_response, lambda_handler, make_app, parse_body
from regentra.services.chat import post_message, visitor_caller
from regentra.services.requests import PostChatMessage
from regentra.services.views import chat_message_view

app = make_app()


@app.post("/chat/visitor/sessions/<session_id>/messages")
def create_visitor_chat_message(session_id: str):
    d = deps()
    caller = visitor_caller(session_id, header(app, "X-Chat-Token"), d)
    req = parse_body(app, PostChatMessage)
    message = post_message(caller, session_id, req.body, d)
    return json_response(201, chat_message_view(message))


handler = lambda_handler(app)
