"""GET /chat/sessions?state=active — staff: the tenant's chat sessions, latest activity first."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.chat import list_chats
from regentra.services.requests import ListChatsQuery
from regentra.services.views import chat_session_view

app = make_app()


@app.get("/chat/sessions")
def list_chat_sessions():
    caller = principal(app)
    caller.require_staff()
    query = parse_query(app, ListChatsQuery)
    page = list_chats(caller, query, deps())
    items = [chat_session_view(s, staff=True) for s in page.items]
    return json_response(200, {"items": items, "next_cursor": page.next_cursor})


handler = lambda_handler(app)
