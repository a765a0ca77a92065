"""POST /chat/sessions — a customer starts a live chat for their own client and contact."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.chat import start_chat
from regentra.services.requests import StartChat
from regentra.services.views import chat_session_view

app = make_app()


@app.post("/chat/sessions")
def create_chat_session():
    caller = principal(app)
    caller.require_writer()
    req = parse_body(app, StartChat)
    session = start_chat(caller, req, deps())
    return json_response(201, chat_session_view(session))


handler = lambda_handler(app)
