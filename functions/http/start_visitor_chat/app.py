"""POST /chat/visitor/sessions — public (no JWT): a visitor starts a chat with a tenant, giving an
email. The answer carries `visitor_token`, sent back as `X-Chat-Token` on the visitor routes."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body
from regentra.services.chat import start_visitor_chat
from regentra.services.requests import StartVisitorChat
from regentra.services.views import chat_session_view

app = make_app()


@app.post("/chat/visitor/sessions")
def create_visitor_chat_session():
    req = parse_body(app, StartVisitorChat)
    session, token = start_visitor_chat(req, deps())
    return json_response(201, {**chat_session_view(session), "visitor_token": token})


handler = lambda_handler(app)
